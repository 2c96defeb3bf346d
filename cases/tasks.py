"""Scheduled jobs of the case build: thin, idempotent, and safe to run twice."""

from celery import shared_task

from cases import holds, services


@shared_task
def expire_stale_drafts() -> int:
    """CASE-11: requests not submitted in time expire, with no correspondence (beat, every 15 minutes)."""
    return services.drafts_expire()


@shared_task
def lapse_due_holds() -> int:
    """REV-3: holds whose due date has passed lapse and their cases return to review (beat, every 15 minutes)."""
    return holds.holds_lapse()
