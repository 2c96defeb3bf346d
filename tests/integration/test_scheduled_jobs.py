"""Every beat job catches up: a lost run is harmless because the next run does all the outstanding work.

A run can be lost: the filesystem broker deletes a message when a worker fetches it, so a worker killed
with the message in hand takes it along; on Redis the message comes back, but only after
visibility_timeout (hours); and a run that waits in the queue past its ``expires`` is discarded. The
worker tests here go through a real worker process on the configured broker.
"""

import datetime
import time
import uuid

import pytest
from celery.schedules import schedule as interval_schedule
from django.conf import settings
from django.utils import timezone

from cases import holds
from cases.models import Appeal, Case, CaseStatus, CaseStatusChange, Hold, SearchTextRewrite
from cases.tasks import (
    delete_expired_appeal_drafts,
    expire_stale_drafts,
    lapse_due_holds,
    search_text_rewrite_sweep,
)
from cases.tests.factories import draft_case, submitted_case, submitter
from cases.tests.post_decision_world import make_reviewer
from correspondence import digests, services
from correspondence.models import Delivery, Letter, NoticeDigest
from correspondence.tasks import daily_digest, outbox_sweep, weekly_digest
from portal.celery import app as celery_app
from portal.health import check_worker
from portal.models import WorkerHeartbeat
from portal.tasks import record_worker_heartbeat
from reference.models import Provider
from reference.services import catalog_load

# Each beat job, and the worker test below that proves it catches up. A new beat job needs its own.
CATCH_UP_PROVEN_BY = {
    "cases.tasks.expire_stale_drafts": "test_a_run_after_lost_runs_expires_drafts_whose_time_passed_long_ago",
    "cases.tasks.lapse_due_holds": "test_a_run_after_lost_runs_lapses_holds_due_long_ago",
    "cases.tasks.delete_expired_appeal_drafts": "test_a_run_after_lost_runs_deletes_appeal_drafts_expired_long_ago",
    "cases.tasks.search_text_rewrite_sweep": "test_a_rewrite_sweep_after_lost_runs_rewrites_a_rename_long_ago",
    "portal.tasks.record_worker_heartbeat": "test_a_heartbeat_after_lost_runs_makes_a_stale_worker_fresh_again",
    "correspondence.tasks.outbox_sweep": "test_a_sweep_after_lost_runs_sends_the_letters_left_pending_long_ago",
    "correspondence.tasks.daily_digest": "test_a_daily_digest_after_lost_runs_counts_every_letter_since_the_last_one",
    "correspondence.tasks.weekly_digest": "test_a_weekly_digest_after_lost_runs_is_sent_once_for_the_week",
    "ecrm.tasks.auto_close_resolved": "test_an_auto_close_after_lost_runs_closes_tickets_resolved_long_ago",
    "p2p.notify_tasks.notice_sweep": "test_a_p2p_notice_sweep_after_lost_runs_sends_the_notices_left_pending",
    "p2p.notify_tasks.reminders_send": "test_a_p2p_reminder_run_after_lost_runs_reminds_each_call_once",
    "p2p.tasks.release_lapsed_holds": "test_a_hold_release_after_lost_runs_releases_holds_lapsed_long_ago",
}


def run_and_wait(worker, task, **options) -> str:
    """Send ``task`` to the worker's queue as beat would (no arguments) and wait until it has finished."""
    task_id = task.apply_async(queue=worker.queue, **options).id
    worker.wait_for_log(f"[{task_id}] succeeded")
    return task_id


def drafts_expired_for(seconds_ago: float) -> Case:
    case = draft_case()
    Case.objects.filter(pk=case.pk).update(expires_at=timezone.now() - datetime.timedelta(seconds=seconds_ago))
    return case


def status_of(case: Case) -> str:
    return Case.objects.get(pk=case.pk).status


# --- the schedule ----------------------------------------------------------------------------------------


