"""Correspondence tasks: thin, idempotent, delivering rows by id (COR-5)."""

from celery import shared_task

from correspondence import digests, letters, services
from correspondence.models import Letter, NoticeFrequency
from delivery import outbox


@shared_task(bind=True, max_retries=outbox.MAX_ATTEMPTS)
def letter_deliver(self, letter_id: int) -> int:
    """Render the letter if it has no PDF yet, then send each of its pending fax and email deliveries; how many
    this run sent. Safe to run twice: a delivery sent is never sent again. A failed one is retried with exponential
    backoff (``outbox.retry_delay``) until it is sent or Failed."""
    letter = Letter.objects.filter(pk=letter_id).defer("pdf").first()
    if letter is None:
        return 0
    letters.letter_render(letter=letter)
    sent, retry_in = 0, None
    for delivery_pk in services.deliveries_to_send(letter_id):
        try:
            sent += services.delivery_send(delivery_pk=delivery_pk)
        except services.DeliveryFailed as failure:
            delay = outbox.retry_delay(failure.delivery.attempts).total_seconds()
            retry_in = delay if retry_in is None else min(retry_in, delay)
    if retry_in is not None:
        # Each delivery counts its own attempts and ends Failed after the last; the sweep picks up a retry lost.
        raise self.retry(countdown=retry_in)
    return sent


@shared_task
def outbox_sweep() -> int:
    """Beat, every 5 minutes: re-dispatch the letters whose deliveries were left pending (their task lost); how
    many. Catches up: one run re-dispatches all of them, so a lost run costs one interval."""
    return services.outbox_sweep()


@shared_task
def daily_digest() -> int:
    """Beat, every hour: today's digest of new correspondence to each user with daily notices who has not had it,
    once the sending hour has passed; how many emails. Catches up: a lost run's users get theirs from the next."""
    return digests.digests_send(frequency=NoticeFrequency.DAILY)


@shared_task
def weekly_digest() -> int:
    """Beat, every hour: this week's digest to each user with weekly notices who has not had it, from Monday's
    sending hour on; how many emails. Catches up like the daily digest."""
    return digests.digests_send(frequency=NoticeFrequency.WEEKLY)
