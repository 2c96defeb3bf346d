"""Emails with .ics invitations on booking, rescheduling and cancelling, and the reminder before the call
(P2P-6, COR-4, COR-5), through an outbox as the correspondence app's letters are.

``booked``, ``rescheduled`` and ``cancelled`` are called by ``p2p.booking`` inside its transaction: each only
writes a ``P2PNotice`` row (what the email will say: the invitation's SEQUENCE, the times, the addresses) and
queues its task when the transaction commits; nothing is sent inside it, and a rolled-back booking sends nothing.
``notice_send`` runs in the task, one notice at a time, locked and re-checked: a notice sent is never sent again,
whether its task runs twice, the sweep re-dispatches it, or two workers race. A failed attempt is retried with
backoff and ends Failed after its last attempt, as a letter's delivery (``delivery.outbox``); ``notice_sweep``
(beat) re-dispatches notices left pending (their task lost with a killed worker, or the broker down at the
booking). ``reminders_write`` (beat) writes the reminder of each Scheduled call starting within
``P2P_REMINDER_HOURS``, once.

Each email goes to the Requesting Provider Email and to the user who made the request, from the portal's address,
with the time in the office's zone ("Mon 5/18/20 - 6:30 pm EDT") and the invitation attached (``p2p.ics``). No
member name or date of birth: the case numbers and the call's contact details only.
"""

import datetime
import logging
from email.mime.text import MIMEText

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from delivery import outbox
from p2p import ics, timefmt
from p2p.models import P2PNotice, P2PRequest

logger = logging.getLogger(__name__)

Kind, Status = P2PNotice.Kind, P2PNotice.Status
SUBJECTS = {
    Kind.BOOKED: "P2P consultation {number} scheduled: {when}",
    Kind.RESCHEDULED: "P2P consultation {number} rescheduled: {when}",
    Kind.CANCELLED: "P2P consultation {number} cancelled",
    Kind.REMINDER: "Reminder: P2P consultation {number} on {when}",
}


# --- The outbox: rows written in the caller's transaction -------------------------------------------------------


def booked(p2p_request) -> None:
    """The office's confirmation with a METHOD:REQUEST invitation (UID = request.uid, SEQUENCE = request.sequence)."""
    notice_write(p2p_request, Kind.BOOKED)


def rescheduled(p2p_request) -> None:
    """The updated invitation: same UID, the raised SEQUENCE, the new time. The reminder is due again before the
    new time (``reminder_sent_at`` is cleared on the row and on ``p2p_request``)."""
    notice_write(p2p_request, Kind.RESCHEDULED)
    P2PRequest.objects.filter(pk=p2p_request.pk).update(reminder_sent_at=None)
    p2p_request.reminder_sent_at = None


def cancelled(p2p_request) -> None:
    """METHOD:CANCEL with the same UID and the raised SEQUENCE, and the reason."""
    notice_write(p2p_request, Kind.CANCELLED)


def recipients_of(p2p_request) -> list[str]:
    """The Requesting Provider Email and the email of the user who made the request, each once."""
    found = []
    for address in (p2p_request.requesting_provider_email, p2p_request.requested_by.email):
        address = (address or "").strip()
        if address and address.lower() not in {known.lower() for known in found}:
            found.append(address)
    return found


def notice_write(p2p_request, kind: str) -> P2PNotice | None:
    """The ``kind`` notice of ``p2p_request`` as it is now, as a row in the caller's transaction; its task is queued
    when that commits. None when there is nobody to write to. A second notice of the same kind and SEQUENCE is
    refused by the database (``p2p_notice_once_per_sequence``)."""
    to = recipients_of(p2p_request)
    if not to:
        logger.warning("P2P request %s has no email address: no %s notice", p2p_request.pk, kind)
        return None
    notice = P2PNotice.objects.create(
        request=p2p_request,
        kind=kind,
        sequence=p2p_request.sequence,
        starts_at=p2p_request.starts_at,
        ends_at=p2p_request.ends_at,
        recipients=to,
    )
    transaction.on_commit(lambda: notice_dispatch(notice.pk))
    return notice


def notice_dispatch(notice_pk: int) -> bool:
    """Queue the sending task of one notice. A broker that is down does not undo the booking already committed:
    the failure is logged and the sweep sends the notice once the broker is back. True when queued."""
    from p2p.notify_tasks import notice_deliver

    return outbox.task_queue(notice_deliver, notice_pk, what="P2P notice")


# --- Sending: in the task, after the commit --------------------------------------------------------------------


class NoticeFailed(Exception):
    """A notice's attempt failed and it will be tried again."""

    def __init__(self, notice: P2PNotice):
        super().__init__(f"P2P notice {notice.pk} attempt {notice.attempts} failed")
        self.notice = notice


def notice_send(*, notice_pk: int) -> bool:
    """Send one notice once; True when this call sent it. The row is locked and re-checked, so a notice already
    sent (or failed for good) is left as it is. A failed attempt is recorded (``outbox.attempt_send``) and, while
    the notice stays pending, ``NoticeFailed`` is raised for the task to retry."""
    with transaction.atomic():
        notice = P2PNotice.objects.select_for_update().filter(pk=notice_pk).first()
        if notice is None or notice.status != Status.PENDING:
            return False
        failed = outbox.attempt_send(notice, lambda: notice_email(notice).send())
    if failed is not None and notice.status == Status.PENDING:
        raise NoticeFailed(notice) from failed
    return failed is None


