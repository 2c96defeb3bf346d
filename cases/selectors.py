"""Reads for the case build: eligibility messages, periods, conflicts, repeat requests.

Which cases a user may see and what they may do to them is decided in ``cases.permissions``.
"""

import datetime
import json

from django.db.models import Q, QuerySet
from django.utils import timezone

from cases import permissions, rules
from cases.models import OPEN_OR_APPROVED, Case
from cases.questionnaires import engine
from reference import selectors as reference_selectors
from reference.models import HcpcsCode, Member, PlanProgram

# --- Eligibility ---------------------------------------------------------------------------------
# The member, provider and site look-ups are in ``reference.selectors``; what a case adds is its messages.


def eligibility_problem(*, member: Member, case: Case) -> str | None:
    """Why ``member`` cannot be the patient of this request, or None when eligible (CASE-6)."""
    day = case.date_of_service or timezone.localdate()
    if reference_selectors.coverage_on(member=member, health_plan_id=case.health_plan_id, day=day) is None:
        other = next((span.health_plan.name for span in reference_selectors.coverages_on(member=member, day=day)), None)
        message = (
            f"{member.full_name} is not eligible with {case.health_plan.name} on {rules.format_us_date(day)}, "
            "the date of service."
        )
        if other:
            message += f" The patient is covered by {other} on that date: go back and choose that insurer."
        return message
    if not reference_selectors.plan_delegates(health_plan_id=case.health_plan_id, program_id=case.program_id):
        return reference_selectors.not_delegated_message(plan_name=case.health_plan.name, programs=case.program.name)
    return None


def plan_program_for(case: Case) -> PlanProgram | None:
    return PlanProgram.objects.filter(health_plan_id=case.health_plan_id, program_id=case.program_id).first()


# --- Repeat requests (issue 10, item 15) ----------------------------------------------------------

# What "Start from a previous request" copies: the office's side of a request (who asks, for which insurer,
# whom to contact, where the service is given), never the patient, dates, diagnoses or clinical answers.
REPEATED_FIELDS = (
    "ordering_provider",
    "health_plan",
    "provider_address",
    "contact_provider_name",
    "contact_name",
    "contact_fax",
    "contact_phone",
    "contact_phone_ext",
    "contact_cell_phone",
    "contact_email",
    "notify_by_email",
    "site",
    "site_email",
    "site_fax",
    "site_phone",
    "place_of_service",
)
# The contact details that belong to the office rather than to the provider: kept when the provider changes.
OFFICE_CONTACT_FIELDS = ("contact_name", "contact_phone_ext", "contact_cell_phone", "contact_email", "notify_by_email")
PREVIOUS_REQUESTS_SHOWN = 10


def previous_requests(user, *, grants=None, query: str = "") -> QuerySet[Case]:
    """The user's own submitted requests in the practices where they may still start one, newest first.

    ``query`` matches the start of a request, case or authorization number, the provider's name or NPI, or
    words of the insurer's or the site's name; never the patient, whom a repeat request does not copy.
    """
    grants = grants or permissions.grants_of(user)
    # The user's own requests: their creator always views them (cases.permissions), so the visibility scope's
    # OR of practices and shared worklists is not needed, and the owner index finds them.
    requests = Case.objects.filter(
        created_by=user, submitted_at__isnull=False, practice_id__in=grants.submission_practice_ids
    ).select_related("program", "health_plan", "ordering_provider")
    query = query.replace("\x00", "").strip()[:60]
    if query.isascii() and query.isdigit():
        requests = requests.filter(
            Q(request_id__startswith=query)
            | Q(case_number__startswith=query)
            | Q(authorization_number__startswith=query)
            | Q(ordering_provider__npi__startswith=query)
            | Q(site__npi__startswith=query)
        )
    elif query:
        requests = requests.filter(
            Q(ordering_provider__last_name__istartswith=query)
            | Q(ordering_provider__first_name__istartswith=query)
            | Q(ordering_provider__organization_name__icontains=query)
            | Q(health_plan__name__icontains=query)
            | Q(site__name__icontains=query)
        )
    return requests.select_related("site").order_by("-submitted_at", "-pk")


def last_request_defaults(user, *, practice_id, exclude_pk=None) -> Case | None:
    """The user's latest request in this practice whose contact step was filled in: its provider, insurer and
    contact details are a new request's defaults ("remember the last ones"), derived, not stored twice."""
    requests = Case.objects.filter(created_by=user, practice_id=practice_id, ordering_provider__isnull=False)
    requests = requests.exclude(contact_name="").exclude(health_plan__isnull=True)
    if exclude_pk is not None:
        requests = requests.exclude(pk=exclude_pk)
    return requests.order_by("-last_saved_at", "-pk").first()


# --- Periods and conflicts (CASE-15) ------------------------------------------------------------


