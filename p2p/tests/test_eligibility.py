"""p2p.eligibility: P2P AVAILABILITY's rules over every status, date and delegation (pure), then the facts read from
the database and who may request a P2P."""

import datetime
import zoneinfo

import pytest
from django.contrib.auth.models import Permission
from django.test import override_settings
from django.utils import timezone

from accounts.tests.factories import UserFactory
from cases import holds, permissions, services
from cases.models import Appeal, Case, CaseStatus, Reconsideration
from cases.tests.factories import submitted_case
from p2p import eligibility
from p2p.eligibility import CONSULTATIVE, CONSULTATIVE_MESSAGE, ELIGIBLE, NOT_ELIGIBLE, CaseFacts, availability_from
from p2p.models import P2PRequest, P2PRequestCase
from p2p.tests.factories import ReviewerFactory
from practices.models import PracticeMembership
from practices.tests.factories import PracticeMembershipFactory, WorklistAccessFactory
from reference.models import PlanProgram

S = CaseStatus
NOW = datetime.datetime(2026, 11, 2, 15, 0, tzinfo=datetime.UTC)
TODAY = timezone.localdate(NOW)


def facts(**changes) -> CaseFacts:
    values = {
        "status": S.DENIED,
        "modality": "Home Health",
        "decided_on": TODAY - datetime.timedelta(days=3),
        "hold_due_on": None,
        "delegated": True,
        "appeal_received": False,
        "reconsideration_decided": False,
        "p2p_held": False,
        "scheduled_at": None,
    }
    values.update(changes)
    return CaseFacts(**values)


# --- The rules, pure ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [S.DENIED, S.PARTIALLY_APPROVED])
def test_a_fresh_adverse_decision_of_a_delegated_program_is_eligible_for_a_reconsideration_p2p(status):
    decided_on = TODAY - datetime.timedelta(days=3)
    answer = availability_from(facts(status=status, decided_on=decided_on), now=NOW)
    assert answer.result == ELIGIBLE and answer.is_eligible and answer.may_schedule
    assert answer.level_of_review == "Reconsideration P2P"
    assert answer.valid_until == decided_on + datetime.timedelta(days=14)
    end = timezone.localtime(answer.reconsideration_until)
    assert (end.date(), end.time()) == (answer.valid_until, datetime.time(23, 59, 59))
    assert answer.modality == "Home Health" and answer.system_name == eligibility.SYSTEM_NAME


def test_the_reconsideration_window_is_open_through_the_last_second_of_its_fourteenth_day():
    decided_on = TODAY - datetime.timedelta(days=14)
    last_second = datetime.datetime.combine(TODAY, datetime.time(23, 59, 59), tzinfo=timezone.get_current_timezone())
    assert availability_from(facts(decided_on=decided_on), now=last_second).result == ELIGIBLE
    after = last_second + datetime.timedelta(seconds=1)
    late = availability_from(facts(decided_on=decided_on), now=after)
    assert late.result == CONSULTATIVE and late.reason == CONSULTATIVE_MESSAGE and late.reconsideration_until is None


@override_settings(P2P_RECONSIDERATION_DAYS=30)
def test_the_window_is_a_setting():
    decided_on = TODAY - datetime.timedelta(days=20)
    answer = availability_from(facts(decided_on=decided_on), now=NOW)
    assert answer.result == ELIGIBLE and answer.valid_until == decided_on + datetime.timedelta(days=30)


@pytest.mark.parametrize(
    "change",
    [
        {"delegated": False},
        {"appeal_received": True},
        {"reconsideration_decided": True},
        {"p2p_held": True},
        {"decided_on": None},
        {"decided_on": TODAY - datetime.timedelta(days=15)},
    ],
)
def test_exhausted_or_undelegated_post_decision_options_leave_a_consultative_p2p_only(change):
    answer = availability_from(facts(**change), now=NOW)
    assert answer.result == CONSULTATIVE and answer.is_consultative and answer.may_schedule
    assert answer.reason == (
        "Post-decision options for this case have been exhausted or are not delegated to eviCore. You may continue "
        "to schedule a Peer to Peer discussion for this case but it will be considered consultative only and the "
        "original decision cannot be modified."
    )
    assert answer.level_of_review == "Consultative P2P"


def test_a_held_case_offers_a_pre_decision_p2p_until_the_hold_is_due():
    due = TODAY + datetime.timedelta(days=2)
    answer = availability_from(facts(status=S.ON_HOLD, decided_on=None, hold_due_on=due), now=NOW)
    assert answer.result == ELIGIBLE and answer.level_of_review == "Pre-decision P2P"
    assert answer.valid_until == due and answer.reconsideration_until is None
    assert "answers the hold" in answer.reason
    on_the_day = availability_from(facts(status=S.ON_HOLD, hold_due_on=TODAY), now=NOW)
    assert on_the_day.result == ELIGIBLE


