"""ECRM registration (SPEC ECRM-1): the account and its ECRM profile, the verification email and its resend,
and the opened account's email with the link to set the password.

Registration goes through ``accounts.services.user_register`` (the same no-enumeration answers, the same
token), with ECRM's profile and verification email; the password is then set through the accounts' three-step
Identify / Verify / Reset flow, under the same password validators.
"""

from django.db import transaction
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts.services import email_verify, user_register
from accounts.tokens import email_verification_token
from audit.services import audit_record
from ecrm.emails import ecrm_email_send
from ecrm.models import EcrmProfile


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