def requested_period(case: Case, *, result=None) -> tuple[datetime.date, datetime.date]:
    """The period this request would authorize: start of care plus the bundle or the timeframe (HH);
    the date of service, or the request date for a retrospective DME request, plus each line's validity."""
    today = timezone.localdate(case.submitted_at) if case.submitted_at else timezone.localdate()
    if case.is_dme:
        # Seed 002: a retrospective DME authorization starts on the date of the request.
        start = today if case.is_retrospective or not case.date_of_service else case.date_of_service
        if result is None:
            result = case_outcome(case)
        lines = result.service_lines if result else ()
        if not lines:
            return start, rules.period_end(start=start, days=rules.DME_PURCHASE_DAYS)
        bases = dict(
            HcpcsCode.objects.filter(code__in=[line.hcpcs_code for line in lines]).values_list("code", "billing_basis")
        )
        end = max(
            rules.dme_line_end(start=start, billing_basis=bases.get(line.hcpcs_code, "purchase"), units=line.quantity)
            for line in lines
        )
        return start, end
    start = case.date_of_service or today
    if result is None:
        result = case_outcome(case)
    days = (result.period_days if result else None) or rules.HOME_HEALTH_DEFAULT_DAYS
    return start, rules.period_end(start=start, days=days)


def case_outcome(case: Case):
    """The questionnaire's outcome for the case's answers, None while incomplete.

    Worked out once per case object and answer set: one request asks for it from several places (which
    steps apply, the conflict check, the page itself), and a DME outcome reads each line's HCPCS code.
    """
    answers = case.clinical_answers or {}
    key = json.dumps(answers, sort_keys=True)
    cached = case.__dict__.get("_outcome_cache")
    if cached is not None and cached[0] == key:
        return cached[1]
    qs = engine.question_set_for(case.program.code)
    result = engine.outcome(qs, answers) if answers and engine.is_complete(qs, answers) else None
    case.__dict__["_outcome_cache"] = (key, result)
    return result


def conflicting_cases(case: Case) -> list[Case]:
    """Open or approved requests of the same member and program whose period overlaps this one's."""
    if not case.member_id:
        return []
    period = requested_period(case)
    others = (
        Case.objects.filter(member_id=case.member_id, program_id=case.program_id, status__in=OPEN_OR_APPROVED)
        .exclude(pk=case.pk)
        .select_related("program", "member")
        .prefetch_related("service_lines")
    )
    return [other for other in others if rules.periods_overlap(period, _held_period(other))]


def _held_period(case: Case) -> tuple[datetime.date, datetime.date]:
    """The period an open or approved request holds: its validity once decided, else what it asked for."""
    if case.valid_from and case.valid_to:
        return case.valid_from, case.valid_to
    lines = list(case.service_lines.all())  # prefetched
    if not case.is_dme or not lines:
        return requested_period(case)
    today = timezone.localdate(case.submitted_at) if case.submitted_at else timezone.localdate()
    start = today if case.is_retrospective or not case.date_of_service else case.date_of_service
    end = max(rules.dme_line_end(start=start, billing_basis=line.billing_basis, units=line.quantity) for line in lines)
    return start, end


def case_attestation_problems(case: Case) -> list[str]:
    """What stops the physician, patient and service data from being confirmed (CASE-9): a missing field, or
    a patient not eligible with the plan on the date of service. Submission re-checks the same."""
    problems = []
    required = {
        "ordering_provider": "Select the ordering provider.",
        "health_plan": "Choose the insurer.",
        "date_of_service": "Enter the date of service.",
        "member": "Select the patient.",
        "primary_diagnosis": "Select the primary diagnosis.",
        "site": "Select the site of service.",
    }
    for field, message in required.items():
        if getattr(case, Case._meta.get_field(field).attname) is None:
            problems.append(message)
    if case.member_id and case.health_plan_id:
        problem = eligibility_problem(member=case.member, case=case)
        if problem:
            problems.append(problem)
    return problems


def case_submission_problems(case: Case) -> list[str]:
    """What still stops this draft from being submitted; re-checked on the server at submission."""
    problems = case_attestation_problems(case)
    if case.attested_at is None:
        problems.append("Confirm the information and the attestation.")
    qs = engine.question_set_for(case.program.code)
    if not engine.is_complete(qs, case.clinical_answers):
        problems.append("Answer every clinical question.")
    return problems


def case_questionnaire_response(case: Case) -> dict:
    """The case's clinical answers as a FHIR QuestionnaireResponse (JSON), identified by the request ID."""
    from cases.questionnaires import fhir

    qs = engine.question_set_for(case.program.code)
    return fhir.questionnaire_response_json(
        qs,
        case.clinical_answers or {},
        status="in-progress" if case.is_draft else "completed",
        authored=case.submitted_at or case.last_saved_at,
        identifier=case.request_id,
    )
