"""ECRM's outgoing email: the one sender every ECRM email goes through (from ``ECRM_FROM_EMAIL``), the ticket's
confirmation (ECRM-4), and an agent's additional comment emailed to the reporter with the EC number in its
subject and its own Message-ID, which a reply's In-Reply-To names (ECRM-6; replies come back through
``ecrm.inbound``).
"""

import logging
import re
from email.utils import make_msgid, parseaddr
from html import unescape

import nh3
from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.services import plain_text_render
from ecrm.models import Ticket, TicketComment

logger = logging.getLogger(__name__)
# In an agent's emailed comment: a reply's text above this line is the reporter's message (ecrm.inbound).
REPLY_MARKER = "## Reply above this line ##"


def ecrm_email_send(*, to: str, template: str, context: dict) -> bool:
    """One email from templates/ecrm/email/<template>_{subject,body}.txt, sent from ECRM_FROM_EMAIL.

    False (logged, without the address) when the mail server refuses: nothing already saved is undone."""
    subject = plain_text_render(template_name=f"ecrm/email/{template}_subject.txt", context=context)
    body = plain_text_render(template_name=f"ecrm/email/{template}_body.txt", context=context)
    try:
        EmailMessage(" ".join(subject.split()), body, settings.ECRM_FROM_EMAIL, [to]).send()
    except Exception:
        logger.exception("Could not send the ECRM %s email", template)
        return False
    return True


def ticket_confirmation_send(*, ticket: Ticket, link: str) -> bool:
    """ECRM-4: the confirmation email, from the ECRM address, with the EC number in its subject."""
    if not ticket.reporter.email:
        return False
    return ecrm_email_send(
        to=ticket.reporter.email, template="ticket_created", context={"ticket": ticket, "link": link}
    )


def ecrm_message_id(ticket: Ticket) -> str:
    """A new Message-ID on the ECRM address's domain, naming the ticket (RFC 5322 msg-id)."""
    domain = parseaddr(settings.ECRM_FROM_EMAIL)[1].rpartition("@")[2] or "ecrm.invalid"
    return make_msgid(idstring=ticket.number, domain=domain)


def ticket_link(request, name: str, ticket: Ticket) -> str:
    path = reverse(name, kwargs={"number": ticket.number})
    return request.build_absolute_uri(path) if request is not None else path


def comment_recipients(ticket: Ticket) -> list:
    """Who receives an agent's additional comment: the reporter, then the colleagues copied on the ticket
    (ECRM-8), the active ones with an address."""
    copied = ticket.copied_colleagues.filter(is_active=True).order_by("ecrm_ticket_copies__copied_at", "pk")
    people = [ticket.reporter, *copied] if ticket.reporter.is_active else list(copied)
    return [person for person in people if person.email]


def comment_email_send(*, comment_pk: int, link: str = "") -> list:
    """Email an agent's additional comment to the reporter and the colleagues copied on the ticket, once: one
    message each (nobody sees another's address), the EC number in the subject, the comment's stored Message-ID
    (which a reply's In-Reply-To names), and ``emailed_at`` set under the row's lock (a second call sends
    nothing). A work note, or a message from the requester's side, is never emailed. The people it was sent to,
    in ``comment_recipients``' order; empty when nothing was sent (each failure logged, without the address)."""
    with transaction.atomic():
        comment = (
            TicketComment.objects.select_for_update(of=("self",))
            .select_related("ticket__reporter", "author")
            .get(pk=comment_pk)
        )
        ticket = comment.ticket
        recipients = comment_recipients(ticket)
        if (
            comment.emailed_at is not None
            or comment.is_work_note
            or not comment.message_id
            or comment.author_id == ticket.reporter_id
            or ticket.copies.filter(user_id=comment.author_id).exists()
        ):
            return []
        context = {
            "ticket": ticket,
            "comment": comment,
            "author": comment.author.get_full_name() or "ECRM",
            "text": html_as_text(comment.body_html),
            "attachments": [item.original_name for item in comment.attachments.all()],
            "link": link or ticket_link(None, "ecrm:ticket_activity", ticket),
            "reply_marker": REPLY_MARKER,
        }
        sent = []
        for person in recipients:
            personal = context | {"recipient": person, "copied": person.pk != ticket.reporter_id}
            subject = plain_text_render(template_name="ecrm/email/comment_added_subject.txt", context=personal)
            body = plain_text_render(template_name="ecrm/email/comment_added_body.txt", context=personal)
            message = EmailMessage(
                " ".join(subject.split()),
                body,
                settings.ECRM_FROM_EMAIL,
                [person.email],
                headers={"Message-ID": comment.message_id, "Auto-Submitted": "auto-generated"},
            )
            try:
                message.send()
            except Exception:
                logger.exception("Could not email the ECRM comment %s to user %s", comment.pk, person.pk)
                continue
            sent.append(person)
        if sent:
            comment.emailed_at = timezone.now()
            comment.save(update_fields=["emailed_at"])
    return sent


def emailed_phrase(ticket: Ticket, people) -> str:
    """ "the reporter and 2 copied colleagues": who ``comment_email_send`` emailed, as the agent is told."""
    colleagues = sum(person.pk != ticket.reporter_id for person in people)
    named = ["the reporter"] if len(people) > colleagues else []
    if colleagues:
        named.append(f"{colleagues} copied colleague{'' if colleagues == 1 else 's'}")
    return " and ".join(named)


def html_as_text(html: str) -> str:
    """A post's sanitized HTML as plain text for an email: paragraphs and list items on their own lines."""
    spaced = re.sub(r"</(p|li|pre|blockquote)>|<br\s*/?>", "\n", html or "")
    text = unescape(nh3.clean(spaced, tags=set()))
    return "\n".join(line.strip() for line in text.splitlines()).strip()
