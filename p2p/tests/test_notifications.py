"""P2P emails through the outbox (P2P-6, COR-5): a notice row written in the booking's transaction and sent by an
idempotent task after the commit, to the requesting provider's email and the user who booked, with the time in
the office's zone and the invitation attached; retried with backoff; swept up when left pending; the reminder
written once before the call."""

import datetime

import pytest
from django.core import mail
from django.db import IntegrityError, transaction
from django.utils import timezone
from icalendar import Calendar

from cases.tests.factories import submitted_case
from delivery import outbox
from p2p import notifications, notify_tasks
from p2p.models import P2PNotice, P2PRequest
from p2p.tests.notify_world import cancel, move, scheduled_request
from portal.celery import app as celery_app

pytestmark = pytest.mark.django_db
Kind, Status = P2PNotice.Kind, P2PNotice.Status
MAY_18_630_PM_EDT = datetime.datetime(2026, 5, 18, 22, 30, tzinfo=datetime.UTC)


@pytest.fixture
def eager_tasks():
    was = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = was


@pytest.fixture
def p2p_request(catalog):
    return scheduled_request(cases=[submitted_case()], starts_at=MAY_18_630_PM_EDT)


def invitation_of(message):
    [part] = [part for part in message.attachments if part.get_content_type() == "text/calendar"]
    calendar = Calendar.from_ical(part.get_payload(decode=True))
    [event] = calendar.walk("VEVENT")
    return part, calendar, event


