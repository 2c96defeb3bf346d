"""Account writes: registration, email verification, password creation and reset."""

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template import Context, Engine
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts.models import User
from accounts.tokens import email_verification_token
from audit.services import audit_record
from practices.services import practice_join

logger = logging.getLogger(__name__)


def plain_text_render(*, template_name: str, context: dict) -> str:
    """Render a plain-text template (an email's subject or body, a text message) without HTML escaping.

    The engine escapes for HTML, so a text email would read "Hello D&#x27;Arcy". HTML keeps render_to_string.
    """
    return Engine.get_default().get_template(template_name).render(Context(context, autoescape=False))


def account_email_send(*, to: str, template: str, context: dict) -> bool:
    """Send one account email from templates/accounts/email/<template>_{subject,body}.txt.

    Returns False (and logs, without the address) when the mail server refuses: the pages offer a
    way to ask again, so a registration is never lost to a mail outage.
    """
    subject = plain_text_render(template_name=f"accounts/email/{template}_subject.txt", context=context).strip()
    body = plain_text_render(template_name=f"accounts/email/{template}_body.txt", context=context)
    try:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [to])
    except Exception:
        logger.exception("Could not send the %s email", template)
        return False
    return True


def verification_link(*, request, user: User) -> str:
    path = reverse(
        "accounts:verify_email",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": email_verification_token.make_token(user),
        },
    )
    return request.build_absolute_uri(path)


def verification_email_send(*, request, user: User) -> bool:
    return account_email_send(
        to=user.email,
        template="verify",
        context={"user": user, "link": verification_link(request=request, user=user)},
    )


def user_register(*, request, data: dict, on_created=None, verification_send=None) -> None:
    """Register a new provider-portal user, or tell the owner of the address why we could not.

    The page answers the same in every case (ACC-1: no account enumeration): an address that is
    already registered gets a note by email, and so does a new address whose chosen user name is
    taken. Only the owner of the mailbox learns either fact.

    ECRM registers through here too: ``on_created(user)`` runs in the same transaction as the new
    user (its profile), and ``verification_send(request=, user=)`` replaces the verification email.
    """
    email, username = data["email"], data["username"]
    if User.objects.filter(email__iexact=email).exists():
        account_email_send(
            to=email, template="already_registered", context={"login_url": _absolute(request, "accounts:login")}
        )
        return
    if User.objects.filter(username__iexact=username).exists():
        account_email_send(
            to=email,
            template="username_taken",
            context={"username": username, "register_url": _absolute(request, "accounts:register")},
        )
        return
    try:
        with transaction.atomic():
            user = User(
                username=username,
                first_name=data["first_name"],
                last_name=data["last_name"],
                email=email,
                phone=data["phone"],
                phone_ext=data.get("phone_ext", ""),
                npi=data["npi"],
                tax_id=data["tax_id"],
                organization_name=data.get("organization_name", ""),
                is_active=False,  # usable once the email is verified and a password created
            )
            user.set_unusable_password()
            user.save()
            if on_created is not None:
                on_created(user)
            audit_record(action="account.registered", request=request, actor=user, target=user)
    except IntegrityError:
        # The same address or user name registered a moment ago, by a double submit or a race.
        return
    (verification_send or verification_email_send)(request=request, user=user)


def verification_resend(*, request, email: str) -> None:
    """Send a fresh link to an account still waiting for its password; silent otherwise."""
    user = User.objects.filter(email__iexact=email.strip(), is_active=False, last_login__isnull=True).first()
    if user is not None and not user.has_usable_password():
        verification_email_send(request=request, user=user)
        audit_record(action="account.verification_resent", request=request, actor=user, target=user)


def email_verify(*, request, user: User) -> None:
    if user.email_verified_at is None:
        user.email_verified_at = timezone.now()
        user.save(update_fields=["email_verified_at"])
        audit_record(action="account.email_verified", request=request, actor=user, target=user)


@transaction.atomic
def password_create(*, request, form) -> User:
    """Set the first password from a valid CreatePasswordForm and open the account, joining the
    practice of the registered tax ID (its first member becomes the website access manager)."""
    user = form.save(commit=False)
    user.is_active = True
    if user.email_verified_at is None:
        user.email_verified_at = timezone.now()
    user.save()
    audit_record(action="account.password_created", request=request, actor=user, target=user)
    if user.tax_id:
        practice_join(user=user, tin=user.tax_id, request=request)
    return user


def _absolute(request, url_name: str) -> str:
    return request.build_absolute_uri(reverse(url_name))
