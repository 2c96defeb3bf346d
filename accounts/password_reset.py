"""Forgot password in three steps (seed 000): 1 Identify, 2 Verify, 3 Reset.

The steps keep their state in the session: the typed user name after step 1, the verified user
after step 2 (valid for RESET_WINDOW). A user name that matches no open account walks the same
steps with a stable made-up masked address of the same shapes as real ones, the same one-a-minute
limit on sending, and a code that never arrives, so the pages do not tell anyone which user names
exist (ACC-6).
"""

import datetime
import secrets
import string

from axes.handlers.proxy import AxesProxyHandler
from axes.utils import reset as axes_reset
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

from accounts.models import PasswordResetCode, PasswordResetSend, User
from accounts.services import account_email_send
from audit.services import audit_record

CODE_VALIDITY = datetime.timedelta(minutes=10)
RESEND_COOLDOWN = datetime.timedelta(seconds=60)
MAX_FAILED_ATTEMPTS = 5
RESET_WINDOW = datetime.timedelta(minutes=15)
SESSION_USERNAME = "password_reset_username"
SESSION_VERIFIED = "password_reset_verified"  # {"user": pk, "at": iso timestamp}


# Made-up local parts: about a third are short (six characters or fewer, masked "p*****"), like many
# real ones, and each letter comes three times as often as each digit.
MADE_UP_LOCAL_LENGTHS = (3, 4, 5, 5, 6, 6, 7, 7, 8, 8, 8, 9, 9, 10, 10, 11, 12, 13, 14, 16)
MADE_UP_LOCAL_CHARACTERS = string.ascii_lowercase * 3 + string.digits


def mask_email(email: str) -> str:
    """mmcdonagan@office.example -> mmc*****gan@***** (seed 000)."""
    local = email.split("@", 1)[0]
    shown = f"{local[:3]}*****{local[-3:]}" if len(local) > 6 else f"{local[:1]}*****"
    return f"{shown}@*****"


def _username_digest(purpose: str, username: str) -> bytes:
    # Keyed with SECRET_KEY: stable for one user name across tries, unguessable from the name alone.
    return salted_hmac(f"accounts.password_reset.{purpose}", username, algorithm="sha256").digest()


def _made_up_address(username: str) -> str:
    """A stable address for a user name with no open account, masked by the same mask_email."""
    digest = _username_digest("made_up_address", username)
    length = MADE_UP_LOCAL_LENGTHS[digest[0] % len(MADE_UP_LOCAL_LENGTHS)]
    local = "".join(MADE_UP_LOCAL_CHARACTERS[byte % len(MADE_UP_LOCAL_CHARACTERS)] for byte in digest[1 : 1 + length])
    return f"{local}@example.invalid"


def _code_hash(user: User, code: str) -> str:
    return salted_hmac("accounts.password_reset_code", f"{user.pk}:{code}").hexdigest()


def reset_user(username: str) -> User | None:
    """The open account with exactly this user name (user names are case-sensitive at login too)."""
    return User.objects.filter(username=username, is_active=True).first() if username else None


def masked_address_for(username: str) -> str:
    user = reset_user(username)
    return mask_email(user.email if user and user.email else _made_up_address(username))


def _send_slot_take(username: str) -> bool:
    """Record a send for this typed user name; False if one was recorded less than RESEND_COOLDOWN ago.

    Kept in the database, not the session or a per-process cache, so a new session or another web
    worker sees the same limit, for real and unknown user names alike.
    """
    now = timezone.now()
    with transaction.atomic():
        PasswordResetSend.objects.filter(sent_at__lte=now - RESEND_COOLDOWN).delete()
        _, created = PasswordResetSend.objects.get_or_create(
            username_digest=_username_digest("send", username).hex(), defaults={"sent_at": now}
        )
    return created


def reset_code_send(*, request, username: str) -> None:
    """Email a new code, unless one was asked for this user name less than a minute ago (ValidationError).

    The limit applies before anyone looks the name up, so it answers the same whether or not it exists.
    """
    if not _send_slot_take(username):
        raise ValidationError("A code was sent less than a minute ago. Check your email, or wait a minute to resend.")
    user = reset_user(username)
    if user is None or not user.email:
        return
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
