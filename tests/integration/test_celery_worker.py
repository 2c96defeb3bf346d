"""A real Celery worker process on the configured broker (filesystem by default, Redis in CI)."""

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.db import connection, transaction

from portal.models import WorkerHeartbeat
from portal.tasks import record_worker_heartbeat

BASE_DIR = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def database_url_of_test_database() -> str:
    """The worker must write where the test reads: the test database, not the configured one."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    user, password = db.get("USER") or "", db.get("PASSWORD") or ""
    auth = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    return f"postgres://{auth}{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{db['NAME']}"


@pytest.fixture
def worker_queue(tmp_path):
    """Start a worker consuming a queue of its own (so no other worker on the broker takes our tasks)."""
    queue = f"test-{uuid.uuid4().hex[:12]}"
    env = {**os.environ, "DATABASE_URL": database_url_of_test_database()}
    log = open(tmp_path / "worker.log", "w+")  # noqa: SIM115 (closed below, after the process ends)
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "portal",
            "worker",
            "--pool=solo",
            "--loglevel=INFO",
            f"--queues={queue}",
            f"--hostname={queue}@%h",
            "--without-heartbeat",
            "--without-mingle",
            "--without-gossip",
        ],
        cwd=BASE_DIR,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    yield queue
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
    log.seek(0)
    print(log.read()[-4000:])  # shown by pytest only when the test failed
    log.close()


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
