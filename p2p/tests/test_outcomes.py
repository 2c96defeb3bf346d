"""The outcome of a P2P call (P2P-6): recorded once, by a P2P reviewer, for a Scheduled call that has started;
"Decision changed" opens a reconsideration round on the cases the call may change, which the case reviewer then
determines and decides through the case decision services (the case's status changes there, and only there)."""

import datetime

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from audit.models import AuditEvent
from cases import decisions, reconsiderations
from cases.models import Case, CaseStatus, Reconsideration
from cases.tests.factories import submitted_case
from cases.tests.post_decision_world import decided_case, determine, make_reviewer
from p2p import outcomes
from p2p.models import P2PRequest
from p2p.tests.factories import ReviewerFactory
from p2p.tests.notify_world import cancel, scheduled_request

pytestmark = pytest.mark.django_db
Outcome = P2PRequest.Outcome


def p2p_reviewer():
    reviewer = ReviewerFactory()
    reviewer.user.user_permissions.add(Permission.objects.get(codename="work_p2p"))
    return reviewer


def started(cases, minutes_ago=5, **fields) -> P2PRequest:
    """A Scheduled call about ``cases`` that started ``minutes_ago``."""
    starts_at = timezone.now() - datetime.timedelta(minutes=minutes_ago)
    return scheduled_request(cases=cases, starts_at=starts_at, **fields)


@pytest.fixture
def case_reviewer(catalog):
    return make_reviewer()


@pytest.fixture
def denied(case_reviewer):
    return decided_case("ddd", by=case_reviewer)


def record(p2p_request, outcome, note="", by=None):
    by = by or p2p_request.reviewer.user
    return outcomes.outcome_record(p2p_request=p2p_request, outcome=outcome, note=note, by=by)


def test_an_upheld_outcome_completes_the_call_and_is_audited(denied):
    reviewer = p2p_reviewer()
    p2p_request = started([denied], reviewer=reviewer)
    recorded = record(p2p_request, Outcome.UPHELD, "The criteria are not met.")
    recorded.refresh_from_db()
    assert (recorded.status, recorded.outcome, recorded.outcome_note) == (
        "completed",
        "upheld",
        "The criteria are not met.",
    )
    assert recorded.outcome_recorded_by == reviewer.user and recorded.outcome_recorded_at is not None
    assert not Reconsideration.objects.exists()
    assert Case.objects.get(pk=denied.pk).status == CaseStatus.DENIED
    event = AuditEvent.objects.get(action="p2p.outcome_recorded")
    assert (event.target_id, event.actor_id, event.details["outcome"]) == (
        str(p2p_request.pk),
        reviewer.user.pk,
        "upheld",
    )


@pytest.mark.parametrize("outcome", [Outcome.CONSULTATIVE_ONLY, Outcome.NO_SHOW])
def test_consultative_and_no_show_outcomes_change_no_case(denied, outcome):
    p2p_request = started([denied], reviewer=p2p_reviewer())
    assert record(p2p_request, outcome).outcome == outcome
    assert not Reconsideration.objects.exists()


def test_a_decision_changed_opens_a_reconsideration_that_the_case_reviewer_decides(denied, case_reviewer):
    p2p_request = started([denied], reviewer=p2p_reviewer())
    record(p2p_request, Outcome.DECISION_CHANGED, "The trial of a standard wheelchair was documented on the call.")
    [reconsideration] = Reconsideration.objects.filter(case=denied)
    assert reconsideration.reason == f"Peer-to-peer consultation {p2p_request.number}"
    assert reconsideration.documentation.startswith("The trial of a standard wheelchair")
    assert reconsideration.requested_by == p2p_request.requested_by
    assert reconsideration.status == Reconsideration.Status.SUBMITTED
    # The outcome itself changes no status: the case reviewer decides the round on the case's page.
    assert Case.objects.get(pk=denied.pk).status == CaseStatus.DENIED
    assert denied.events.filter(kind="reconsideration_requested").count() == 1

    determine(denied, "aad", by=case_reviewer, round="reconsideration", sequence=reconsideration.sequence)
    reconsiderations.reconsideration_decide(reconsideration=reconsideration, by=case_reviewer)
    assert Case.objects.get(pk=denied.pk).status == CaseStatus.PARTIALLY_APPROVED
    assert Reconsideration.objects.get(pk=reconsideration.pk).status == Reconsideration.Status.OVERTURNED


