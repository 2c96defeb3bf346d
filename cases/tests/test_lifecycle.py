"""``lifecycle.row_transition``, the one writer of the status of holds, reconsiderations, appeals and extension
requests: every move in its map allowed with its event, every other refused with nothing written."""

import datetime
import itertools

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from cases import appeals, extensions, holds, lifecycle, reconsiderations
from cases.models import Appeal, AuthorizationExtension, CaseEvent, Hold, Reconsideration
from cases.tests.factories import submitted_case
from cases.tests.post_decision_world import appeals_user, decided_case, reviewer  # noqa: F401  (a fixture)

pytestmark = pytest.mark.django_db


def _consistent(model, status: str) -> dict:
    """The fields a row in ``status`` carries (the models' check constraints), so the walk can start anywhere."""
    now = timezone.now()
    if model is Hold:
        return {"closed_at": None if status == Hold.Status.OPEN else now}
    if model is Appeal:
        if status == Appeal.Status.DRAFT:
            return {"submitted_at": None, "due_at": None, "draft_expires_at": now + datetime.timedelta(days=5)}
        return {"submitted_at": now, "due_at": now + datetime.timedelta(days=30)}
    if model is Reconsideration:
        return {"decided_at": None if status == Reconsideration.Status.SUBMITTED else now}
    return {"decided_at": None if status == AuthorizationExtension.Status.REQUESTED else now}


def _rows(reviewer):  # noqa: F811
    """One row of each model, made through its service."""
    pending = submitted_case()
    hold = holds.hold_place(
        case=pending,
        items=["progress_notes"],
        note="",
        due_on=timezone.localdate() + datetime.timedelta(days=7),
        by=reviewer,
    )
    denied = decided_case("ddd", by=reviewer)
    reconsideration = reconsiderations.reconsideration_request(
        case=denied, user=appeals_user(denied), reason="New notes."
    )
    other = decided_case("ddd", by=reviewer)
    appeal = appeals.appeal_draft_start(case=other, user=appeals_user(other))
    approved = decided_case("aaa", by=reviewer)
    extension = extensions.extension_request(
        case=approved,
        user=approved.created_by,
        reason="Therapy resumed late.",
        requested_valid_to=approved.valid_to + datetime.timedelta(days=30),
    )
    return [hold, reconsideration, appeal, extension]


def test_every_row_move_in_the_map_is_allowed_and_every_other_refused(catalog, reviewer):  # noqa: F811
    for row in _rows(reviewer):
        model = type(row)
        statuses = model._meta.get_field("status").choices
        for (from_status, _), (to, _) in itertools.product(statuses, statuses):
            if model is Reconsideration and Reconsideration.Status.DRAFT in (from_status, to):
                continue  # no reconsideration is ever a draft (a check constraint)
            model.objects.filter(pk=row.pk).update(status=from_status, **_consistent(model, from_status))
            row.refresh_from_db()
            events = CaseEvent.objects.count()
            if to in lifecycle.ROW_TRANSITIONS[model].get(from_status, set()):
                lifecycle.row_transition(row, to=to, fields=_consistent(model, to))
                assert model.objects.get(pk=row.pk).status == to
                expected_kind = lifecycle.EVENT_FOR.get((model, to))
                if expected_kind:
                    event = CaseEvent.objects.latest("pk")
                    assert (event.kind, event.payload["status"]) == (expected_kind, to)
                assert CaseEvent.objects.count() == events + (1 if expected_kind else 0)
            else:
                with pytest.raises(ValidationError, match="cannot become"):
                    lifecycle.row_transition(row, to=to, fields=_consistent(model, to))
                assert model.objects.get(pk=row.pk).status == from_status
                assert CaseEvent.objects.count() == events


def test_the_move_checks_the_status_in_the_database_not_a_stale_copy(catalog, reviewer):  # noqa: F811
    hold = _rows(reviewer)[0]
    stale = Hold.objects.get(pk=hold.pk)
    lifecycle.row_transition(hold, to=Hold.Status.ANSWERED, fields={"closed_at": timezone.now()})
    with pytest.raises(ValidationError, match="answered cannot become lapsed"):
        lifecycle.row_transition(stale, to=Hold.Status.LAPSED, fields={"closed_at": timezone.now()})
    assert Hold.objects.get(pk=hold.pk).status == Hold.Status.ANSWERED
