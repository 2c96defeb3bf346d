"""P2P-5 to P2P-7: holding a slot, booking, rescheduling and cancelling; the database's no-overlap rule turned into
SlotTaken, lapsed holds re-taken or released, who may change a request and when."""

import datetime
import zoneinfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from accounts.tests.factories import UserFactory
from audit.models import AuditEvent
from cases import services
from cases.models import CaseStatus
from cases.tests.factories import submitted_case
from p2p import booking, slots
from p2p.booking import Contact, SlotTaken
from p2p.models import P2PNotice, P2PRequest, Reservation
from p2p.tests.factories import ReviewerFactory, ReviewerSkillFactory, TimeOffFactory, WorkingHoursFactory
from p2p.timefmt import local_clock
from practices.models import PracticeMembership
from reference.tests.factories import ProgramFactory

pytestmark = pytest.mark.django_db

NEW_YORK = zoneinfo.ZoneInfo("America/New_York")
MINUTES = datetime.timedelta(minutes=1)
CONTACT = Contact(
    requesting_provider_name="Dr. Jane Doe",
    phone="5555555555",
    contact_person_name="Office Manager John Doe",
    contact_person_location="Provider Office",
    phone_ext="12345",
    requesting_provider_email="droffice@internet.example",
    contact_instructions="Select option 4, ask for Dr. Doe",
)


def next_monday_at(hour, minute=0, *, weeks=1):
    """An instant next week (or ``weeks`` on) in New York, always well after now."""
    today = timezone.localdate()
    monday = slots.week_start(today) + datetime.timedelta(weeks=weeks)
    return datetime.datetime.combine(monday, datetime.time(hour, minute), tzinfo=NEW_YORK).astimezone(datetime.UTC)


def denied(case=None):
    case = case or submitted_case()
    services.case_transition(case=case, to=CaseStatus.DENIED, reason="Not medically necessary.")
    case.decided_at = timezone.now() - datetime.timedelta(days=2)
    case.save(update_fields=["decided_at"])
    return case


def reviewer_for(program, **fields):
    reviewer = ReviewerFactory(**fields)
    ReviewerSkillFactory(reviewer=reviewer, program=program)
    for weekday in range(7):
        WorkingHoursFactory(reviewer=reviewer, weekday=weekday, starts=datetime.time(8), ends=datetime.time(20))
    return reviewer


@pytest.fixture
def case(catalog):
    return denied()


@pytest.fixture
def reviewer(case):
    return reviewer_for(case.program, display_name="Dr. Rosa Diaz, MD")


def book(user, reservation, cases, **changes):
    values = {
        "user": user,
        "reservation": reservation,
        "cases": cases,
        "level_of_review": {case.pk: "Reconsideration P2P" for case in cases},
        "consultative_only": {case.pk: False for case in cases},
        "time_zone": "America/New_York",
        "preferred_days": [0, 1, 2, 3, 4],
        "preferred_hours": list(range(7, 19)),
        "contact": CONTACT,
    }
    values.update(changes)
    return booking.book(**values)


def scheduled(case, reviewer, *, at=None):
    """A request booked through the services for ``case``'s author, at ``at`` (next Monday 10:00 by default)."""
    user = case.created_by
    held = booking.hold_slot(user=user, reviewer=reviewer, starts_at=at or next_monday_at(10))
    return book(user, held, [case])


def active(reviewer):
    return Reservation.objects.filter(reviewer=reviewer, state__in=["held", "booked"])


# --- Holds -------------------------------------------------------------------------------------------------------


def test_a_hold_takes_one_slot_for_ten_minutes(case, reviewer):
    now = timezone.now()
    held = booking.hold_slot(user=case.created_by, reviewer=reviewer, starts_at=next_monday_at(10), now=now)
    held.refresh_from_db()
    assert held.state == Reservation.State.HELD and held.held_by == case.created_by
    assert (held.starts_at, held.ends_at) == (next_monday_at(10), next_monday_at(10, 15))
    assert held.held_until == now + 10 * MINUTES
    # The held time is no longer offered, to anyone.
    [week] = slots.week_slots(program=case.program, time_zone="America/New_York", monday=held.starts_at.date())
    assert next_monday_at(10) not in [slot.starts_at for slot in week.days[0].slots]
    assert next_monday_at(10, 15) in [slot.starts_at for slot in week.days[0].slots]


