"""A one-time extension of an active authorization (issue 11 item 11, WL-7, seed 002)."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from cases import extensions
from cases.models import AuthorizationExtension, Case, CaseEvent
from cases.tests.post_decision_world import (
    appeals_user,
    decided_case,
    delegate_of,
    reviewer,  # noqa: F401 (a fixture)
)

pytestmark = pytest.mark.django_db


def ask(case, user=None, *, days=30, reason="Therapy continues."):
    return extensions.extension_request(
        case=case,
        user=user or case.created_by,
        reason=reason,
        requested_valid_to=case.valid_to + datetime.timedelta(days=days),
    )


@pytest.mark.parametrize("grant", [True, False])
def test_a_one_time_extension_is_asked_and_granted_or_refused(catalog, reviewer, grant):  # noqa: F811
    case = decided_case("aad", by=reviewer)
    previous = case.valid_to
    extension = ask(case)
    assert (extension.status, extension.previous_valid_to) == ("requested", previous)
    event = CaseEvent.objects.filter(case=case).latest("pk")
    assert (event.kind, event.payload["extension"]) == ("extension_requested", extension.pk)
    with pytest.raises(ValidationError, match="only one is allowed"):
        ask(case, days=60)
    with pytest.raises(PermissionDenied):
        extensions.extension_decide(extension=extension, grant=grant, by=case.created_by)
    extension = extensions.extension_decide(extension=extension, grant=grant, note="Seen.", by=reviewer)
    assert (extension.status, extension.decided_by, extension.decision_note) == (
        "granted" if grant else "refused",
        reviewer,
        "Seen.",
    )
    assert Case.objects.get(pk=case.pk).valid_to == (previous + datetime.timedelta(days=30) if grant else previous)
    assert CaseEvent.objects.filter(case=case, kind="extension_decided").count() == 1
    with pytest.raises(ValidationError, match="cannot become"):
        extensions.extension_decide(extension=extension, grant=not grant, by=reviewer)
    with pytest.raises(ValidationError, match="only one is allowed"):
        ask(case)


def test_only_an_active_authorization_is_extended(catalog, reviewer):  # noqa: F811
    denied = decided_case("ddd", by=reviewer)
    with pytest.raises(ValidationError, match="Only an active authorization"):
        extensions.extension_request(
            case=denied, user=denied.created_by, reason="R.", requested_valid_to=timezone.localdate()
        )
    expired = decided_case("aaa", by=reviewer)
    Case.objects.filter(pk=expired.pk).update(valid_to=timezone.localdate() - datetime.timedelta(days=1))
    expired.refresh_from_db()
    with pytest.raises(ValidationError, match="can no longer be extended"):
        ask(expired)
    last_day = decided_case("aaa", by=reviewer)
    Case.objects.filter(pk=last_day.pk).update(valid_to=timezone.localdate())
    last_day.refresh_from_db()
    assert ask(last_day).previous_valid_to == timezone.localdate()


def test_the_new_last_day_is_later_and_a_reason_is_given(catalog, reviewer):  # noqa: F811
    case = decided_case("aaa", by=reviewer)
    with pytest.raises(ValidationError) as error:
        ask(case, days=0, reason=" ")
    assert set(error.value.message_dict) == {"reason", "requested_valid_to"}
    assert not AuthorizationExtension.objects.exists()


@pytest.mark.parametrize("who", ["delegate", "appeals only"])
def test_only_the_practices_case_submitters_ask(catalog, reviewer, who):  # noqa: F811
    case = decided_case("aaa", by=reviewer)
    user = delegate_of(case) if who == "delegate" else appeals_user(case)
    with pytest.raises(PermissionDenied):
        ask(case, user)
