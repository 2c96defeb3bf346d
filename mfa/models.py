"""MFA devices (ACC-5) and remembered browsers (seed 003).

Email and SMS devices keep only a keyed hash of the PIN they sent, never the PIN itself (django-otp's
EmailDevice stores it in clear). The authenticator app is django-otp's TOTPDevice and a passkey is
django-otp-webauthn's WebAuthnCredential, each seen through a proxy that gives every method the same small
interface: ``method``, ``delivers_pin``, ``destination_masked`` and ``label``.
"""

from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import models
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django_otp.models import CooldownMixin, SideChannelDevice, ThrottlingMixin, TimestampMixin, VerifyNotAllowed
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import random_number_token
from django_otp_webauthn.models import WebAuthnCredential

from accounts.services import plain_text_render
from delivery.sms import send_sms
from reference.validators import validate_us_phone

PIN_LENGTH = 6
# Wrong guesses wait 1, 2, 4, 8... seconds before the next one is even checked (django-otp's back-off),
# so guessing a 6-digit PIN before it expires is hopeless.
PIN_THROTTLE_FACTOR_SECONDS = 1
# ...but never longer than this. Someone who knows only the password reaches the same page, and the wait
# outlives Resend and new sessions: uncapped, it doubled without end and a patient stranger could keep the
# owner out for days. At 96 tries a day against a million codes guessing stays hopeless, and the owner is told.
PIN_THROTTLE_MAX_WAIT = timedelta(minutes=15)
# After this many wrong codes in a row the owner is emailed, once per run of failures: a typo or two is
# normal, five means the next wait is 16 seconds and growing.
PIN_THROTTLE_NOTICE_FAILURES = 5
# A new PIN can be asked for once a minute (django-otp's own default for email).
PIN_RESEND_COOLDOWN_SECONDS = 60


class Method(models.TextChoices):
    APP = "app", "Authenticator app"
    PASSKEY = "passkey", "Passkey"
    EMAIL = "email", "Email"
    SMS = "sms", "SMS"


def mask_email(address: str) -> str:
    """m*****n@o*****.example: enough for the owner to recognise, too little to harvest."""
    local, _, domain = (address or "").partition("@")
    if not local or not domain:
        return "*****"
    masked_local = f"{local[0]}*****{local[-1]}" if len(local) > 1 else f"{local}*****"
    *names, top_level = domain.split(".")
    if not names:
        return f"{masked_local}@{domain[0]}*****"
    return f"{masked_local}@" + ".".join(f"{name[:1]}*****" for name in names) + f".{top_level}"


def mask_phone(digits: str) -> str:
    """***-***-4321."""
    return f"***-***-{(digits or '')[-4:]}"


class CappedThrottlingMixin:
    """django-otp's ThrottlingMixin back-off (factor x 2^(n-1) seconds after n wrong codes in a row) with
    the wait capped at PIN_THROTTLE_MAX_WAIT. Put it before the django-otp device class in the bases."""

    def throttle_wait(self) -> timedelta:
        failures = self.throttling_failure_count
        if failures <= 0:
            return timedelta(0)
        # The exponent is bounded first: 2**40 seconds is far past the cap, and a huge count stays cheap.
        seconds = self.get_throttle_factor() * 2 ** min(failures - 1, 40)
        return min(timedelta(seconds=seconds), PIN_THROTTLE_MAX_WAIT)

    @property
    def throttle_notice_due(self) -> bool:
        """True right after the wrong code that starts a throttling episode (counts only grow until a reset)."""
        return self.throttling_failure_count == PIN_THROTTLE_NOTICE_FAILURES

    def verify_is_allowed(self):
        if self.throttling_enabled and self.throttling_failure_count > 0 and self.throttling_failure_timestamp:
            locked_until = self.throttling_failure_timestamp + self.throttle_wait()
            if timezone.now() < locked_until:
                return False, {
                    "reason": VerifyNotAllowed.N_FAILED_ATTEMPTS,
                    "failure_count": self.throttling_failure_count,
                    "locked_until": locked_until,
                }
        # Past ThrottlingMixin's own (uncapped) check, on to the rest of the device's checks.
        return super(ThrottlingMixin, self).verify_is_allowed()


