"""Writes for MFA (ACC-5, seed 003): register devices, send and check PINs, passkeys, remember browsers.

Every step writes an audit row (SEC-2) whose details name the method and device, never a PIN or an
address.
"""

import hashlib
import logging
import math
import secrets
from datetime import timedelta

import django_otp
from django.conf import settings
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django_otp_webauthn.exceptions import CredentialDisabled, OTPWebAuthnApiError
from webauthn.helpers.exceptions import WebAuthnException

from accounts.services import account_email_send
from audit.services import audit_record
from mfa.models import (
    PIN_THROTTLE_MAX_WAIT,
    AuthenticatorAppDevice,
    EmailPinDevice,
    Method,
    PasskeyDevice,
    RememberedDevice,
    SMSPinDevice,
)
from mfa.selectors import (
    SESSION_DEVICE,
    SESSION_VERIFIED_AT,
    mfa_device_get,
    mfa_may_add_device,
    mfa_session_is_verified,
    mfa_user_has_passkey,
)

logger = logging.getLogger(__name__)

REMEMBER_COOKIE_NAME = "portal_mfa_remembered"
REMEMBER_COOKIE_SALT = "mfa.remembered_device"
# The cookie is only ever read by the MFA pages, so no other page receives it.
REMEMBER_COOKIE_PATH = "/mfa/"

PIN_DEVICE_MODELS = {Method.EMAIL: EmailPinDevice, Method.SMS: SMSPinDevice}
PIN_DESTINATION_FIELDS = {Method.EMAIL: "email", Method.SMS: "number"}
# Devices that wait, unconfirmed, for their first code. A passkey never does: its row is written by a
# successful registration, and an unconfirmed passkey is one that support turned off.
PENDING_DEVICE_MODELS = (AuthenticatorAppDevice, EmailPinDevice, SMSPinDevice)

# A passkey ceremony's challenge (django-otp-webauthn's state), from the options to the browser's answer.
SESSION_PASSKEY_REGISTRATION = "mfa_passkey_registration"
SESSION_PASSKEY_AUTHENTICATION = "mfa_passkey_authentication"


def _details(device, **extra) -> dict:
    return {"method": str(device.method), "device": device.persistent_id, **extra}


def _locked(device):
    """The device row again, locked, so two tabs cannot both spend one PIN or dodge the throttle."""
    return type(device).objects.select_for_update().get(pk=device.pk)


def _seconds_until(moment) -> int:
    return max(1, math.ceil((moment - timezone.now()).total_seconds()))


def _pending_devices_discard(user) -> None:
    """One unconfirmed device at a time: starting a new set-up abandons the last one."""
    for model in PENDING_DEVICE_MODELS:
        model.objects.filter(user=user, confirmed=False).delete()


# --- Devices -----------------------------------------------------------------------------------


@transaction.atomic
def mfa_pin_device_register(*, request, method: str, destination: str):
    """Seed 002: "Choose ... Email or SMS. Then, enter your email address or mobile phone number", and
    "Send PIN". The device stays unconfirmed until its first PIN comes back."""
    if not mfa_may_add_device(request):
        raise PermissionDenied("Verify your identity before adding another method.")
    model = PIN_DEVICE_MODELS[Method(method)]
    _pending_devices_discard(request.user)
    device = model.objects.create(
        user=request.user,
        name=model.method.label,
        confirmed=False,
        **{PIN_DESTINATION_FIELDS[model.method]: destination},
    )
    mfa_pin_send(request=request, device=device)
    request.session[SESSION_DEVICE] = device.persistent_id
    return device


@transaction.atomic
def mfa_app_device_create(*, request) -> AuthenticatorAppDevice:
    """A new authenticator-app (TOTP) secret for the user to scan; unconfirmed until a code matches."""
    if not mfa_may_add_device(request):
        raise PermissionDenied("Verify your identity before adding another method.")
    _pending_devices_discard(request.user)
    device = AuthenticatorAppDevice.objects.create(
        user=request.user, name=AuthenticatorAppDevice.method.label, confirmed=False
    )
    request.session[SESSION_DEVICE] = device.persistent_id
    return device


