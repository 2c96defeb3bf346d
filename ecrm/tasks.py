"""ECRM's scheduled job: thin, idempotent, and safe to run twice."""

from celery import shared_task

from ecrm import tickets


@shared_task
def auto_close_resolved() -> int:
    """Issue 13 item 7: Resolved tickets the reporter neither accepted nor rejected close after
    ECRM_AUTO_CLOSE_DAYS days (beat, every hour)."""
    return tickets.tickets_auto_close()