def test_every_beat_job_has_a_test_proving_it_catches_up():
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert scheduled == set(CATCH_UP_PROVEN_BY), "a beat job was added or removed: prove it catches up here"
    for test_name in CATCH_UP_PROVEN_BY.values():
        assert callable(globals().get(test_name)), test_name


def test_every_beat_run_expires_when_the_next_one_is_due():
    # A run that did not start in time is superseded by the next, which does its work: a worker back
    # from an outage then runs each job once instead of replaying every run it missed.
    for name, entry in settings.CELERY_BEAT_SCHEDULE.items():
        every = interval_schedule(entry["schedule"]).run_every.total_seconds()
        expires = entry.get("options", {}).get("expires")
        assert expires is not None, f"{name} has no expires"
        assert 0 < expires <= every, f"{name}: expires {expires} s, runs every {every} s"


# --- cases.tasks.expire_stale_drafts -----------------------------------------------------------------------


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_a_run_after_lost_runs_expires_drafts_whose_time_passed_long_ago(start_worker):
    catalog_load()
    three_days_ago = drafts_expired_for(3 * 24 * 60 * 60)  # some 288 runs of 15 minutes lost
    one_run_ago = drafts_expired_for(20 * 60)
    just_now = drafts_expired_for(5)
    fresh = draft_case()
    worker = start_worker()

    # A run lost on the way: it waited in the queue past its expiry, and the worker discards it.
    lost = expire_stale_drafts.apply_async(queue=worker.queue, expires=timezone.now() - datetime.timedelta(seconds=1))
    worker.wait_for_log(f"Discarding revoked task: cases.tasks.expire_stale_drafts[{lost.id}]")
    assert status_of(three_days_ago) == CaseStatus.DRAFT

    run_and_wait(worker, expire_stale_drafts)
    for case in (three_days_ago, one_run_ago, just_now):
        assert status_of(case) == CaseStatus.EXPIRED
    assert status_of(fresh) == CaseStatus.DRAFT


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_running_the_expiry_job_twice_expires_each_draft_once(start_worker):
    catalog_load()
    stale = drafts_expired_for(60)
    worker = start_worker()
    run_and_wait(worker, expire_stale_drafts)
    run_and_wait(worker, expire_stale_drafts)
    changes = CaseStatusChange.objects.filter(case=stale, to_status=CaseStatus.EXPIRED)
    assert changes.count() == 1
    assert status_of(stale) == CaseStatus.EXPIRED


# --- cases.tasks.lapse_due_holds ---------------------------------------------------------------------------


def held_case_due(days_ago: int) -> Hold:
    """A submitted case on hold (placed by hand, as a reviewer would) whose due date was ``days_ago`` days ago."""
    case = submitted_case()
    hold = Hold.objects.create(
        case=case, items=["medication_list"], due_on=timezone.localdate(), placed_by=case.created_by
    )
    Case.objects.filter(pk=case.pk).update(status=CaseStatus.ON_HOLD)
    Hold.objects.filter(pk=hold.pk).update(due_on=timezone.localdate() - datetime.timedelta(days=days_ago))
    return hold


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_a_run_after_lost_runs_lapses_holds_due_long_ago(start_worker):
    catalog_load()
    long_ago, yesterday, due_today = held_case_due(30), held_case_due(1), held_case_due(0)
    worker = start_worker()
    lost = lapse_due_holds.apply_async(queue=worker.queue, expires=timezone.now() - datetime.timedelta(seconds=1))
    worker.wait_for_log(f"Discarding revoked task: cases.tasks.lapse_due_holds[{lost.id}]")
    assert Hold.objects.get(pk=long_ago.pk).status == Hold.Status.OPEN

    run_and_wait(worker, lapse_due_holds)
    run_and_wait(worker, lapse_due_holds)
    for hold in (long_ago, yesterday):
        assert Hold.objects.get(pk=hold.pk).status == Hold.Status.LAPSED
        assert status_of(hold.case) == CaseStatus.PENDING_REVIEW
        assert CaseStatusChange.objects.filter(case=hold.case, reason__startswith="Hold lapsed").count() == 1
    assert Hold.objects.get(pk=due_today.pk).status == Hold.Status.OPEN


