"""Holding, booking, rescheduling and cancelling P2P appointments (P2P-5 to P2P-7). INTERFACE DRAFT: the lead
wrote the signatures; a helper implements. Each writer is atomic, audited, and relies on the database's
no-overlap rule (migration 0002) rather than on a check-then-write."""

import datetime
from dataclasses import dataclass

HOLD_MINUTES = 10
TAKEN = "That time was just taken. Pick another time: the open times below are up to date."


class SlotTaken(Exception):
    """The time overlaps a reservation someone else made first (the database refused it)."""


@dataclass(frozen=True)
class Contact:
    requesting_provider_name: str
    phone: str
    contact_person_name: str = ""
    contact_person_location: str = ""
    phone_ext: str = ""
    alternate_phone: str = ""
    alternate_phone_ext: str = ""
    requesting_provider_email: str = ""
    contact_instructions: str = ""


def hold_slot(*, user, reviewer, starts_at: datetime.datetime, now=None):
    """Hold ``reviewer``'s slot that starts at ``starts_at`` for ``user`` for HOLD_MINUTES: releases the user's
    other holds and any lapsed hold of that time first; raises SlotTaken when the time is taken, ValueError when
    it is not one of the reviewer's open slots. Returns the Held ``Reservation``."""
    raise NotImplementedError


def book(
    *,
    user,
    reservation,
    cases: list,
    level_of_review: dict,
    consultative_only: dict,
    time_zone: str,
    preferred_days: list[int],
    preferred_hours: list[int],
    contact: Contact,
    request=None,
):
    """Turn ``user``'s unexpired hold into a Scheduled ``P2PRequest`` for ``cases`` (each one the user may request
    a P2P for, re-checked here; ``level_of_review`` and ``consultative_only`` keyed by case pk), in one
    transaction; the invitation goes out through ``p2p.notifications.booked``. Raises SlotTaken when the hold
    lapsed and someone took the time meanwhile (a lapsed hold whose time is still free is simply re-taken)."""
    raise NotImplementedError


def reschedule(*, user, p2p_request, reservation, request=None):
    """Move a Scheduled request to ``user``'s held ``reservation``: the new time is booked and the old one released
    in one transaction; SEQUENCE +1; ``p2p.notifications.rescheduled``."""
    raise NotImplementedError


def cancel(*, user, p2p_request, reason: str, request=None):
    """Cancel a Scheduled request (a reason is required), releasing its time; SEQUENCE +1;
    ``p2p.notifications.cancelled``."""
    raise NotImplementedError


def release_lapsed_holds(now=None) -> int:
    """Release every Held reservation past ``held_until`` (the scheduled job; each row re-checked under its lock)."""
    raise NotImplementedError
