from django.apps import AppConfig


class ReferenceConfig(AppConfig):
    """Reference data: programs, health plans, code sets, the provider directory and members."""

    name = "reference"
    verbose_name = "Reference data"
