"""Holding, booking, rescheduling and cancelling P2P appointments (P2P-5 to P2P-7). Each writer is atomic,
audited, and relies on the database's no-overlap rule (migration 0002) rather than on a check-then-write: the
row is written inside a savepoint and the database's refusal becomes ``SlotTaken``.

Who may reschedule or cancel a request (``may_manage``): the user who requested it, or a user who may view every
one of its cases and may ask for a P2P about it (``CaseAction.REQUEST_P2P``: case submission or
precertification/appeals in the case's practice), whatever the case's status now.
"""

import datetime
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, OperationalError, transaction
from django.utils import timezone

from audit.services import audit_record
from cases.permissions import CaseAction, case_permits
from p2p import notifications
from p2p.eligibility import may_request_p2p
from p2p.models import P2PRequest, P2PRequestCase, Reservation, ReviewerSkill, zone
from p2p.slots import HOURS, WEEKDAYS, open_slot

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


# --- Who may ------------------------------------------------------------------------------------------


def _acts_for(user, case) -> bool:
    """``user`` may view ``case`` and holds an entitlement to ask for a P2P about it in its practice (case
    submission or precertification/appeals: ``CaseAction.REQUEST_P2P``), whatever the case's status now."""
    return case_permits(user, case, CaseAction.REQUEST_P2P, any_status=True)


def may_manage(user, p2p_request) -> bool:
    """May ``user`` reschedule or cancel ``p2p_request`` (whatever its state)? Its requester, or a user who acts
    for every one of its cases."""
    if not getattr(user, "is_authenticated", False):
        return False
    if p2p_request.requested_by_id == user.pk:
        return True
    cases = [link.case for link in p2p_request.request_cases.select_related("case")]
    return bool(cases) and all(_acts_for(user, case) for case in cases)


def _changeable(p2p_request, now) -> None:
    """Only a Scheduled request whose call is still to come can be rescheduled or cancelled."""
    if p2p_request.status != P2PRequest.Status.SCHEDULED:
        raise ValidationError(f"This P2P request is {p2p_request.get_status_display()}: it can no longer be changed.")
    if p2p_request.starts_at <= now:
        raise ValidationError("This P2P call has already started: it can no longer be changed.")


# --- Holds --------------------------------------------------------------------------------------------


# PostgreSQL checks an exclusion constraint against rows other transactions have not committed yet by waiting
# for them; two such waits on each other are a deadlock, and PostgreSQL aborts one of the two statements (seen
# with 8 users holding one slot at once). The aborted one is tried again: by then the other has committed (the
# time is taken) or rolled back (it is free).
_DEADLOCK = "40P01"
_DEADLOCK_ATTEMPTS = 3


def _save_or_taken(save) -> None:
    """Run ``save`` in a savepoint; the no-overlap rule's refusal is SlotTaken, a deadlock is tried again."""
    for attempt in range(1, _DEADLOCK_ATTEMPTS + 1):
        try:
            with transaction.atomic():
                save()
            return
        except IntegrityError as error:
            raise SlotTaken(TAKEN) from error
        except OperationalError as error:
            if getattr(error.__cause__, "sqlstate", None) != _DEADLOCK:
                raise
            if attempt == _DEADLOCK_ATTEMPTS:
                raise SlotTaken(TAKEN) from error


def _insert(reservation: Reservation) -> None:
    """Save ``reservation`` in a savepoint; the no-overlap rule's refusal is SlotTaken."""
    _save_or_taken(reservation.save)


def _release_lapsed(reviewer_id, starts_at, ends_at, now) -> int:
    """Release the lapsed holds of ``reviewer_id`` overlapping [starts_at, ends_at): they no longer block it."""
    return Reservation.objects.filter(
        reviewer_id=reviewer_id,
        state=Reservation.State.HELD,
        held_until__lte=now,
        starts_at__lt=ends_at,
        ends_at__gt=starts_at,
    ).update(state=Reservation.State.RELEASED)


