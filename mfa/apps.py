from django.apps import AppConfig


class MfaConfig(AppConfig):
    """Multi-factor authentication: device registration, PIN verification, remembered devices."""

    name = "mfa"
    verbose_name = "Multi-factor authentication"
