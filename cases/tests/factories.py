"""Cases at any point of the build, made through the same services the wizard calls.

Use with the ``catalog`` fixture (programs, plans, HCPCS codes) and, for diagnoses, ``icd10cm``
or a ``DiagnosisCode`` made in the test.
"""

import datetime

from django.utils import timezone

from accounts.tests.factories import UserFactory
from cases import services
from cases.models import BuilderRole, Case
from reference.models import DiagnosisCode, HealthPlan, Program, Site
from reference.tests.factories import EligibilityFactory, MemberFactory, ProviderFactory, SiteFactory


def diagnosis(
    code="S92.151A",
    description="Displaced avulsion fracture (chip fracture) of right talus, initial encounter for closed fracture",
):
    found, _ = DiagnosisCode.objects.get_or_create(
        code=code, defaults={"description": description, "is_billable": True}
    )
    return found


def draft_case(*, program="home-health", user=None, role=BuilderRole.REFERRING_PHYSICIAN, **overrides) -> Case:
    """A draft with every pre-attestation step filled in, as if the wizard had been walked to "attest"."""
    user = user or UserFactory()
    program_row = Program.objects.get(code=program)
    case = services.case_start(user=user, program=program_row, builder_role=role)
    plan = HealthPlan.objects.get(code="cigna-commercial")
    member = overrides.pop("member", None)
    if member is None:
        member = MemberFactory()
        EligibilityFactory(member=member, health_plan=plan, coverage_start=datetime.date(2020, 1, 1))
    provider = ProviderFactory()
    site = SiteFactory(kind=Site.Kind.DME_SUPPLIER if program == "dme" else Site.Kind.HOME_HEALTH_AGENCY)
    today = timezone.localdate()
    fields = {
        "ordering_provider": provider,
        "health_plan": plan,
        "provider_address": provider.address_display,
        "contact_provider_name": provider.display_name,
        "contact_name": "Pat Office",
        "contact_fax": "8606664321",
        "contact_phone": "8606661234",
        "contact_email": "office@example.com",
        "date_of_service": today + datetime.timedelta(days=3),
        "dme_already_dispensed": False if program == "dme" else None,
        "member": member,
        "primary_diagnosis": diagnosis(),
        "site": site,
        "site_fax": site.fax,
        "site_phone": site.phone,
        "place_of_service": "12 - Home" if program == "dme" else "",
    }
    fields.update(overrides)
    steps = ["provider", "insurer", "contact", "date", "patient", "patient-contact", "service", "site"]
    case = services.case_step_save(case=case, user=user, step="provider", changes=fields, next_step="attest")
    case.completed_steps = steps
    case.save(update_fields=["completed_steps"])
    return case


def attested_case(**kwargs) -> Case:
    case = draft_case(**kwargs)
    return services.case_attest(case=case, user=case.created_by)
