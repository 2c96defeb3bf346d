"""Cases at any point of the build, made through the same services the wizard calls.

Use with the ``catalog`` fixture (programs, plans, HCPCS codes) and, for diagnoses, ``icd10cm``
or a ``DiagnosisCode`` made in the test.
"""

import datetime

from django.utils import timezone

from accounts.tests.factories import UserFactory
from cases import permissions, services
from cases.models import BuilderRole, Case
from cases.questionnaires import engine
from practices.models import PracticeMembership
from practices.tests.factories import PracticeFactory
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


def submitter(user=None, *, practice=None, **user_fields):
    """A user who may build and submit cases: a member of ``practice`` (a new one by default) with the
    case-submission entitlement. An existing ``user`` gets the membership if they lack it."""
    user = user or UserFactory(**user_fields)
    practice = practice or PracticeFactory()
    PracticeMembership.objects.update_or_create(user=user, practice=practice, defaults={"case_submission": True})
    return user


def draft_case(
    *, program="home-health", user=None, practice=None, role=BuilderRole.REFERRING_PHYSICIAN, **overrides
) -> Case:
    """A draft with every pre-attestation step filled in, as if the wizard had been walked to "attest".

    The user is made a case submitter of ``practice`` (a new practice by default) unless they already
    hold case submission somewhere.
    """
    user = user or UserFactory()
    if practice is not None or not permissions.practices_for_new_case(user).exists():
        practice = practice or PracticeFactory()
        submitter(user, practice=practice)
    program_row = Program.objects.get(code=program)
    case = services.case_start(user=user, program=program_row, builder_role=role, practice=practice)
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


def home_health_answers(*, bundle: bool) -> dict:
    """Clinical answers as the pages store them: the bundle accepted, or declined with nurse visits."""
    question_set = engine.question_set_for("home-health")
    pages = [{"homebound": "yes"}, {"admitting_diagnosis": "orthopedic"}, {"bundle": "yes" if bundle else "no"}]
    if not bundle:
        visits = ["physical_therapy", "occupational_therapy", "speech_therapy", "social_worker", "home_health_aide"]
        pages.append(
            {
                "skilled_nurse_visits": "4",
                **{f"{name}_visits": "0" for name in visits},
                "dietitian_visits": "0",
                "timeframe_days": "30",
            }
        )
    answers = {}
    for data in pages:
        page = engine.next_page(question_set, answers)
        form = engine.page_form(question_set, answers, page, data=data)
        assert form.is_valid(), form.errors
        answers = engine.apply_answer(question_set, answers, page, form.cleaned_data)
    return answers


def submitted_case(*, approved: bool = False, **kwargs) -> Case:
    """A Home Health request submitted through the service: approved (the bundle) or pending medical review."""
    case = attested_case(**kwargs)
    services.case_answers_save(case=case, answers=home_health_answers(bundle=approved), next_step="review")
    return services.case_submit(case=case, user=case.created_by)
