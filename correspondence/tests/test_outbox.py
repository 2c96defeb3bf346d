"""The transactional outbox (COR-2, COR-5): a letter and its deliveries are rows written with the decision, sent
by an idempotent task after the commit, retried with backoff, swept up when left pending."""

import datetime
import html

import pytest
from django.core import mail
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import UserFactory
from cases.models import CaseEvent
from cases.tests.factories import submitted_case
from cases.tests.post_decision_world import decided_case, reviewer  # noqa: F401 (a fixture)
from correspondence import services, tasks
from correspondence.models import Delivery, Letter
from correspondence.tests.conftest import hold_placed, letters_of
from delivery import outbox
from practices.models import Practice

pytestmark = pytest.mark.django_db
Channel, Recipient, Status = Delivery.Channel, Delivery.Recipient, Delivery.Status


class FailingFaxBackend:
    """A fax service that is down."""

    def __init__(self, **kwargs):
        pass

    def send_fax(self, message):
        raise ConnectionError("fax service unreachable")


def deliveries(letter) -> set[tuple]:
    return set(letter.deliveries.values_list("channel", "recipient", "destination", "status"))


def test_a_hold_placed_writes_one_hold_letter_and_its_deliveries_in_its_transaction(
    catalog,
    reviewer,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    case = submitted_case()
    with django_capture_on_commit_callbacks() as callbacks:
        hold_placed(case, reviewer)
    [letter] = letters_of(case)
    assert letter.kind == Letter.Kind.HOLD and not letter.is_rendered
    # The requesting provider's fax from the contact step, and the contact's email notice: no member copy of a hold.
    assert deliveries(letter) == {
        (Channel.FAX, Recipient.REQUESTING_PROVIDER, case.contact_fax, Status.PENDING),
        (Channel.EMAIL, Recipient.CONTACT, case.contact_email, Status.PENDING),
    }
    assert len(callbacks) == 1  # the delivery task, queued only once the hold is committed


def test_a_hold_rolled_back_leaves_no_letter_and_queues_nothing(
    catalog,
    reviewer,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    case = submitted_case()
    with django_capture_on_commit_callbacks() as callbacks, pytest.raises(RuntimeError), transaction.atomic():
        hold_placed(case, reviewer)
        assert len(letters_of(case)) == 1
        raise RuntimeError("the request failed after the hold")
    assert letters_of(case) == []
    assert not Delivery.objects.filter(letter__case=case).exists()
    assert callbacks == []


def test_a_decision_goes_to_both_providers_by_fax_the_member_by_mail_and_the_contact_by_email(
    catalog,
    reviewer,  # noqa: F811
):
    case = decided_case("ddd", by=reviewer)
    [letter] = letters_of(case)
    assert deliveries(letter) == {
        (Channel.FAX, Recipient.REQUESTING_PROVIDER, case.contact_fax, Status.PENDING),
        (Channel.FAX, Recipient.RENDERING_PROVIDER, case.site_fax or case.site.fax, Status.PENDING),
        (Channel.MAIL, Recipient.MEMBER, "", Status.PENDING),
        (Channel.EMAIL, Recipient.CONTACT, case.contact_email, Status.PENDING),
    }


def test_no_email_notice_for_a_contact_who_did_not_opt_in(catalog, reviewer):  # noqa: F811
    case = submitted_case(notify_by_email=False)
    hold_placed(case, reviewer)
    assert not Delivery.objects.filter(letter__case=case, channel=Channel.EMAIL).exists()


def test_the_same_event_never_makes_a_second_letter_or_delivery(catalog, reviewer):  # noqa: F811
    case = submitted_case()
    hold_placed(case, reviewer)
    [letter] = letters_of(case)
    with pytest.raises(IntegrityError), transaction.atomic():
        Letter.objects.create(case=case, event=letter.event, kind=letter.kind)
    fax = letter.deliveries.get(channel=Channel.FAX)
    with pytest.raises(IntegrityError), transaction.atomic():
        Delivery.objects.create(letter=letter, channel=fax.channel, recipient=fax.recipient, destination="8605550100")


def test_events_that_send_nothing_make_no_letter(catalog, reviewer):  # noqa: F811
    case = submitted_case()
    assert CaseEvent.objects.filter(case=case).exists()
    assert letters_of(case) == []


def test_the_task_renders_the_letter_and_sends_each_fax_and_email_once_even_run_twice(
    catalog,
    reviewer,  # noqa: F811
    fax_outbox,
):
    case = decided_case("add", by=reviewer)
    [letter] = letters_of(case)
    assert tasks.letter_deliver.apply(args=[letter.pk]).get() == 3
    assert tasks.letter_deliver.apply(args=[letter.pk]).get() == 0
    letter.refresh_from_db()
    assert letter.is_rendered
    assert sorted(fax.to for fax in fax_outbox) == sorted([case.contact_fax, case.site_fax or case.site.fax])
    assert all(fax.pdf == bytes(letter.pdf) for fax in fax_outbox)
    assert len(mail.outbox) == 1
    sent = letter.deliveries.filter(status=Status.SENT)
    assert sent.count() == 3
    assert all(d.attempts == 1 and d.sent_at and d.external_id for d in sent.filter(channel=Channel.FAX))
    # The member's copy waits in the print-and-mail queue for staff.
    assert letter.deliveries.get(channel=Channel.MAIL).status == Status.PENDING


def test_the_email_notice_has_no_phi(catalog, reviewer):  # noqa: F811
    case = decided_case("ddd", by=reviewer)
    tasks.letter_deliver.apply(args=[letters_of(case)[0].pk])
    [notice] = mail.outbox
    assert notice.to == [case.contact_email]
    assert "There is new correspondence on your request; sign in to view it" in notice.body
    text = f"{notice.subject} {notice.body}"
    for phi in (case.member.first_name, case.member.last_name, case.member.member_id, case.case_number, "Denied"):
        assert phi not in text


def test_a_failing_fax_service_is_retried_with_backoff_then_the_delivery_fails(
    catalog,
    reviewer,  # noqa: F811
    settings,
    eager_tasks,
):
    settings.FAX_BACKEND = "correspondence.tests.test_outbox.FailingFaxBackend"
    case = submitted_case(notify_by_email=False)
    hold_placed(case, reviewer)
    [letter] = letters_of(case)
    tasks.letter_deliver.apply(args=[letter.pk])  # eager: each retry runs at once
    fax = letter.deliveries.get()
    assert (fax.status, fax.attempts, fax.sent_at) == (Status.FAILED, outbox.MAX_ATTEMPTS, None)
    assert fax.last_error == "ConnectionError: fax service unreachable"
    assert [outbox.retry_delay(n).total_seconds() for n in (1, 2, 3, 4)] == [60, 120, 240, 480]


def test_a_failed_delivery_retried_by_staff_is_sent_once(
    catalog,
    reviewer,  # noqa: F811
    settings,
    eager_tasks,
    fax_outbox,
    django_capture_on_commit_callbacks,
):
    settings.FAX_BACKEND = "correspondence.tests.test_outbox.FailingFaxBackend"
    case = submitted_case(notify_by_email=False)
    hold_placed(case, reviewer)
    [letter] = letters_of(case)
    tasks.letter_deliver.apply(args=[letter.pk])
    fax = letter.deliveries.get()
    settings.FAX_BACKEND = "delivery.fax.backends.locmem.FaxBackend"
    with django_capture_on_commit_callbacks(execute=True):
        services.delivery_retry(delivery=fax)
    fax.refresh_from_db()
    assert (fax.status, fax.attempts, len(fax_outbox)) == (Status.SENT, 1, 1)
    with pytest.raises(Exception, match="Only a failed delivery"):
        services.delivery_retry(delivery=fax)


def age(letter: Letter, minutes: int) -> None:
    then = timezone.now() - datetime.timedelta(minutes=minutes)
    Letter.objects.filter(pk=letter.pk).update(created_at=then)
    Delivery.objects.filter(letter=letter).update(created_at=then)


def test_the_sweep_sends_a_letter_left_pending_and_leaves_a_fresh_one_to_its_task(
    catalog,
    reviewer,  # noqa: F811
    eager_tasks,
    fax_outbox,
):
    old_case, fresh_case = submitted_case(), submitted_case()
    hold_placed(old_case, reviewer)
    hold_placed(fresh_case, reviewer)
    [old], [fresh] = letters_of(old_case), letters_of(fresh_case)
    age(old, 11)  # its task was lost 11 minutes ago; the sweep waits 10
    assert services.letters_left_pending() == [old.pk]
    assert tasks.outbox_sweep.apply().get() == 1
    assert [fax.to for fax in fax_outbox] == [old_case.contact_fax]
    assert not Delivery.objects.filter(letter=old, status=Status.PENDING).exclude(channel=Channel.MAIL).exists()
    assert Delivery.objects.filter(letter=fresh, status=Status.PENDING).count() == 2
    assert tasks.outbox_sweep.apply().get() == 0  # caught up: nothing left


def test_the_sweep_takes_up_a_retry_that_was_lost_but_not_one_still_waiting(catalog, reviewer):  # noqa: F811
    case = submitted_case(notify_by_email=False)
    hold_placed(case, reviewer)
    [letter] = letters_of(case)
    age(letter, 60)
    now = timezone.now()
    Delivery.objects.filter(letter=letter).update(attempts=2, next_attempt_at=now + datetime.timedelta(minutes=2))
    assert services.letters_left_pending() == []
    Delivery.objects.filter(letter=letter).update(next_attempt_at=now - datetime.timedelta(minutes=11))
    assert services.letters_left_pending() == [letter.pk]


def test_a_broker_down_at_the_decision_leaves_the_letter_for_the_sweep(catalog, reviewer, monkeypatch):  # noqa: F811
    case = submitted_case()
    hold_placed(case, reviewer)
    [letter] = letters_of(case)

    def broker_down(*args, **kwargs):
        raise ConnectionRefusedError("broker down")

    monkeypatch.setattr(tasks.letter_deliver, "apply_async", broker_down)
    assert services.letter_dispatch(letter.pk) is False
    assert letter.deliveries.filter(status=Status.PENDING).count() == 2


def test_the_mail_copy_is_marked_as_mailed_once(catalog, reviewer):  # noqa: F811
    case = decided_case("ddd", by=reviewer)
    member_copy = Delivery.objects.get(letter__case=case, channel=Channel.MAIL)
    services.delivery_mark_mailed(delivery=member_copy, by=reviewer)
    member_copy.refresh_from_db()
    assert member_copy.status == Status.SENT and member_copy.sent_at
    with pytest.raises(Exception, match="not waiting to be mailed"):
        services.delivery_mark_mailed(delivery=member_copy, by=reviewer)
    fax = Delivery.objects.filter(letter__case=case, channel=Channel.FAX).first()
    with pytest.raises(Exception, match="Only a mail delivery"):
        services.delivery_mark_mailed(delivery=fax, by=reviewer)


def test_the_sweep_is_scheduled_by_its_registered_name(settings):
    from portal.celery import app as celery_app

    [entry] = [e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"] == "correspondence.tasks.outbox_sweep"]
    assert entry["task"] in celery_app.tasks
    assert entry["options"]["expires"] <= entry["schedule"] < settings.CORRESPONDENCE_SWEEP_AFTER.total_seconds()


def test_a_practice_that_turned_paper_letters_on_gets_a_paper_copy_in_the_print_and_mail_queue(
    catalog,
    reviewer,  # noqa: F811
    signed_in_client,
):
    first = submitted_case()
    hold_placed(first, reviewer)
    [digital_only] = letters_of(first)
    assert not digital_only.deliveries.filter(recipient=Recipient.PRACTICE).exists()
    Practice.objects.filter(pk=first.practice_id).update(paper_precertification_letters=True)
    case = submitted_case(user=first.created_by, practice=first.practice)
    hold_placed(case, reviewer)
    [letter] = letters_of(case)
    paper = letter.deliveries.get(recipient=Recipient.PRACTICE)
    assert (paper.channel, paper.destination, paper.status) == (Channel.MAIL, "", Status.PENDING)
    mailroom = signed_in_client(UserFactory(is_staff=True, is_superuser=True))
    queue = mailroom.get(reverse("admin:correspondence_delivery_changelist"), {"queue": "print_and_mail"})
    page = html.unescape(queue.content.decode())
    assert f"{case.practice.name}, {case.ordering_provider.address_display}" in page
