from django.db.models import Prefetch, QuerySet

from reference.models import HealthPlan
from resources.models import ClinicalGuideline

# Seed 001: "If you would like to view all guidelines, type in "EviCore healthcare" as your health plan".
ALL_GUIDELINES_PLAN_NAMES = ("evicore", "evicore healthcare", "evicore by evernorth")


def guidelines_search(*, health_plan: str = "", program_code: str = "") -> QuerySet[ClinicalGuideline]:
    guidelines = ClinicalGuideline.objects.select_related("program").prefetch_related(
        Prefetch("health_plans", queryset=HealthPlan.objects.order_by("name"))
    )
    plan = health_plan.strip()
    if plan and plan.lower() not in ALL_GUIDELINES_PLAN_NAMES:
        guidelines = guidelines.filter(health_plans__name__icontains=plan).distinct()
    if program_code:
        guidelines = guidelines.filter(program__code=program_code)
    return guidelines.order_by("program__sort_order", "title")
