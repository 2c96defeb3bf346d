from django.apps import AppConfig


class ResourcesConfig(AppConfig):
    """The Resources pages: clinical guidelines, provider resources, contacts."""

    name = "resources"
