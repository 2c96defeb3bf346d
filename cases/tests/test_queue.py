"""The reviewers' queue services and selectors (REV-1, CMS-2): the clock in words, queue order (overdue first),
counts in one query, claim, assign, release, and extensions of the decision due time."""

import datetime

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from accounts.tests.factories import UserFactory
from cases import holds, queue, rules
from cases.models import Case, CaseEvent, CaseStatus, DueDateExtension, HoldItem
from cases.tests.factories import draft_case, submitted_case

pytestmark = pytest.mark.django_db
S = CaseStatus
HOUR = datetime.timedelta(hours=1)


def make_reviewer(**fields):
    user = UserFactory(is_staff=True, **fields)
    user.user_permissions.add(Permission.objects.get(content_type__app_label="cases", codename="review_case"))
    return user


@pytest.fixture
def reviewer(db):
    return make_reviewer(first_name="Rita", last_name="Reviewer")


@pytest.fixture
def colleague(db):
    return make_reviewer(first_name="Carl", last_name="Colleague")


@pytest.fixture
def pending(catalog):
    return submitted_case()


def due_in(case, delta) -> Case:
    Case.objects.filter(pk=case.pk).update(decision_due_at=timezone.now() + delta)
    case.refresh_from_db()
    return case


# --- The clock -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("delta", "words"),
    [
        (datetime.timedelta(days=2, hours=4, minutes=10), "2 days 4 hours"),
        (datetime.timedelta(days=1), "1 day"),
        (datetime.timedelta(hours=3, minutes=59), "3 hours 59 minutes"),
        (-datetime.timedelta(hours=3), "3 hours"),
        (datetime.timedelta(hours=1), "1 hour"),
        (datetime.timedelta(minutes=35), "35 minutes"),
        (datetime.timedelta(seconds=20), "1 minute"),
    ],
)
def test_durations_read_as_days_and_hours(delta, words):
    assert rules.duration_words(delta) == words


def test_the_clock_says_how_long_is_left_or_how_late_it_is(pending):
    now = timezone.now()
    assert queue.clock(pending, now=pending.decision_due_at - datetime.timedelta(days=2, hours=4)) == (
        "Due in 2 days 4 hours",
        False,
    )
    assert queue.clock(pending, now=pending.decision_due_at + 3 * HOUR) == ("Overdue by 3 hours", True)
    assert pending.decision_due_at - pending.submitted_at == datetime.timedelta(days=7)  # standard: 7 days
    assert queue.clock(pending, now=now)[0].startswith("Due in 6 days")


def test_a_decided_case_shows_its_decision_day_not_a_clock(catalog):
    approved = submitted_case(approved=True)
    text, overdue = queue.clock(approved, now=approved.decision_due_at + datetime.timedelta(days=30))
    assert (text, overdue) == (f"Decided {timezone.localtime(approved.decided_at):%m/%d/%Y}", False)


# --- Order and counts ------------------------------------------------------------------------------------


def test_the_queue_puts_overdue_cases_first_then_by_due_time_and_decided_ones_last(reviewer, catalog):
    later = due_in(submitted_case(), datetime.timedelta(days=5))
    soon = due_in(submitted_case(), 2 * HOUR)
    very_late = due_in(submitted_case(), -datetime.timedelta(days=2))
    late = due_in(submitted_case(), -HOUR)
    decided = due_in(submitted_case(approved=True), -datetime.timedelta(days=9))
    listed = list(queue.review_queue(reviewer))
    assert listed == [very_late, late, soon, later, decided]
    assert [case.overdue for case in listed] == [True, True, False, False, False]
    assert [case.awaiting for case in listed] == [True, True, True, True, False]


def test_the_queue_never_lists_drafts_and_is_empty_for_non_reviewers(reviewer, pending):
    draft = draft_case()
    assert list(queue.review_queue(reviewer)) == [pending]
    assert draft not in queue.review_queue(reviewer)
    assert list(queue.review_queue(UserFactory(is_staff=True))) == []


def test_counts_per_queue_and_status_come_from_one_aggregate_and_the_program_names(
    reviewer, catalog, django_assert_num_queries
):
    due_in(submitted_case(), -HOUR)
    submitted_case()
    submitted_case(approved=True)  # decided: not counted
    on_hold = submitted_case()
    Case.objects.filter(pk=on_hold.pk).update(status=S.ON_HOLD, assigned_to=reviewer)
    assert queue.is_reviewer(reviewer)  # the user's permissions are read once per request, before the page
    with django_assert_num_queries(2):  # the counts (from an index alone), then the programs' names
        counts = queue.queue_counts(reviewer)
    assert len(counts) == 1
    (home_health,) = counts
    assert home_health.program == "Home Health"
    assert home_health.by_status == {S.PENDING_REVIEW: 2, S.ON_HOLD: 1}
    assert home_health.status_counts == [0, 2, 1]
    assert (home_health.total, home_health.overdue, home_health.unassigned) == (3, 1, 2)


def test_a_lapsed_hold_flags_the_case_to_decide_on_the_original_submission(reviewer, pending):
    holds.hold_place(
        case=pending,
        items=[HoldItem.PROGRESS_NOTES],
        note="",
        due_on=timezone.localdate() + datetime.timedelta(days=1),
        by=reviewer,
    )
    assert not queue.review_queue(reviewer).get(pk=pending.pk).decide_on_original
    holds.holds_lapse(now=timezone.now() + datetime.timedelta(days=3))
    flagged = queue.review_queue(reviewer).get(pk=pending.pk)
    assert flagged.status == S.PENDING_REVIEW
    assert flagged.decide_on_original is True
    assert holds.decide_on_original(flagged)


