"""Scheduled jobs of the case build: thin, idempotent, and safe to run twice."""

from celery import shared_task

from cases import services


@shared_task
def expire_stale_drafts() -> int:
    """CASE-11: requests not submitted in time expire, with no correspondence (beat, every 15 minutes)."""
    return services.drafts_expire()
