"""Forgot password in three steps (seed 000): 1 Identify, 2 Verify, 3 Reset.

The steps keep their state in the session: the typed user name after step 1, the verified user
after step 2 (valid for RESET_WINDOW). A user name that matches no open account walks the same
steps with a stable made-up masked address and a code that never arrives, so the pages do not
tell anyone which user names exist.
"""

import datetime
import secrets

from axes.handlers.proxy import AxesProxyHandler
from axes.utils import reset as axes_reset
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

from accounts.models import PasswordResetCode, User
from accounts.services import account_email_send
from audit.services import audit_record

CODE_VALIDITY = datetime.timedelta(minutes=10)
RESEND_COOLDOWN = datetime.timedelta(seconds=60)
MAX_FAILED_ATTEMPTS = 5
RESET_WINDOW = datetime.timedelta(minutes=15)
SESSION_USERNAME = "password_reset_username"
SESSION_VERIFIED = "password_reset_verified"  # {"user": pk, "at": iso timestamp}


def mask_email(email: str) -> str:
    """mmcdonagan@office.example -> mmc*****gan@***** (seed 000)."""
    local = email.split("@", 1)[0]
    shown = f"{local[:3]}*****{local[-3:]}" if len(local) > 6 else f"{local[:1]}*****"
    return f"{shown}@*****"


def _made_up_mask(username: str) -> str:
    letters = "".join(chr(ord("a") + int(c, 16) % 26) for c in salted_hmac("reset-mask", username.lower()).hexdigest())
    return mask_email(letters[:10] + "@x")


def _code_hash(user: User, code: str) -> str:
    return salted_hmac("accounts.password_reset_code", f"{user.pk}:{code}").hexdigest()


def reset_user(username: str) -> User | None:
    """The open account with exactly this user name (user names are case-sensitive at login too)."""
    return User.objects.filter(username=username, is_active=True).first() if username else None


def masked_address_for(username: str) -> str:
    user = reset_user(username)
    return mask_email(user.email) if user and user.email else _made_up_mask(username)


def reset_code_send(*, request, username: str) -> None:
    """Email a new code, unless one was sent less than a minute ago (ValidationError)."""
    user = reset_user(username)
    if user is None or not user.email:
        return
    latest = user.password_reset_codes.first()
    if latest and timezone.now() - latest.created_at < RESEND_COOLDOWN:
        raise ValidationError("A code was sent less than a minute ago. Check your email, or wait a minute to resend.")
    code = f"{secrets.randbelow(10**6):06d}"
    with transaction.atomic():
        # A new code voids the older ones.
        user.password_reset_codes.filter(used_at__isnull=True).update(used_at=timezone.now())
        PasswordResetCode.objects.create(
            user=user, code_hash=_code_hash(user, code), expires_at=timezone.now() + CODE_VALIDITY
        )
    account_email_send(to=user.email, template="reset_code", context={"user": user, "code": code})
    audit_record(action="account.reset_code_sent", request=request, actor=user, target=user)


def reset_code_verify(*, request, username: str, code: str) -> User:
    """The user whose latest code this is; ValidationError otherwise (same message for any failure)."""
    wrong = ValidationError("That code is not correct or has expired. Check the code, or send a new one.")
    user = reset_user(username)
    if user is None:
        raise wrong
    with transaction.atomic():
        latest = PasswordResetCode.objects.select_for_update().filter(user=user).first()
        usable = (
            latest is not None
            and latest.used_at is None
            and latest.expires_at > timezone.now()
            and latest.failed_attempts < MAX_FAILED_ATTEMPTS
        )
        matches = usable and constant_time_compare(latest.code_hash, _code_hash(user, code))
        if matches:
            latest.used_at = timezone.now()
            latest.save(update_fields=["used_at"])
        elif usable:
            # Counted inside the transaction but raised after it, so the count is kept.
            latest.failed_attempts += 1
            latest.save(update_fields=["failed_attempts"])
    if not matches:
        if usable:
            audit_record(action="account.reset_code_failed", request=request, actor=user, target=user)
        raise wrong
    audit_record(action="account.reset_code_verified", request=request, actor=user, target=user)
    return user


def is_locked(*, request, user: User) -> bool:
    return AxesProxyHandler.is_locked(request, {"username": user.get_username()})


@transaction.atomic
def password_reset_complete(*, request, form) -> User:
    """Save the new password. Every session of the user ends (Django ties sessions to the password
    hash) and the lockout count is cleared, so a reset always lets a locked-out user back in."""
    user = form.save()
    axes_reset(username=user.get_username())
    audit_record(action="account.password_reset", request=request, actor=user, target=user)
    transaction.on_commit(
        lambda: account_email_send(to=user.email, template="password_changed", context={"user": user})
    )
    return user
