"""P2P-4, P2P-7: open slots from working hours in the reviewer's zone, shown in the office's zone, correct across
daylight-saving changes; preferences, time off, reservations and the lead time take slots out; four queries
whatever the number of reviewers."""

import datetime
import zoneinfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from p2p import slots
from p2p.models import P2PRequest, Reservation
from p2p.tests.factories import (
    HeldReservationFactory,
    ReviewerFactory,
    ReviewerSkillFactory,
    TimeOffFactory,
    WorkingHoursFactory,
)
from reference.tests.factories import ProgramFactory

pytestmark = pytest.mark.django_db

UTC = datetime.UTC
NEW_YORK = zoneinfo.ZoneInfo("America/New_York")
EVERY_DAY, EVERY_HOUR = range(7), range(24)
LONG_AGO = datetime.datetime(2026, 1, 1, tzinfo=UTC)  # "now" in most tests: every slot is in the future
T = datetime.time


def trained(program, *, time_zone="America/New_York", hours=(), priority=1, **fields):
    """A reviewer trained for ``program`` with working ``hours``: (weekday, start hour, end hour) triples."""
    reviewer = ReviewerFactory(time_zone=time_zone, **fields)
    ReviewerSkillFactory(reviewer=reviewer, program=program, priority=priority)
    for weekday, start, end in hours:
        WorkingHoursFactory(reviewer=reviewer, weekday=weekday, starts=start, ends=end)
    return reviewer


def week(program, monday, *, time_zone="America/New_York", days=EVERY_DAY, hours=EVERY_HOUR, now=LONG_AGO, **kw):
    return slots.week_slots(
        program=program,
        time_zone=time_zone,
        monday=monday,
        preferred_days=days,
        preferred_hours=hours,
        now=now,
        **kw,
    )


def labels(reviewer_week, day_index):
    return [slot.label for slot in reviewer_week.days[day_index].slots]


def at(year, month, day, hour, minute=0, tz=NEW_YORK):
    return datetime.datetime(year, month, day, hour, minute, tzinfo=tz).astimezone(UTC)


# --- Daylight-saving changes ---------------------------------------------------------------------------------


def test_on_the_november_change_day_a_span_holds_five_real_hours_and_1_30_am_comes_twice():
    program = ProgramFactory()
    # Sunday 1 November 2026: at 2:00 am EDT the clocks go back to 1:00 am EST.
    reviewer = trained(program, hours=[(6, T(0), T(4))])
    [found] = week(program, datetime.date(2026, 10, 26))
    sunday = found.days[6]
    assert sunday.day == datetime.date(2026, 11, 1)
    assert len(sunday.slots) == 5 * 4
    assert labels(found, 6)[:4] == ["12:00 am EDT", "12:15 am EDT", "12:30 am EDT", "12:45 am EDT"]
    assert labels(found, 6)[4:12] == [
        "1:00 am EDT",
        "1:15 am EDT",
        "1:30 am EDT",
        "1:45 am EDT",
        "1:00 am EST",
        "1:15 am EST",
        "1:30 am EST",
        "1:45 am EST",
    ]
    assert labels(found, 6)[-1] == "3:45 am EST"
    first_half_past_one, second_half_past_one = (s for s in sunday.slots if s.label.startswith("1:30 am"))
    assert second_half_past_one.starts_at - first_half_past_one.starts_at == datetime.timedelta(hours=1)
    assert first_half_past_one.starts_at == datetime.datetime(2026, 11, 1, 5, 30, tzinfo=UTC)
    # Every slot is 15 real minutes long and follows the one before it.
    for before, after in zip(sunday.slots, sunday.slots[1:], strict=False):
        assert before.ends_at == after.starts_at
        assert after.ends_at - after.starts_at == datetime.timedelta(minutes=15)
    pairs = slots.reviewer_slots(reviewer=reviewer, start=at(2026, 11, 1, 0), end=at(2026, 11, 2, 0))
    assert pairs == [(slot.starts_at, slot.ends_at) for slot in sunday.slots]
    assert pairs[-1][1] - pairs[0][0] == datetime.timedelta(hours=5)


