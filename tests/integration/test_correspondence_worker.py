"""Letters delivered by a real worker process on the configured broker (filesystem, or Redis in CI): a decision's
letter is rendered and faxed once, and a second run of its task (a re-delivered message) sends nothing more.

The worker faxes through the file backend into this test's folder, so the faxes it sent are counted as files.
"""

import re
import time
import uuid

import pytest

from cases.tests.post_decision_world import decided_case, make_reviewer
from correspondence.models import Delivery, Letter
from correspondence.tasks import letter_deliver
from reference.services import catalog_load

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def worker_faxing_to(tmp_path, monkeypatch, settings, start_worker):
    """A worker that faxes into ``tmp_path/fax`` and takes the letter tasks the test process queues."""
    queue = f"test-{uuid.uuid4().hex[:12]}"
    monkeypatch.setenv("FAX_BACKEND", "delivery.fax.backends.filebased.FaxBackend")
    monkeypatch.setenv("FAX_FILE_PATH", str(tmp_path / "fax"))
    monkeypatch.setenv("CORRESPONDENCE_QUEUE", queue)
    settings.CORRESPONDENCE_QUEUE = queue
    return start_worker(queue), tmp_path / "fax"


def wait_until(condition, *, timeout: float = 60, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"not done in {timeout} s: {what}")
        time.sleep(0.1)


def faxes_pending(letter: Letter) -> int:
    return letter.deliveries.filter(channel=Delivery.Channel.FAX, status=Delivery.Status.PENDING).count()


def test_a_decisions_letter_is_rendered_and_faxed_once_by_the_real_worker(worker_faxing_to):
    worker, fax_dir = worker_faxing_to
    catalog_load()
    case = decided_case("add", by=make_reviewer())  # committed: its letter's task is queued on commit
    letter = Letter.objects.get(case=case)
    wait_until(lambda: faxes_pending(letter) == 0, what="the letter's faxes")

    again = letter_deliver.apply_async((letter.pk,), queue=worker.queue)  # as a re-delivered message would
    worker.wait_for_log(f"[{again.id}] succeeded")
    assert re.search(rf"\[{again.id}\] succeeded in [0-9.]+s: 0$", worker.log(), re.M), "the second run sent something"
    letter.refresh_from_db()
    assert letter.is_rendered
    faxes = sorted(path.read_bytes() == bytes(letter.pdf) for path in fax_dir.iterdir())
    assert faxes == [True, True]  # the requesting and the rendering provider, once each
    sent = letter.deliveries.filter(channel=Delivery.Channel.FAX)
    assert {(d.status, d.attempts) for d in sent} == {(Delivery.Status.SENT, 1)}
    assert letter.deliveries.get(channel=Delivery.Channel.MAIL).status == Delivery.Status.PENDING  # staff mail it