# --- cases.tasks.delete_expired_appeal_drafts -------------------------------------------------------------


def appeal_draft_expired(seconds_ago: float) -> Appeal:
    """A draft appeal of a denied case (written by hand, as appeals.appeal_draft_start would) expired long ago."""
    case = submitted_case()
    Case.objects.filter(pk=case.pk).update(status=CaseStatus.DENIED, decided_at=timezone.now())
    expires = timezone.now() - datetime.timedelta(seconds=seconds_ago)
    return Appeal.objects.create(
        case=case, sequence=1, created_by=case.created_by, updated_by=case.created_by, draft_expires_at=expires
    )


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_a_run_after_lost_runs_deletes_appeal_drafts_expired_long_ago(start_worker):
    catalog_load()
    long_ago, just_now, kept = appeal_draft_expired(3 * 24 * 3600), appeal_draft_expired(5), appeal_draft_expired(-3600)
    worker = start_worker()
    lost = delete_expired_appeal_drafts.apply_async(
        queue=worker.queue, expires=timezone.now() - datetime.timedelta(seconds=1)
    )
    worker.wait_for_log(f"Discarding revoked task: cases.tasks.delete_expired_appeal_drafts[{lost.id}]")
    assert Appeal.objects.filter(pk=long_ago.pk).exists()

    run_and_wait(worker, delete_expired_appeal_drafts)
    run_and_wait(worker, delete_expired_appeal_drafts)
    assert not Appeal.objects.filter(pk__in=[long_ago.pk, just_now.pk]).exists()
    assert Appeal.objects.filter(pk=kept.pk).exists()


# --- portal.tasks.record_worker_heartbeat ------------------------------------------------------------------


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_the_heartbeat_job_is_idempotent_one_row_per_worker_moved_forward(start_worker):
    worker = start_worker()
    run_and_wait(worker, record_worker_heartbeat)
    first = WorkerHeartbeat.objects.get(worker__startswith=f"{worker.queue}@")
    run_and_wait(worker, record_worker_heartbeat)
    rows = WorkerHeartbeat.objects.filter(worker__startswith=f"{worker.queue}@")
    assert rows.count() == 1
    assert rows.get().seen_at > first.seen_at


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_a_heartbeat_after_lost_runs_makes_a_stale_worker_fresh_again(start_worker):
    worker = start_worker()
    run_and_wait(worker, record_worker_heartbeat)
    # Ten minutes of lost runs, as after a worker killed with its messages in hand.
    WorkerHeartbeat.objects.update(seen_at=timezone.now() - datetime.timedelta(minutes=10))
    assert check_worker()["status"] == "stale"
    run_and_wait(worker, record_worker_heartbeat)
    assert check_worker()["status"] == "ok"


# --- correspondence.tasks.outbox_sweep ------------------------------------------------------------------------


def letter_left_pending(minutes_ago: float) -> Letter:
    """A hold letter whose delivery task was lost ``minutes_ago`` (queued to a queue no worker consumes)."""
    case = submitted_case(notify_by_email=False)
    holds.hold_place(
        case=case,
        items=["medication_list"],
        note="",
        due_on=timezone.localdate() + datetime.timedelta(days=7),
        by=make_reviewer(),
    )
    letter = Letter.objects.get(case=case)
    then = timezone.now() - datetime.timedelta(minutes=minutes_ago)
    Letter.objects.filter(pk=letter.pk).update(created_at=then)
    Delivery.objects.filter(letter=letter).update(created_at=then)
    return letter


