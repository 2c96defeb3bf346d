"""The daily and weekly digests of new correspondence (COR-4, seed 004): one email per user and period with the
count of new unread letters since their last digest and a link, never patient information, never twice."""

import datetime

import pytest
from django.core import mail
from django.db import IntegrityError, transaction
from django.utils import timezone

from cases.tests.factories import submitted_case, submitter
from correspondence import digests, services, tasks
from correspondence.models import Letter, NoticeDigest
from correspondence.tests.test_message_center import more_letters
from practices.models import WorklistAccess
from practices.tests.factories import PracticeMembershipFactory

pytestmark = pytest.mark.django_db

# A Tuesday and a Monday, both after the sending hour (7:00 local).
TUESDAY_9AM = timezone.make_aware(datetime.datetime(2026, 12, 1, 9, 0))
MONDAY_8AM = timezone.make_aware(datetime.datetime(2026, 12, 7, 8, 0))


@pytest.fixture
def provider(catalog):
    """A provider with a submitted case and two new letters on it (a hold and an approval) from last night."""
    user = submitter()
    case = submitted_case(user=user)
    more_letters(case, 1, kind=Letter.Kind.HOLD)
    more_letters(case, 1, kind=Letter.Kind.APPROVAL)
    Letter.objects.filter(case=case).update(created_at=TUESDAY_9AM - datetime.timedelta(hours=10))
    mail.outbox.clear()
    return user


def daily(now=TUESDAY_9AM) -> int:
    return digests.digests_send(frequency="daily", now=now)


def test_the_daily_digest_counts_the_new_letters_with_a_link_and_no_patient_information(provider):
    assert daily() == 1
    [email] = mail.outbox
    assert email.to == [provider.email]
    assert email.subject == "Action required: Supporting documentation for precertification(s)."
    assert "You have 2 new letters in your Message Center since your last daily notice; 1 of them asks" in email.body
    assert "http://127.0.0.1:8000/correspondence/messages/" in email.body
    case = provider.cases.get()
    for phi in (case.member.last_name, case.member.member_id, case.request_id, case.case_number):
        assert phi not in email.body and phi not in email.subject
    digest = NoticeDigest.objects.get()
    assert (digest.user, digest.frequency, digest.period_start, digest.letter_count) == (
        provider,
        "daily",
        datetime.date(2026, 12, 1),
        2,
    )


def test_a_second_run_in_the_same_day_sends_nothing(provider):
    assert daily() == 1
    more_letters(provider.cases.get(), 1)  # a letter after the digest waits for tomorrow's
    assert daily(TUESDAY_9AM + datetime.timedelta(hours=5)) == 0
    assert len(mail.outbox) == 1 and NoticeDigest.objects.count() == 1


def test_the_next_days_digest_counts_only_what_came_since_the_last(provider):
    daily()
    [later] = more_letters(provider.cases.get(), 1)
    Letter.objects.filter(pk=later.pk).update(created_at=TUESDAY_9AM + datetime.timedelta(hours=3))
    mail.outbox.clear()
    assert daily(TUESDAY_9AM + datetime.timedelta(days=1)) == 1
    assert "You have 1 new letter in your Message Center" in mail.outbox[0].body
    assert mail.outbox[0].subject == "Precertification correspondence now available."


def test_nothing_is_sent_before_the_sending_hour(provider):
    assert daily(TUESDAY_9AM.replace(hour=6)) == 0
    assert not mail.outbox and not NoticeDigest.objects.exists()


def test_letters_read_or_deleted_are_not_counted_and_nothing_new_sends_no_email(provider):
    for letter in Letter.objects.filter(case__created_by=provider):
        services.message_act(user=provider, letter=letter, action="review" if letter.kind == "hold" else "delete")
    assert daily() == 0
    assert not mail.outbox
    assert NoticeDigest.objects.get().letter_count == 0  # the day is done all the same


def test_weekly_users_get_the_weekly_digest_on_monday_and_no_daily_one(provider):
    [membership] = provider.practice_memberships.all()
    services.notice_preferences_set(user=provider, choices={membership.practice_id: "weekly"})
    assert daily() == 0
    assert digests.digests_send(frequency="weekly", now=MONDAY_8AM - datetime.timedelta(hours=2)) == 0
    assert digests.digests_send(frequency="weekly", now=MONDAY_8AM) == 1
    assert digests.digests_send(frequency="weekly", now=MONDAY_8AM + datetime.timedelta(days=3)) == 0
    assert len(mail.outbox) == 1
    assert "since your last weekly notice" in mail.outbox[0].body


def test_users_who_turned_notices_off_get_nothing(provider):
    [membership] = provider.practice_memberships.all()
    services.notice_preferences_set(user=provider, choices={membership.practice_id: "off"})
    assert daily() == 0 and digests.digests_send(frequency="weekly", now=MONDAY_8AM) == 0
    assert not mail.outbox and not NoticeDigest.objects.exists()


def test_a_colleague_with_correspondence_counts_the_practices_letters_in_their_own_digest(provider):
    """The digest counts the Message Center's letters: not those a case submitter or a delegate views on the
    case's page only."""
    [membership] = provider.practice_memberships.all()
    colleague = PracticeMembershipFactory(practice=membership.practice, correspondence=True).user
    submitter(practice=membership.practice)
    WorklistAccess.objects.create(owner=provider, grantee=submitter())
    PracticeMembershipFactory()  # someone else, with nothing to read
    assert daily() == 2
    assert sorted(email.to[0] for email in mail.outbox) == sorted([provider.email, colleague.email])
    assert NoticeDigest.objects.filter(letter_count=0).count() == 3


def test_a_period_already_recorded_by_another_run_is_not_sent_again(provider):
    NoticeDigest.objects.create(user=provider, frequency="daily", period_start=datetime.date(2026, 12, 1))
    assert daily() == 0 and not mail.outbox
    with pytest.raises(IntegrityError), transaction.atomic():
        NoticeDigest.objects.create(user=provider, frequency="daily", period_start=datetime.date(2026, 12, 1))


def test_a_digest_whose_email_failed_is_tried_again_by_the_next_run(provider, settings):
    settings.EMAIL_BACKEND = "correspondence.tests.test_digests.RefusingBackend"
    assert daily() == 0
    assert not NoticeDigest.objects.exists()
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert daily(TUESDAY_9AM + datetime.timedelta(hours=1)) == 1


def test_the_beat_tasks_call_the_digests(provider, monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: TUESDAY_9AM)
    assert tasks.daily_digest() == 1
    assert tasks.weekly_digest() == 0  # nobody chose weekly notices


class RefusingBackend:
    """An email backend whose server refuses every message."""

    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("mail server down")
