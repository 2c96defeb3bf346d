"""The calendar invitation of a P2P appointment (RFC 5545, iTIP RFC 5546), attached to each of its emails.

One appointment is one event for its whole life: the UID is the request's ``uid`` (never changes) at the portal's
host, and SEQUENCE is the request's ``sequence``, raised by every reschedule and by the cancellation, so a
calendar updates (or removes, on METHOD:CANCEL) the event it already has rather than adding another. Times are
in UTC. Minimum PHI: the description carries the call's contact details and case numbers, never a member's name
or date of birth.
"""

import datetime
from email.utils import parseaddr
from urllib.parse import urlsplit

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event, vCalAddress, vText

from reference.validators import format_us_phone

PRODID = "-//EviCore Provider Portal//P2P Scheduling//EN"
REQUEST, CANCEL = "REQUEST", "CANCEL"
CONTENT_TYPE = {REQUEST: "text/calendar; method=REQUEST", CANCEL: "text/calendar; method=CANCEL"}


def uid_of(p2p_request) -> str:
    """The event's UID: the request's UUID at the portal's host (``PORTAL_URL``)."""
    return f"{p2p_request.uid}@{urlsplit(settings.PORTAL_URL).hostname or 'portal'}"


def organizer_address() -> str:
    """The address the invitations come from: the portal's (``DEFAULT_FROM_EMAIL``), without its display name."""
    return parseaddr(settings.DEFAULT_FROM_EMAIL)[1]


def phone_text(number: str, ext: str) -> str:
    """(555) 555-5555 ext. 12345."""
    text = format_us_phone(number)
    return f"{text} ext. {ext}" if ext else text


def description(p2p_request, case_numbers: list[str]) -> str:
    """Who calls whom and how: the reviewer, the office's phone numbers and instructions, the case numbers."""
    lines = [
        f"Peer-to-peer consultation {p2p_request.number} with {p2p_request.reviewer.display_name}.",
        f"Name of Provider Requesting P2P: {p2p_request.requesting_provider_name}",
    ]
    if p2p_request.contact_person_name:
        lines.append(f"Contact Person Name: {p2p_request.contact_person_name}")
    if p2p_request.contact_person_location:
        lines.append(f"Contact Person Location: {p2p_request.contact_person_location}")
    lines.append(f"Phone Number for P2P: {phone_text(p2p_request.phone, p2p_request.phone_ext)}")
    if p2p_request.alternate_phone:
        lines.append(f"Alternate Phone: {phone_text(p2p_request.alternate_phone, p2p_request.alternate_phone_ext)}")
    if p2p_request.contact_instructions:
        lines.append(f"Contact Instructions: {p2p_request.contact_instructions}")
    if case_numbers:
        lines.append(f"Case numbers: {', '.join(case_numbers)}")
    if p2p_request.consultative_only:
        lines.append("Consultative only: the original decision cannot be modified.")
    return "\n".join(lines)


def invitation(
    p2p_request,
    *,
    method: str = REQUEST,
    sequence: int | None = None,
    starts_at: datetime.datetime | None = None,
    ends_at: datetime.datetime | None = None,
    attendees: list[str] = (),
    stamp: datetime.datetime | None = None,
) -> bytes:
    """The iCalendar file of ``p2p_request``: METHOD REQUEST (CONFIRMED) or CANCEL (CANCELLED), with SEQUENCE and
    the times given (an email's own, as written in its outbox row) or else the request's current ones."""
    if method not in (REQUEST, CANCEL):
        raise ValueError(f"Not an invitation method: {method!r}")
    starts_at = starts_at or p2p_request.starts_at
    ends_at = ends_at or p2p_request.ends_at
    case_numbers = [
        number
        for number in p2p_request.request_cases.order_by("position").values_list("case__case_number", flat=True)
        if number
    ]

    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", method)

    event = Event()
    event.add("uid", uid_of(p2p_request))
    event.add("sequence", p2p_request.sequence if sequence is None else sequence)
    event.add("dtstamp", (stamp or timezone.now()).astimezone(datetime.UTC))
    event.add("dtstart", starts_at.astimezone(datetime.UTC))
    event.add("dtend", ends_at.astimezone(datetime.UTC))
    event.add("summary", f"Peer-to-Peer consultation {p2p_request.number}")
    event.add("description", description(p2p_request, case_numbers))
    event.add("location", f"By phone: {phone_text(p2p_request.phone, p2p_request.phone_ext)}")
    organizer = vCalAddress(f"mailto:{organizer_address()}")
    organizer.params["cn"] = vText("EviCore P2P Scheduling")
    event.add("organizer", organizer)
    for address in attendees:
        attendee = vCalAddress(f"mailto:{address}")
        attendee.params["role"] = vText("REQ-PARTICIPANT")
        attendee.params["partstat"] = vText("NEEDS-ACTION")
        event.add("attendee", attendee, encode=0)
    event.add("status", "CONFIRMED" if method == REQUEST else "CANCELLED")
    event.add("transp", "OPAQUE")
    calendar.add_component(event)
    return calendar.to_ical()