def purge(queue: str) -> None:
    with celery_app.connection_for_write() as connection:
        connection.default_channel.queue_purge(queue)


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_a_sweep_after_lost_runs_sends_the_letters_left_pending_long_ago(start_worker, settings, monkeypatch, tmp_path):
    catalog_load()
    queue, lost_queue = f"test-{uuid.uuid4().hex[:12]}", f"lost-{uuid.uuid4().hex[:12]}"
    settings.CORRESPONDENCE_QUEUE = lost_queue  # the decisions' tasks are lost: nobody consumes this queue
    try:
        three_days_ago, one_run_ago, fresh = (
            letter_left_pending(3 * 24 * 60),
            letter_left_pending(11),
            letter_left_pending(0),
        )
    finally:
        purge(lost_queue)
    # The worker's sweep queues the letters' tasks to its own queue, and faxes into a folder of this test.
    monkeypatch.setenv("CORRESPONDENCE_QUEUE", queue)
    monkeypatch.setenv("FAX_BACKEND", "delivery.fax.backends.filebased.FaxBackend")
    monkeypatch.setenv("FAX_FILE_PATH", str(tmp_path / "fax"))
    worker = start_worker(queue)

    lost = outbox_sweep.apply_async(queue=worker.queue, expires=timezone.now() - datetime.timedelta(seconds=1))
    worker.wait_for_log(f"Discarding revoked task: correspondence.tasks.outbox_sweep[{lost.id}]")
    assert Delivery.objects.filter(status=Delivery.Status.SENT).count() == 0

    run_and_wait(worker, outbox_sweep)
    # The two letters' tasks, queued by the sweep, run in the same worker.
    left = Delivery.objects.filter(letter__in=[three_days_ago, one_run_ago], status=Delivery.Status.PENDING)
    deadline = time.monotonic() + 30
    while left.exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not left.exists(), worker.log()[-4000:]
    run_and_wait(worker, outbox_sweep)  # caught up: nothing left to send again
    assert fresh.deliveries.get().status == Delivery.Status.PENDING  # its own task may still come
    assert len(list((tmp_path / "fax").iterdir())) == 2


# --- cases.tasks.search_text_rewrite_sweep ---------------------------------------------------------------------


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_a_rewrite_sweep_after_lost_runs_rewrites_a_rename_long_ago(start_worker, monkeypatch):
    catalog_load()
    renamed, other = submitted_case(), submitted_case()
    # Two renames whose tasks were lost (the broker down at the time): three days ago, and just now.
    Provider.objects.filter(pk=renamed.ordering_provider_id).update(last_name="Quillfeather")
    long_ago = SearchTextRewrite.objects.create(
        provider_id=renamed.ordering_provider_id, requested_at=timezone.now() - datetime.timedelta(days=3)
    )
    just_now = SearchTextRewrite.objects.create(site_id=other.site_id)
    queue = f"test-{uuid.uuid4().hex[:12]}"
    monkeypatch.setenv("CORRESPONDENCE_QUEUE", queue)  # the sweep queues the rewrites' tasks to the worker's queue
    worker = start_worker(queue)

    lost = search_text_rewrite_sweep.apply_async(
        queue=worker.queue, expires=timezone.now() - datetime.timedelta(seconds=1)
    )
    worker.wait_for_log(f"Discarding revoked task: cases.tasks.search_text_rewrite_sweep[{lost.id}]")
    assert "quillfeather" not in Case.objects.get(pk=renamed.pk).search_text

    run_and_wait(worker, search_text_rewrite_sweep)
    wait_until_none_left(SearchTextRewrite.objects.filter(pk=long_ago.pk, done_at__isnull=True), worker)
    run_and_wait(worker, search_text_rewrite_sweep)  # caught up: nothing queued again
    assert "quillfeather" in Case.objects.get(pk=renamed.pk).search_text.split("\n")
    assert SearchTextRewrite.objects.get(pk=long_ago.pk).cases_written >= 1
    assert SearchTextRewrite.objects.get(pk=just_now.pk).done_at is None  # its own task may still come


