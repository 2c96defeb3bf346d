"""The correspondence in the admin: letters read-only with their deliveries, the print-and-mail queue, the retry of
failed deliveries; staff with the model permissions only, every page audited, queries flat as rows grow."""

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.tests.factories import UserFactory
from audit.models import AuditEvent
from cases.tests.factories import submitted_case
from cases.tests.post_decision_world import decided_case, reviewer  # noqa: F401 (a fixture)
from correspondence import letters
from correspondence.models import Delivery, Letter
from correspondence.tests.conftest import hold_placed, letters_of

pytestmark = pytest.mark.django_db
Channel, Status = Delivery.Channel, Delivery.Status
QUEUE = reverse("admin:correspondence_delivery_changelist") + "?queue=print_and_mail"


def staff(*codenames):
    user = UserFactory(is_staff=True)
    user.user_permissions.add(
        *Permission.objects.filter(content_type__app_label="correspondence", codename__in=codenames)
    )
    return user


@pytest.fixture
def mailroom(signed_in_client):
    """Staff who work the print-and-mail queue."""
    return signed_in_client(staff("view_letter", "view_delivery", "change_delivery"))


def test_the_print_and_mail_queue_lists_the_members_copies_waiting_with_their_address(catalog, reviewer, mailroom):  # noqa: F811
    case = decided_case("ddd", by=reviewer)
    page = mailroom.get(QUEUE).content.decode()
    waiting = Delivery.objects.get(letter__case=case, channel=Channel.MAIL)
    assert f'value="{waiting.pk}"' in page
    assert case.member.address_display in page
    assert page.count('name="_selected_action"') == 1  # the faxes and the email are not in this queue
    assert AuditEvent.objects.filter(action="delivery.listed").exists()


def test_mark_as_mailed_takes_the_copy_out_of_the_queue(catalog, reviewer, mailroom):  # noqa: F811
    case = decided_case("ddd", by=reviewer)
    waiting = Delivery.objects.get(letter__case=case, channel=Channel.MAIL)
    response = mailroom.post(QUEUE, {"action": "mark_mailed", "_selected_action": [waiting.pk]}, follow=True)
    assert "1 delivery(ies) mailed." in response.content.decode()
    waiting.refresh_from_db()
    assert waiting.status == Status.SENT and waiting.sent_at
    assert f'value="{waiting.pk}"' not in mailroom.get(QUEUE).content.decode()


def test_a_fax_cannot_be_marked_as_mailed(catalog, reviewer, mailroom):  # noqa: F811
    case = decided_case("ddd", by=reviewer)
    fax = Delivery.objects.filter(letter__case=case, channel=Channel.FAX).first()
    url = reverse("admin:correspondence_delivery_changelist")
    response = mailroom.post(url, {"action": "mark_mailed", "_selected_action": [fax.pk]}, follow=True)
    assert "Only a mail delivery is marked as mailed." in response.content.decode()
    fax.refresh_from_db()
    assert fax.status == Status.PENDING


def test_staff_retry_a_failed_delivery_from_the_admin(catalog, reviewer, mailroom, django_capture_on_commit_callbacks):  # noqa: F811
    case = submitted_case(notify_by_email=False)
    hold_placed(case, reviewer)
    fax = Delivery.objects.get(letter__case=case)
    Delivery.objects.filter(pk=fax.pk).update(status=Status.FAILED, attempts=5, last_error="ConnectionError: down")
    url = reverse("admin:correspondence_delivery_changelist") + "?queue=failed"
    assert f'value="{fax.pk}"' in mailroom.get(url).content.decode()
    with django_capture_on_commit_callbacks() as callbacks:
        response = mailroom.post(url, {"action": "retry", "_selected_action": [fax.pk]}, follow=True)
    assert "1 delivery(ies) queued again." in response.content.decode()
    fax.refresh_from_db()
    assert (fax.status, fax.attempts) == (Status.PENDING, 0)
    assert len(callbacks) == 1


def test_staff_who_may_only_view_get_no_actions(catalog, reviewer, signed_in_client):  # noqa: F811
    decided_case("ddd", by=reviewer)
    client = signed_in_client(staff("view_delivery"))
    page = client.get(QUEUE).content.decode()
    assert "Mark as mailed" not in page
    waiting = Delivery.objects.get(channel=Channel.MAIL)
    client.post(QUEUE, {"action": "mark_mailed", "_selected_action": [waiting.pk]})
    waiting.refresh_from_db()
    assert waiting.status == Status.PENDING


def test_staff_without_the_permissions_and_providers_see_no_correspondence(catalog, reviewer, signed_in_client):  # noqa: F811
    case = decided_case("ddd", by=reviewer)
    letter = letters_of(case)[0]
    for user in (UserFactory(is_staff=True), case.created_by):
        client = signed_in_client(user)
        assert client.get(reverse("admin:correspondence_delivery_changelist")).status_code in (302, 403)
        assert client.get(reverse("admin:correspondence_letter_change", args=[letter.pk])).status_code in (302, 403)
        assert client.get(reverse("admin:correspondence_letter_pdf", args=[letter.pk])).status_code in (302, 403)


def test_a_letter_is_read_only_with_its_deliveries_and_its_pdf(catalog, reviewer, mailroom):  # noqa: F811
    case = decided_case("ddd", by=reviewer)
    letter = letters.letter_render(letter=letters_of(case)[0])
    page = mailroom.get(reverse("admin:correspondence_letter_change", args=[letter.pk])).content.decode()
    assert 'name="_save"' not in page
    assert page.count("Requesting Provider") >= 1 and "Member" in page
    pdf = mailroom.get(reverse("admin:correspondence_letter_pdf", args=[letter.pk]))
    assert pdf.status_code == 200 and pdf.content == bytes(letter.pdf)
    assert AuditEvent.objects.filter(action="correspondence.letter_viewed", details__via="admin").exists()
    assert mailroom.get(reverse("admin:correspondence_letter_add")).status_code == 403


@pytest.mark.parametrize("model", ["letter", "delivery"])
def test_each_changelist_opens_with_the_same_queries_for_many_rows(
    catalog,
    reviewer,  # noqa: F811
    mailroom,
    django_assert_num_queries,
    model,
):
    url = reverse(f"admin:correspondence_{model}_changelist")
    decided_case("ddd", by=reviewer)
    mailroom.get(url)  # warms Django's caches (content types, permissions)
    with CaptureQueriesContext(connection) as few:
        assert mailroom.get(url).status_code == 200
    for _ in range(3):
        letters.letter_render(letter=letters_of(decided_case("add", by=reviewer))[0])
    assert Letter.objects.count() == 4
    with django_assert_num_queries(len(few)):
        assert mailroom.get(url).status_code == 200
