"""The P2P emails' tasks: thin, idempotent, sending outbox rows by id (P2P-6, COR-4, COR-5)."""

from celery import shared_task

from delivery import outbox
from p2p import notifications


@shared_task(bind=True, max_retries=outbox.MAX_ATTEMPTS)
def notice_deliver(self, notice_id: int) -> bool:
    """Send one P2P notice; whether this run sent it. Safe to run twice: a notice sent is never sent again. A
    failed attempt is retried with exponential backoff until the notice is sent or Failed."""
    try:
        return notifications.notice_send(notice_pk=notice_id)
    except notifications.NoticeFailed as failure:
        # The notice counts its own attempts and ends Failed after the last; the sweep picks up a retry lost.
        raise self.retry(countdown=outbox.retry_delay(failure.notice.attempts).total_seconds()) from failure


@shared_task
def notice_sweep() -> int:
    """Beat, every 5 minutes: re-dispatch the P2P notices left pending (their task lost); how many. Catches up: one
    run re-dispatches all of them, so a lost run costs one interval."""
    return notifications.notice_sweep()


@shared_task
def reminders_send() -> int:
    """Beat, every 15 minutes: the reminder of each Scheduled call starting within ``P2P_REMINDER_HOURS`` that has
    had none; how many. Catches up: a lost run's reminders are written by the next one (before the call)."""
    return notifications.reminders_write()