def _device_confirm(*, request, device) -> None:
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    # Registering the same address twice leaves one device, the new one.
    field = PIN_DESTINATION_FIELDS.get(device.method)
    if field:
        type(device).objects.filter(user=device.user_id, confirmed=True, **{field: getattr(device, field)}).exclude(
            pk=device.pk
        ).delete()
    audit_record(action="mfa.device_added", request=request, target=device, details=_details(device))


# --- PINs and codes ----------------------------------------------------------------------------


def mfa_pin_send(*, request, device) -> None:
    """Send a new PIN to an email or SMS device; refused during the resend cooldown."""
    with transaction.atomic():
        device = _locked(device)
        allowed, info = device.generate_is_allowed()
        if not allowed:
            wait = _seconds_until(info["next_generation_at"])
            raise ValidationError(
                f"We sent a code less than a minute ago. Wait {wait} seconds, then select Resend.", code="cooldown"
            )
        try:
            device.generate_challenge()
        except Exception as error:
            # SMTP or the SMS provider failed: roll back, so the cooldown does not hold the user up.
            logger.exception("MFA PIN delivery failed for %s", device.persistent_id)
            raise ValidationError(
                "We could not send the code. Try again in a moment, or use a different verification method.",
                code="delivery_failed",
            ) from error
        audit_record(action="mfa.pin_sent", request=request, target=device, details=_details(device))


def _wait_in_words(seconds: int) -> str:
    if seconds < 120:
        return f"{seconds} seconds"
    return f"{math.ceil(seconds / 60)} minutes"


