"""P2P-7: users holding or booking the same reviewer's time at the same moment get one success; everyone else
gets SlotTaken ("That time was just taken"), and one active reservation is left. On PostgreSQL with threads, each
on its own connection, released together (the exclusion constraint decides); on SQLite the writes are serialized,
so the same calls one after the other prove the triggers refuse the second."""

import datetime
import zoneinfo

import pytest
from django.db import connection
from django.utils import timezone

from accounts.tests.factories import UserFactory
from cases import services
from cases.models import CaseStatus
from cases.tests.factories import submitted_case
from p2p import booking, slots
from p2p.booking import SlotTaken
from p2p.models import P2PRequest, Reservation, Reviewer, ReviewerSkill
from p2p.tests.factories import ReviewerFactory, WorkingHoursFactory
from reference.services import catalog_load
from tests.integration.threads import at_once

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

THREADS = 8


def next_week_at(hour, minute=0):
    monday = slots.week_start(timezone.localdate()) + datetime.timedelta(weeks=1)
    wall = datetime.datetime.combine(monday, datetime.time(hour, minute), tzinfo=zoneinfo.ZoneInfo("America/New_York"))
    return wall.astimezone(datetime.UTC)


def reviewer_at_work():
    reviewer = ReviewerFactory(time_zone="America/New_York")
    WorkingHoursFactory(reviewer=reviewer, weekday=0, starts=datetime.time(9), ends=datetime.time(17))
    return reviewer


def denied_case():
    case = submitted_case()
    services.case_transition(case=case, to=CaseStatus.DENIED, reason="Not medically necessary.")
    case.decided_at = timezone.now() - datetime.timedelta(days=2)
    case.save(update_fields=["decided_at"])
    return case


def postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serializes writers: threads cannot race there (the SQLite test below covers it)")


def test_many_users_holding_the_same_slot_at_the_same_moment_get_one_hold():
    postgres_only()
    reviewer = reviewer_at_work()
    users = [UserFactory() for _ in range(THREADS)]
    ten = next_week_at(10)
    results, errors = at_once(
        *(lambda user=user: booking.hold_slot(user=user, reviewer=reviewer, starts_at=ten) for user in users)
    )
    assert len(results) == 1, errors
    assert len(errors) == THREADS - 1 and all(isinstance(error, SlotTaken) for error in errors), errors
    assert {str(error) for error in errors} == {booking.TAKEN}
    [held] = Reservation.objects.filter(reviewer=reviewer, state=Reservation.State.HELD)
    assert held.pk == results[0].pk and held.held_by in users


def test_overlapping_holds_of_different_lengths_at_the_same_moment_get_one_hold():
    postgres_only()
    reviewer = reviewer_at_work()
    # The reviewer's slot length changed from 15 to 30 minutes between two offices' pages: 10:15-10:30 and
    # 10:00-10:30 overlap without starting together.
    before = Reviewer.objects.get(pk=reviewer.pk)
    after = Reviewer.objects.get(pk=reviewer.pk)
    after.slot_minutes = 30
    results, errors = at_once(
        lambda: booking.hold_slot(user=UserFactory(), reviewer=before, starts_at=next_week_at(10, 15)),
        lambda: booking.hold_slot(user=UserFactory(), reviewer=after, starts_at=next_week_at(10)),
    )
    assert len(results) == 1 and [type(error) for error in errors] == [SlotTaken], errors
    assert Reservation.objects.filter(reviewer=reviewer, state=Reservation.State.HELD).count() == 1


def test_a_submit_re_taking_a_lapsed_hold_and_a_new_hold_of_that_time_at_the_same_moment_get_one():
    postgres_only()
    catalog_load()
    case = denied_case()
    reviewer = reviewer_at_work()
    ReviewerSkill.objects.create(reviewer=reviewer, program=case.program)
    ten = next_week_at(10)
    office, other = case.created_by, UserFactory()
    # The office's hold lapsed while they typed the contact details; another office picks that time as they submit.
    long_ago = timezone.now() - datetime.timedelta(minutes=30)
    lapsed = booking.hold_slot(user=office, reviewer=reviewer, starts_at=ten, now=long_ago)
    contact = booking.Contact(requesting_provider_name="Dr. Jane Doe", phone="5555555555")

    def submit():
        return booking.book(
            user=office,
            reservation=lapsed,
            cases=[case],
            level_of_review={case.pk: "Reconsideration P2P"},
            consultative_only={},
            time_zone="America/New_York",
            preferred_days=[0],
            preferred_hours=[10],
            contact=contact,
        )

    results, errors = at_once(submit, lambda: booking.hold_slot(user=other, reviewer=reviewer, starts_at=ten))
    assert len(results) == 1 and [type(error) for error in errors] == [SlotTaken], errors
    [active] = Reservation.objects.filter(reviewer=reviewer, state__in=["held", "booked"])
    if isinstance(results[0], P2PRequest):
        assert (active.pk, active.state, active.request_id) == (lapsed.pk, "booked", results[0].pk)
    else:
        assert (active.held_by, active.state) == (other, "held")
        assert not P2PRequest.objects.exists()


def test_on_sqlite_the_trigger_refuses_the_second_of_two_holds_of_the_same_slot():
    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL runs the threaded tests above")
    reviewer = reviewer_at_work()
    ten = next_week_at(10)
    first, second = UserFactory(), UserFactory()
    # Two offices' pages showed 10:00 open; both press it. SQLite runs one writer at a time: the second waits for
    # the first's transaction, then the trigger sees its row.
    booking.hold_slot(user=first, reviewer=reviewer, starts_at=ten)
    with pytest.raises(SlotTaken):
        booking.hold_slot(user=second, reviewer=reviewer, starts_at=ten)
    assert [r.held_by for r in Reservation.objects.filter(reviewer=reviewer, state="held")] == [first]
    # A lapsed hold no longer blocks: the trigger sees it released in the same transaction as the new row.
    Reservation.objects.filter(held_by=first).update(held_until=timezone.now())
    booking.hold_slot(user=second, reviewer=reviewer, starts_at=ten)
    assert [r.held_by for r in Reservation.objects.filter(reviewer=reviewer, state="held")] == [second]