def hold_slot(*, user, reviewer, starts_at: datetime.datetime, now=None):
    """Hold ``reviewer``'s slot that starts at ``starts_at`` for ``user`` for HOLD_MINUTES: releases the user's
    other holds and any lapsed hold of that time first; raises SlotTaken when the time is taken, ValueError when
    it is not one of the reviewer's open slots. Returns the Held ``Reservation``."""
    now = now or timezone.now()
    slot = open_slot(reviewer=reviewer, starts_at=starts_at, now=now)
    if slot is None:
        raise ValueError("Not one of the reviewer's open slots.")
    start, end = slot
    with transaction.atomic():
        Reservation.objects.filter(held_by=user, state=Reservation.State.HELD).update(state=Reservation.State.RELEASED)
        _release_lapsed(reviewer.pk, start, end, now)
        reservation = Reservation(
            reviewer=reviewer,
            starts_at=start,
            ends_at=end,
            state=Reservation.State.HELD,
            held_by=user,
            held_until=now + datetime.timedelta(minutes=HOLD_MINUTES),
            created_at=now,
        )
        _insert(reservation)
    return reservation


def _claim_hold(*, user, reservation, now) -> Reservation:
    """``user``'s hold, locked and active again if it had lapsed and its time is still free. Raises ValueError
    when it is not the user's unbooked hold, SlotTaken when it lapsed and the time was taken meanwhile."""
    locked = Reservation.objects.select_for_update().select_related("reviewer").filter(pk=reservation.pk).first()
    if locked is None or locked.held_by_id != user.pk or locked.request_id is not None:
        raise ValueError("Not a hold of this user.")
    if locked.state == Reservation.State.HELD:
        return locked  # lapsed or not, nobody else can hold time its row still blocks
    # Released (it lapsed and was swept, or the user held another slot since): re-take it if nobody else has.
    _release_lapsed(locked.reviewer_id, locked.starts_at, locked.ends_at, now)
    locked.state = Reservation.State.HELD
    locked.held_until = now + datetime.timedelta(minutes=HOLD_MINUTES)
    _save_or_taken(lambda: locked.save(update_fields=["state", "held_until"]))
    return locked


def _book_reservation(reservation: Reservation, p2p_request: P2PRequest) -> None:
    reservation.state = Reservation.State.BOOKED
    reservation.request = p2p_request
    reservation.held_until = None
    _save_or_taken(lambda: reservation.save(update_fields=["state", "request", "held_until"]))


def _require_trained(reviewer_id, case) -> None:
    """The reviewer must be trained for the program of the 1st case (the one the Schedule step lists them for)."""
    if not ReviewerSkill.objects.filter(reviewer_id=reviewer_id, program_id=case.program_id).exists():
        raise ValueError("This reviewer is not trained for the case's program.")


def _clean_choices(values, allowed, name) -> list[int]:
    chosen = sorted({int(value) for value in values})
    if not chosen or not set(chosen) <= set(allowed):
        raise ValidationError({name: "Choose at least one."})
    return chosen


# --- Book, reschedule, cancel -----------------------------------------------------------------------------


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
    now=None,
):
    """Turn ``user``'s unexpired hold into a Scheduled ``P2PRequest`` for ``cases`` (each one the user may request
    a P2P for, re-checked here with ``p2p.eligibility.may_request_p2p``; ``level_of_review`` and
    ``consultative_only`` keyed by case pk), in one transaction; the invitation goes out through
    ``p2p.notifications.booked``. Raises SlotTaken when the hold lapsed and someone took the time meanwhile (a
    lapsed hold whose time is still free is simply re-taken).

    Raises PermissionDenied when the user may not request a P2P for one of the cases, ValueError when
    ``reservation`` is not the user's hold (or was booked already) or its reviewer is not trained for the 1st
    case's program, ValidationError for bad field values. The request is consultative only when every case is."""
    now = now or timezone.now()
    cases = list(cases)
    if not cases or len({case.pk for case in cases}) != len(cases):
        raise ValueError("One or more different cases are needed.")
    zone(time_zone)  # ValueError for a zone the tool does not offer
    for case in cases:
        if not may_request_p2p(user, case, now=now):
            raise PermissionDenied
        if not str(level_of_review.get(case.pk, "")).strip():
            raise ValueError(f"No level of review for case {case.pk}.")
    days = _clean_choices(preferred_days, WEEKDAYS, "preferred_days")
    hours = _clean_choices(preferred_hours, HOURS, "preferred_hours")
    with transaction.atomic():
        held = _claim_hold(user=user, reservation=reservation, now=now)
        _require_trained(held.reviewer_id, cases[0])
        p2p_request = P2PRequest(
            requested_by=user,
            reviewer=held.reviewer,
            starts_at=held.starts_at,
            ends_at=held.ends_at,
            time_zone=time_zone,
            consultative_only=all(bool(consultative_only.get(case.pk)) for case in cases),
            preferred_days=days,
            preferred_hours=hours,
            created_at=now,
            updated_at=now,
            **{name: getattr(contact, name).strip() for name in Contact.__dataclass_fields__},
        )
        p2p_request.full_clean(validate_unique=False, validate_constraints=False)
        p2p_request.save()
        P2PRequestCase.objects.bulk_create(
            P2PRequestCase(
                request=p2p_request,
                case=case,
                position=position,
                level_of_review=str(level_of_review[case.pk]).strip(),
                consultative_only=bool(consultative_only.get(case.pk)),
            )
            for position, case in enumerate(cases, start=1)
        )
        _book_reservation(held, p2p_request)
        audit_record(
            action="p2p.booked",
            request=request,
            actor=user,
            target=p2p_request,
            details={"cases": [case.pk for case in cases], "reviewer": held.reviewer_id, "sequence": 0},
        )
        notifications.booked(p2p_request)
    return p2p_request


