from django.apps import AppConfig


class DeliveryConfig(AppConfig):
    """Pluggable delivery backends for the outside world: SMS now, fax with correspondence."""

    name = "delivery"
