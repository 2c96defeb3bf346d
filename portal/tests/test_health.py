import datetime

import pytest
from django.utils import timezone

from portal.celery import app as celery_app
from portal.models import WorkerHeartbeat
from portal.services import worker_heartbeat_record

pytestmark = pytest.mark.django_db


def test_health_reports_database_and_broker_ok(client):
    response = client.get("/health/")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"]["database"]["status"] == "ok"
    assert body["checks"]["broker"]["status"] == "ok"
    assert response["Cache-Control"].startswith("max-age=0")


def test_health_answers_503_when_the_broker_is_unreachable(client, monkeypatch):
    # A real broker URL nobody listens on: port 1 on loopback refuses the connection. Celery reads
    # CELERY_BROKER_URL from the environment before its own configuration, so both are set.
    # The configuration is patched first: monkeypatch records the value to restore when patching,
    # and once the variable is set, reading broker_url would already return the unreachable URL.
    unreachable = "redis://127.0.0.1:1/0"
    configured = celery_app.conf.broker_url
    monkeypatch.setattr(celery_app.conf, "broker_url", unreachable)
    monkeypatch.setenv("CELERY_BROKER_URL", unreachable)
    response = client.get("/health/")
    monkeypatch.undo()
    assert celery_app.conf.broker_url == configured
    assert response.status_code == 503
    assert response.json()["checks"]["broker"]["status"] == "unavailable"


def test_worker_status_follows_the_age_of_the_last_heartbeat(client, settings):
    assert client.get("/health/").json()["checks"]["worker"]["status"] == "unknown"
    worker_heartbeat_record(worker="celery@web-1")
    assert client.get("/health/").json()["checks"]["worker"]["status"] == "ok"
    stale = timezone.now() - datetime.timedelta(seconds=settings.WORKER_HEARTBEAT_STALE_AFTER + 5)
    WorkerHeartbeat.objects.update(seen_at=stale)
    assert client.get("/health/").json()["checks"]["worker"]["status"] == "stale"


def test_heartbeat_is_an_upsert_so_running_it_twice_keeps_one_row():
    worker_heartbeat_record(worker="celery@web-1")
    worker_heartbeat_record(worker="celery@web-1")
    assert WorkerHeartbeat.objects.count() == 1


def test_beat_schedules_the_heartbeat_task_which_is_registered(settings):
    celery_app.loader.import_default_modules()  # what a worker does at start-up: autodiscovery
    entry = settings.CELERY_BEAT_SCHEDULE["record-worker-heartbeat"]
    assert entry["task"] in celery_app.tasks


def test_ceiling_view_answers_with_a_single_query(client, django_assert_num_queries):
    with django_assert_num_queries(1):
        response = client.get("/health/db/")
    assert response.content == b"ok"


def test_reliability_settings_are_in_force():
    conf = celery_app.conf
    assert conf.task_acks_late and conf.task_reject_on_worker_lost
    assert conf.worker_prefetch_multiplier == 1
    assert hasattr(celery_app.tasks["portal.tasks.record_worker_heartbeat"], "delay_on_commit")
