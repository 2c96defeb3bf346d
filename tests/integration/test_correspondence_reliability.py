"""Nothing lost and nothing sent twice when a worker or the broker dies (issue 12, COR-5), with real worker
processes on the real broker (the filesystem broker on SQLite, Redis when CELERY_BROKER_URL says so).

The workers fax through the file backend into this test's folder and, in the broker test, write their email to
files too, so what they sent is counted as files, across processes, next to the ``Delivery`` rows. The sweep runs
the way beat runs it: its task, sent to the worker, with ``CORRESPONDENCE_SWEEP_AFTER_MINUTES=0`` in the worker's
environment so that a letter left pending a moment ago already counts as left.

(A letter task run twice making one letter and one fax each is ``test_correspondence_worker.py``'s test.)
"""

import logging
import re
import socket
import subprocess
import time
import uuid
from pathlib import Path

import pytest
import redis
from django.db import transaction
from django.urls import reverse

from cases.models import CaseStatus
from cases.tests.factories import submitted_case
from cases.tests.post_decision_world import make_reviewer
from cases.tests.test_service_lines import dme_case
from correspondence.models import Delivery, Letter
from correspondence.tasks import letter_deliver, outbox_sweep
from correspondence.tests.conftest import hold_placed
from portal.celery import app as celery_app
from reference.services import catalog_load
from tests.integration.test_scheduled_jobs_worker_lost import messages_ready, take_unacknowledged_redis_messages

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

Channel, Status = Delivery.Channel, Delivery.Status
BATCH = 200
# Faxes sent before the kill: well inside the batch, whatever the machine's speed.
KILL_AFTER_FAXES = 50
TASK_ID = r"\[([0-9a-f-]{36})\]"


def is_redis() -> bool:
    return celery_app.conf.broker_url.startswith("redis")


def wait_until(condition, *, timeout: float = 60, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"not done in {timeout} s: {what}")
        time.sleep(0.1)


def files_in(folder: Path) -> list[Path]:
    return sorted(folder.iterdir()) if folder.exists() else []


def tasks_in_hand(log: str) -> set[str]:
    """Tasks the worker has taken from the broker and not finished (succeeded, raised or retried)."""
    received = set(re.findall(rf"{TASK_ID} received", log))
    return received - set(re.findall(rf"{TASK_ID} (?:succeeded|raised|retry)", log))


def sweep_result(worker, sweep_id: str) -> int:
    """How many letters a sweep task run by ``worker`` re-queued (its logged return value)."""
    worker.wait_for_log(f"[{sweep_id}] succeeded", timeout=180)
    return int(re.search(rf"\[{sweep_id}\] succeeded in [0-9.]+s: (\d+)$", worker.log(), re.M).group(1))


@pytest.fixture
def letter_worker_env(tmp_path, monkeypatch, settings):
    """The queue of this test's letter tasks, and the worker environment that faxes into ``tmp_path/fax``; the sweep
    treats every pending letter as left. Returns ``(queue, fax folder)``."""
    queue = f"test-{uuid.uuid4().hex[:12]}"
    monkeypatch.setenv("FAX_BACKEND", "delivery.fax.backends.filebased.FaxBackend")
    monkeypatch.setenv("FAX_FILE_PATH", str(tmp_path / "fax"))
    monkeypatch.setenv("CORRESPONDENCE_QUEUE", queue)
    monkeypatch.setenv("CORRESPONDENCE_SWEEP_AFTER_MINUTES", "0")
    settings.CORRESPONDENCE_QUEUE = queue
    return queue, tmp_path / "fax"


# --- A worker killed in the middle of a batch ------------------------------------------------------------------