# --- correspondence.tasks.daily_digest and weekly_digest --------------------------------------------------------


def reader_with_letters(*days_ago: float):
    """A provider with a submitted case and one approval letter ``days_ago`` for each value (written as the outbox
    would, on events of their own)."""
    user = submitter()
    case = submitted_case(user=user)
    for days in days_ago:
        at = timezone.now() - datetime.timedelta(days=days)
        event = case.events.create(kind="submitted", created_at=at)
        Letter.objects.create(case=case, kind=Letter.Kind.APPROVAL, event=event, created_at=at)
    return user


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_a_daily_digest_after_lost_runs_counts_every_letter_since_the_last_one(start_worker, monkeypatch):
    catalog_load()
    # Three days of lost runs: the last digest went three days ago, and two letters came since.
    behind = reader_with_letters(2.5, 1.5, 4)
    NoticeDigest.objects.create(
        user=behind,
        frequency="daily",
        period_start=timezone.localdate() - datetime.timedelta(days=3),
        created_at=timezone.now() - datetime.timedelta(days=3),
    )
    first_time = reader_with_letters(0.1)
    monkeypatch.setenv("CORRESPONDENCE_DIGEST_HOUR", "0")  # due at any time of the day the test runs
    worker = start_worker()
    lost = daily_digest.apply_async(queue=worker.queue, expires=timezone.now() - datetime.timedelta(seconds=1))
    worker.wait_for_log(f"Discarding revoked task: correspondence.tasks.daily_digest[{lost.id}]")
    assert NoticeDigest.objects.count() == 1

    run_and_wait(worker, daily_digest)
    run_and_wait(worker, daily_digest)
    today = digests.period_due("daily")[0]
    sent = dict(NoticeDigest.objects.filter(period_start=today).values_list("user_id", "letter_count"))
    assert sent == {behind.pk: 2, first_time.pk: 1}


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_a_weekly_digest_after_lost_runs_is_sent_once_for_the_week(start_worker, monkeypatch):
    catalog_load()
    weekly = reader_with_letters(0.5)
    [membership] = weekly.practice_memberships.all()
    services.notice_preferences_set(user=weekly, choices={membership.practice_id: "weekly"})
    daily_reader = reader_with_letters(0.5)
    monkeypatch.setenv("CORRESPONDENCE_DIGEST_HOUR", "0")
    worker = start_worker()
    lost = weekly_digest.apply_async(queue=worker.queue, expires=timezone.now() - datetime.timedelta(seconds=1))
    worker.wait_for_log(f"Discarding revoked task: correspondence.tasks.weekly_digest[{lost.id}]")
    assert not NoticeDigest.objects.exists()

    run_and_wait(worker, weekly_digest)
    run_and_wait(worker, weekly_digest)
    week = digests.period_due("weekly")[0]
    rows = NoticeDigest.objects.filter(frequency="weekly")
    assert list(rows.values_list("user_id", "period_start", "letter_count")) == [(weekly.pk, week, 1)]
    assert not NoticeDigest.objects.filter(user=daily_reader).exists()