@pytest.mark.parametrize(
    "starts_at",
    [
        pytest.param(lambda: next_monday_at(10, 7), id="off the slot grid"),
        pytest.param(lambda: next_monday_at(7, 45), id="before the working hours"),
        pytest.param(lambda: next_monday_at(19, 55), id="would end after them"),
        pytest.param(lambda: timezone.now().replace(second=0, microsecond=0) - 60 * MINUTES, id="in the past"),
        pytest.param(lambda: next_monday_at(14), id="during time off"),
    ],
)
def test_only_an_open_slot_can_be_held(case, reviewer, starts_at):
    TimeOffFactory(reviewer=reviewer, starts_at=next_monday_at(13, 50), ends_at=next_monday_at(15))
    with pytest.raises(ValueError):
        booking.hold_slot(user=case.created_by, reviewer=reviewer, starts_at=starts_at())
    assert not Reservation.objects.exists()


def test_a_slot_within_the_lead_time_or_of_an_inactive_reviewer_cannot_be_held(case, reviewer):
    soon = timezone.now().astimezone(NEW_YORK).replace(minute=0, second=0, microsecond=0) + 60 * MINUTES
    with pytest.raises(ValueError):
        booking.hold_slot(user=case.created_by, reviewer=reviewer, starts_at=soon, now=soon - 30 * MINUTES)
    reviewer.is_active = False
    reviewer.save()
    with pytest.raises(ValueError):
        booking.hold_slot(user=case.created_by, reviewer=reviewer, starts_at=next_monday_at(10))


def test_a_held_slot_is_taken_for_everyone_else(case, reviewer):
    booking.hold_slot(user=case.created_by, reviewer=reviewer, starts_at=next_monday_at(10))
    with pytest.raises(SlotTaken) as refused:
        booking.hold_slot(user=UserFactory(), reviewer=reviewer, starts_at=next_monday_at(10))
    assert str(refused.value) == booking.TAKEN
    assert active(reviewer).count() == 1
    # Another reviewer at the same time, or the next slot, is free.
    other = reviewer_for(case.program)
    booking.hold_slot(user=UserFactory(), reviewer=other, starts_at=next_monday_at(10))
    booking.hold_slot(user=UserFactory(), reviewer=reviewer, starts_at=next_monday_at(10, 15))


def test_a_new_hold_releases_the_users_other_holds_and_a_refused_one_keeps_them(case, reviewer):
    user = case.created_by
    first = booking.hold_slot(user=user, reviewer=reviewer, starts_at=next_monday_at(10))
    second = booking.hold_slot(user=user, reviewer=reviewer, starts_at=next_monday_at(11))
    assert Reservation.objects.get(pk=first.pk).state == Reservation.State.RELEASED
    assert Reservation.objects.get(pk=second.pk).state == Reservation.State.HELD
    booking.hold_slot(user=UserFactory(), reviewer=reviewer, starts_at=next_monday_at(12))
    with pytest.raises(SlotTaken):
        booking.hold_slot(user=user, reviewer=reviewer, starts_at=next_monday_at(12))
    assert Reservation.objects.get(pk=second.pk).state == Reservation.State.HELD
    # Holding the same slot again (a second click) renews it.
    again = booking.hold_slot(user=user, reviewer=reviewer, starts_at=next_monday_at(11))
    assert [r.pk for r in active(reviewer).filter(held_by=user)] == [again.pk]


def test_a_lapsed_hold_does_not_block_its_time(case, reviewer):
    now = timezone.now()
    lapsed = booking.hold_slot(user=UserFactory(), reviewer=reviewer, starts_at=next_monday_at(10), now=now)
    later = now + 11 * MINUTES
    [week] = slots.week_slots(
        program=case.program, time_zone="America/New_York", monday=lapsed.starts_at.date(), now=later
    )
    assert next_monday_at(10) in [slot.starts_at for slot in week.days[0].slots]
    taken = booking.hold_slot(user=case.created_by, reviewer=reviewer, starts_at=next_monday_at(10), now=later)
    assert Reservation.objects.get(pk=lapsed.pk).state == Reservation.State.RELEASED
    assert [r.pk for r in active(reviewer)] == [taken.pk]


def test_the_sweep_releases_lapsed_holds_only_and_is_idempotent(case, reviewer):
    now = timezone.now()
    old = booking.hold_slot(user=UserFactory(), reviewer=reviewer, starts_at=next_monday_at(10), now=now)
    fresh = booking.hold_slot(user=UserFactory(), reviewer=reviewer, starts_at=next_monday_at(11))
    kept = scheduled(case, reviewer, at=next_monday_at(12))
    assert booking.release_lapsed_holds(now=now + 10 * MINUTES) == 1
    assert booking.release_lapsed_holds(now=now + 10 * MINUTES) == 0
    states = dict(Reservation.objects.values_list("pk", "state"))
    assert states[old.pk] == "released" and states[fresh.pk] == "held"
    assert kept.reservations.get().state == "booked"


