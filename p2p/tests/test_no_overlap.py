"""P2P-7: the database refuses two active reservations of one reviewer that overlap, on PostgreSQL (an
exclusion constraint) and on SQLite (triggers); released ones, other reviewers and touching ranges are fine."""

import datetime

import pytest
from django.db import IntegrityError, transaction

from p2p.models import Reservation
from p2p.tests.factories import HeldReservationFactory, ReviewerFactory

pytestmark = pytest.mark.django_db

NINE = datetime.datetime(2026, 12, 7, 14, 0, tzinfo=datetime.UTC)
MINUTES = datetime.timedelta(minutes=1)


def _hold(reviewer, starts_at, minutes=15, **kwargs):
    return HeldReservationFactory(
        reviewer=reviewer, starts_at=starts_at, ends_at=starts_at + minutes * MINUTES, **kwargs
    )


@pytest.mark.parametrize("offset", [0, 5, -5, -14, 14])
def test_an_overlapping_hold_of_the_same_reviewer_is_refused(offset):
    reviewer = ReviewerFactory()
    _hold(reviewer, NINE)
    with pytest.raises(IntegrityError), transaction.atomic():
        _hold(reviewer, NINE + offset * MINUTES)
    assert Reservation.objects.count() == 1


def test_a_hold_that_encloses_another_is_refused():
    reviewer = ReviewerFactory()
    _hold(reviewer, NINE + 5 * MINUTES, minutes=5)
    with pytest.raises(IntegrityError), transaction.atomic():
        _hold(reviewer, NINE, minutes=30)


def test_touching_ranges_other_reviewers_and_released_rows_do_not_conflict():
    reviewer = ReviewerFactory()
    first = _hold(reviewer, NINE)
    _hold(reviewer, NINE + 15 * MINUTES)  # starts when the first ends: half-open ranges
    _hold(ReviewerFactory(), NINE)
    Reservation.objects.filter(pk=first.pk).update(state=Reservation.State.RELEASED)
    _hold(reviewer, NINE - 5 * MINUTES, minutes=15)  # overlaps only the released one


def test_moving_a_reservation_onto_another_is_refused_and_reactivating_a_released_overlap_too():
    reviewer = ReviewerFactory()
    _hold(reviewer, NINE)
    later = _hold(reviewer, NINE + 30 * MINUTES)
    with pytest.raises(IntegrityError), transaction.atomic():
        Reservation.objects.filter(pk=later.pk).update(starts_at=NINE + 10 * MINUTES)
    released = _hold(reviewer, NINE + 60 * MINUTES)
    Reservation.objects.filter(pk=released.pk).update(state=Reservation.State.RELEASED)
    _hold(reviewer, NINE + 60 * MINUTES)
    with pytest.raises(IntegrityError), transaction.atomic():
        Reservation.objects.filter(pk=released.pk).update(state=Reservation.State.HELD)


def test_a_reservation_may_be_updated_in_place():
    reservation = _hold(ReviewerFactory(), NINE)
    Reservation.objects.filter(pk=reservation.pk).update(ends_at=NINE + 20 * MINUTES)