# --- ecrm.tasks.auto_close_resolved ---------------------------------------------------------------------------


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_an_auto_close_after_lost_runs_closes_tickets_resolved_long_ago(start_worker):
    from django.core.management import call_command

    from ecrm import tickets as ecrm_tickets
    from ecrm.models import Ticket, TicketChange, TicketState
    from ecrm.tasks import auto_close_resolved
    from ecrm.tests.factories import ticket_submitted

    catalog_load()
    call_command("loaddata", "ecrm_catalog", verbosity=0)

    def resolved_days_ago(days):
        ticket = ticket_submitted()
        change = ecrm_tickets.ticket_transition(ticket=ticket, to=TicketState.RESOLVED)
        TicketChange.objects.filter(pk=change.pk).update(changed_at=timezone.now() - datetime.timedelta(days=days))
        return ticket

    long_ago, due, recent = resolved_days_ago(60), resolved_days_ago(7.01), resolved_days_ago(6)
    worker = start_worker()
    lost = auto_close_resolved.apply_async(queue=worker.queue, expires=timezone.now() - datetime.timedelta(seconds=1))
    worker.wait_for_log(f"Discarding revoked task: ecrm.tasks.auto_close_resolved[{lost.id}]")
    assert Ticket.objects.get(pk=long_ago.pk).state == TicketState.RESOLVED

    run_and_wait(worker, auto_close_resolved)
    run_and_wait(worker, auto_close_resolved)
    states = dict(Ticket.objects.filter(pk__in=[long_ago.pk, due.pk, recent.pk]).values_list("pk", "state"))
    assert states == {long_ago.pk: "closed", due.pk: "closed", recent.pk: "resolved"}
    assert TicketChange.objects.filter(to_state=TicketState.CLOSED).count() == 2


# --- p2p.notify_tasks.notice_sweep and reminders_send ---------------------------------------------------------


def p2p_booked(*, starts_in: datetime.timedelta, notice_minutes_ago: float | None = None):
    """A Scheduled P2P request starting ``starts_in`` from now, its booking's notice written ``notice_minutes_ago``
    (queued to whatever CORRESPONDENCE_QUEUE is), or two days ago when None."""
    from p2p import notifications
    from p2p.models import P2PNotice
    from p2p.tests.notify_world import scheduled_request

    starts_at = (timezone.now() + starts_in).replace(second=0, microsecond=0)
    p2p_request = scheduled_request(cases=[submitted_case()], starts_at=starts_at)
    notice = notifications.notice_write(p2p_request, P2PNotice.Kind.BOOKED)
    minutes = 2 * 24 * 60 if notice_minutes_ago is None else notice_minutes_ago
    P2PNotice.objects.filter(pk=notice.pk).update(created_at=timezone.now() - datetime.timedelta(minutes=minutes))
    return p2p_request, notice


