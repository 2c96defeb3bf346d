from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.crypto import salted_hmac

from reference.validators import validate_npi, validate_tin, validate_us_phone


class User(AbstractUser):
    """A portal user: provider office staff, ECRM office staff, or a reviewer (staff, in the admin).

    The registration fields follow the CareCore "User Information / Contact Info / Physician/Facility
    Information" form (seed 002). An account is usable once its email is verified and a password set.
    """

    phone = models.CharField(max_length=10, blank=True, validators=[validate_us_phone])
    phone_ext = models.CharField("Ext", max_length=6, blank=True)
    npi = models.CharField("Individual NPI", max_length=10, blank=True, validators=[validate_npi])
    tax_id = models.CharField("Tax ID", max_length=9, blank=True, validators=[validate_tin])
    organization_name = models.CharField(max_length=120, blank=True)
    email_verified_at = models.DateTimeField(null=True, blank=True)
    # Part of the session hash: raising it ends every session of the user ("sign out other sessions").
    session_epoch = models.PositiveIntegerField(default=0, editable=False)
    # The default time zone confirmed on the first visit to the P2P scheduling tool (P2P-2): an IANA name of
    # ``p2p.models.US_TIME_ZONES``; blank until confirmed.
    time_zone = models.CharField("Default time zone", max_length=40, blank=True)

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"
        constraints = [
            # One account per email address (case-insensitive), so a verified email names one person.
            models.UniqueConstraint(
                models.functions.Lower("email"),
                name="unique_user_email_ci",
                condition=~models.Q(email=""),
            ),
        ]

    @property
    def display_name(self):
        return self.get_full_name() or self.username

    @property
    def is_email_verified(self):
        return self.email_verified_at is not None

    def _get_session_auth_hash(self, secret=None):
        # Django ends sessions whose stored hash no longer matches: a new password or a new epoch.
        key_salt = "accounts.models.User.get_session_auth_hash"
        return salted_hmac(
            key_salt, f"{self.password}:{self.session_epoch}", secret=secret, algorithm="sha256"
        ).hexdigest()


class PasswordResetCode(models.Model):
    """A 6-digit code emailed in step 2 of "Forgot password?" (seed 000). Only its hash is stored;
    it expires, works once, and dies after a few wrong guesses."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="password_reset_codes")
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    failed_attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "-created_at"], name="reset_code_user_idx")]

    def __str__(self):
        return f"Reset code for {self.user} at {self.created_at:%Y-%m-%d %H:%M}"


class PasswordResetSend(models.Model):
    """When a reset code was last asked for, per typed user name, whether or not an account has it.

    The one-a-minute limit lives here rather than on PasswordResetCode so that it answers the same for
    every user name and tells no one which exist (ACC-6). The name is kept only as a keyed digest, and
    rows older than the limit are deleted as new ones come in.
    """

    username_digest = models.CharField(max_length=64, unique=True)
    sent_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["sent_at"], name="reset_send_sent_at_idx")]

    def __str__(self):
        return f"Reset code asked for at {self.sent_at:%Y-%m-%d %H:%M:%S}"