def test_on_the_march_change_day_no_slot_starts_at_a_time_that_does_not_exist():
    program = ProgramFactory()
    # Sunday 14 March 2027: at 2:00 am EST the clocks go forward to 3:00 am EDT.
    reviewer = trained(program, hours=[(6, T(0), T(4)), (6, T(2, 30), T(3, 30))])
    [found] = week(program, datetime.date(2027, 3, 8))
    shown = labels(found, 6)
    assert shown[:8] == [
        "12:00 am EST",
        "12:15 am EST",
        "12:30 am EST",
        "12:45 am EST",
        "1:00 am EST",
        "1:15 am EST",
        "1:30 am EST",
        "1:45 am EST",
    ]
    assert shown[8:] == ["3:00 am EDT", "3:15 am EDT", "3:30 am EDT", "3:45 am EDT"]
    assert not [label for label in shown if label.startswith("2:")]
    # The span 2:30-3:30 starts when the clock jumps (3:00 am EDT): its slots are those of the first span.
    pairs = slots.reviewer_slots(reviewer=reviewer, start=at(2027, 3, 14, 0), end=at(2027, 3, 15, 0))
    assert len(pairs) == 12
    assert pairs[-1][1] - pairs[0][0] == datetime.timedelta(hours=3)


def test_a_day_of_working_hours_is_the_same_wall_clock_span_on_either_side_of_a_change():
    program = ProgramFactory()
    trained(program, hours=[(5, T(9), T(10)), (0, T(9), T(10))])
    [found] = week(program, datetime.date(2026, 10, 26))
    assert labels(found, 0) == ["9:00 am EDT", "9:15 am EDT", "9:30 am EDT", "9:45 am EDT"]
    assert labels(found, 5) == ["9:00 am EDT", "9:15 am EDT", "9:30 am EDT", "9:45 am EDT"]
    [after] = week(program, datetime.date(2026, 11, 2))
    assert labels(after, 0) == ["9:00 am EST", "9:15 am EST", "9:30 am EST", "9:45 am EST"]
    assert after.days[0].slots[0].starts_at == datetime.datetime(2026, 11, 2, 14, 0, tzinfo=UTC)


# --- Zones -----------------------------------------------------------------------------------------------------


def test_a_reviewer_in_chicago_is_shown_to_an_office_in_new_york_in_new_york_time():
    program = ProgramFactory()
    trained(program, time_zone="America/Chicago", hours=[(0, T(9), T(10))])
    [found] = week(program, datetime.date(2026, 12, 7))
    assert labels(found, 0) == ["10:00 am EST", "10:15 am EST", "10:30 am EST", "10:45 am EST"]
    assert found.days[0].slots[0].starts_at == datetime.datetime(2026, 12, 7, 15, 0, tzinfo=UTC)
    [in_chicago] = week(program, datetime.date(2026, 12, 7), time_zone="America/Chicago")
    assert labels(in_chicago, 0)[0] == "9:00 am CST"


def test_arizona_has_no_daylight_saving_so_its_offset_to_new_york_changes_on_the_change_day():
    program = ProgramFactory()
    # 9:00 am in Phoenix (MST, UTC-7 all year) every day of the week of the November change.
    trained(program, time_zone="America/Phoenix", hours=[(day, T(9), T(9, 30)) for day in range(7)])
    [found] = week(program, datetime.date(2026, 10, 26))
    assert labels(found, 5) == ["12:00 pm EDT", "12:15 pm EDT"]  # Saturday 31 October: 3 hours apart
    assert labels(found, 6) == ["11:00 am EST", "11:15 am EST"]  # Sunday 1 November: 2 hours apart
    assert found.days[5].slots[0].starts_at.time() == found.days[6].slots[0].starts_at.time() == T(16)
    # And an office in Arizona sees a New York reviewer's 9:00 move from 6:00 to 7:00 am MST.
    other = ProgramFactory()
    trained(other, hours=[(5, T(9), T(9, 15)), (6, T(9), T(9, 15))])
    [seen] = week(other, datetime.date(2026, 10, 26), time_zone="America/Phoenix")
    assert labels(seen, 5) == ["6:00 am MST"]
    assert labels(seen, 6) == ["7:00 am MST"]


def test_the_week_is_monday_to_sunday_in_the_offices_zone():
    program = ProgramFactory()
    # Sunday 8:00-11:00 pm in Los Angeles is Sunday 11:00 pm to Monday 2:00 am in New York.
    trained(program, time_zone="America/Los_Angeles", hours=[(6, T(20), T(23))])
    [found] = week(program, datetime.date(2026, 12, 7))
    assert [day.day for day in found.days] == [
        datetime.date(2026, 12, 7) + datetime.timedelta(days=i) for i in range(7)
    ]
    assert labels(found, 6) == ["11:00 pm EST", "11:15 pm EST", "11:30 pm EST", "11:45 pm EST"]
    assert len(found.days[0].slots) == 8  # the Sunday before, after midnight in New York
    assert labels(found, 0)[0] == "12:00 am EST"
    assert sum(len(day.slots) for day in found.days) == 12  # 8 of last Sunday's, 4 of this Sunday's


