from django.apps import AppConfig


class CasesConfig(AppConfig):
    """Prior-authorization cases: the CareCore case build, worklist, determinations (issue 5 on)."""

    name = "cases"

    def ready(self):
        from cases import receivers  # noqa: F401  (search texts follow a renamed provider or site)