# --- Booking ------------------------------------------------------------------------------------------------------


def test_booking_turns_the_hold_into_a_scheduled_request(case, reviewer):
    user = case.created_by
    second = denied(submitted_case(user=user, practice=case.practice))
    held = booking.hold_slot(user=user, reviewer=reviewer, starts_at=next_monday_at(10))
    p2p_request = book(
        user,
        held,
        [case, second],
        level_of_review={case.pk: "Reconsideration P2P", second.pk: "Consultative P2P"},
        consultative_only={case.pk: False, second.pk: True},
        preferred_days=[4, 0, 0],
        time_zone="America/Chicago",
    )
    p2p_request.refresh_from_db()
    assert p2p_request.status == P2PRequest.Status.SCHEDULED and p2p_request.sequence == 0
    assert (p2p_request.reviewer, p2p_request.starts_at, p2p_request.ends_at) == (
        reviewer,
        next_monday_at(10),
        next_monday_at(10, 15),
    )
    assert p2p_request.requested_by == user and p2p_request.time_zone == "America/Chicago"
    assert p2p_request.preferred_days == [0, 4] and p2p_request.preferred_hours == list(range(7, 19))
    assert p2p_request.consultative_only is False  # one of its cases can still change
    assert p2p_request.requesting_provider_name == "Dr. Jane Doe"
    assert p2p_request.contact_instructions == "Select option 4, ask for Dr. Doe"
    rows = list(p2p_request.request_cases.values_list("case_id", "position", "level_of_review", "consultative_only"))
    assert rows == [(case.pk, 1, "Reconsideration P2P", False), (second.pk, 2, "Consultative P2P", True)]
    held.refresh_from_db()
    assert (held.state, held.request, held.held_until) == (Reservation.State.BOOKED, p2p_request, None)
    event = AuditEvent.objects.get(action="p2p.booked")
    assert (event.actor, event.target_id) == (user, str(p2p_request.pk))
    assert event.details["cases"] == [case.pk, second.pk]
    notice = P2PNotice.objects.get(request=p2p_request)
    assert (notice.kind, notice.sequence, notice.starts_at) == ("booked", 0, next_monday_at(10))


def test_a_lapsed_hold_whose_time_is_still_free_is_re_taken_at_booking(case, reviewer):
    user = case.created_by
    now = timezone.now()
    held = booking.hold_slot(user=user, reviewer=reviewer, starts_at=next_monday_at(10), now=now - 30 * MINUTES)
    booking.release_lapsed_holds()
    p2p_request = book(user, held, [case])
    assert Reservation.objects.get(pk=held.pk).state == Reservation.State.BOOKED
    assert p2p_request.starts_at == next_monday_at(10)


def test_a_lapsed_hold_whose_time_was_taken_meanwhile_is_slot_taken_and_nothing_is_written(case, reviewer):
    user = case.created_by
    now = timezone.now()
    held = booking.hold_slot(user=user, reviewer=reviewer, starts_at=next_monday_at(10), now=now - 30 * MINUTES)
    booking.hold_slot(user=UserFactory(), reviewer=reviewer, starts_at=next_monday_at(10))  # releases the lapsed one
    with pytest.raises(SlotTaken):
        book(user, held, [case])
    assert not P2PRequest.objects.exists() and not P2PNotice.objects.exists()
    assert Reservation.objects.get(pk=held.pk).state == Reservation.State.RELEASED


def test_only_the_users_own_unbooked_hold_can_be_booked(case, reviewer):
    user = case.created_by
    theirs = booking.hold_slot(user=UserFactory(), reviewer=reviewer, starts_at=next_monday_at(10))
    with pytest.raises(ValueError):
        book(user, theirs, [case])
    mine = booking.hold_slot(user=user, reviewer=reviewer, starts_at=next_monday_at(11))
    book(user, mine, [case])
    with pytest.raises(ValueError):  # booked already (a second submit)
        book(user, mine, [denied(submitted_case(user=user, practice=case.practice))])
    assert P2PRequest.objects.count() == 1


def test_booking_re_checks_each_case(case, reviewer):
    stranger = UserFactory()
    held = booking.hold_slot(user=stranger, reviewer=reviewer, starts_at=next_monday_at(10))
    with pytest.raises(PermissionDenied):
        book(stranger, held, [case])
    approved = submitted_case(user=case.created_by, practice=case.practice, approved=True)
    mine = booking.hold_slot(user=case.created_by, reviewer=reviewer, starts_at=next_monday_at(11))
    with pytest.raises(PermissionDenied):  # an approved request offers no P2P
        book(case.created_by, mine, [case, approved])
    assert not P2PRequest.objects.exists()
    assert Reservation.objects.get(pk=mine.pk).state == Reservation.State.HELD


