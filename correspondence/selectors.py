"""Reads of the correspondence, scoped like the cases they belong to."""

from django.db.models import QuerySet

from cases.models import Case
from cases.permissions import cases_visible_to
from correspondence.models import Letter


def letters_visible_to(user) -> QuerySet[Letter]:
    """The letters of every case ``user`` may view (``cases_visible_to``); anything else answers 404."""
    return Letter.objects.filter(case__in=cases_visible_to(user).values("pk")).select_related("case")


def letters_for_case(case: Case) -> QuerySet[Letter]:
    """A case's letters, newest first, without their PDFs (the case page lists kind, date and link)."""
    return Letter.objects.filter(case=case).defer("pdf").order_by("-created_at", "-pk")
