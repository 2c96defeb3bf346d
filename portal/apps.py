from pathlib import Path

from django.apps import AppConfig
from django.conf import settings


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = "Portal operations"

    def ready(self):
        # kombu's filesystem transport expects its folders to exist, in the web process (which
        # sends) as much as in the worker (which receives).
        if settings.CELERY_BROKER_URL.startswith("filesystem://"):
            options = settings.CELERY_BROKER_TRANSPORT_OPTIONS
            for key in ("data_folder_in", "data_folder_out", "processed_folder", "control_folder"):
                Path(options[key]).mkdir(parents=True, exist_ok=True)