def test_a_worker_killed_mid_batch_then_restarted_and_swept_leaves_200_letters_and_200_faxes(
    letter_worker_env, start_worker
):
    queue, fax_dir = letter_worker_env
    catalog_load()
    reviewer = make_reviewer()
    setup_started = time.monotonic()
    # 200 holds, each committed with its letter and its one fax delivery (the requesting provider's); each letter's
    # task is queued on commit, before any worker runs: the batch waits in the broker.
    for _ in range(BATCH):
        hold_placed(submitted_case(notify_by_email=False), reviewer)
    assert Delivery.objects.filter(channel=Channel.FAX, status=Status.PENDING).count() == BATCH
    started = time.monotonic()
    setup = started - setup_started
    worker = start_worker(queue)
    wait_until(lambda: len(files_in(fax_dir)) >= KILL_AFTER_FAXES, timeout=180, what=f"{KILL_AFTER_FAXES} faxes")

    # Kill it holding a task, never between a fax sent and its row saved: lock every delivery still pending (on
    # SQLite the write lock), which waits for a send in progress to commit; the worker's next write then waits
    # for us, inside its task.
    with transaction.atomic():
        pending = list(Delivery.objects.select_for_update().filter(status=Status.PENDING).values_list("pk", flat=True))
        wait_until(lambda: tasks_in_hand(worker.log()), timeout=4, what="the worker taking its next task")
        time.sleep(0.3)
        worker.kill()
    [lost] = tasks_in_hand(worker.log())
    faxed_before_kill = len(files_in(fax_dir))
    assert KILL_AFTER_FAXES <= faxed_before_kill == BATCH - len(pending) < BATCH

    try:
        restarted = start_worker(queue)
        # Beat's sweep arrives behind the letters still queued: by then only the lost one is pending.
        sweep = outbox_sweep.apply_async(queue=queue)
        assert sweep_result(restarted, sweep.id) == 1
        wait_until(
            lambda: not Delivery.objects.filter(status=Status.PENDING).exists(), what="the letter the sweep re-queued"
        )
        # The filesystem broker deleted the lost message when the killed worker fetched it; Redis keeps it for
        # visibility_timeout (6 hours): either way the restarted worker never ran it, the sweep sent its letter.
        assert f"[{lost}]" not in restarted.log()
        assert messages_ready(queue) == 0
    finally:
        parked = take_unacknowledged_redis_messages(queue) if is_redis() else 0
    assert parked == (1 if is_redis() else 0)
    elapsed = time.monotonic() - started

    letters = {letter.pk: letter for letter in Letter.objects.all()}
    assert len(letters) == BATCH and all(letter.is_rendered for letter in letters.values())
    faxes = Delivery.objects.filter(channel=Channel.FAX)
    assert faxes.count() == BATCH
    assert set(faxes.values_list("status", "attempts")) == {(Status.SENT, 1)}
    files = files_in(fax_dir)
    assert len(files) == BATCH
    # Each file names its delivery (the fax's reference, "letter-<letter>-<delivery>"), each delivery once.
    sent = {path: tuple(map(int, re.search(r"-letter-(\d+)-(\d+)-to-", path.name).groups())) for path in files}
    assert sorted(sent.values()) == sorted(faxes.values_list("letter_id", "pk"))
    assert all(path.read_bytes() == bytes(letters[letter_pk].pdf) for path, (letter_pk, _) in sent.items())
    print(f"{BATCH} holds written in {setup:.1f} s; their letters rendered and faxed in {elapsed:.1f} s (two worker")
    print(f"starts, the kill and the sweep included), {faxed_before_kill} before the kill")


# --- A broker down at the decision ---------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class RedisBroker:
    """A private ``redis-server`` (no persistence) this test stops and starts."""

    def __init__(self, folder: Path):
        self.folder, self.port, self.process = folder, free_port(), None
        folder.mkdir()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.transport_options = dict(celery_app.conf.broker_transport_options or {})
        self.worker_env = {"CELERY_BROKER_URL": self.url}

    def start(self) -> None:
        command = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        with open(self.folder / "redis.log", "a") as log:
            self.process = subprocess.Popen([*command, "--dir", str(self.folder)], stdout=log, stderr=log)
        client = redis.Redis(port=self.port, socket_connect_timeout=1)
        deadline = time.monotonic() + 10
        while True:
            try:
                client.ping()
                break
            except redis.ConnectionError:
                if time.monotonic() > deadline:
                    pytest.fail(f"redis-server did not answer on {self.port}")
                time.sleep(0.05)
        client.close()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


class FolderBroker:
    """The filesystem broker in a folder of this test's own, made unavailable by moving its queue folder away."""

    def __init__(self, folder: Path, settings):
        self.folder, self.url = folder, "filesystem://"
        # The settings' options with this folder in place of CELERY_BROKER_DIR (what the worker computes from it).
        default = str(settings.CELERY_BROKER_DIR)
        self.transport_options = {
            key: value.replace(default, str(folder), 1) if isinstance(value, str) else value
            for key, value in settings.CELERY_BROKER_TRANSPORT_OPTIONS.items()
        }
        self.worker_env = {"CELERY_BROKER_URL": self.url, "CELERY_BROKER_DIR": str(folder)}
        self.queue_folder = Path(self.transport_options["data_folder_out"])

    def start(self) -> None:
        away = self.queue_folder.with_name("queue-unavailable")
        if away.exists():
            away.rename(self.queue_folder)
        for key in ("data_folder_in", "data_folder_out", "processed_folder", "control_folder"):
            Path(self.transport_options[key]).mkdir(parents=True, exist_ok=True)

    def stop(self) -> None:
        self.queue_folder.rename(self.queue_folder.with_name("queue-unavailable"))


