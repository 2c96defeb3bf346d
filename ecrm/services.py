"""ECRM writes: registration and its emails, favorites, and submitting a ticket (SPEC ECRM-1 to ECRM-4).

Registration goes through ``accounts.services.user_register`` (the same no-enumeration answers, the same
token), with ECRM's profile and verification email; the password is then set through the accounts' three-step
Identify / Verify / Reset flow, under the same password validators.
"""

import contextlib
import logging

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts.services import email_verify, plain_text_render, user_register
from accounts.tokens import email_verification_token
from audit.services import audit_record
from ecrm.attachments import attachment_stored
from ecrm.models import (
    NUMBER_PREFIX,
    CarrierScope,
    EcrmProfile,
    Favorite,
    Ticket,
    TicketAttachment,
    TicketNumberCounter,
    TicketPriority,
    TicketState,
)
from ecrm.rich_text import description_sanitized

logger = logging.getLogger(__name__)


# --- Email ---------------------------------------------------------------------------------------------


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


# --- Registration (ECRM-1) ------------------------------------------------------------------------------


def ecrm_verification_link(*, request, user) -> str:
    path = reverse(
        "ecrm:verify_email",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": email_verification_token.make_token(user),
        },
    )
    return request.build_absolute_uri(path)


def ecrm_verification_email_send(*, request, user) -> bool:
    return ecrm_email_send(
        to=user.email,
        template="verify",
        context={"user": user, "link": ecrm_verification_link(request=request, user=user)},
    )


def ecrm_register(*, request, data: dict) -> None:
    """ "Sign Up": an account (user name = the email) plus its ECRM profile, through the accounts' registration.

    The tax ID and NPI stay on the ECRM profile, never on the account: an account's tax ID joins a practice
    when a portal password is created, and an ECRM registration must not open any practice's cases. The
    organization name is also the account's, so the password rules refuse it (seed 000: "company name").
    """
    profile_fields = {
        "business_phone": data["phone"],
        "business_phone_ext": data.get("phone_ext", ""),
        "organization_name": data["organization_name"],
        "address": data["address"],
        "city": data["city"],
        "state": data["state"],
        "tax_id": data["tax_id"],
        "npi": data["npi"],
    }
    user_register(
        request=request,
        data={
            "username": data["email"],
            "email": data["email"],
            "first_name": data["first_name"],
            "last_name": data["last_name"],
            "phone": data["phone"],
            "phone_ext": data.get("phone_ext", ""),
            "npi": "",
            "tax_id": "",
            "organization_name": data["organization_name"],
        },
        on_created=lambda user: EcrmProfile.objects.create(user=user, **profile_fields),
        verification_send=ecrm_verification_email_send,
    )


def ecrm_verification_resend(*, request, email: str) -> None:
    """A fresh verification link for an ECRM registration still waiting for it; silent otherwise."""
    profile = (
        EcrmProfile.objects.select_related("user")
        .filter(user__email__iexact=email.strip(), user__is_active=False, user__last_login__isnull=True)
        .first()
    )
    if profile is not None and not profile.user.has_usable_password():
        ecrm_verification_email_send(request=request, user=profile.user)
        audit_record(action="ecrm.verification_resent", request=request, actor=profile.user, target=profile.user)


@transaction.atomic
def ecrm_email_verified(*, request, user) -> None:
    """The verification link was followed: the address is verified, the account opens for the three-step
    password reset (which serves open accounts only; the password is still unusable, so nobody can log in
    yet), and the email with the link to set the password goes out (seed 000)."""
    email_verify(request=request, user=user)
    if not user.is_active:
        user.is_active = True
        user.save(update_fields=["is_active"])
        audit_record(action="ecrm.account_opened", request=request, actor=user, target=user)
    context = {"user": user, "link": request.build_absolute_uri(reverse("accounts:password_reset"))}
    transaction.on_commit(lambda: ecrm_email_send(to=user.email, template="set_password", context=context))


# --- Favorites ------------------------------------------------------------------------------------------


@transaction.atomic
def favorite_toggle(*, user, request_form) -> bool:
    """Star or unstar a request form for ``user``; True when it is now a favorite."""
    deleted, _ = Favorite.objects.filter(user=user, request_form=request_form).delete()
    if deleted:
        return False
    Favorite.objects.get_or_create(user=user, request_form=request_form)
    return True


# --- Tickets (ECRM-3, ECRM-4) ---------------------------------------------------------------------------


def ticket_number_next() -> tuple[int, str]:
    """The next EC number, from the counter row locked until the caller's transaction ends.

    Not max()+1: two submits reading the same maximum would collide. The lock makes a second submit wait
    for the first to commit, so numbers are distinct and increase in commit order (SQLite's IMMEDIATE
    transactions serialize writers the same way). Must run inside ``transaction.atomic``.
    """
    counter, _ = TicketNumberCounter.objects.select_for_update().get_or_create(pk=1)
    counter.last_value += 1
    counter.save(update_fields=["last_value"])
    return counter.last_value, f"{NUMBER_PREFIX}{counter.last_value:08d}"


def ticket_submit(*, request, user, request_form, data: dict, files=()) -> Ticket:
    """Save a request as a ticket: its EC number, state New, priority "3 - Moderate", the chosen plans and
    attachments, an audit row, and the confirmation email once committed. A failure stores nothing."""
    with contextlib.ExitStack() as stored_files, transaction.atomic():
        sequence, number = ticket_number_next()
        ticket = Ticket.objects.create(
            sequence=sequence,
            number=number,
            reporter=user,
            request_form=request_form,
            short_description=data["short_description"],
            description_html=description_sanitized(data.get("description", "")),
            carrier_scope=data["carrier_scope"],
            request_type=data["request_type"],
            subrequest=data.get("subrequest"),
            claim_number=data.get("claim_number", ""),
            contact_name=data.get("contact_name", ""),
            contact_phone=data.get("contact_phone", ""),
            contact_email=data.get("contact_email", ""),
            state=TicketState.NEW,
            priority=TicketPriority.MODERATE,
        )
        if data["carrier_scope"] != CarrierScope.ALL:
            ticket.health_plans.set(data["health_plans"])
        for uploaded in files:
            fields = stored_files.enter_context(attachment_stored(uploaded))
            TicketAttachment.objects.create(ticket=ticket, uploaded_by=user, **fields)
        audit_record(
            action="ecrm.ticket_submitted",
            request=request,
            actor=user,
            target=ticket,
            details={"form": request_form.pk, "attachments": len(files)},
        )
        path = reverse("ecrm:ticket_detail", kwargs={"number": ticket.number})
        link = request.build_absolute_uri(path) if request is not None else path
        transaction.on_commit(lambda: ticket_confirmation_send(ticket=ticket, link=link))
    return ticket


def ticket_confirmation_send(*, ticket: Ticket, link: str) -> bool:
    """ECRM-4: the confirmation email, from the ECRM address, with the EC number in its subject."""
    if not ticket.reporter.email:
        return False
    return ecrm_email_send(
        to=ticket.reporter.email, template="ticket_created", context={"ticket": ticket, "link": link}
    )
