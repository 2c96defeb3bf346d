"""Reconsiderations (issue 11 item 9, WL-5): asked by the practice's appeals users while the request is Denied or
Partially Approved, one at a time, none once an appeal is received; decided by a reviewer as a new round."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from accounts.tests.factories import UserFactory
from audit.models import AuditEvent
from cases import appeals, reconsiderations
from cases.models import CaseEvent, CaseStatus, Reconsideration
from cases.tests.factories import submitted_case
from cases.tests.post_decision_world import (
    appeals_user,
    decided_case,
    delegate_of,
    determine,
    reviewer,  # noqa: F401 (a fixture)
)

pytestmark = pytest.mark.django_db
S = CaseStatus


def ask(case, user, **kwargs):
    return reconsiderations.reconsideration_request(case=case, user=user, reason="New notes.", **kwargs)


def test_an_appeals_user_asks_for_a_reconsideration_with_its_event(catalog, reviewer):  # noqa: F811
    case = decided_case("add", by=reviewer)
    user = appeals_user(case)
    row = ask(case, user, documentation="Trial notes attached.")
    assert (row.sequence, row.status, row.requested_by, row.documentation) == (
        1,
        "submitted",
        user,
        "Trial notes attached.",
    )
    event = CaseEvent.objects.filter(case=case).latest("pk")
    assert (event.kind, event.actor, event.payload) == (
        "reconsideration_requested",
        user,
        {"reconsideration": row.pk, "sequence": 1},
    )
    assert AuditEvent.objects.filter(action="case.reconsideration_requested", actor=user).exists()


def test_one_at_a_time_and_the_next_takes_the_next_sequence(catalog, reviewer):  # noqa: F811
    case = decided_case("add", by=reviewer)
    user = appeals_user(case)
    first = ask(case, user)
    with pytest.raises(ValidationError, match="already waiting for its decision"):
        ask(case, user)
    lines = list(case.service_lines.all())[1:]
    determine(case, "dd", by=reviewer, round="reconsideration", lines=lines)
    assert reconsiderations.reconsideration_decide(reconsideration=first, by=reviewer).status == "upheld"
    assert ask(case, user).sequence == 2


@pytest.mark.parametrize("outcomes", ["ddd", "add"])
def test_the_reviewer_overturns_when_a_line_not_approved_is_now_approved(catalog, reviewer, outcomes):  # noqa: F811
    case = decided_case(outcomes, by=reviewer)
    row = ask(case, appeals_user(case))
    lines = [line for line, outcome in zip(case.service_lines.all(), outcomes, strict=True) if outcome != "a"]
    determine(case, "a" + "d" * (len(lines) - 1), by=reviewer, round="reconsideration", lines=lines)
    row = reconsiderations.reconsideration_decide(reconsideration=row, by=reviewer)
    assert (row.status, row.decided_by) == ("overturned", reviewer) and row.decided_at
    case.refresh_from_db()
    assert case.status == S.PARTIALLY_APPROVED  # one line approved now, one still denied
    assert CaseEvent.objects.filter(case=case, kind="reconsideration_decided", payload__status="overturned").exists()


def test_an_overturn_of_every_line_approves_the_case(catalog, reviewer):  # noqa: F811
    case = decided_case("ddd", by=reviewer)
    row = ask(case, appeals_user(case))
    determine(case, "aaa", by=reviewer, round="reconsideration")
    reconsiderations.reconsideration_decide(reconsideration=row, by=reviewer)
    case.refresh_from_db()
    assert case.status == S.APPROVED and case.authorization_number


def test_only_a_reviewer_decides_and_only_once(catalog, reviewer):  # noqa: F811
    case = decided_case("ddd", by=reviewer)
    user = appeals_user(case)
    row = ask(case, user)
    determine(case, "ddd", by=reviewer, round="reconsideration")
    for someone in (user, UserFactory(is_staff=True), None):
        with pytest.raises(PermissionDenied):
            reconsiderations.reconsideration_decide(reconsideration=row, by=someone)
    reconsiderations.reconsideration_decide(reconsideration=row, by=reviewer)
    with pytest.raises(ValidationError, match="decided"):
        reconsiderations.reconsideration_decide(reconsideration=row, by=reviewer)
    assert Reconsideration.objects.get(pk=row.pk).status == "upheld"


def test_refused_once_an_appeal_is_submitted_but_not_for_a_draft(catalog, reviewer):  # noqa: F811
    case = decided_case("ddd", by=reviewer)
    user = appeals_user(case)
    appeal = appeals.appeal_draft_start(case=case, user=user)
    ask(case, user)  # a draft is not an appeal received
    determine(case, "ddd", by=reviewer, round="reconsideration")
    reconsiderations.reconsideration_decide(reconsideration=case.reconsiderations.get(), by=reviewer)
    appeals.appeal_draft_save(appeal=appeal, user=user, reason="Medically necessary.")
    appeals.appeal_submit(appeal=appeal, user=user)
    with pytest.raises(ValidationError, match="until an appeal is received"):
        ask(case, user)


@pytest.mark.parametrize("who", ["submitter", "delegate", "stranger"])
def test_only_holders_of_the_appeals_entitlement_may_ask(catalog, reviewer, who):  # noqa: F811
    case = decided_case("ddd", by=reviewer)
    user = {"submitter": case.created_by, "delegate": delegate_of(case), "stranger": UserFactory()}[who]
    with pytest.raises(PermissionDenied):
        ask(case, user)
    assert not case.reconsiderations.exists()


def test_only_a_denied_or_partially_approved_request_and_with_a_reason(catalog, reviewer):  # noqa: F811
    approved = decided_case("aaa", by=reviewer)
    with pytest.raises(ValidationError, match="Approved cannot be reconsidered"):
        ask(approved, appeals_user(approved))
    pending = submitted_case()
    with pytest.raises(ValidationError, match="Pending Medical Review cannot be reconsidered"):
        ask(pending, appeals_user(pending))
    denied = decided_case("ddd", by=reviewer)
    with pytest.raises(ValidationError, match="Enter the reason"):
        reconsiderations.reconsideration_request(case=denied, user=appeals_user(denied), reason="  ")
    with pytest.raises(ValidationError, match="No alternative"):
        ask(denied, appeals_user(denied), of_original_item=True)


def test_the_original_item_of_an_alternative_is_reconsidered(catalog, reviewer):  # noqa: F811
    case = decided_case("axd", by=reviewer)
    assert reconsiderations.has_alternative(case)
    assert ask(case, appeals_user(case), of_original_item=True).of_original_item


def test_the_prefill_is_what_the_denial_said_was_missing_for_the_lines_not_approved(catalog, reviewer):  # noqa: F811
    case = decided_case("adx", by=reviewer)
    _, daily, monthly = case.service_lines.all()
    needed = "Notes of the trial of a standard wheelchair and why it failed."
    assert reconsiderations.reconsideration_prefill(case) == (
        f"Line 2 ({daily.label}): {needed}\nLine 3 ({monthly.label}): {needed}"
    )
    assert [row.line.line_number for row in reconsiderations.lines_not_approved(case)] == [2, 3]
