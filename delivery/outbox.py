"""The outbox the correspondence's letters and P2P's emails both go through (COR-5, P2P-6): rows written in the
business transaction; their task queued once it commits (a broker that is down is logged and never undoes what
was committed); each attempt counted on the locked row, retried with exponential backoff until it is Sent or,
after ``MAX_ATTEMPTS``, Failed for staff to retry; and a sweep that re-queues the rows left pending.

An outbox row has ``status`` (pending, sent, failed), ``created_at``, ``attempts``, ``last_attempt_at``,
``next_attempt_at``, ``last_error`` and ``sent_at`` (``correspondence.models.Delivery``, ``p2p.models.P2PNotice``).
"""

import datetime
import logging

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 5  # then Failed, for staff to retry from the admin
RETRY_BASE_SECONDS = 60  # 1, 2, 4, 8 minutes between the attempts
SEND_FIELDS = ["attempts", "last_attempt_at", "last_error", "status", "next_attempt_at"]


def retry_delay(attempts: int) -> datetime.timedelta:
    """Exponential backoff after ``attempts`` failed attempts: 1, 2, 4, 8 minutes."""
    return datetime.timedelta(seconds=RETRY_BASE_SECONDS * 2 ** (attempts - 1))


def task_queue(task, pk: int, *, what: str) -> bool:
    """Queue ``task`` for the row ``pk`` (``what`` names it in the log); True when queued. A broker that is down
    does not undo what was committed: the failure is logged and the sweep queues the row once the broker is back."""
    try:
        task.apply_async((pk,), queue=settings.CORRESPONDENCE_QUEUE or None)
    except Exception as error:  # any broker or connection error: the outbox row stays, the sweep retries
        logger.warning("%s %s not queued (%s); the sweep will send it", what, pk, type(error).__name__)
        return False
    return True


def attempt_send(row, send, *, sent_fields=()) -> Exception | None:
    """One attempt at sending ``row`` (locked by the caller, pending) by calling ``send()``, which may set the
    ``sent_fields`` of the row. Sent: ``sent_at`` now. Failed: its error's class and message recorded (no PHI),
    then Failed after ``MAX_ATTEMPTS`` or pending until its next attempt. The row is saved; the error, or None."""
    now = timezone.now()
    row.attempts += 1
    row.last_attempt_at = now
    try:
        send()
    except Exception as error:
        row.last_error = f"{type(error).__name__}: {error}"[:300]
        if row.attempts >= MAX_ATTEMPTS:
            row.status, row.next_attempt_at = type(row).Status.FAILED, None
        else:
            row.next_attempt_at = now + retry_delay(row.attempts)
        row.save(update_fields=SEND_FIELDS)
        return error
    row.status, row.sent_at, row.last_error, row.next_attempt_at = type(row).Status.SENT, now, "", None
    row.save(update_fields=[*SEND_FIELDS, "sent_at", *sent_fields])
    return None


def left_pending(now: datetime.datetime | None = None) -> Q:
    """The rows still pending ``CORRESPONDENCE_SWEEP_AFTER`` after they were written (or after their retry was
    due): their task was lost (a worker killed, the broker down at the commit)."""
    before = (now or timezone.now()) - settings.CORRESPONDENCE_SWEEP_AFTER
    return Q(status="pending") & (
        Q(next_attempt_at__isnull=True, created_at__lte=before) | Q(next_attempt_at__lte=before)
    )