# --- Preferences, lead time ----------------------------------------------------------------------------------------


def test_preferred_days_and_hours_are_those_of_the_offices_zone():
    program = ProgramFactory()
    trained(program, time_zone="America/Chicago", hours=[(day, T(8), T(12)) for day in range(5)])
    [found] = week(program, datetime.date(2026, 12, 7), days=[0, 2], hours=[9, 12])
    # Chicago 8:00-12:00 is 9:00-1:00 in New York: 9:xx and 12:xx kept, on Monday and Wednesday only.
    expected = ["9:00 am EST", "9:15 am EST", "9:30 am EST", "9:45 am EST"]
    expected += ["12:00 pm EST", "12:15 pm EST", "12:30 pm EST", "12:45 pm EST"]
    assert labels(found, 0) == expected
    assert labels(found, 2) == expected
    assert [len(day.slots) for day in found.days] == [8, 0, 8, 0, 0, 0, 0]


def test_the_default_preferences_are_weekdays_from_7_am_to_7_pm():
    program = ProgramFactory()
    trained(program, hours=[(day, T(6), T(20)) for day in range(7)])
    [found] = slots.week_slots(
        program=program, time_zone="America/New_York", monday=datetime.date(2026, 12, 7), now=LONG_AGO
    )
    assert labels(found, 0)[0] == "7:00 am EST"
    assert labels(found, 0)[-1] == "6:45 pm EST"
    assert [len(day.slots) for day in found.days] == [48] * 5 + [0, 0]


def test_slots_that_start_within_the_lead_time_or_in_the_past_are_not_offered():
    program = ProgramFactory()
    trained(program, hours=[(0, T(9), T(12)), (1, T(9), T(10))])
    now = at(2026, 12, 7, 9, 50)
    [found] = week(program, datetime.date(2026, 12, 7), now=now)
    assert labels(found, 0)[0] == "11:00 am EST"  # 10:50 at the earliest: 11:00 is the next slot
    assert len(found.days[1].slots) == 4
    assert week(program, datetime.date(2026, 11, 30), now=now) == []  # the week before: all in the past
    assert week(program, datetime.date(2026, 12, 7), now=at(2026, 12, 14, 0)) == []


# --- Reservations and time off ----------------------------------------------------------------------------------


def test_time_off_and_active_reservations_take_slots_out_lapsed_and_released_holds_do_not():
    program = ProgramFactory()
    reviewer = trained(program, hours=[(0, T(9), T(11))])
    nine = at(2026, 12, 7, 9)
    now = at(2026, 12, 7, 7)

    def hold(minute, **fields):
        start = nine + datetime.timedelta(minutes=minute)
        return HeldReservationFactory(
            reviewer=reviewer, starts_at=start, ends_at=start + datetime.timedelta(minutes=15), **fields
        )

    hold(0, held_until=now + datetime.timedelta(minutes=5))  # 9:00 held
    hold(15, held_until=now)  # 9:15: lapsed at now
    hold(30, state=Reservation.State.RELEASED)  # 9:30
    booked = hold(45)  # 9:45, then booked
    request = P2PRequest.objects.create(
        requested_by=booked.held_by,
        reviewer=reviewer,
        starts_at=booked.starts_at,
        ends_at=booked.ends_at,
        time_zone="America/New_York",
        requesting_provider_name="Dr. Jane Doe",
        phone="5555555555",
    )
    Reservation.objects.filter(pk=booked.pk).update(state=Reservation.State.BOOKED, held_until=None, request=request)
    TimeOffFactory(reviewer=reviewer, starts_at=nine + datetime.timedelta(minutes=70), ends_at=at(2026, 12, 7, 10, 40))
    [found] = week(program, datetime.date(2026, 12, 7), now=now)
    assert labels(found, 0) == ["9:15 am EST", "9:30 am EST", "10:45 am EST"]  # time off 10:10-10:40


def test_a_reviewer_whose_week_is_all_taken_is_left_out():
    program = ProgramFactory()
    reviewer = trained(program, hours=[(0, T(9), T(10))])
    TimeOffFactory(reviewer=reviewer, starts_at=at(2026, 12, 1, 0), ends_at=at(2026, 12, 20, 0))
    assert week(program, datetime.date(2026, 12, 7)) == []


# --- Reviewers -------------------------------------------------------------------------------------------------


