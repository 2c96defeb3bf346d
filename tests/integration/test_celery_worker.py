"""A real Celery worker process on the configured broker (filesystem by default, Redis in CI)."""

import time

import pytest
from django.db import transaction

from portal.models import WorkerHeartbeat
from portal.tasks import record_worker_heartbeat

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def wait_for_heartbeat(name: str, timeout: float = 60) -> WorkerHeartbeat | None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = WorkerHeartbeat.objects.filter(worker=name).first()
        if found:
            return found
        time.sleep(0.2)
    return None


def test_a_task_sent_on_commit_runs_in_a_real_worker_and_writes_to_the_database(worker_queue):
    with transaction.atomic():
        record_worker_heartbeat.apply_async_on_commit(kwargs={"worker": "committed"}, queue=worker_queue)
    heartbeat = wait_for_heartbeat("committed")
    assert heartbeat is not None, "the worker did not run the task within 60 s"


def test_a_task_queued_in_a_rolled_back_transaction_is_never_sent(worker_queue):
    class Abort(Exception):
        pass

    with pytest.raises(Abort), transaction.atomic():
        record_worker_heartbeat.apply_async_on_commit(kwargs={"worker": "rolled-back"}, queue=worker_queue)
        raise Abort
    with transaction.atomic():
        record_worker_heartbeat.apply_async_on_commit(kwargs={"worker": "after"}, queue=worker_queue)
    # The worker runs one task at a time in queue order: once "after" ran, "rolled-back" never will.
    assert wait_for_heartbeat("after") is not None
    assert not WorkerHeartbeat.objects.filter(worker="rolled-back").exists()
