"""Replies by email (issue 13, item 6): a raw RFC 822 message, as a mail server's pipe delivers it, is threaded
onto its ticket as the reporter's message, or refused with the reason, or ignored when it is an auto-reply.

Which ticket: the In-Reply-To (or References) header naming the Message-ID of an agent's emailed comment, else
the EC number in the subject; both present and naming different tickets is refused. Who: the From address must
be the ticket's reporter's or a copied colleague's (ECRM-8), who is then the message's author. A reply never
opens a ticket. The same message delivered twice is threaded once (its Message-ID is kept on the comment).
Parsed with Python's ``email`` package (``policy.default``).
"""

import email
import email.policy
import logging
import re
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import parseaddr

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError
from django.utils.html import escape, linebreaks

from audit.services import audit_record
from ecrm import attachments, emails, selectors, tickets
from ecrm.models import TicketComment
from ecrm.rich_text import description_sanitized

logger = logging.getLogger(__name__)

EC_NUMBER = re.compile(r"\bEC[0-9]{8}\b")
MESSAGE_ID = re.compile(r"<[^<>\s]{1,248}>")
# RFC 3834: any Auto-Submitted value but "no" is automatic; Precedence is the older custom.
AUTOMATIC_PRECEDENCE = frozenset({"bulk", "auto_reply", "junk", "list"})
AUTO_REPLY_HEADERS = ("X-Autoreply", "X-Autorespond")
ON_WROTE = re.compile(r"^On\b.*", re.IGNORECASE)

# sysexits.h, which mail servers read from a pipe: the message bounces with our reason.
EX_DATAERR = 65  # unreadable, empty, too large, or a Closed ticket
EX_NOUSER = 67  # no such ticket
EX_NOPERM = 77  # the sender is not the ticket's reporter


class InboundRejected(Exception):
    def __init__(self, message: str, *, exit_code: int, code: str):
        super().__init__(message)
        self.exit_code, self.code = exit_code, code


@dataclass(frozen=True)
class InboundOutcome:
    threaded: bool
    message: str
    comment: TicketComment | None = None


def max_message_bytes() -> int:
    """The largest message read: every attachment at its cap, base64-encoded (4/3), plus 1 MB of text."""
    return attachments.max_files() * attachments.max_bytes() * 4 // 3 + attachments.MEGABYTE


def message_parsed(raw: bytes) -> EmailMessage:
    return email.message_from_bytes(raw, policy=email.policy.default)


def auto_reply_reason(message) -> str:
    """Why ``message`` is automatic (an out-of-office, a list, a bounce), or "" for a person's reply."""
    auto = str(message.get("Auto-Submitted", "")).strip().lower()
    if auto and auto.split(";")[0].strip() != "no":
        return f"Auto-Submitted: {auto}"
    precedence = str(message.get("Precedence", "")).strip().lower()
    if precedence in AUTOMATIC_PRECEDENCE:
        return f"Precedence: {precedence}"
    for header in AUTO_REPLY_HEADERS:
        if message.get(header) is not None:
            return header
    if str(message.get("Return-Path", "")).strip() == "<>":
        return "a delivery report (empty Return-Path)"
    return ""


def reply_text(message) -> str:
    """The reporter's words: the plain-text body (or the HTML one as text), without the quoted email."""
    body = message.get_body(preferencelist=("plain", "html"))
    if body is None:
        return ""
    try:
        content = body.get_content()
    except (LookupError, ValueError):  # an unknown charset or a broken encoding
        content = body.get_payload(decode=True).decode("utf-8", errors="replace")
    if body.get_content_type() == "text/html":
        content = emails.html_as_text(description_sanitized(content))
    return without_quoted_text(content)


def without_quoted_text(text: str) -> str:
    """Cut at our "Reply above this line" marker, then drop the quoted lines and the "On ... wrote:" line."""
    lines = text.replace("\r\n", "\n").split("\n")
    for index, line in enumerate(lines):
        if emails.REPLY_MARKER in line:
            lines = lines[:index]
            break
    while lines and (not lines[-1].strip() or lines[-1].lstrip().startswith(">")):
        lines.pop()
    if lines and lines[-1].rstrip().endswith("wrote:"):
        last = lines.pop()
        if not ON_WROTE.match(last.strip()) and lines and ON_WROTE.match(lines[-1].strip()):
            lines.pop()  # "On <date>, <name> <address>" wrapped before "wrote:"
    return "\n".join(lines).strip()


def message_ids(message, header: str) -> list[str]:
    return MESSAGE_ID.findall(str(message.get(header, "")))