class HashedSideChannelDevice(CappedThrottlingMixin, TimestampMixin, CooldownMixin, ThrottlingMixin, SideChannelDevice):
    """A device that sends a one-time PIN through another channel and keeps only its keyed hash.

    Subclasses implement ``deliver(pin)``. A PIN expires after ``MFA_PIN_VALIDITY_SECONDS``, works once,
    wrong guesses are throttled, and a new one is refused during the resend cooldown.
    """

    # SideChannelDevice's clear-text column is removed; the hash takes its place.
    token = None
    token_hash = models.CharField(max_length=64, blank=True, default="", editable=False)

    class Meta(SideChannelDevice.Meta):
        abstract = True

    method: Method
    delivers_pin = True

    @property
    def destination_masked(self) -> str:
        raise NotImplementedError

    @property
    def label(self) -> str:
        raise NotImplementedError

    @property
    def has_pending_pin(self) -> bool:
        return bool(self.token_hash) and timezone.now() < self.valid_until

    def _pin_hash(self, pin: str) -> str:
        # Keyed with SECRET_KEY and bound to this device: a copy of the table alone cannot be tried
        # against the million possible PINs, and one device's hash says nothing about another's.
        return salted_hmac(
            "mfa.HashedSideChannelDevice.pin", f"{self.persistent_id}:{pin}", algorithm="sha256"
        ).hexdigest()

    def generate_token(self, length=PIN_LENGTH, valid_secs=None, commit=True) -> str:
        """Make a new PIN, keep its hash and expiry, and return the PIN for delivery (it is not stored)."""
        pin = random_number_token(length)
        self.token_hash = self._pin_hash(pin)
        self.valid_until = timezone.now() + timedelta(seconds=valid_secs or settings.MFA_PIN_VALIDITY_SECONDS)
        if commit:
            self.save()
        return pin

    def generate_challenge(self) -> str:
        """Send a new PIN unless the resend cooldown is running. Raises whatever delivery raises."""
        allowed, _ = self.generate_is_allowed()
        if not allowed:
            return "A code was sent a moment ago."
        self.cooldown_set(commit=False)
        pin = self.generate_token(commit=True)
        self.deliver(pin)
        return f"Sent to {self.destination_masked}."

    def deliver(self, pin: str) -> None:
        raise NotImplementedError

    def verify_token(self, token) -> bool:
        allowed, _ = self.verify_is_allowed()
        if not allowed:
            return False
        now = timezone.now()
        candidate = str(token or "").strip()
        if self.has_pending_pin and constant_time_compare(self._pin_hash(candidate), self.token_hash):
            # Single use: the hash goes with the first success.
            self.token_hash = ""
            self.valid_until = now
            self.throttle_reset(commit=False)
            self.cooldown_reset(commit=False)
            self.set_last_used_timestamp(commit=False)
            self.save()
            return True
        self.throttle_increment(commit=True)
        return False

    def get_throttle_factor(self):
        return PIN_THROTTLE_FACTOR_SECONDS

    def get_cooldown_duration(self):
        return PIN_RESEND_COOLDOWN_SECONDS

    def _message_context(self, pin: str) -> dict:
        return {"pin": pin, "minutes": max(1, settings.MFA_PIN_VALIDITY_SECONDS // 60)}


class EmailPinDevice(HashedSideChannelDevice):
    """Seed 002, "Email": a 6-digit PIN sent to an email address."""

    method = Method.EMAIL
    sent_to_heading = "We've sent an email to:"
    email = models.EmailField(max_length=254)

    class Meta(HashedSideChannelDevice.Meta):
        verbose_name = "email PIN device"

    @property
    def destination_masked(self) -> str:
        return mask_email(self.email)

    @property
    def label(self) -> str:
        return f"Email to {self.destination_masked}"

    def deliver(self, pin: str) -> None:
        context = {**self._message_context(pin), "user": self.user}
        send_mail(
            plain_text_render(template_name="mfa/pin_email_subject.txt", context=context).strip(),
            plain_text_render(template_name="mfa/pin_email.txt", context=context),
            None,
            [self.email],
        )


class SMSPinDevice(HashedSideChannelDevice):
    """Seed 002, "SMS": a 6-digit PIN sent by text message to a US mobile number."""

    method = Method.SMS
    sent_to_heading = "We've sent a text message to:"
    number = models.CharField("mobile phone number", max_length=10, validators=[validate_us_phone])

    class Meta(HashedSideChannelDevice.Meta):
        verbose_name = "SMS PIN device"

    @property
    def destination_masked(self) -> str:
        return mask_phone(self.number)

    @property
    def label(self) -> str:
        return f"Text message (SMS) to {self.destination_masked}"

    def deliver(self, pin: str) -> None:
        body = plain_text_render(template_name="mfa/pin_sms.txt", context=self._message_context(pin))
        send_sms(to=f"+1{self.number}", body=body.strip())


class AuthenticatorAppDevice(CappedThrottlingMixin, TOTPDevice):
    """django-otp's TOTP device (an authenticator app), with the interface the MFA pages use."""

    method = Method.APP
    delivers_pin = False
    sent_to_heading = ""

    class Meta:
        proxy = True
        verbose_name = "authenticator app"

    @property
    def destination_masked(self) -> str:
        return ""

    @property
    def label(self) -> str:
        return "Authenticator app"

    @property
    def has_pending_pin(self) -> bool:
        return False


class PasskeyDevice(WebAuthnCredential):
    """django-otp-webauthn's passkey (a WebAuthn credential), with the interface the MFA pages use.

    The row is written only when the browser's registration passed every check, so a passkey is confirmed
    from the start; ``name`` records the browser it was made in ("Passkey (Chrome on Windows)").
    """

    method = Method.PASSKEY
    delivers_pin = False
    sent_to_heading = ""

    class Meta:
        proxy = True
        verbose_name = "passkey"

    @property
    def destination_masked(self) -> str:
        return ""

    @property
    def label(self) -> str:
        return self.name or "Passkey"

    @property
    def has_pending_pin(self) -> bool:
        return False


# The devices the MFA pages offer, in the order the setup page recommends them.
DEVICE_MODELS = (AuthenticatorAppDevice, PasskeyDevice, EmailPinDevice, SMSPinDevice)


class RememberedDevice(models.Model):
    """A browser on which the user ticked "Remember this device for 30 days".

    The browser holds a signed cookie naming this row and a random token; the row keeps only the token's
    hash, so neither a copy of the table nor the signing key alone makes a working cookie. A password
    change voids it (``password_fingerprint`` no longer matches), as does forgetting it or expiry.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="remembered_devices")
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    # The MFA device the user proved when they ticked the box (a django-otp persistent id).
    otp_device_id = models.CharField("verified with", max_length=100)
    password_fingerprint = models.CharField(max_length=64, editable=False)
    label = models.CharField("device", max_length=100)
    created_at = models.DateTimeField("remembered on", default=timezone.now)
    last_used_at = models.DateTimeField("last used", default=timezone.now)
    expires_at = models.DateTimeField("expires")

    class Meta:
        ordering = ["-last_used_at", "-pk"]
        indexes = [models.Index(fields=["user", "expires_at"], name="mfa_remembered_user_expiry")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(expires_at__gt=models.F("created_at")),
                name="mfa_remembered_expires_after_creation",
            ),
        ]

    def __str__(self):
        return f"{self.label} ({self.user})"

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()
