from celery import shared_task
from celery.signals import worker_ready

from portal.services import worker_heartbeat_record


@shared_task
def record_worker_heartbeat(worker: str | None = None) -> None:
    """Beat sends this every minute. Idempotent (an upsert keyed by the worker's name), and it catches up:
    a lost run only ages the heartbeat, and the next run makes it fresh again."""
    worker_heartbeat_record(worker=worker or record_worker_heartbeat.request.hostname or "unknown")


@worker_ready.connect
def announce_worker(**kwargs):
    """A new worker sends itself a heartbeat through the broker, so /health/ sees it within seconds
    instead of at beat's next minute."""
    record_worker_heartbeat.delay()