def test_booking_writes_one_pending_notice_in_its_transaction_and_queues_it_on_commit(
    p2p_request, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks, transaction.atomic():
        notifications.booked(p2p_request)
    [notice] = P2PNotice.objects.filter(request=p2p_request)
    assert (notice.kind, notice.sequence, notice.status) == (Kind.BOOKED, 0, Status.PENDING)
    assert notice.recipients == ["droffice@internet.example", p2p_request.requested_by.email]
    assert (notice.starts_at, notice.ends_at) == (p2p_request.starts_at, p2p_request.ends_at)
    assert len(callbacks) == 1
    assert mail.outbox == []  # nothing is sent inside the booking's transaction


def test_a_booking_rolled_back_leaves_no_notice_and_queues_nothing(p2p_request, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks, pytest.raises(RuntimeError), transaction.atomic():
        notifications.booked(p2p_request)
        raise RuntimeError("the booking failed after the notice")
    assert not P2PNotice.objects.exists()
    assert callbacks == []


def test_the_same_notice_is_never_written_twice(p2p_request):
    notifications.booked(p2p_request)
    with pytest.raises(IntegrityError), transaction.atomic():
        notifications.booked(p2p_request)
    assert P2PNotice.objects.count() == 1


def test_the_email_has_the_time_in_the_offices_zone_the_invitation_and_no_member_details(p2p_request):
    notice = notifications.notice_write(p2p_request, Kind.BOOKED)
    assert notifications.notice_send(notice_pk=notice.pk) is True
    [message] = mail.outbox
    assert message.to == ["droffice@internet.example", p2p_request.requested_by.email]
    assert message.from_email == "EviCore Provider Portal <no-reply@portal.example>"
    assert message.subject == f"P2P consultation {p2p_request.number} scheduled: Mon 5/18/26 - 6:30 pm EDT"
    assert "When: Mon 5/18/26 - 6:30 pm EDT (15 minutes)" in message.body
    assert "The reviewer will call: (555) 555-5555 ext. 12345" in message.body
    case = p2p_request.request_cases.get().case
    assert f"Case numbers: {case.case_number}" in message.body
    part, calendar, event = invitation_of(message)
    assert part.get_param("method") == "REQUEST"
    assert calendar["METHOD"] == "REQUEST" and event["SEQUENCE"] == 0
    assert event.decoded("DTSTART") == MAY_18_630_PM_EDT
    member = case.member
    for text in (message.subject, message.body, str(event["DESCRIPTION"])):
        assert member.last_name not in text and member.first_name not in text
        assert member.date_of_birth.strftime("%m/%d/%Y") not in text


def test_the_office_zone_is_used_and_a_winter_time_says_est(catalog):
    winter = datetime.datetime(2026, 12, 7, 15, 0, tzinfo=datetime.UTC)
    p2p_request = scheduled_request(cases=[submitted_case()], starts_at=winter, time_zone="America/Phoenix")
    notice = notifications.notice_write(p2p_request, Kind.BOOKED)
    notifications.notice_send(notice_pk=notice.pk)
    assert "When: Mon 12/7/26 - 8:00 am MST" in mail.outbox[0].body


def test_running_the_send_task_twice_sends_one_email(p2p_request):
    notice = notifications.notice_write(p2p_request, Kind.BOOKED)
    assert notify_tasks.notice_deliver.apply(args=(notice.pk,)).get() is True
    assert notify_tasks.notice_deliver.apply(args=(notice.pk,)).get() is False
    assert len(mail.outbox) == 1
    notice.refresh_from_db()
    assert (notice.status, notice.attempts) == (Status.SENT, 1)
    assert notice.sent_at is not None


def test_booking_rescheduling_and_cancelling_send_one_event_with_a_rising_sequence(p2p_request, eager_tasks):
    later = MAY_18_630_PM_EDT + datetime.timedelta(days=2)
    with transaction.atomic():
        notifications.booked(p2p_request)
    with transaction.atomic():
        notifications.rescheduled(move(p2p_request, later))
    with transaction.atomic():
        notifications.cancelled(cancel(p2p_request, "The patient chose another treatment."))
    # A test transaction never commits: run what would have been queued on each commit.
    for notice in P2PNotice.objects.order_by("pk"):
        notify_tasks.notice_deliver.apply(args=(notice.pk,))
    booked, moved, cancelled = (invitation_of(message) for message in mail.outbox)
    assert len({str(event["UID"]) for _, _, event in (booked, moved, cancelled)}) == 1
    assert [event["SEQUENCE"] for _, _, event in (booked, moved, cancelled)] == [0, 1, 2]
    assert moved[2].decoded("DTSTART") == later
    assert cancelled[0].get_param("method") == "CANCEL" and cancelled[1]["METHOD"] == "CANCEL"
    assert "rescheduled: Wed 5/20/26 - 6:30 pm EDT" in mail.outbox[1].subject
    assert "Cancellation reason: The patient chose another treatment." in mail.outbox[2].body
    assert mail.outbox[2].subject == f"P2P consultation {p2p_request.number} cancelled"


def test_a_notice_sent_late_says_what_was_true_when_it_was_written(p2p_request):
    notice = notifications.notice_write(p2p_request, Kind.BOOKED)
    move(p2p_request, MAY_18_630_PM_EDT + datetime.timedelta(days=1))  # moved before the booking's email went
    notifications.notice_send(notice_pk=notice.pk)
    _, _, event = invitation_of(mail.outbox[0])
    assert (event["SEQUENCE"], event.decoded("DTSTART")) == (0, MAY_18_630_PM_EDT)


def test_the_provider_email_and_the_users_email_are_written_to_once_each(catalog):
    case = submitted_case()
    same = scheduled_request(cases=[case], requesting_provider_email=case.created_by.email.upper())
    assert notifications.recipients_of(same) == [case.created_by.email.upper()]
    none_typed = scheduled_request(cases=[submitted_case()], requesting_provider_email="")
    assert notifications.recipients_of(none_typed) == [none_typed.requested_by.email]


def test_a_failing_mail_server_is_retried_with_backoff_then_the_notice_fails(p2p_request, settings):
    settings.EMAIL_BACKEND = "p2p.tests.test_notifications.FailingEmailBackend"
    notice = notifications.notice_write(p2p_request, Kind.BOOKED)
    for attempt in range(1, outbox.MAX_ATTEMPTS):
        with pytest.raises(notifications.NoticeFailed):
            notifications.notice_send(notice_pk=notice.pk)
        notice.refresh_from_db()
        assert (notice.status, notice.attempts) == (Status.PENDING, attempt)
        assert notice.next_attempt_at == notice.last_attempt_at + outbox.retry_delay(attempt)
        assert notice.last_error == "ConnectionError: mail server unreachable"
    assert notifications.notice_send(notice_pk=notice.pk) is False
    notice.refresh_from_db()
    assert (notice.status, notice.next_attempt_at) == (Status.FAILED, None)


def test_the_task_asks_celery_to_retry_a_failed_attempt(p2p_request, settings, monkeypatch):
    settings.EMAIL_BACKEND = "p2p.tests.test_notifications.FailingEmailBackend"
    notice = notifications.notice_write(p2p_request, Kind.BOOKED)
    countdowns = []

    def retry(*, countdown):
        countdowns.append(countdown)
        return RuntimeError("retry")

    monkeypatch.setattr(notify_tasks.notice_deliver, "retry", retry)
    with pytest.raises(RuntimeError, match="retry"):
        notify_tasks.notice_deliver.run(notice.pk)
    assert countdowns == [60.0]


def test_the_sweep_queues_notices_left_pending_and_leaves_fresh_ones_and_waiting_retries(p2p_request, monkeypatch):
    now = timezone.now()
    left = notifications.notice_write(p2p_request, Kind.BOOKED)
    fresh = notifications.notice_write(move(p2p_request, MAY_18_630_PM_EDT + datetime.timedelta(days=1)), "rescheduled")
    retry_lost = notifications.notice_write(cancel(p2p_request), Kind.CANCELLED)
    sent = notifications.notice_write(p2p_request, Kind.REMINDER)
    an_hour_ago = now - datetime.timedelta(hours=1)
    P2PNotice.objects.filter(pk__in=[left.pk, retry_lost.pk, sent.pk]).update(created_at=an_hour_ago)
    P2PNotice.objects.filter(pk=retry_lost.pk).update(next_attempt_at=an_hour_ago, attempts=1)
    P2PNotice.objects.filter(pk=sent.pk).update(status=Status.SENT, sent_at=an_hour_ago)
    queued = []
    monkeypatch.setattr(notifications, "notice_dispatch", lambda pk: queued.append(pk) or True)
    assert notifications.notice_sweep(now) == 2
    assert queued == [left.pk, retry_lost.pk]
    assert fresh.pk not in queued


def test_a_broker_down_at_the_booking_leaves_the_notice_for_the_sweep(p2p_request, monkeypatch):
    def broker_down(*args, **kwargs):
        raise ConnectionError("broker unreachable")

    monkeypatch.setattr(notify_tasks.notice_deliver, "apply_async", broker_down)
    notice = notifications.notice_write(p2p_request, Kind.BOOKED)
    assert notifications.notice_dispatch(notice.pk) is False
    assert P2PNotice.objects.get(pk=notice.pk).status == Status.PENDING


# --- The reminder -----------------------------------------------------------------------------------------------


def booked_days_ago(catalog_case, *, starts_in: datetime.timedelta, **fields) -> P2PRequest:
    """A request booked two days ago (its confirmation written then) that starts ``starts_in`` from now."""
    starts_at = (timezone.now() + starts_in).replace(second=0, microsecond=0)
    p2p_request = scheduled_request(cases=[catalog_case], starts_at=starts_at, **fields)
    notice = notifications.notice_write(p2p_request, Kind.BOOKED)
    P2PNotice.objects.filter(pk=notice.pk).update(created_at=timezone.now() - datetime.timedelta(days=2))
    return p2p_request


def test_the_reminder_is_written_once_for_calls_starting_within_the_window(catalog, settings):
    settings.P2P_REMINDER_HOURS = 24
    case = submitted_case()
    due = booked_days_ago(case, starts_in=datetime.timedelta(hours=20))
    too_far = booked_days_ago(case, starts_in=datetime.timedelta(hours=30))
    started = booked_days_ago(case, starts_in=datetime.timedelta(minutes=-5))
    cancelled = cancel(booked_days_ago(case, starts_in=datetime.timedelta(hours=2)))

    assert notifications.reminders_write() == 1
    assert notifications.reminders_write() == 0  # run twice: one reminder
    [reminder] = P2PNotice.objects.filter(kind=Kind.REMINDER)
    assert (reminder.request_id, reminder.sequence, reminder.starts_at) == (due.pk, 0, due.starts_at)
    due.refresh_from_db()
    assert due.reminder_sent_at is not None
    for other in (too_far, started, cancelled):
        other.refresh_from_db()
        assert other.reminder_sent_at is None

    notifications.notice_send(notice_pk=reminder.pk)
    [message] = mail.outbox
    assert message.subject.startswith(f"Reminder: P2P consultation {due.number} on ")
    assert "A reminder: your peer-to-peer consultation" in message.body
    assert invitation_of(message)[1]["METHOD"] == "REQUEST"


def test_a_call_booked_within_the_window_has_its_confirmation_for_reminder(catalog, settings):
    settings.P2P_REMINDER_HOURS = 24
    starts_at = (timezone.now() + datetime.timedelta(hours=3)).replace(second=0, microsecond=0)
    p2p_request = scheduled_request(cases=[submitted_case()], starts_at=starts_at)
    notifications.booked(p2p_request)
    assert notifications.reminders_write() == 0
    assert not P2PNotice.objects.filter(kind=Kind.REMINDER).exists()


def test_a_rescheduled_call_gets_a_reminder_for_its_new_time(catalog, settings):
    settings.P2P_REMINDER_HOURS = 24
    p2p_request = booked_days_ago(submitted_case(), starts_in=datetime.timedelta(hours=5))
    assert notifications.reminders_write() == 1
    # Moved to the day after: the reminder is due again before the new time, the move's email told the office
    # of it two days before.
    p2p_request.refresh_from_db()
    new_time = (timezone.now() + datetime.timedelta(days=3)).replace(second=0, microsecond=0)
    notifications.rescheduled(move(p2p_request, new_time))
    assert P2PRequest.objects.get(pk=p2p_request.pk).reminder_sent_at is None
    P2PNotice.objects.filter(kind=Kind.RESCHEDULED).update(created_at=timezone.now() - datetime.timedelta(days=1))
    assert notifications.reminders_write(now=new_time - datetime.timedelta(hours=10)) == 1
    reminders = P2PNotice.objects.filter(kind=Kind.REMINDER).order_by("pk")
    assert [notice.sequence for notice in reminders] == [0, 1]
    assert reminders.last().starts_at == new_time


def test_the_beat_jobs_are_scheduled_by_their_registered_names(settings):
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {notify_tasks.notice_sweep.name, notify_tasks.reminders_send.name} <= tasks
    assert notify_tasks.notice_sweep.name in celery_app.tasks
    assert notify_tasks.reminders_send.name in celery_app.tasks


class FailingEmailBackend:
    """A mail server that is down."""

    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionError("mail server unreachable")


def test_through_the_booking_services_each_change_emails_the_same_event_once(
    catalog, eager_tasks, django_capture_on_commit_callbacks
):
    from p2p import booking
    from p2p.tests.test_booking import denied, next_monday_at, reviewer_for, scheduled

    case = denied()
    reviewer = reviewer_for(case.program, display_name="Dr. Rosa Diaz, MD")
    user = case.created_by
    with django_capture_on_commit_callbacks(execute=True):
        p2p_request = scheduled(case, reviewer, at=next_monday_at(10))
    with django_capture_on_commit_callbacks(execute=True):
        held = booking.hold_slot(user=user, reviewer=reviewer, starts_at=next_monday_at(15))
        booking.reschedule(user=user, p2p_request=p2p_request, reservation=held)
    with django_capture_on_commit_callbacks(execute=True):
        booking.cancel(user=user, p2p_request=p2p_request, reason="The patient chose another treatment.")
    # The sweep finds nothing left to send, and a task run again sends nothing.
    assert notifications.notices_left_pending(timezone.now() + datetime.timedelta(days=1)) == []
    for notice in P2PNotice.objects.all():
        notify_tasks.notice_deliver.apply(args=(notice.pk,))

    assert len(mail.outbox) == 3
    events = [invitation_of(message) for message in mail.outbox]
    assert len({str(event["UID"]) for _, _, event in events}) == 1
    assert [event["SEQUENCE"] for _, _, event in events] == [0, 1, 2]
    assert [calendar["METHOD"] for _, calendar, _ in events] == ["REQUEST", "REQUEST", "CANCEL"]
    assert events[1][2].decoded("DTSTART") == next_monday_at(15)
    assert all(message.to == ["droffice@internet.example", user.email] for message in mail.outbox)
