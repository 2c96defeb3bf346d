"""Signed, expiring links with no table behind them (Django's password-reset token design)."""

from django.contrib.auth.tokens import PasswordResetTokenGenerator


class EmailVerificationTokenGenerator(PasswordResetTokenGenerator):
    """The registration link: verifies the email and leads to password creation.

    The hash covers the password, so the link stops working once the password is created (single
    use), and the email, so a link sent to an old address dies when the address changes.
    Expiry: PASSWORD_RESET_TIMEOUT (three days by default), like Django's reset links.
    """

    key_salt = "accounts.tokens.EmailVerificationTokenGenerator"

    def _make_hash_value(self, user, timestamp):
        return f"{user.pk}{user.password}{user.email}{user.is_active}{timestamp}"


email_verification_token = EmailVerificationTokenGenerator()