def _lock_request(p2p_request) -> P2PRequest:
    return P2PRequest.objects.select_for_update().get(pk=p2p_request.pk)


def reschedule(*, user, p2p_request, reservation, request=None, now=None):
    """Move a Scheduled request to ``user``'s held ``reservation``: the new time is booked and the old one released
    in one transaction; SEQUENCE +1; ``p2p.notifications.rescheduled``.

    Raises PermissionDenied (``may_manage``), ValidationError when the request is not Scheduled or its call has
    started, and as ``book`` does for the hold (ValueError, SlotTaken). The reminder is sent again for the new
    time."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = _lock_request(p2p_request)
        if not may_manage(user, locked):
            raise PermissionDenied
        _changeable(locked, now)
        held = _claim_hold(user=user, reservation=reservation, now=now)
        first = locked.request_cases.select_related("case").first()
        if first is not None:
            _require_trained(held.reviewer_id, first.case)
        previous_reviewer = locked.reviewer_id
        Reservation.objects.filter(request=locked, state=Reservation.State.BOOKED).update(
            state=Reservation.State.RELEASED
        )
        _book_reservation(held, locked)
        locked.reviewer = held.reviewer
        locked.starts_at, locked.ends_at = held.starts_at, held.ends_at
        locked.sequence += 1
        locked.updated_at = now
        locked.reminder_sent_at = None
        locked.save(update_fields=["reviewer", "starts_at", "ends_at", "sequence", "updated_at", "reminder_sent_at"])
        audit_record(
            action="p2p.rescheduled",
            request=request,
            actor=user,
            target=locked,
            details={"from_reviewer": previous_reviewer, "reviewer": held.reviewer_id, "sequence": locked.sequence},
        )
        notifications.rescheduled(locked)
    return locked


def cancel(*, user, p2p_request, reason: str, request=None, now=None):
    """Cancel a Scheduled request (a reason is required), releasing its time; SEQUENCE +1;
    ``p2p.notifications.cancelled``.

    Raises ValidationError on "reason" when it is blank, PermissionDenied (``may_manage``), ValidationError when
    the request is not Scheduled or its call has started."""
    now = now or timezone.now()
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Enter a cancellation reason."})
    if len(reason) > P2PRequest._meta.get_field("cancel_reason").max_length:
        raise ValidationError({"reason": "Cancellation reason must be 1000 characters or fewer."})
    with transaction.atomic():
        locked = _lock_request(p2p_request)
        if not may_manage(user, locked):
            raise PermissionDenied
        _changeable(locked, now)
        Reservation.objects.filter(request=locked, state=Reservation.State.BOOKED).update(
            state=Reservation.State.RELEASED
        )
        locked.status = P2PRequest.Status.CANCELLED
        locked.cancel_reason = reason
        locked.cancelled_at = now
        locked.cancelled_by = user
        locked.sequence += 1
        locked.updated_at = now
        locked.save(update_fields=["status", "cancel_reason", "cancelled_at", "cancelled_by", "sequence", "updated_at"])
        audit_record(
            action="p2p.cancelled", request=request, actor=user, target=locked, details={"sequence": locked.sequence}
        )
        notifications.cancelled(locked)
    return locked


def release_lapsed_holds(now=None) -> int:
    """Release every Held reservation past ``held_until`` (the scheduled job; each row re-checked under its lock:
    one UPDATE, whose condition PostgreSQL re-evaluates on a row another transaction changed meanwhile, so a hold
    booked or renewed in between is left alone). Returns how many were released."""
    now = now or timezone.now()
    return Reservation.objects.filter(state=Reservation.State.HELD, held_until__lte=now).update(
        state=Reservation.State.RELEASED
    )
