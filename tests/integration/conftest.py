"""A real Celery worker process for integration tests, on the configured broker (filesystem, or Redis in CI)."""

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.db import connection

BASE_DIR = Path(__file__).resolve().parents[2]


def database_url_of_test_database() -> str:
    """The worker must write where the test reads: the test database, not the configured one."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    user, password = db.get("USER") or "", db.get("PASSWORD") or ""
    auth = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    return f"postgres://{auth}{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{db['NAME']}"


def worker_command(queue: str) -> list[str]:
    """A real Celery worker consuming only ``queue``, one task at a time, with nothing talking to other workers."""
    return [
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
    ]


def _end(process: subprocess.Popen) -> None:
    """End a worker once its test is over. SIGKILL, not a warm shutdown: its queue is the test's own and nothing
    it holds matters any more, and a solo-pool worker is one process, so its database connection ends with it.
    (A warm shutdown costs about 5 s per worker: over the integration tests, a minute or more per run.)"""
    if process.poll() is None:
        process.kill()
    process.wait(timeout=20)


@pytest.fixture
def worker_queue(tmp_path):
    """Start a worker consuming a queue of its own (so no other worker on the broker takes our tasks)."""
    queue = f"test-{uuid.uuid4().hex[:12]}"
    env = {**os.environ, "DATABASE_URL": database_url_of_test_database()}
    log = open(tmp_path / "worker.log", "w+")  # noqa: SIM115 (closed below, after the process ends)
    process = subprocess.Popen(
        worker_command(queue),
        cwd=BASE_DIR,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    yield queue
    _end(process)
    log.seek(0)
    print(log.read()[-4000:])  # shown by pytest only when the test failed
    log.close()


class WorkerProcess:
    """A Celery worker process started by ``start_worker``: its log, and the ways it can end."""

    def __init__(self, queue: str, log_path: Path):
        self.queue = queue
        self.log_path = log_path
        env = {**os.environ, "DATABASE_URL": database_url_of_test_database()}
        with open(log_path, "w") as log:
            self.process = subprocess.Popen(
                worker_command(queue),
                cwd=BASE_DIR,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )

    @property
    def pid(self) -> int:
        return self.process.pid

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def wait_for_log(self, text: str, *, count: int = 1, timeout: float = 30) -> None:
        """Wait until ``text`` appears ``count`` times in the log (fails the test after ``timeout`` s)."""
        deadline = time.monotonic() + timeout
        while self.log().count(text) < count:
            if self.process.poll() is not None:
                pytest.fail(f"the worker exited ({self.process.returncode}) before logging {text!r}:\n{self.log()}")
            if time.monotonic() > deadline:
                pytest.fail(f"{text!r} not logged {count} time(s) in {timeout} s:\n{self.log()[-4000:]}")
            time.sleep(0.05)

    def kill(self) -> None:
        """SIGKILL the main process, as the OOM killer or a power cut would: no shutdown code runs."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        _end(self.process)


@pytest.fixture
def start_worker(tmp_path):
    """A function ``(queue=None) -> WorkerProcess``: a worker like ``worker_queue``'s, on a new queue unless
    one is given (so that a second worker can take over a killed one's queue); all are stopped at teardown.
    """
    workers = []

    def start(queue: str | None = None) -> WorkerProcess:
        queue = queue or f"test-{uuid.uuid4().hex[:12]}"
        worker = WorkerProcess(queue, tmp_path / f"worker-{len(workers) + 1}.log")
        workers.append(worker)
        return worker

    yield start
    for worker in workers:
        worker.stop()
    for worker in workers:
        print(f"--- {worker.log_path.name} ---\n{worker.log()[-4000:]}")  # shown by pytest only on failure
