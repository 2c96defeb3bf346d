from django.apps import AppConfig


class EcrmConfig(AppConfig):
    """ECRM ticketing: provider questions, eligibility problems, complaints."""

    name = "ecrm"
    verbose_name = "ECRM"