def test_a_case_with_a_p2p_already_scheduled_cannot_be_booked_again(case, reviewer):
    scheduled(case, reviewer)
    again = booking.hold_slot(user=case.created_by, reviewer=reviewer, starts_at=next_monday_at(12))
    with pytest.raises(PermissionDenied):
        book(case.created_by, again, [case])


def test_the_reviewer_must_be_trained_for_the_first_cases_program(case):
    untrained = reviewer_for(ProgramFactory())
    held = booking.hold_slot(user=case.created_by, reviewer=untrained, starts_at=next_monday_at(10))
    with pytest.raises(ValueError):
        book(case.created_by, held, [case])


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"preferred_days": []}, "preferred_days"),
        ({"preferred_hours": [6]}, "preferred_hours"),
        ({"contact": Contact(requesting_provider_name="", phone="5555555555")}, "requesting_provider_name"),
        ({"contact": Contact(requesting_provider_name="Dr. Doe", phone="55555555555")}, "phone"),
    ],
)
def test_bad_values_are_refused_on_their_field(case, reviewer, changes, field):
    held = booking.hold_slot(user=case.created_by, reviewer=reviewer, starts_at=next_monday_at(10))
    with pytest.raises(ValidationError) as refused:
        book(case.created_by, held, [case], **changes)
    assert field in refused.value.error_dict
    assert not P2PRequest.objects.exists()


# --- Rescheduling ------------------------------------------------------------------------------------------------


def test_rescheduling_books_the_new_time_and_releases_the_old_in_one_step(case, reviewer):
    p2p_request = scheduled(case, reviewer)
    user = case.created_by
    other = reviewer_for(case.program)
    held = booking.hold_slot(user=user, reviewer=other, starts_at=next_monday_at(15))
    moved = booking.reschedule(user=user, p2p_request=p2p_request, reservation=held)
    moved.refresh_from_db()
    assert (moved.reviewer, moved.starts_at, moved.ends_at) == (other, next_monday_at(15), next_monday_at(15, 15))
    assert moved.sequence == 1 and moved.status == P2PRequest.Status.SCHEDULED
    assert moved.updated_at > moved.created_at
    states = dict(moved.reservations.values_list("reviewer_id", "state"))
    assert states == {reviewer.pk: "released", other.pk: "booked"}
    # The old time is open again.
    booking.hold_slot(user=UserFactory(), reviewer=reviewer, starts_at=next_monday_at(10))
    assert AuditEvent.objects.get(action="p2p.rescheduled").details["sequence"] == 1
    assert list(P2PNotice.objects.filter(request=moved).values_list("kind", "sequence").order_by("pk")) == [
        ("booked", 0),
        ("rescheduled", 1),
    ]
    again = booking.hold_slot(user=user, reviewer=reviewer, starts_at=next_monday_at(16))
    assert booking.reschedule(user=user, p2p_request=moved, reservation=again).sequence == 2


def test_a_colleague_who_acts_for_the_case_may_reschedule_and_cancel_a_stranger_or_a_delegate_may_not(case, reviewer):
    p2p_request = scheduled(case, reviewer)
    colleague = UserFactory()
    PracticeMembership.objects.create(user=colleague, practice=case.practice, precertification_appeals=True)
    viewer_only = UserFactory()  # a member of the practice without either entitlement
    PracticeMembership.objects.create(user=viewer_only, practice=case.practice)
    for hour, user in ((11, UserFactory()), (13, viewer_only)):
        assert not booking.may_manage(user, p2p_request)
        held = booking.hold_slot(user=user, reviewer=reviewer, starts_at=next_monday_at(hour))
        with pytest.raises(PermissionDenied):
            booking.reschedule(user=user, p2p_request=p2p_request, reservation=held)
        with pytest.raises(PermissionDenied):
            booking.cancel(user=user, p2p_request=p2p_request, reason="No longer needed.")
    assert booking.may_manage(colleague, p2p_request) and booking.may_manage(case.created_by, p2p_request)
    held = booking.hold_slot(user=colleague, reviewer=reviewer, starts_at=next_monday_at(12))
    assert booking.reschedule(user=colleague, p2p_request=p2p_request, reservation=held).starts_at == next_monday_at(12)
    assert booking.cancel(user=colleague, p2p_request=p2p_request, reason="Resolved.").cancelled_by == colleague


