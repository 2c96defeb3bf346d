from django.apps import AppConfig


class CorrespondenceConfig(AppConfig):
    """Letters (hold, determination, appeal) rendered to PDF, and their deliveries by fax, email notice and mail."""

    name = "correspondence"

    def ready(self):
        from correspondence import receivers  # noqa: F401  (connects the letters to the case events)