def test_a_hold_past_its_due_date_offers_no_p2p():
    answer = availability_from(facts(status=S.ON_HOLD, hold_due_on=TODAY - datetime.timedelta(days=1)), now=NOW)
    assert answer.result == NOT_ELIGIBLE and not answer.may_schedule
    assert "has passed" in answer.reason


@pytest.mark.parametrize(
    ("status", "words"),
    [
        (S.APPROVED, "approved"),
        (S.PENDING_REVIEW, "once the reviewer puts it on hold or decides it"),
        (S.SUBMITTED, "once the reviewer puts it on hold or decides it"),
        (S.CANCELLED, "cancelled"),
        (S.EXPIRED, "expired"),
        (S.DRAFT, "not been submitted"),
    ],
)
def test_other_statuses_are_not_eligible_and_say_why(status, words):
    answer = availability_from(facts(status=status), now=NOW)
    assert answer.result == NOT_ELIGIBLE and words in answer.reason and answer.level_of_review == ""


@pytest.mark.parametrize("status", [S.DENIED, S.ON_HOLD, S.APPROVED])
def test_a_p2p_already_scheduled_comes_first_whatever_the_status(status):
    at = NOW + datetime.timedelta(days=1)
    answer = availability_from(
        facts(status=status, hold_due_on=TODAY + datetime.timedelta(days=5), scheduled_at=at), now=NOW
    )
    local = timezone.localtime(at)
    assert answer.result == NOT_ELIGIBLE
    assert answer.reason.startswith(
        f"A peer-to-peer consultation is already scheduled for this case on {local:%m/%d/%Y} at {local:%I:%M %p}"
    )


def test_cases_of_one_request_must_share_the_modality():
    assert eligibility.modality_conflict(["DME", "DME"]) is None
    assert eligibility.modality_conflict([]) is None
    message = eligibility.modality_conflict(["DME", "Home Health"])
    assert "This case is for Home Health, and this P2P request is for DME" in message


def test_all_post_decision_options_are_what_the_permission_module_allows():
    options = eligibility.post_decision_options({"may_reconsider": True, "may_appeal": False, "may_request_p2p": True})
    assert [option.action for option in options] == ["reconsider", "request_p2p"]
    assert all(option.explanation for option in options)


# --- The facts, from the database ---------------------------------------------------------------------------


def denied(case=None, *, days_ago=2):
    case = case or submitted_case()
    services.case_transition(case=case, to=S.DENIED, reason="Not medically necessary.")
    Case.objects.filter(pk=case.pk).update(decided_at=timezone.now() - datetime.timedelta(days=days_ago))
    case.refresh_from_db()
    return case


def reviewer_user():
    user = UserFactory(is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="review_case"))
    return user


def scheduled_p2p(case, *, starts_in=datetime.timedelta(days=1), status=P2PRequest.Status.SCHEDULED, **fields):
    starts = timezone.now() + starts_in
    p2p = P2PRequest.objects.create(
        requested_by=case.created_by,
        reviewer=ReviewerFactory(),
        starts_at=starts,
        ends_at=starts + datetime.timedelta(minutes=15),
        time_zone="America/New_York",
        requesting_provider_name="Dr. Jane Doe",
        phone="5555555555",
        status=status,
        **fields,
    )
    P2PRequestCase.objects.create(request=p2p, case=case, level_of_review="Reconsideration P2P")
    return p2p


def test_a_denied_case_of_a_delegated_plan_is_eligible_and_undelegated_is_consultative(catalog):
    case = denied()
    answer = eligibility.p2p_availability(case)
    assert answer.result == ELIGIBLE and answer.modality == case.program.name
    assert answer.valid_until == timezone.localdate(case.decided_at) + datetime.timedelta(days=14)
    PlanProgram.objects.filter(health_plan=case.health_plan, program=case.program).update(is_delegated=False)
    assert eligibility.p2p_availability(case).result == CONSULTATIVE


def test_an_appeal_received_exhausts_the_reconsideration_but_a_draft_appeal_does_not(catalog):
    case = denied()
    appeal = Appeal.objects.create(
        case=case,
        sequence=1,
        created_by=case.created_by,
        updated_by=case.created_by,
        draft_expires_at=timezone.now() + datetime.timedelta(days=5),
    )
    assert eligibility.p2p_availability(case).result == ELIGIBLE
    Appeal.objects.filter(pk=appeal.pk).update(
        status=Appeal.Status.SUBMITTED,
        submitted_at=timezone.now(),
        due_at=timezone.now() + datetime.timedelta(days=30),
    )
    assert eligibility.p2p_availability(case).result == CONSULTATIVE