def test_reviewers_trained_for_the_program_priority_1_first_then_the_others_inactive_and_untrained_left_out(
    monkeypatch, django_assert_num_queries
):
    program, other = ProgramFactory(), ProgramFactory()
    hours = [(0, T(9), T(10))]
    second = trained(program, hours=hours, priority=2, display_name="Dr. Able")
    first_b = trained(program, hours=hours, display_name="Dr. Baker")
    first_a = trained(program, hours=hours, display_name="Dr. Adams")
    third = trained(program, hours=hours, priority=3, display_name="Dr. Aaron")
    trained(program, hours=hours, display_name="Dr. Inactive", is_active=False)
    trained(other, hours=hours, display_name="Dr. Other Program")
    trained(program, display_name="Dr. No Hours")
    found = week(program, datetime.date(2026, 12, 7))
    assert [(w.reviewer, w.priority) for w in found] == [(first_a, 1), (first_b, 1), (second, 2), (third, 3)]
    excluded = week(program, datetime.date(2026, 12, 7), exclude_reviewer_ids=[first_a.pk])
    assert [w.reviewer for w in excluded] == [first_b, second, third]
    # A limit keeps the first reviewers with an open slot, in the same order (a fully booked one is not counted),
    # reading their calendars a batch at a time: here batches of two, the first of which has no open slot.
    TimeOffFactory(reviewer=first_b, starts_at=at(2026, 12, 1, 0), ends_at=at(2026, 12, 20, 0))
    assert [w.reviewer for w in week(program, datetime.date(2026, 12, 7), limit=2)] == [first_a, second]
    TimeOffFactory(reviewer=first_a, starts_at=at(2026, 12, 1, 0), ends_at=at(2026, 12, 20, 0))
    monkeypatch.setattr(slots, "REVIEWERS_PER_BATCH", 1)
    with django_assert_num_queries(1 + 3 * 2):  # the skills, then two batches' hours, time off and reservations
        assert [w.reviewer for w in week(program, datetime.date(2026, 12, 7), limit=1)] == [second]


def test_equal_slots_of_different_reviewers_are_one_object_and_each_reviewer_keeps_its_own_length():
    program = ProgramFactory()
    trained(program, hours=[(0, T(9), T(10))], display_name="Dr. A")
    trained(program, hours=[(0, T(9), T(10))], display_name="Dr. B")
    trained(program, hours=[(0, T(9), T(10))], display_name="Dr. C", slot_minutes=30)
    a, b, c = week(program, datetime.date(2026, 12, 7))
    assert a.days[0].slots == b.days[0].slots
    assert a.days[0].slots[0] is b.days[0].slots[0]
    assert labels(c, 0) == ["9:00 am EST", "9:30 am EST"]
    assert c.days[0].slots[0].ends_at - c.days[0].slots[0].starts_at == datetime.timedelta(minutes=30)


def test_the_week_costs_four_queries_whatever_the_number_of_reviewers(django_assert_num_queries):
    program = ProgramFactory()

    def add_reviewers(count):
        for _ in range(count):
            reviewer = trained(program, hours=[(0, T(9), T(12)), (1, T(9), T(12))])
            HeldReservationFactory(
                reviewer=reviewer,
                starts_at=at(2026, 12, 7, 9),
                ends_at=at(2026, 12, 7, 9, 15),
                held_until=at(2026, 12, 7, 0),
            )
            TimeOffFactory(reviewer=reviewer, starts_at=at(2026, 12, 8, 9), ends_at=at(2026, 12, 8, 10))

    add_reviewers(2)
    now = at(2026, 12, 1, 0)
    with CaptureQueriesContext(connection) as few:
        assert len(week(program, datetime.date(2026, 12, 7), now=now)) == 2
    assert len(few) == 4
    add_reviewers(10)
    with django_assert_num_queries(4):
        found = week(program, datetime.date(2026, 12, 7), now=now)
    assert len(found) == 12
    assert all(len(w.days[0].slots) == 11 and len(w.days[1].slots) == 8 for w in found)


def test_local_instant_reads_a_repeated_wall_time_first_for_a_start_and_last_for_an_end():
    day = datetime.date(2026, 11, 1)
    assert slots.local_instant(day, T(1, 30), NEW_YORK) == datetime.datetime(2026, 11, 1, 5, 30, tzinfo=UTC)
    assert slots.local_instant(day, T(1, 30), NEW_YORK, end=True) == datetime.datetime(2026, 11, 1, 6, 30, tzinfo=UTC)
    spring = datetime.date(2027, 3, 14)
    change = datetime.datetime(2027, 3, 14, 7, 0, tzinfo=UTC)
    assert slots.local_instant(spring, T(2, 30), NEW_YORK) == change
    assert slots.local_instant(spring, T(2, 0), NEW_YORK, end=True) == change
    assert slots.local_instant(spring, T(2, 59), NEW_YORK) == change
