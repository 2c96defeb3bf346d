"""Issue 13, item 6: an agent's additional comment is emailed to the reporter (the EC number in the subject, a
Message-ID kept on the comment); a reply is threaded onto its ticket by ``manage.py ecrm_inbound``, which reads
the raw message on standard input as a mail server's pipe delivers it."""

import io
from email.message import EmailMessage

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from audit.models import AuditEvent
from ecrm import emails, tickets
from ecrm.models import Ticket, TicketComment, TicketState
from ecrm.tests.factories import ecrm_agent, ecrm_user, ticket_submitted

pytestmark = pytest.mark.django_db
S = TicketState


@pytest.fixture
def reporter(ecrm_catalog):
    return ecrm_user(user__email="maria@office.example", user__first_name="Maria")


@pytest.fixture
def ticket(reporter):
    return ticket_submitted(reporter, short_description="Wrong fax number")


@pytest.fixture
def agent():
    return ecrm_agent()


@pytest.fixture
def agent_comment(ticket, agent, committed):
    mail.outbox.clear()
    return committed(
        tickets.ticket_comment_add,
        ticket=ticket,
        author=agent,
        body="<p>Provider Please Send the <b>fax cover sheet</b></p>",
        files=[SimpleUploadedFile("form.pdf", b"%PDF")],
    )


# --- Outbound ----------------------------------------------------------------------------------------------


def test_an_agents_comment_is_emailed_to_the_reporter_with_the_ec_number_and_its_message_id(agent_comment, ticket):
    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    agent_comment.refresh_from_db()
    assert sent.to == ["maria@office.example"] and "ecrm" in sent.from_email.lower()
    assert ticket.number in sent.subject
    assert sent.extra_headers["Message-ID"] == agent_comment.message_id
    assert agent_comment.message_id.startswith("<") and ticket.number in agent_comment.message_id
    assert "Provider Please Send the fax cover sheet" in sent.body and "<b>" not in sent.body
    assert "form.pdf" in sent.body and f"/ecrm/tickets/{ticket.number}/activity/" in sent.body
    assert agent_comment.emailed_at is not None
    # The message the email library builds carries the stored Message-ID, not one of its own.
    assert sent.message()["Message-ID"] == agent_comment.message_id


def test_a_comment_is_emailed_once_however_often_the_send_runs(agent_comment):
    assert emails.comment_email_send(comment_pk=agent_comment.pk) == []
    assert len(mail.outbox) == 1


def test_a_failed_send_is_left_unsent_and_the_comment_kept(ticket, agent, committed, settings):
    settings.EMAIL_BACKEND = "ecrm.tests.test_email.FailingBackend"
    comment = committed(tickets.ticket_comment_add, ticket=ticket, author=agent, body="Hello")
    comment.refresh_from_db()
    assert comment.emailed_at is None and TicketComment.objects.filter(pk=comment.pk).exists()
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert comment.emailed_to == []
    assert emails.comment_email_send(comment_pk=comment.pk) == [ticket.reporter]


class FailingBackend:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("mail server down")


def test_work_notes_and_the_reporters_own_messages_are_never_emailed(ticket, agent, reporter, committed):
    mail.outbox.clear()
    note = committed(
        tickets.ticket_comment_add, ticket=ticket, author=agent, body="Internal: watch list", work_note=True
    )
    committed(tickets.ticket_comment_add, ticket=ticket, author=reporter, body="My own words")
    assert mail.outbox == []
    assert emails.comment_email_send(comment_pk=note.pk) == []
    committed(tickets.ticket_comment_add, ticket=ticket, author=agent, body="A public answer")
    assert len(mail.outbox) == 1 and "watch list" not in mail.outbox[0].body
    assert note.message_id == "" and note.emailed_at is None


# --- Inbound -----------------------------------------------------------------------------------------------


def reply(
    *,
    subject="Re: your request",
    sender="Maria Johnson <Maria@Office.example>",
    in_reply_to=None,
    body="Here it is.\n\nOn Mon, Nov 30, 2026 at 10:00 AM EviCore ECRM <ecrm@portal.example> wrote:\n> old",
    headers=None,
    message_id="<reply-1@office.example>",
    attachments=(),
) -> bytes:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = "EviCore ECRM <ecrm@portal.example>"
    message["Subject"] = subject
    if message_id:
        message["Message-ID"] = message_id
    if in_reply_to:
        message["In-Reply-To"] = in_reply_to
        message["References"] = in_reply_to
    for name, value in (headers or {}).items():
        message[name] = value
    message.set_content(body)
    for name, data in attachments:
        message.add_attachment(data, maintype="application", subtype="octet-stream", filename=name)
    return message.as_bytes()


def inbound(raw: bytes) -> str:
    out = io.StringIO()
    call_command("ecrm_inbound", stdin=io.BytesIO(raw), stdout=out)
    return out.getvalue()


def rejected(raw: bytes) -> CommandError:
    with pytest.raises(CommandError) as caught:
        inbound(raw)
    return caught.value