def files_of(message) -> list[SimpleUploadedFile]:
    """The message's attachments as uploads, each checked (size, not empty) like a file added on the page."""
    files = []
    for part in message.iter_attachments():
        data = part.get_payload(decode=True) or b""
        name = part.get_filename() or "attachment"
        files.append(SimpleUploadedFile(name, data, content_type="application/octet-stream"))
    if len(files) > attachments.max_files():
        raise InboundRejected(
            f"Attach at most {attachments.max_files()} files to one message.", exit_code=EX_DATAERR, code="files"
        )
    for uploaded in files:
        try:
            attachments.attachment_check(uploaded)
        except ValidationError as error:
            raise InboundRejected(" ".join(error.messages), exit_code=EX_DATAERR, code="file") from error
    return files


def ticket_of(message):
    """The ticket the message answers, by In-Reply-To / References, else by the EC number in its subject."""
    by_thread = selectors.ticket_by_message_id(message_ids(message, "In-Reply-To") + message_ids(message, "References"))
    numbers = EC_NUMBER.findall(str(message.get("Subject", "")))
    by_subject = selectors.ticket_by_number(numbers[0]) if numbers else None
    if by_thread is not None and by_subject is not None and by_thread.pk != by_subject.pk:
        raise InboundRejected(
            f"The subject names {by_subject.number} but the message answers an email about {by_thread.number}.",
            exit_code=EX_NOUSER,
            code="conflict",
        )
    ticket = by_thread or by_subject
    if ticket is None:
        named = f"{numbers[0]} is not an ECRM request" if numbers else "the subject names no EC number"
        raise InboundRejected(
            f"No ECRM request to add this message to: {named}, and it answers no ECRM email. "
            "A reply by email is added to an existing request only; submit a new case on the ECRM site.",
            exit_code=EX_NOUSER,
            code="no_ticket",
        )
    return ticket


def inbound_email_thread(raw: bytes) -> InboundOutcome:
    """Thread one raw message onto its ticket; InboundRejected (with the exit code for the mail server) when it
    cannot be, an outcome that is not ``threaded`` when it is ignored (an auto-reply, a second delivery)."""
    if len(raw) > max_message_bytes():
        raise InboundRejected("The message is too large.", exit_code=EX_DATAERR, code="too_large")
    try:
        message = message_parsed(raw)
    except Exception as error:  # the parser is lenient; anything it still refuses is not a message
        raise InboundRejected("The input is not an email message.", exit_code=EX_DATAERR, code="unreadable") from error
    reason = auto_reply_reason(message)
    if reason:
        return InboundOutcome(False, f"Ignored: an automatic message ({reason}).")
    own_ids = message_ids(message, "Message-ID")
    own_id = own_ids[0] if own_ids else ""
    ticket = ticket_of(message)
    sender = parseaddr(str(message.get("From", "")))[1].strip().lower()
    author = selectors.requester_by_email(ticket, sender)
    if author is None:
        _refused(ticket, "sender")
        raise InboundRejected(
            f"The sender is not the reporter of {ticket.number} nor a colleague copied on it: only their "
            "addresses may answer it by email.",
            exit_code=EX_NOPERM,
            code="sender",
        )
    known = selectors.comment_source_by_message_id(own_id) if own_id else None
    if known == TicketComment.Source.EMAIL:
        return InboundOutcome(False, f"Ignored: this message was already added to {ticket.number}.")
    if known is not None:
        own_id = ""  # one of our own Message-IDs, sent back as the reply's: the reply is kept without it
    files = files_of(message)
    text = reply_text(message)
    try:
        comment = tickets.ticket_comment_add(
            ticket=ticket,
            author=author,
            body=linebreaks(escape(text)) if text else "",
            files=files,
            source=TicketComment.Source.EMAIL,
            message_id=own_id,
        )
    except IntegrityError:
        # The same message delivered twice at once: the other delivery added it.
        return InboundOutcome(False, f"Ignored: this message was already added to {ticket.number}.")
    except ValidationError as error:
        _refused(ticket, error.code or "invalid")
        raise InboundRejected(" ".join(error.messages), exit_code=EX_DATAERR, code=error.code or "invalid") from error
    logger.info("Email reply threaded onto %s as comment %s", ticket.number, comment.pk)
    return InboundOutcome(True, f"Added to {ticket.number}.", comment)


def _refused(ticket, code: str) -> None:
    """An audit row for a refused reply to a known ticket: the reason's code, never the addresses or the text."""
    audit_record(action="ecrm.email_reply_refused", target=ticket, details={"reason": code})
