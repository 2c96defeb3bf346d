"""Scheduled jobs of the case build: thin, idempotent, and safe to run twice."""

from celery import shared_task

from cases import appeals, holds, renames, services


@shared_task
def expire_stale_drafts() -> int:
    """CASE-11: requests not submitted in time expire, with no correspondence (beat, every 15 minutes)."""
    return services.drafts_expire()


@shared_task
def lapse_due_holds() -> int:
    """REV-3: holds whose due date has passed lapse and their cases return to review (beat, every 15 minutes)."""
    return holds.holds_lapse()


@shared_task
def delete_expired_appeal_drafts() -> int:
    """WL-5, seed 004: appeal drafts not submitted within five calendar days are deleted (beat, every hour)."""
    return appeals.appeal_drafts_delete()


@shared_task
def rewrite_search_texts(rewrite_pk: int) -> int:
    """My Worklist's copies (search text, provider sort key) of the cases of a provider or site renamed in the admin:
    one ``SearchTextRewrite`` outbox row (``cases.renames``). Idempotent: a row done is left alone."""
    return renames.rewrite_run(rewrite_pk)


@shared_task
def search_text_rewrite_sweep() -> int:
    """Beat, every 5 minutes: queue again the renames' rewrites left pending (their task lost); how many. Catches
    up: one run queues all of them."""
    return renames.rewrites_sweep()
