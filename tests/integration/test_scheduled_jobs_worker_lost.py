"""What happens to a beat job whose worker dies mid-task, on the configured broker (README, Celery).

The task is held mid-run by a lock this test keeps on the stale drafts (a row lock on PostgreSQL, the
write lock on SQLite), so the worker is killed while it runs the task, never before or after.
"""

import datetime
import json
import time

import pytest
from django.db import transaction
from django.utils import timezone

from cases.models import Case, CaseStatus
from cases.tasks import expire_stale_drafts
from cases.tests.factories import draft_case
from portal.celery import app as celery_app
from reference.services import catalog_load

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

TASK = "cases.tasks.expire_stale_drafts"
# How long after "received" the worker is killed: the task is then waiting for our lock. Well inside
# SQLite's busy timeout (5 s), after which the task would fail instead of waiting.
MID_TASK = 0.5


def stale_drafts(count: int) -> list[Case]:
    cases = [draft_case() for _ in range(count)]
    past = timezone.now() - datetime.timedelta(hours=1)
    Case.objects.filter(pk__in=[case.pk for case in cases]).update(expires_at=past)
    return cases


def statuses(cases: list[Case]) -> set[str]:
    return set(Case.objects.filter(pk__in=[case.pk for case in cases]).values_list("status", flat=True))


def lock(cases: list[Case]) -> None:
    """Inside a transaction: the worker's expiry waits for us (SQLite's BEGIN IMMEDIATE takes the write lock)."""
    list(Case.objects.select_for_update().filter(pk__in=[case.pk for case in cases]))


def messages_ready(queue: str) -> int:
    with celery_app.connection_for_write() as connection:
        return connection.default_channel.queue_declare(queue=queue, passive=False).message_count


def take_unacknowledged_redis_messages(queue: str) -> int:
    """How many messages of ``queue`` Redis keeps for re-delivery after visibility_timeout; removes them."""
    with celery_app.connection_for_write() as connection:
        channel = connection.default_channel
        client = channel.client
        tags = [
            tag
            for tag, value in client.hgetall(channel.unacked_key).items()
            if json.loads(value)[2] == queue  # [message, exchange, routing key]
        ]
        for tag in tags:
            client.hdel(channel.unacked_key, tag)
            client.zrem(channel.unacked_index_key, tag)
        return len(tags)


def test_a_killed_worker_loses_the_run_it_held_and_the_next_run_catches_up(start_worker):
    catalog_load()
    stale, fresh = stale_drafts(2), draft_case()
    worker = start_worker()
    with transaction.atomic():
        lock(stale)
        held = expire_stale_drafts.apply_async(queue=worker.queue)
        worker.wait_for_log(f"{TASK}[{held.id}] received")
        time.sleep(MID_TASK)
        worker.kill()
    assert f"[{held.id}] succeeded" not in worker.log(), "the task finished before the kill"
    assert f"[{held.id}] raised" not in worker.log(), "the task failed before the kill"
    assert statuses(stale) == {CaseStatus.DRAFT}

    # Acknowledged late or not, the message is nowhere to be fetched: the filesystem transport deleted
    # its file at fetch time; Redis parks it, to hand it back only after visibility_timeout (hours).
    assert messages_ready(worker.queue) == 0
    is_redis = celery_app.conf.broker_url.startswith("redis")
    try:
        restarted = start_worker(worker.queue)
        next_run = expire_stale_drafts.apply_async(queue=worker.queue)
        restarted.wait_for_log(f"[{next_run.id}] succeeded")
        assert statuses(stale) == {CaseStatus.EXPIRED}
        assert statuses([fresh]) == {CaseStatus.DRAFT}
        assert f"[{held.id}]" not in restarted.log(), "the lost run came back"
    finally:
        parked = take_unacknowledged_redis_messages(worker.queue) if is_redis else 0
    assert parked == (1 if is_redis else 0)
