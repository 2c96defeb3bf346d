"""Scheduled P2P requests for the notification, invitation, outcome and admin tests, written as a booking would
(a booked reservation, the request and its cases), without the scheduling tool's pages."""

import datetime

from django.utils import timezone

from p2p.models import P2PRequest, P2PRequestCase, Reservation
from p2p.tests.factories import ReviewerFactory


def scheduled_request(*, cases, user=None, reviewer=None, starts_at=None, minutes=15, **fields) -> P2PRequest:
    """A Scheduled request by ``user`` (the first case's author by default) about ``cases``, with ``reviewer``
    (a new one by default), starting at ``starts_at`` (tomorrow, on the quarter hour, by default)."""
    user = user or cases[0].created_by
    reviewer = reviewer or ReviewerFactory()
    if starts_at is None:
        starts_at = (timezone.now() + datetime.timedelta(days=2)).replace(minute=15, second=0, microsecond=0)
    values = {
        "requesting_provider_name": "Dr. Jane Doe",
        "contact_person_name": "Office Manager John Doe",
        "contact_person_location": "Provider Office",
        "phone": "5555555555",
        "phone_ext": "12345",
        "requesting_provider_email": "droffice@internet.example",
        "contact_instructions": "Select option 4, ask for Dr. Doe",
        "time_zone": "America/New_York",
        **fields,
    }
    p2p_request = P2PRequest.objects.create(
        requested_by=user,
        reviewer=reviewer,
        starts_at=starts_at,
        ends_at=starts_at + datetime.timedelta(minutes=minutes),
        **values,
    )
    for position, case in enumerate(cases, start=1):
        P2PRequestCase.objects.create(
            request=p2p_request,
            case=case,
            position=position,
            level_of_review="Reconsideration P2P",
            consultative_only=values.get("consultative_only", False),
        )
    Reservation.objects.create(
        reviewer=reviewer,
        starts_at=p2p_request.starts_at,
        ends_at=p2p_request.ends_at,
        state=Reservation.State.BOOKED,
        held_by=user,
        request=p2p_request,
    )
    return p2p_request


def move(p2p_request: P2PRequest, starts_at: datetime.datetime) -> P2PRequest:
    """Reschedule as ``p2p.booking.reschedule`` does to the row: the new time, SEQUENCE + 1."""
    p2p_request.starts_at = starts_at
    p2p_request.ends_at = starts_at + datetime.timedelta(minutes=15)
    p2p_request.sequence += 1
    p2p_request.save(update_fields=["starts_at", "ends_at", "sequence"])
    return p2p_request


def cancel(p2p_request: P2PRequest, reason: str = "The patient chose another treatment.") -> P2PRequest:
    """Cancel as ``p2p.booking.cancel`` does to the row: Cancelled with the reason, SEQUENCE + 1."""
    p2p_request.status = P2PRequest.Status.CANCELLED
    p2p_request.cancel_reason = reason
    p2p_request.cancelled_at = timezone.now()
    p2p_request.cancelled_by = p2p_request.requested_by
    p2p_request.sequence += 1
    p2p_request.save(update_fields=["status", "cancel_reason", "cancelled_at", "cancelled_by", "sequence"])
    p2p_request.reservations.update(state=Reservation.State.RELEASED)
    return p2p_request
