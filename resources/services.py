import datetime

from django.db import transaction

from reference.models import HealthPlan, Program
from resources.catalog import GUIDELINES
from resources.models import ClinicalGuideline


@transaction.atomic
def guidelines_load() -> None:
    for program_code, title, version, effective, summary, plan_codes in GUIDELINES:
        guideline, _ = ClinicalGuideline.objects.update_or_create(
            program=Program.objects.get(code=program_code),
            title=title,
            version=version,
            defaults={
                "effective_date": datetime.date.fromisoformat(effective),
                "summary": summary,
            },
        )
        guideline.health_plans.set(HealthPlan.objects.filter(code__in=plan_codes))
