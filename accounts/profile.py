"""Profile changes (ACC-7): password, email (verified before use), phone, other sessions."""

from django.contrib.auth import update_session_auth_hash
from django.core import signing
from django.db import transaction
from django.db.models import F
from django.urls import reverse

from accounts.models import User
from accounts.services import account_email_send
from audit.services import audit_record

EMAIL_CHANGE_SALT = "accounts.profile.email_change"
EMAIL_CHANGE_MAX_AGE = 3 * 24 * 3600


@transaction.atomic
def password_change(*, request, form) -> User:
    """Save the new password; this session stays signed in, every other one ends."""
    user = form.save()
    update_session_auth_hash(request, user)
    audit_record(action="account.password_changed", request=request, actor=user, target=user)
    transaction.on_commit(
        lambda: account_email_send(to=user.email, template="password_changed", context={"user": user})
    )
    return user


def email_change_request(*, request, user: User, new_email: str) -> None:
    """Send a confirmation link to the new address; the old one stays in use until it is followed.
    The old address is told, so a hijacked session cannot move the account away unnoticed."""
    token = signing.dumps({"user": user.pk, "old": user.email, "new": new_email}, salt=EMAIL_CHANGE_SALT)
    link = request.build_absolute_uri(reverse("accounts:email_change_confirm", kwargs={"token": token}))
    account_email_send(to=new_email, template="email_change", context={"user": user, "link": link})
    if user.email:
        account_email_send(
            to=user.email, template="email_change_notice", context={"user": user, "new_email": new_email}
        )
    audit_record(action="account.email_change_requested", request=request, actor=user, target=user)


class EmailChangeError(Exception):
    pass


@transaction.atomic
def email_change_confirm(*, request, token: str) -> User:
    """Apply a change from its link. Works once: after it, the old address no longer matches."""
    try:
        data = signing.loads(token, salt=EMAIL_CHANGE_SALT, max_age=EMAIL_CHANGE_MAX_AGE)
    except signing.BadSignature as error:  # SignatureExpired is a BadSignature
        raise EmailChangeError(
            "This link has expired or is not valid. Ask for the change again from your profile."
        ) from error
    user = User.objects.select_for_update().filter(pk=data.get("user"), email=data.get("old"), is_active=True).first()
    if user is None:
        raise EmailChangeError("This link has already been used or no longer applies.")
    if User.objects.filter(email__iexact=data["new"]).exclude(pk=user.pk).exists():
        raise EmailChangeError("That email address is now used by another account.")
    user.email = data["new"]
    user.save(update_fields=["email"])
    audit_record(action="account.email_changed", request=request, actor=user, target=user)
    return user


def phone_change(*, request, user: User, phone: str, phone_ext: str) -> None:
    user.phone, user.phone_ext = phone, phone_ext
    user.save(update_fields=["phone", "phone_ext"])
    audit_record(action="account.phone_changed", request=request, actor=user, target=user)


@transaction.atomic
def other_sessions_end(*, request, user: User) -> None:
    User.objects.filter(pk=user.pk).update(session_epoch=F("session_epoch") + 1)
    user.refresh_from_db(fields=["session_epoch"])
    update_session_auth_hash(request, user)
    audit_record(action="account.other_sessions_ended", request=request, actor=user, target=user)
