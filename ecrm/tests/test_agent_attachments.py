"""Issue 13 item 7 with files: an agent adds files to an additional comment in the admin, under the reporter's
rules (any type, the count and size caps, stored outside the web root); the reporter downloads them from the
Activity; a work note's files never reach the reporter, nor a colleague copied on the ticket."""

import pytest
from django.contrib.auth.models import Permission
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from ecrm.models import TicketAttachment, TicketCopy
from ecrm.tests.factories import ecrm_agent, ecrm_user, ticket_submitted

pytestmark = pytest.mark.django_db


@pytest.fixture
def agent(signed_in_client):
    user = ecrm_agent()
    user.user_permissions.add(Permission.objects.get(content_type__app_label="ecrm", codename="change_ticket"))
    return signed_in_client(user)


@pytest.fixture
def ticket(ecrm_catalog):
    reporter = ecrm_user(user__email="maria@office.example")
    ticket = ticket_submitted(reporter)
    colleague = ecrm_user(organization_name=reporter.ecrm_profile.organization_name)
    TicketCopy.objects.create(ticket=ticket, user=colleague)
    return ticket


def post(agent, ticket, kind, files, body="See attached."):
    return agent.post(
        reverse("admin:ecrm_ticket_comment", args=[ticket.pk]),
        {"comment-kind": kind, "comment-body": body, "comment-attachments": files},
    )


def download(client, attachment):
    return client.get(reverse("ecrm:attachment", kwargs={"number": attachment.ticket.number, "pk": attachment.pk}))


def test_the_reporter_downloads_an_agents_files_from_the_activity(
    agent, ticket, signed_in_client, django_capture_on_commit_callbacks
):
    page = agent.get(reverse("admin:ecrm_ticket_change", args=[ticket.pk])).content.decode()
    assert 'enctype="multipart/form-data"' in page and "Add Attachments" in page
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = post(
            agent,
            ticket,
            "comment",
            [SimpleUploadedFile("fax form.pdf", b"%PDF-1.4 form"), SimpleUploadedFile("page.html", b"<script>")],
        )
    assert response.status_code == 302
    comment = ticket.comments.get()
    files = {item.original_name: item for item in comment.attachments.all()}
    assert set(files) == {"fax form.pdf", "page.html"}
    assert all(item.uploaded_by_id == comment.author_id for item in files.values())
    assert "fax form.pdf" in mail.outbox[0].body  # the email names the files; they are opened from the Activity
    for client in (signed_in_client(ticket.reporter), signed_in_client(ticket.copied_colleagues.get())):
        activity = client.get(reverse("ecrm:ticket_activity", kwargs={"number": ticket.number})).content.decode()
        assert reverse("ecrm:attachment", kwargs={"number": ticket.number, "pk": files["page.html"].pk}) in activity
        response = download(client, files["page.html"])
        assert response.status_code == 200 and b"".join(response.streaming_content) == b"<script>"
        assert response["Content-Disposition"].startswith("attachment")
        assert response["Content-Type"] == "application/octet-stream"
    admin_page = agent.get(reverse("admin:ecrm_ticket_change", args=[ticket.pk])).content.decode()
    assert reverse("ecrm:attachment", kwargs={"number": ticket.number, "pk": files["fax form.pdf"].pk}) in admin_page


def test_a_work_notes_files_stay_with_the_agents(agent, ticket, signed_in_client, django_capture_on_commit_callbacks):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        post(agent, ticket, "work_note", [SimpleUploadedFile("internal.txt", b"caller was rude")], body="")
    note_file = TicketAttachment.objects.get(original_name="internal.txt")
    assert note_file.comment.is_work_note and mail.outbox == []
    for user in (ticket.reporter, ticket.copied_colleagues.get()):
        client = signed_in_client(user)
        activity = client.get(reverse("ecrm:ticket_activity", kwargs={"number": ticket.number})).content.decode()
        details = client.get(reverse("ecrm:ticket_detail", kwargs={"number": ticket.number})).content.decode()
        assert "internal.txt" not in activity and "internal.txt" not in details
        assert download(client, note_file).status_code == 404
    assert download(agent, note_file).status_code == 200


def test_files_alone_make_a_comment_and_the_caps_are_the_reporters(agent, ticket, settings):
    assert post(agent, ticket, "comment", [SimpleUploadedFile("a.txt", b"a")], body="").status_code == 302
    assert ticket.comments.get().attachments.count() == 1
    settings.ECRM_ATTACHMENT_MAX_BYTES = 10
    too_big = post(agent, ticket, "comment", [SimpleUploadedFile("big.bin", b"x" * 11)])
    assert too_big.status_code == 400 and "The file big.bin must be smaller than" in too_big.content.decode()
    settings.ECRM_ATTACHMENT_MAX_FILES = 1
    many = post(agent, ticket, "comment", [SimpleUploadedFile("1.txt", b"1"), SimpleUploadedFile("2.txt", b"2")])
    assert many.status_code == 400 and "Add at most 1 files" in many.content.decode()
    empty = post(agent, ticket, "comment", [SimpleUploadedFile("e.txt", b"")])
    assert empty.status_code == 400 and "The file e.txt is empty" in empty.content.decode()
    assert ticket.comments.count() == 1 and TicketAttachment.objects.filter(ticket=ticket).count() == 1