# --- Claim, assign, release --------------------------------------------------------------------------------


def assigned_events(case):
    return list(CaseEvent.objects.filter(case=case, kind=CaseEvent.Kind.ASSIGNED).values_list("actor", "payload"))


def test_a_reviewer_claims_an_unassigned_case(reviewer, pending):
    case = queue.case_claim(case=pending, by=reviewer)
    case.refresh_from_db()
    assert case.assigned_to == reviewer
    assert case.assigned_at is not None
    assert assigned_events(case) == [(reviewer.pk, {"reviewer": reviewer.pk})]
    queue.case_claim(case=pending, by=reviewer)  # already theirs: nothing new
    assert len(assigned_events(case)) == 1


def test_a_case_another_reviewer_works_cannot_be_claimed(reviewer, colleague, pending):
    queue.case_claim(case=pending, by=colleague)
    with pytest.raises(ValidationError, match="Carl Colleague is working this case"):
        queue.case_claim(case=pending, by=reviewer)
    pending.refresh_from_db()
    assert pending.assigned_to == colleague


def test_only_reviewers_claim_and_never_a_draft(reviewer, pending):
    with pytest.raises(PermissionDenied):
        queue.case_claim(case=pending, by=UserFactory(is_staff=True))
    with pytest.raises(PermissionDenied):
        queue.case_claim(case=draft_case(), by=reviewer)


def test_a_case_is_assigned_to_a_reviewer_only(reviewer, colleague, pending):
    with pytest.raises(ValidationError) as refused:
        queue.case_assign(case=pending, reviewer=UserFactory(is_staff=True), by=reviewer)
    assert refused.value.message_dict == {"reviewer": ["Choose a clinical reviewer."]}
    queue.case_assign(case=pending, reviewer=colleague, by=reviewer)
    pending.refresh_from_db()
    assert pending.assigned_to == colleague
    assert assigned_events(pending) == [(reviewer.pk, {"reviewer": colleague.pk})]
    with pytest.raises(ValidationError, match="already assigned"):
        queue.case_assign(case=pending, reviewer=colleague, by=reviewer)


def test_the_assigned_reviewer_releases_the_case(reviewer, colleague, pending):
    with pytest.raises(ValidationError, match="not assigned"):
        queue.case_release(case=pending, by=reviewer)
    queue.case_claim(case=pending, by=reviewer)
    with pytest.raises(ValidationError, match="Only Rita Reviewer can release"):
        queue.case_release(case=pending, by=colleague)
    queue.case_release(case=pending, by=reviewer)
    pending.refresh_from_db()
    assert (pending.assigned_to, pending.assigned_at) == (None, None)
    assert assigned_events(pending)[-1] == (reviewer.pk, {"reviewer": None})


# --- The due time ------------------------------------------------------------------------------------------


def test_the_due_time_is_extended_later_with_a_reason(reviewer, pending):
    before = pending.decision_due_at
    later = before + datetime.timedelta(days=14)
    extension = queue.due_date_extend(case=pending, new_due_at=later, reason="  Awaiting records.  ", by=reviewer)
    pending.refresh_from_db()
    assert pending.decision_due_at == later
    assert (extension.previous_due_at, extension.new_due_at, extension.reason) == (before, later, "Awaiting records.")
    event = CaseEvent.objects.get(case=pending, kind=CaseEvent.Kind.DUE_EXTENDED)
    assert event.actor == reviewer
    assert event.payload["new_due_at"] == later.isoformat()


@pytest.mark.parametrize(
    ("shift", "reason", "errors"),
    [
        (datetime.timedelta(days=1), "", {"reason"}),
        (datetime.timedelta(days=1), "   ", {"reason"}),
        (-datetime.timedelta(hours=1), "Awaiting records.", {"new_due_at"}),
        (datetime.timedelta(0), "Awaiting records.", {"new_due_at"}),
        (datetime.timedelta(0), "", {"new_due_at", "reason"}),
        (datetime.timedelta(days=1), "x" * 301, {"reason"}),
    ],
)
def test_an_extension_needs_a_reason_and_a_later_time(reviewer, pending, shift, reason, errors):
    with pytest.raises(ValidationError) as refused:
        queue.due_date_extend(case=pending, new_due_at=pending.decision_due_at + shift, reason=reason, by=reviewer)
    assert set(refused.value.message_dict) == errors
    assert not DueDateExtension.objects.exists()


def test_a_decided_case_has_no_due_time_to_extend(reviewer, catalog):
    approved = submitted_case(approved=True)
    with pytest.raises(ValidationError, match="no decision due time"):
        queue.due_date_extend(
            case=approved, new_due_at=approved.decision_due_at + HOUR * 48, reason="Because.", by=reviewer
        )


def test_only_reviewers_extend_the_due_time(pending):
    with pytest.raises(PermissionDenied):
        queue.due_date_extend(
            case=pending, new_due_at=pending.decision_due_at + HOUR, reason="Because.", by=UserFactory(is_staff=True)
        )
