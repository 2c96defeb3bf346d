"""P2P's scheduled job: thin, idempotent, and safe to run twice."""

from celery import shared_task

from p2p import booking


@shared_task
def release_lapsed_holds() -> int:
    """P2P-7: Held slots whose 10 minutes are up are released (beat, every minute), so they show as open again and
    the admin's reservations read true. Holds never block past ``held_until`` even before this runs: the slots
    ignore lapsed holds and a new hold of the same time releases them first."""
    return booking.release_lapsed_holds()