def test_an_open_reconsideration_keeps_the_p2p_and_a_decided_one_exhausts_it(catalog):
    case = denied()
    reconsideration = Reconsideration.objects.create(case=case, sequence=1, reason="More", requested_by=case.created_by)
    assert eligibility.p2p_availability(case).result == ELIGIBLE
    Reconsideration.objects.filter(pk=reconsideration.pk).update(
        status=Reconsideration.Status.UPHELD, decided_at=timezone.now()
    )
    assert eligibility.p2p_availability(case).result == CONSULTATIVE


def test_a_held_case_is_eligible_before_its_due_date(catalog):
    case = submitted_case()
    due = timezone.localdate() + datetime.timedelta(days=3)
    holds.hold_place(case=case, items=[], note="Recent notes.", due_on=due, by=reviewer_user())
    case.refresh_from_db()
    answer = eligibility.p2p_availability(case)
    assert (answer.result, answer.level_of_review, answer.valid_until) == (ELIGIBLE, "Pre-decision P2P", due)
    later = timezone.now() + datetime.timedelta(days=5)
    assert eligibility.p2p_availability(case, now=later).result == NOT_ELIGIBLE


def test_a_scheduled_p2p_blocks_another_unless_it_is_the_one_rescheduled_or_past_or_cancelled(catalog):
    case = denied()
    p2p = scheduled_p2p(case)
    answer = eligibility.p2p_availability(case)
    assert answer.result == NOT_ELIGIBLE and "already scheduled" in answer.reason
    assert eligibility.p2p_availability(case, ignore_request_id=p2p.pk).result == ELIGIBLE
    assert eligibility.p2p_availability(case, now=timezone.now() + datetime.timedelta(days=2)).result == ELIGIBLE
    P2PRequest.objects.filter(pk=p2p.pk).update(
        status=P2PRequest.Status.CANCELLED, cancel_reason="Provider unavailable"
    )
    assert eligibility.p2p_availability(case).result == ELIGIBLE


def test_a_p2p_held_exhausts_the_reconsideration_and_a_no_show_does_not(catalog):
    case = denied()
    p2p = scheduled_p2p(case, starts_in=-datetime.timedelta(hours=2), status=P2PRequest.Status.COMPLETED)
    P2PRequest.objects.filter(pk=p2p.pk).update(outcome=P2PRequest.Outcome.NO_SHOW)
    assert eligibility.p2p_availability(case).result == ELIGIBLE
    P2PRequest.objects.filter(pk=p2p.pk).update(outcome=P2PRequest.Outcome.UPHELD)
    assert eligibility.p2p_availability(case).result == CONSULTATIVE


def test_p2p_status_names_the_latest_request_in_the_users_zone(catalog):
    case = denied()
    assert eligibility.p2p_status(case) == "No peer-to-peer consultation requested."
    p2p = scheduled_p2p(case)
    at = p2p.starts_at.astimezone(zoneinfo.ZoneInfo("America/Los_Angeles"))
    text = eligibility.p2p_status(case, zone_name="America/Los_Angeles")
    assert text == f"{p2p.number}: Scheduled for {at:%m/%d/%Y} at {at:%I:%M %p} {at.tzname()}."


# --- Who may request ------------------------------------------------------------------------------------------


def test_case_submitters_and_appeals_staff_may_request_and_a_delegate_may_not(catalog):
    case = denied()
    appeals = PracticeMembershipFactory(practice=case.practice, precertification_appeals=True).user
    delegate = WorklistAccessFactory(owner=case.created_by).grantee
    outsider = UserFactory()
    assert eligibility.may_request_p2p(case.created_by, case)
    assert eligibility.may_request_p2p(appeals, case)
    assert not eligibility.may_request_p2p(delegate, case)
    assert permissions.case_permits(delegate, case, "view")
    assert not eligibility.may_request_p2p(outsider, case)
    PracticeMembership.objects.filter(user=case.created_by).update(case_submission=False)
    assert not eligibility.may_request_p2p(case.created_by, case)


def test_may_request_needs_a_case_that_offers_a_p2p(catalog):
    pending = submitted_case()
    assert not eligibility.may_request_p2p(pending.created_by, pending)
    approved = submitted_case(approved=True)
    assert not eligibility.may_request_p2p(approved.created_by, approved)
    consultative = denied(days_ago=30)
    assert eligibility.p2p_availability(consultative).result == CONSULTATIVE
    assert eligibility.may_request_p2p(consultative.created_by, consultative)
    scheduled = denied()
    scheduled_p2p(scheduled)
    assert not eligibility.may_request_p2p(scheduled.created_by, scheduled)
