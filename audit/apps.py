from django.apps import AppConfig


class AuditConfig(AppConfig):
    """The audit log: who did or saw what, when, from where (SEC-2)."""

    name = "audit"
