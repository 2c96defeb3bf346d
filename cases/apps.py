from django.apps import AppConfig


class CasesConfig(AppConfig):
    """Prior-authorization cases: the CareCore case build, worklist, determinations (issue 5 on)."""

    name = "cases"