def test_a_reschedule_onto_a_time_taken_meanwhile_changes_nothing(case, reviewer):
    p2p_request = scheduled(case, reviewer)
    user = case.created_by
    now = timezone.now()
    held = booking.hold_slot(user=user, reviewer=reviewer, starts_at=next_monday_at(15), now=now - 30 * MINUTES)
    booking.hold_slot(user=UserFactory(), reviewer=reviewer, starts_at=next_monday_at(15))
    with pytest.raises(SlotTaken):
        booking.reschedule(user=user, p2p_request=p2p_request, reservation=held)
    p2p_request.refresh_from_db()
    assert (p2p_request.starts_at, p2p_request.sequence) == (next_monday_at(10), 0)
    assert p2p_request.reservations.get().state == "booked"


# --- Cancelling --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("reason", ["", "   "])
def test_cancelling_needs_a_reason(case, reviewer, reason):
    p2p_request = scheduled(case, reviewer)
    with pytest.raises(ValidationError) as refused:
        booking.cancel(user=case.created_by, p2p_request=p2p_request, reason=reason)
    assert list(refused.value.error_dict) == ["reason"]
    assert P2PRequest.objects.get(pk=p2p_request.pk).status == P2PRequest.Status.SCHEDULED


def test_cancelling_releases_the_time_and_raises_the_sequence(case, reviewer):
    p2p_request = scheduled(case, reviewer)
    cancelled = booking.cancel(user=case.created_by, p2p_request=p2p_request, reason="  Resolved by phone. ")
    cancelled.refresh_from_db()
    assert cancelled.status == P2PRequest.Status.CANCELLED and cancelled.sequence == 1
    assert (cancelled.cancel_reason, cancelled.cancelled_by) == ("Resolved by phone.", case.created_by)
    assert cancelled.cancelled_at is not None
    assert cancelled.reservations.get().state == "released"
    booking.hold_slot(user=UserFactory(), reviewer=reviewer, starts_at=next_monday_at(10))  # the time is open again
    assert AuditEvent.objects.get(action="p2p.cancelled").target_id == str(p2p_request.pk)
    assert P2PNotice.objects.get(request=cancelled, kind="cancelled").sequence == 1


def test_only_a_scheduled_request_still_to_come_can_be_changed(case, reviewer):
    p2p_request = scheduled(case, reviewer)
    user = case.created_by
    after_the_call = next_monday_at(10, 1)
    held = booking.hold_slot(user=user, reviewer=reviewer, starts_at=next_monday_at(12))
    with pytest.raises(ValidationError):
        booking.reschedule(user=user, p2p_request=p2p_request, reservation=held, now=after_the_call)
    with pytest.raises(ValidationError):
        booking.cancel(user=user, p2p_request=p2p_request, reason="Too late.", now=after_the_call)
    booking.cancel(user=user, p2p_request=p2p_request, reason="Resolved.")
    with pytest.raises(ValidationError):
        booking.cancel(user=user, p2p_request=p2p_request, reason="Again.")
    with pytest.raises(ValidationError):
        booking.reschedule(user=user, p2p_request=p2p_request, reservation=held)
    assert P2PRequest.objects.get(pk=p2p_request.pk).sequence == 1


def test_both_half_past_ones_of_the_november_change_day_can_be_held(case):
    # Sunday 1 November 2026, working 00:00-04:00 in New York: 1:30 am EDT (05:30 UTC) and, an hour later,
    # 1:30 am EST (06:30 UTC) are two slots; 2:30 am EST too (07:30 UTC), 2:30 am EDT does not exist.
    reviewer = ReviewerFactory()
    ReviewerSkillFactory(reviewer=reviewer, program=case.program)
    WorkingHoursFactory(reviewer=reviewer, weekday=6, starts=datetime.time(0), ends=datetime.time(4))
    before = datetime.datetime(2026, 10, 30, 12, tzinfo=datetime.UTC)
    utc = [datetime.datetime(2026, 11, 1, hour, 30, tzinfo=datetime.UTC) for hour in (5, 6, 7)]
    held = [booking.hold_slot(user=UserFactory(), reviewer=reviewer, starts_at=at, now=before) for at in utc]
    assert [local_clock(r.starts_at.astimezone(NEW_YORK)) for r in held] == [
        "1:30 am EDT",
        "1:30 am EST",
        "2:30 am EST",
    ]
    assert all(r.ends_at - r.starts_at == 15 * MINUTES for r in held)
    with pytest.raises(ValueError):  # 9:00 UTC is 4:00 am EST: the span has ended
        booking.hold_slot(user=UserFactory(), reviewer=reviewer, starts_at=utc[0].replace(hour=9), now=before)