def use_broker(url: str, transport_options: dict) -> None:
    """Point this process's Celery app (what the web process sends with) at another broker. The pool it leaves
    stays open in kombu's registry of pools (keyed by URL and options), to be found again when it is used again."""
    celery_app.conf.broker_url = url
    celery_app.conf.broker_transport_options = transport_options
    celery_app._pool = None
    celery_app.amqp._producer_pool = None  # as Celery's own _after_fork resets it


@pytest.fixture
def private_broker(tmp_path, monkeypatch, settings):
    """A broker of this test's own, of the configured kind, used by this process and the workers started after."""
    broker = RedisBroker(tmp_path / "redis") if is_redis() else FolderBroker(tmp_path / "broker", settings)
    broker.start()
    saved = celery_app.conf.broker_url, celery_app.conf.broker_transport_options
    use_broker(broker.url, broker.transport_options)
    # The workers' environment, and this process's too: Celery reads CELERY_BROKER_URL there before its settings.
    for name, value in broker.worker_env.items():
        monkeypatch.setenv(name, value)
    yield broker
    celery_app.pool.force_close_all()  # the private broker's connections: its pool is never used again
    use_broker(*saved)
    broker.stop()


@pytest.fixture
def reviewer_client(signed_in_client):
    reviewer = make_reviewer()
    return signed_in_client(reviewer)


def test_a_decision_made_while_the_broker_is_down_succeeds_and_its_notice_goes_out_once_it_is_back(
    private_broker, letter_worker_env, start_worker, tmp_path, monkeypatch, caplog, reviewer_client
):
    queue, fax_dir = letter_worker_env
    mail_dir = tmp_path / "var" / "mail"
    monkeypatch.setenv("PORTAL_VAR_DIR", str(tmp_path / "var"))  # the workers' email files (EMAIL_FILE_PATH)
    monkeypatch.setenv("EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend")
    catalog_load()
    case = dme_case()
    worker = start_worker(queue)
    worker.wait_for_log("ready.")

    private_broker.stop()
    with caplog.at_level(logging.WARNING, logger="correspondence.services"):
        response = reviewer_client.post(reverse("admin:cases_case_approve_all", args=[case.pk]))
    assert response.status_code == 302  # to the case page: the decision is made, no error
    case.refresh_from_db()
    assert case.status == CaseStatus.APPROVED
    letter = Letter.objects.get(case=case, kind=Letter.Kind.APPROVAL)
    assert f"Letter {letter.pk} not queued" in caplog.text
    to_send = letter.deliveries.exclude(channel=Channel.MAIL)
    assert set(to_send.values_list("channel", "status")) == {
        (Channel.FAX, Status.PENDING),
        (Channel.EMAIL, Status.PENDING),
    }
    time.sleep(2)  # the broker stays down a moment: what its worker does meanwhile is below
    assert files_in(fax_dir) == [] and files_in(mail_dir) == []

    private_broker.start()
    # Redis: the worker reconnects by itself. The filesystem broker's worker stops when its folder is gone
    # ("Unrecoverable error: FileNotFoundError"): its supervisor starts it again, as here.
    if worker.process.poll() is not None:
        worker = start_worker(queue)
    sweep = outbox_sweep.apply_async(queue=queue)  # as beat sends it
    assert sweep_result(worker, sweep.id) == 1
    wait_until(lambda: not to_send.filter(status=Status.PENDING).exists(), what="the letter's fax and email")

    # Once: a second sweep and a re-delivered letter task send nothing more.
    again = [outbox_sweep.apply_async(queue=queue), letter_deliver.apply_async((letter.pk,), queue=queue)]
    assert sweep_result(worker, again[0].id) == 0
    worker.wait_for_log(f"[{again[1].id}] succeeded")
    assert re.search(rf"\[{again[1].id}\] succeeded in [0-9.]+s: 0$", worker.log(), re.M)
    assert set(to_send.values_list("status", "attempts")) == {(Status.SENT, 1)}
    faxes = to_send.filter(channel=Channel.FAX).count()
    assert faxes >= 1 and len(files_in(fax_dir)) == faxes
    [notice] = files_in(mail_dir)
    assert letter.deliveries.get(channel=Channel.EMAIL).destination in notice.read_text()