def test_a_decision_changed_takes_the_reconsideration_already_waiting(denied):
    waiting = reconsiderations.Reconsideration.objects.create(
        case=denied, sequence=1, reason="More notes.", requested_by=denied.created_by
    )
    record(started([denied], reviewer=p2p_reviewer()), Outcome.DECISION_CHANGED, "Agreed on the call.")
    assert list(Reconsideration.objects.filter(case=denied)) == [waiting]


def test_a_consultative_only_call_can_never_change_the_decision(denied):
    p2p_request = started([denied], reviewer=p2p_reviewer(), consultative_only=True)
    with pytest.raises(ValidationError) as refused:
        record(p2p_request, Outcome.DECISION_CHANGED, "Changed.")
    assert refused.value.message_dict == {"outcome": [outcomes.CONSULTATIVE]}
    p2p_request.refresh_from_db()
    assert (p2p_request.status, p2p_request.outcome) == ("scheduled", "")
    assert not Reconsideration.objects.exists()


def test_only_the_cases_that_are_not_consultative_only_are_reconsidered(denied, case_reviewer):
    other = decided_case("ddd", by=case_reviewer)
    p2p_request = started([denied, other], reviewer=p2p_reviewer())
    p2p_request.request_cases.filter(case=other).update(consultative_only=True)
    record(p2p_request, Outcome.DECISION_CHANGED, "Changed for the first case.")
    assert list(Reconsideration.objects.values_list("case_id", flat=True)) == [denied.pk]


def test_a_decision_changed_on_a_case_awaiting_its_decision_is_refused_and_nothing_is_written(denied, catalog):
    pending = submitted_case()
    p2p_request = started([denied, pending], reviewer=p2p_reviewer())
    with pytest.raises(ValidationError) as refused:
        record(p2p_request, Outcome.DECISION_CHANGED, "Changed.")
    [message] = refused.value.message_dict["outcome"]
    assert message.startswith(f"Case {pending.case_number}: A request that is Pending")
    assert not Reconsideration.objects.exists()  # the first case's round was rolled back with the refusal
    assert P2PRequest.objects.get(pk=p2p_request.pk).status == "scheduled"


def test_a_decision_changed_needs_a_note(denied):
    with pytest.raises(ValidationError) as refused:
        record(started([denied], reviewer=p2p_reviewer()), Outcome.DECISION_CHANGED, "  ")
    assert list(refused.value.message_dict) == ["note"]


def test_a_call_not_yet_started_cancelled_or_completed_takes_no_outcome(denied):
    reviewer = p2p_reviewer()
    starts_at = datetime.datetime(2030, 5, 20, 14, 0, tzinfo=datetime.UTC)
    future = scheduled_request(cases=[denied], reviewer=reviewer, starts_at=starts_at)
    with pytest.raises(ValidationError, match=r"has not started yet: .* from Mon 5/20/30 - 10:00 am EDT on"):
        record(future, Outcome.UPHELD)
    cancelled = cancel(started([denied], reviewer=reviewer))
    with pytest.raises(ValidationError, match="is Cancelled: it has no outcome"):
        record(cancelled, Outcome.UPHELD)
    done = record(started([denied], reviewer=reviewer, minutes_ago=60), Outcome.NO_SHOW)
    with pytest.raises(ValidationError, match="is recorded: No show"):
        record(done, Outcome.UPHELD)


def test_an_unknown_outcome_is_refused_beside_the_field(denied):
    with pytest.raises(ValidationError) as refused:
        record(started([denied], reviewer=p2p_reviewer()), "overturned")
    assert list(refused.value.message_dict) == ["outcome"]


def test_only_staff_holding_work_p2p_record_an_outcome(denied, case_reviewer):
    p2p_request = started([denied], reviewer=ReviewerFactory())  # a reviewer without the permission
    for user in (p2p_request.reviewer.user, case_reviewer, None):
        with pytest.raises(PermissionDenied):
            record(p2p_request, Outcome.UPHELD, by=user)
    assert P2PRequest.objects.get(pk=p2p_request.pk).status == "scheduled"
    assert decisions.is_reviewer(case_reviewer, denied)  # the case reviewer is no P2P reviewer