def notice_email(notice: P2PNotice) -> EmailMessage:
    """The email of ``notice``: a text body with the time in the office's zone and the .ics attached
    (``text/calendar; method=REQUEST``, or CANCEL for a cancellation)."""
    p2p_request = P2PRequest.objects.select_related("reviewer", "requested_by").get(pk=notice.request_id)
    when = timefmt.appointment(notice.starts_at, p2p_request.time_zone)
    method = ics.CANCEL if notice.kind == Kind.CANCELLED else ics.REQUEST
    context = {
        "notice": notice,
        "p2p_request": p2p_request,
        "when": when,
        "portal_url": settings.PORTAL_URL,
        "minutes": int((notice.ends_at - notice.starts_at).total_seconds() // 60),
        "phone": ics.phone_text(p2p_request.phone, p2p_request.phone_ext),
        "case_numbers": [
            number
            for number in p2p_request.request_cases.values_list("case__case_number", flat=True).order_by("position")
            if number
        ],
    }
    message = EmailMessage(
        subject=SUBJECTS[notice.kind].format(number=p2p_request.number, when=when),
        body=render_to_string("p2p/email/notice.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=list(notice.recipients),
    )
    invitation = ics.invitation(
        p2p_request,
        method=method,
        sequence=notice.sequence,
        starts_at=notice.starts_at,
        ends_at=notice.ends_at,
        attendees=notice.recipients,
        stamp=notice.created_at,
    )
    part = MIMEText(invitation.decode(), "calendar", "utf-8")
    part.set_param("method", method)
    part.add_header("Content-Disposition", "attachment", filename="invite.ics")
    message.attach(part)
    return message


# --- The sweep: whatever was left pending ---------------------------------------------------------------------


def notices_left_pending(now: datetime.datetime | None = None) -> list[int]:
    """Notices still pending ``CORRESPONDENCE_SWEEP_AFTER`` after they were written (or after their retry was due):
    their task was lost (a worker killed, the broker down at the booking)."""
    left = P2PNotice.objects.filter(outbox.left_pending(now))
    return list(left.order_by("pk").values_list("pk", flat=True))


def notice_sweep(now: datetime.datetime | None = None) -> int:
    """Queue the task of every notice left pending; how many. Catches up: one run covers every notice left since
    the last, however many runs were lost."""
    return sum(notice_dispatch(pk) for pk in notices_left_pending(now))


@transaction.atomic
def notice_retry(*, notice: P2PNotice) -> bool:
    """Staff send a Failed notice again: pending with fresh attempts, its task queued on commit; False (nothing
    done) for a notice that is not Failed."""
    notice = P2PNotice.objects.select_for_update().get(pk=notice.pk)
    if notice.status != Status.FAILED:
        return False
    notice.status, notice.attempts, notice.next_attempt_at = Status.PENDING, 0, None
    notice.save(update_fields=["status", "attempts", "next_attempt_at"])
    transaction.on_commit(lambda: notice_dispatch(notice.pk))
    return True


# --- The reminder before the call ------------------------------------------------------------------------------


def reminder_window() -> datetime.timedelta:
    return datetime.timedelta(hours=settings.P2P_REMINDER_HOURS)


def reminder_due(p2p_request, now: datetime.datetime) -> bool:
    """Whether ``p2p_request`` takes its reminder at ``now``: Scheduled, starting within the window and not yet
    started, no reminder for this time yet, and the office was not told of this time within the window already
    (a call booked or moved less than ``P2P_REMINDER_HOURS`` before it starts has its confirmation for reminder)."""
    window = reminder_window()
    if p2p_request.status != P2PRequest.Status.SCHEDULED or p2p_request.reminder_sent_at is not None:
        return False
    if not now < p2p_request.starts_at <= now + window:
        return False
    told = p2p_request.notices.filter(
        kind__in=[Kind.BOOKED, Kind.RESCHEDULED], sequence=p2p_request.sequence, starts_at=p2p_request.starts_at
    )
    return not told.filter(created_at__gte=p2p_request.starts_at - window).exists()


def reminders_write(now: datetime.datetime | None = None) -> int:
    """Write the reminder notice of every Scheduled call that starts within the next ``P2P_REMINDER_HOURS`` and has
    had none, each under its request's row lock and re-checked there (the office may have cancelled or moved it
    since the query), and mark the request reminded; how many. Idempotent: a second run writes nothing. Catches
    up: a lost run's reminders are written by the next, as long as the call has not started."""
    now = now or timezone.now()
    candidates = P2PRequest.objects.filter(
        status=P2PRequest.Status.SCHEDULED,
        reminder_sent_at__isnull=True,
        starts_at__gt=now,
        starts_at__lte=now + reminder_window(),
    )
    written = 0
    for pk in candidates.order_by("starts_at").values_list("pk", flat=True):
        with transaction.atomic():
            p2p_request = P2PRequest.objects.select_for_update(of=("self",)).select_related("requested_by").get(pk=pk)
            if not reminder_due(p2p_request, now):
                continue
            notice = notice_write(p2p_request, Kind.REMINDER)
            p2p_request.reminder_sent_at = now
            p2p_request.save(update_fields=["reminder_sent_at"])
            written += notice is not None
    return written