def _throttling_started_notify(*, request, device) -> None:
    """Tell the owner, once per run of wrong codes, that someone past their password is guessing.

    Sent to the account's address, not the device's, and names only the method: no code, number or
    address. The row lock in mfa_verify makes the failure count reach the threshold exactly once.
    """
    user = device.user
    audit_record(action="mfa.throttling_started", request=request, target=device, details=_details(device))
    if user.email:
        context = {
            "user": user,
            "method": device.method.label,
            "failures": device.throttling_failure_count,
            "max_wait_minutes": int(PIN_THROTTLE_MAX_WAIT.total_seconds() // 60),
        }
        transaction.on_commit(lambda: account_email_send(to=user.email, template="mfa_throttled", context=context))


def mfa_challenge_start(*, request, device) -> None:
    """Make ``device`` the one "Verify your identity" asks for, sending a PIN unless one is still valid.

    Raises ValidationError when a PIN is due but cannot be sent yet (cooldown) or at all.
    """
    request.session[SESSION_DEVICE] = device.persistent_id
    if device.delivers_pin and not device.has_pending_pin:
        mfa_pin_send(request=request, device=device)


def mfa_session_mark_verified(*, request, device) -> None:
    """This session passed MFA with ``device``: django-otp's marker, the time, and a new session key."""
    django_otp.login(request, device)
    request.session[SESSION_VERIFIED_AT] = timezone.now().timestamp()
    request.session.pop(SESSION_DEVICE, None)
    # A new key for the now more privileged session, as Django's login() does for the password step.
    request.session.cycle_key()


def mfa_session_expire(*, request) -> None:
    """Seed 003: "Authentication is good for 24 hours"; after that the session must pass MFA again."""
    request.session.pop(django_otp.DEVICE_ID_SESSION_KEY, None)
    request.session.pop(SESSION_VERIFIED_AT, None)
    request.user.otp_device = None
    audit_record(action="mfa.reverification_due", request=request)


def mfa_verify(*, request, device, code: str) -> None:
    """Check the code the user typed for ``device``; on success the session is verified.

    Raises ValidationError with the message for the page when the code is wrong, expired, or the
    device is throttled after wrong guesses.
    """
    if device.method == Method.PASSKEY:
        raise ValidationError("Verify with your passkey: it has no code to type.", code="passkey")
    with transaction.atomic():
        device = _locked(device)
        if device.user_id != request.user.pk:
            raise PermissionDenied
        allowed, info = device.verify_is_allowed()
        expired = device.method != Method.APP and bool(device.token_hash) and not device.has_pending_pin
        verified = allowed and device.verify_token(code)
        if verified and not device.confirmed:
            _device_confirm(request=request, device=device)
    if not allowed:
        audit_record(
            action="mfa.throttled",
            request=request,
            target=device,
            details=_details(device, failure_count=info["failure_count"]),
        )
        wait = _seconds_until(info["locked_until"])
        raise ValidationError(
            f"Too many incorrect codes. Wait {_wait_in_words(wait)}, then try again.",
            code="throttled",
            params={"wait": wait},
        )
    if not verified:
        audit_record(
            action="mfa.verify_failed",
            request=request,
            target=device,
            details=_details(device, failure_count=device.throttling_failure_count, expired=expired),
        )
        # A device still being set up locks no one out: starting the set-up again discards it.
        if device.confirmed and device.throttle_notice_due:
            _throttling_started_notify(request=request, device=device)
        if expired:
            raise ValidationError("This code has expired. Select Resend to get a new one.", code="expired")
        if device.method == Method.APP:
            raise ValidationError("The code is not correct. Enter the code your app shows now.", code="invalid")
        raise ValidationError("The code is not correct. Check it and try again, or select Resend.", code="invalid")
    mfa_session_mark_verified(request=request, device=device)
    audit_record(action="mfa.verified", request=request, target=device, details=_details(device))


# --- Passkeys (django-otp-webauthn does the WebAuthn checks; these add our rules and the session) ---------


def _webauthn(request):
    return PasskeyDevice.get_webauthn_helper(request=request)


def _ceremony_state_pop(request, key: str) -> dict | None:
    """The challenge this answer must match, spent before the answer is checked, so no answer is
    accepted twice. Saved at once, outside any transaction, so a failure further on cannot undo that."""
    state = request.session.pop(key, None)
    request.session.save()
    return state


def _passkey_name(request) -> str:
    """ "Passkey (Chrome on Windows)": where it was made, to tell a user's passkeys apart."""
    browser = _browser_label(request.META.get("HTTP_USER_AGENT", ""))
    return "Passkey" if browser == "Browser" else f"Passkey ({browser})"


def _passkey_refusal_reason(error) -> str:
    if isinstance(error, IntegrityError):
        return "already_registered"
    # django-otp-webauthn's errors carry a code; py_webauthn's say only that the answer did not verify.
    return getattr(error, "code", "") or "invalid_response"


@transaction.atomic
def mfa_passkey_registration_begin(*, request) -> dict:
    """ "Set up a passkey": the options (a challenge, the site, the user, passkeys they already have)
    the browser needs to create one. Starting abandons any other unfinished set-up."""
    if not mfa_may_add_device(request):
        raise PermissionDenied("Verify your identity before adding another method.")
    _pending_devices_discard(request.user)
    options, state = _webauthn(request).register_begin(user=request.user)
    request.session[SESSION_PASSKEY_REGISTRATION] = state
    return options


def mfa_passkey_register(*, request, credential: dict) -> PasskeyDevice:
    """Keep the passkey the browser created, once its answer matches the challenge, site and origin.

    A successful registration confirms it and, like the first code from a new app or PIN, verifies the
    session. Raises ValidationError with the message for the page when the answer does not pass.
    """
    state = _ceremony_state_pop(request, SESSION_PASSKEY_REGISTRATION)
    if not mfa_may_add_device(request):
        raise PermissionDenied("Verify your identity before adding another method.")
    if state is None:
        raise ValidationError("The passkey set-up had expired. Select Set up a passkey again.", code="no_challenge")
    try:
        with transaction.atomic():
            created = _webauthn(request).register_complete(user=request.user, state=state, data=credential)
            device = PasskeyDevice.objects.get(pk=created.pk)
            device.name = _passkey_name(request)
            device.save(update_fields=["name"])
            _device_confirm(request=request, device=device)
    except (WebAuthnException, OTPWebAuthnApiError, IntegrityError) as error:
        reason = _passkey_refusal_reason(error)
        logger.info("Passkey registration refused for user %s: %s", request.user.pk, reason)
        audit_record(
            action="mfa.passkey_refused", request=request, details={"method": Method.PASSKEY.value, "reason": reason}
        )
        if reason == "already_registered":
            raise ValidationError("This passkey is already set up.", code=reason) from error
        raise ValidationError(
            "We could not set up this passkey. Try again, or choose a different method.", code=reason
        ) from error
    mfa_session_mark_verified(request=request, device=device)
    audit_record(action="mfa.verified", request=request, target=device, details=_details(device))
    return device


def mfa_passkey_authentication_begin(*, request) -> dict:
    """ "Verify with a passkey": a challenge for one of the signed-in user's own passkeys to sign."""
    if not mfa_user_has_passkey(request.user):
        raise ValidationError("You have no passkey. Use a different verification method.", code="no_passkey")
    # The password came first, so the passkey counts as the thing the user has; the browser need not
    # also ask for its PIN or fingerprint (it still may).
    options, state = _webauthn(request).authenticate_begin(user=request.user, require_user_verification=False)
    request.session[SESSION_PASSKEY_AUTHENTICATION] = state
    return options


PASSKEY_VERIFY_REFUSALS = {
    "credential_not_found": "This passkey is not set up for your account. Use a different verification method.",
    "credential_user_mismatch": "This passkey is not set up for your account. Use a different verification method.",
    "credential_disabled": "This passkey has been turned off. Use a different verification method.",
}


def mfa_passkey_verify(*, request, credential: dict) -> PasskeyDevice:
    """Check the browser's signed answer with one of the user's own confirmed passkeys; on success the
    session is verified exactly as with a code. Another user's passkey is refused.

    Raises ValidationError with the message for the page when the answer does not pass.
    """
    state = _ceremony_state_pop(request, SESSION_PASSKEY_AUTHENTICATION)
    if state is None:
        raise ValidationError(
            "The passkey check had expired. Select Verify with a passkey to try again.", code="no_challenge"
        )
    try:
        with transaction.atomic():
            # Refuses a passkey of another user, and one whose signature, challenge, origin or count is wrong.
            used = _webauthn(request).authenticate_complete(user=request.user, state=state, data=credential)
            device = PasskeyDevice.objects.filter(pk=used.pk, user=request.user, confirmed=True).first()
            if device is None:
                # Rolls back the use just recorded on the row.
                raise CredentialDisabled()
    except (WebAuthnException, OTPWebAuthnApiError) as error:
        reason = _passkey_refusal_reason(error)
        audit_record(
            action="mfa.verify_failed", request=request, details={"method": Method.PASSKEY.value, "reason": reason}
        )
        message = PASSKEY_VERIFY_REFUSALS.get(
            reason, "The passkey check did not pass. Try again, or use a different verification method."
        )
        raise ValidationError(message, code=reason) from error
    mfa_session_mark_verified(request=request, device=device)
    audit_record(action="mfa.verified", request=request, target=device, details=_details(device))
    return device


@transaction.atomic
def mfa_device_throttle_reset(*, request, device) -> None:
    """Support lifts the wait after wrong codes (the user proved who they are by other means)."""
    device = _locked(device)
    device.throttle_reset(commit=True)
    audit_record(action="mfa.throttle_reset", request=request, target=device, details=_details(device))


# --- Remembered devices ------------------------------------------------------------------------


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _password_fingerprint(user) -> str:
    # Like Django's session auth hash: any password change (or reset) gives a different value.
    return salted_hmac("mfa.RememberedDevice.password", user.password, algorithm="sha256").hexdigest()


def _browser_label(user_agent: str) -> str:
    """ "Chrome on Windows": enough for the user to tell their browsers apart in a list."""
    browsers = (("Edg/", "Edge"), ("Firefox/", "Firefox"), ("Chrome/", "Chrome"), ("Safari/", "Safari"))
    systems = (
        ("iPhone", "iPhone"),
        ("iPad", "iPad"),
        ("Android", "Android"),
        ("Windows", "Windows"),
        ("Mac OS X", "macOS"),
        ("CrOS", "ChromeOS"),
        ("Linux", "Linux"),
    )
    browser = next((name for marker, name in browsers if marker in user_agent), "Browser")
    system = next((name for marker, name in systems if marker in user_agent), "")
    return f"{browser} on {system}" if system else browser


def _cookie_secure(request) -> bool:
    return request.is_secure() or settings.SESSION_COOKIE_SECURE


def remembered_device_cookie_delete(response) -> None:
    response.delete_cookie(REMEMBER_COOKIE_NAME, path=REMEMBER_COOKIE_PATH, samesite="Lax")


def _remembered_device_from_cookie(request) -> tuple[RememberedDevice | None, str]:
    """The row the browser's cookie names, if the cookie is genuine and still good; else why not."""
    max_age = timedelta(days=settings.MFA_REMEMBER_DEVICE_DAYS)
    try:
        data = signing.loads(request.COOKIES[REMEMBER_COOKIE_NAME], salt=REMEMBER_COOKIE_SALT, max_age=max_age)
        user_pk, remembered_pk, token = data["user"], int(data["device"]), str(data["token"])
    except signing.SignatureExpired:
        return None, "expired"
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None, "bad_signature"
    if user_pk != request.user.pk:
        return None, "other_user"
    remembered = RememberedDevice.objects.filter(pk=remembered_pk, user=request.user).first()
    if remembered is None:
        return None, "forgotten"
    if not constant_time_compare(_token_hash(token), remembered.token_hash):
        return None, "token_mismatch"
    if remembered.is_expired:
        return None, "expired"
    if not constant_time_compare(_password_fingerprint(request.user), remembered.password_fingerprint):
        return None, "password_changed"
    return remembered, ""


@transaction.atomic
def remembered_device_create(*, request, response) -> RememberedDevice:
    """ "Remember this device for 30 days": a row for this browser and a signed cookie on ``response``.

    The session must have just passed MFA; the device it used is the one the browser stands in for.
    """
    if not mfa_session_is_verified(request):
        raise PermissionDenied("Verify your identity first.")
    user, device = request.user, request.user.otp_device
    now = timezone.now()
    RememberedDevice.objects.filter(user=user, expires_at__lte=now).delete()
    token = secrets.token_urlsafe(32)
    remembered = RememberedDevice.objects.create(
        user=user,
        token_hash=_token_hash(token),
        otp_device_id=device.persistent_id,
        password_fingerprint=_password_fingerprint(user),
        label=_browser_label(request.META.get("HTTP_USER_AGENT", "")),
        created_at=now,
        last_used_at=now,
        expires_at=now + timedelta(days=settings.MFA_REMEMBER_DEVICE_DAYS),
    )
    response.set_cookie(
        REMEMBER_COOKIE_NAME,
        signing.dumps({"user": user.pk, "device": remembered.pk, "token": token}, salt=REMEMBER_COOKIE_SALT),
        max_age=int(timedelta(days=settings.MFA_REMEMBER_DEVICE_DAYS).total_seconds()),
        path=REMEMBER_COOKIE_PATH,
        secure=_cookie_secure(request),
        httponly=True,
        samesite="Lax",
    )
    audit_record(
        action="mfa.remembered_device_created",
        request=request,
        target=remembered,
        details={"device": device.persistent_id, "expires_days": settings.MFA_REMEMBER_DEVICE_DAYS},
    )
    return remembered


@transaction.atomic
def remembered_device_check(*, request) -> RememberedDevice | None:
    """If this browser is remembered for the signed-in user, verify the session without a PIN.

    Returns the remembered device, or None (no cookie, or a cookie that is forged, expired, forgotten,
    another user's, or older than the last password change).
    """
    if REMEMBER_COOKIE_NAME not in request.COOKIES:
        return None
    remembered, reason = _remembered_device_from_cookie(request)
    device = None
    if remembered is not None:
        device = mfa_device_get(user=request.user, persistent_id=remembered.otp_device_id, confirmed=True)
        reason = "" if device is not None else "device_removed"
    if device is None:
        audit_record(action="mfa.remembered_device_refused", request=request, details={"reason": reason})
        return None
    remembered.last_used_at = timezone.now()
    remembered.save(update_fields=["last_used_at"])
    mfa_session_mark_verified(request=request, device=device)
    audit_record(action="mfa.remembered_device_used", request=request, target=remembered, details=_details(device))
    return remembered


@transaction.atomic
def remembered_device_forget(*, request, remembered_device: RememberedDevice) -> None:
    """ "Forget this device": that browser will be asked for a code again (by its user, or by support)."""
    audit_record(
        action="mfa.remembered_device_forgotten",
        request=request,
        target=remembered_device,
        details={"user": remembered_device.user_id},
    )
    remembered_device.delete()


@transaction.atomic
def remembered_devices_forget_all(*, request) -> int:
    """Forget every remembered browser of the signed-in user; returns how many there were."""
    count, _ = RememberedDevice.objects.filter(user=request.user).delete()
    audit_record(action="mfa.remembered_devices_forgotten", request=request, details={"count": count})
    return count