def wait_until_none_left(rows, worker) -> None:
    deadline = time.monotonic() + 30
    while rows.exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not rows.exists(), worker.log()[-4000:]


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_a_p2p_notice_sweep_after_lost_runs_sends_the_notices_left_pending(start_worker, settings, monkeypatch):
    from p2p.models import P2PNotice
    from p2p.notify_tasks import notice_sweep

    catalog_load()
    queue, lost_queue = f"test-{uuid.uuid4().hex[:12]}", f"lost-{uuid.uuid4().hex[:12]}"
    settings.CORRESPONDENCE_QUEUE = lost_queue  # the bookings' tasks are lost: nobody consumes this queue
    try:
        days = datetime.timedelta(days=5)
        (_, three_days_ago), (_, one_run_ago), (_, fresh) = (
            p2p_booked(starts_in=days, notice_minutes_ago=3 * 24 * 60),
            p2p_booked(starts_in=days, notice_minutes_ago=11),
            p2p_booked(starts_in=days, notice_minutes_ago=0),
        )
    finally:
        purge(lost_queue)
    monkeypatch.setenv("CORRESPONDENCE_QUEUE", queue)  # the sweep queues the notices' tasks to the worker's queue
    worker = start_worker(queue)

    lost = notice_sweep.apply_async(queue=worker.queue, expires=timezone.now() - datetime.timedelta(seconds=1))
    worker.wait_for_log(f"Discarding revoked task: p2p.notify_tasks.notice_sweep[{lost.id}]")
    assert not P2PNotice.objects.filter(status=P2PNotice.Status.SENT).exists()

    run_and_wait(worker, notice_sweep)
    wait_until_none_left(P2PNotice.objects.filter(pk__in=[three_days_ago.pk, one_run_ago.pk], status="pending"), worker)
    run_and_wait(worker, notice_sweep)  # caught up: nothing left to send again
    sent = P2PNotice.objects.filter(status=P2PNotice.Status.SENT)
    assert sorted(sent.values_list("pk", "attempts")) == [(three_days_ago.pk, 1), (one_run_ago.pk, 1)]
    assert P2PNotice.objects.get(pk=fresh.pk).status == P2PNotice.Status.PENDING  # its own task may still come


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_a_p2p_reminder_run_after_lost_runs_reminds_each_call_once(start_worker, settings, monkeypatch):
    from p2p.models import P2PNotice, P2PRequest
    from p2p.notify_tasks import reminders_send

    catalog_load()
    hours = datetime.timedelta(hours=1)
    (due_soon, _), (due_tomorrow, _), (later, _) = (
        p2p_booked(starts_in=hours * 2),  # the runs of the last 22 hours were lost
        p2p_booked(starts_in=hours * 23),
        p2p_booked(starts_in=hours * 30),
    )
    P2PNotice.objects.update(status=P2PNotice.Status.SENT, sent_at=timezone.now())  # the confirmations went
    queue = f"test-{uuid.uuid4().hex[:12]}"
    monkeypatch.setenv("CORRESPONDENCE_QUEUE", queue)  # the reminders' emails are sent by the same worker
    worker = start_worker(queue)

    lost = reminders_send.apply_async(queue=worker.queue, expires=timezone.now() - datetime.timedelta(seconds=1))
    worker.wait_for_log(f"Discarding revoked task: p2p.notify_tasks.reminders_send[{lost.id}]")
    assert not P2PNotice.objects.filter(kind=P2PNotice.Kind.REMINDER).exists()

    run_and_wait(worker, reminders_send)
    run_and_wait(worker, reminders_send)
    reminders = P2PNotice.objects.filter(kind=P2PNotice.Kind.REMINDER)
    assert sorted(reminders.values_list("request_id", flat=True)) == sorted([due_soon.pk, due_tomorrow.pk])
    wait_until_none_left(reminders.filter(status=P2PNotice.Status.PENDING), worker)
    reminded = P2PRequest.objects.filter(reminder_sent_at__isnull=False).values_list("pk", flat=True)
    assert sorted(reminded) == sorted([due_soon.pk, due_tomorrow.pk])
    assert later.pk not in reminded


# --- p2p.tasks.release_lapsed_holds ------------------------------------------------------------------------------


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_a_hold_release_after_lost_runs_releases_holds_lapsed_long_ago(start_worker):
    from p2p.models import Reservation
    from p2p.tasks import release_lapsed_holds
    from p2p.tests.factories import HeldReservationFactory, ReviewerFactory

    reviewer = ReviewerFactory()
    start = timezone.now().replace(second=0, microsecond=0) + datetime.timedelta(days=2)

    def held(slot: int, lapsed_minutes_ago: float):
        starts_at = start + datetime.timedelta(minutes=15 * slot)
        return HeldReservationFactory(
            reviewer=reviewer,
            starts_at=starts_at,
            ends_at=starts_at + datetime.timedelta(minutes=15),
            held_until=timezone.now() - datetime.timedelta(minutes=lapsed_minutes_ago),
        )

    # A day of lost runs (one a minute), one run ago, and a hold still running.
    long_ago, one_run_ago, running = held(0, 24 * 60), held(1, 1.5), held(2, -5)
    worker = start_worker()
    lost = release_lapsed_holds.apply_async(queue=worker.queue, expires=timezone.now() - datetime.timedelta(seconds=1))
    worker.wait_for_log(f"Discarding revoked task: p2p.tasks.release_lapsed_holds[{lost.id}]")
    assert Reservation.objects.get(pk=long_ago.pk).state == Reservation.State.HELD

    run_and_wait(worker, release_lapsed_holds)
    run_and_wait(worker, release_lapsed_holds)
    states = dict(Reservation.objects.values_list("pk", "state"))
    assert states == {long_ago.pk: "released", one_run_ago.pk: "released", running.pk: "held"}