def test_a_reply_to_an_agents_email_is_threaded_onto_its_ticket(agent_comment, ticket, reporter):
    quoted = (
        f"I attached the cover sheet.\n\nOn Mon, Nov 30, 2026 at 10:00 AM EviCore ECRM\n<ecrm@portal.example> wrote:\n"
        f"> {emails.REPLY_MARKER}\n> Hello Maria,\n> Provider Please Send"
    )
    raw = reply(in_reply_to=agent_comment.message_id, body=quoted, attachments=[("cover.pdf", b"%PDF-cover")])
    assert inbound(raw).strip() == f"Added to {ticket.number}."
    comment = ticket.comments.get(source="email")
    assert comment.author == reporter and comment.kind == "comment"
    assert comment.body_html == "<p>I attached the cover sheet.</p>"
    assert comment.message_id == "<reply-1@office.example>"
    assert [a.original_name for a in comment.attachments.all()] == ["cover.pdf"]
    assert Ticket.objects.count() == 1


def test_a_reply_naming_the_ec_number_in_its_subject_is_threaded(ticket):
    inbound(reply(subject=f"RE: {ticket.number}: a new comment on your request"))
    assert ticket.comments.get().body_html == "<p>Here it is.</p>"


def test_the_same_message_delivered_twice_is_added_once(ticket):
    raw = reply(subject=f"Re: {ticket.number}")
    inbound(raw)
    assert "already added" in inbound(raw)
    assert ticket.comments.count() == 1


def test_a_reply_returns_an_awaiting_info_ticket_to_in_progress(ticket, agent, reporter):
    tickets.ticket_transition(ticket=ticket, to=S.AWAITING_INFO, by=agent)
    inbound(reply(subject=f"Re: {ticket.number}"))
    ticket.refresh_from_db()
    assert ticket.state == S.IN_PROGRESS and ticket.changes.last().changed_by == reporter


def test_a_reply_from_anyone_but_the_reporter_is_rejected(ticket):
    error = rejected(reply(subject=f"Re: {ticket.number}", sender="mallory@elsewhere.example"))
    assert error.returncode == 77 and "not the reporter" in str(error)
    assert not TicketComment.objects.exists()
    assert AuditEvent.objects.get(action="ecrm.email_reply_refused").details == {"reason": "sender"}


@pytest.mark.parametrize(
    ("subject", "in_reply_to"),
    [
        ("Re: EC99999999 please help", None),
        ("A new problem", None),
        ("A new problem", "<unknown@elsewhere.example>"),
    ],
)
def test_a_message_for_no_known_ticket_is_rejected_and_never_opens_one(ticket, subject, in_reply_to):
    error = rejected(reply(subject=subject, in_reply_to=in_reply_to))
    assert error.returncode == 67 and "No ECRM request" in str(error)
    assert Ticket.objects.count() == 1 and not TicketComment.objects.exists()


def test_a_subject_and_in_reply_to_naming_different_tickets_are_rejected(agent_comment, reporter):
    other = ticket_submitted(reporter)
    error = rejected(reply(subject=f"Re: {other.number}", in_reply_to=agent_comment.message_id))
    assert error.returncode == 67 and other.number in str(error)
    assert not TicketComment.objects.filter(source="email").exists()


@pytest.mark.parametrize(
    "headers",
    [
        {"Auto-Submitted": "auto-replied"},
        {"Auto-Submitted": "auto-generated"},
        {"Precedence": "bulk"},
        {"Precedence": "auto_reply"},
        {"X-Autoreply": "yes"},
        {"Return-Path": "<>"},
    ],
)
def test_auto_replies_are_ignored(ticket, headers):
    assert inbound(reply(subject=f"Out of office: {ticket.number}", headers=headers)).startswith("Ignored")
    assert not TicketComment.objects.exists()


def test_auto_submitted_no_is_a_persons_reply(ticket):
    inbound(reply(subject=f"Re: {ticket.number}", headers={"Auto-Submitted": "no"}))
    assert ticket.comments.count() == 1


def test_a_reply_to_a_closed_ticket_is_rejected_with_the_reason(ticket):
    tickets.ticket_transition(ticket=ticket, to=S.CLOSED)
    error = rejected(reply(subject=f"Re: {ticket.number}"))
    assert error.returncode == 65 and "Closed" in str(error)


def test_an_empty_reply_or_a_file_over_the_cap_is_rejected(ticket, settings):
    error = rejected(reply(subject=f"Re: {ticket.number}", body=f"> {emails.REPLY_MARKER}\n> quoted only"))
    assert error.returncode == 65 and "Type your message" in str(error)
    settings.ECRM_ATTACHMENT_MAX_BYTES = 4
    error = rejected(reply(subject=f"Re: {ticket.number}", attachments=[("big.bin", b"12345")]))
    assert error.returncode == 65 and "big.bin" in str(error)
    assert not TicketComment.objects.exists()


def test_an_html_only_reply_is_sanitized(ticket):
    message = EmailMessage()
    message["From"] = "maria@office.example"
    message["Subject"] = f"Re: {ticket.number}"
    message.set_content('<p onclick="x()">Sent <b>today</b></p><script>alert(1)</script>', subtype="html")
    inbound(message.as_bytes())
    html = ticket.comments.get().body_html
    assert "Sent today" in html and "script" not in html and "onclick" not in html


@pytest.mark.parametrize("raw", [b"", b"\x00\xff garbage", b"Subject: no body or sender\n\n"])
def test_garbage_on_standard_input_is_rejected_never_a_crash(ticket, raw):
    error = rejected(raw)
    assert error.returncode in (65, 67)
    assert not TicketComment.objects.exists()


def test_a_reply_reusing_one_of_our_message_ids_is_kept_without_it(agent_comment, ticket):
    inbound(reply(in_reply_to=agent_comment.message_id, message_id=agent_comment.message_id))
    comment = ticket.comments.get(source="email")
    assert comment.message_id == ""
