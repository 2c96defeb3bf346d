from django.apps import AppConfig


class PracticesConfig(AppConfig):
    """Who works for whom: practices (TINs) and entitlements, providers on an account, shared worklists."""

    name = "practices"
