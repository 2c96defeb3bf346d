"""Writes for the case build: start, save each step, attest, submit, cancel, expire; the status machine.

``case_transition`` is the only code that assigns ``Case.status``.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from audit.services import audit_record
from cases import decisions, events, holds, permissions, rules, selectors, uploads, wizard, worklist
from cases.identifiers import new_identifier
from cases.models import (
    BuilderRole,
    Case,
    CaseStatus,
    CaseStatusChange,
    ClinicalDocument,
    ServiceLine,
    UrgencyCriterion,
    default_expiry,
)
from cases.questionnaires import engine
from practices.selectors import providers_on_account
from reference.models import HcpcsCode, Site

S = CaseStatus
ALLOWED_TRANSITIONS: dict[str, set[str]] = {
    S.DRAFT: {S.SUBMITTED, S.EXPIRED, S.CANCELLED},
    S.SUBMITTED: {S.APPROVED, S.PENDING_REVIEW},
    S.PENDING_REVIEW: {S.ON_HOLD, S.APPROVED, S.PARTIALLY_APPROVED, S.DENIED, S.CANCELLED},
    S.ON_HOLD: {S.PENDING_REVIEW, S.APPROVED, S.PARTIALLY_APPROVED, S.DENIED, S.CANCELLED},
    S.APPROVED: set(),
    S.PARTIALLY_APPROVED: {S.APPROVED},
    # A reconsideration or an appeal may overturn a denial, wholly or in part (cases.decisions: a new round).
    S.DENIED: {S.APPROVED, S.PARTIALLY_APPROVED},
    S.CANCELLED: set(),
    S.EXPIRED: set(),
}
# Decision timeframes (CASE-17, CMS-0057-F).
URGENT_DECISION_WITHIN = datetime.timedelta(hours=72)
STANDARD_DECISION_WITHIN = datetime.timedelta(days=7)

# The physician, patient and service data that "Confirm and continue" locks (CASE-9).
LOCKED_FIELDS = frozenset(
    {
        "program",
        "builder_role",
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
        "date_of_service",
        "dme_already_dispensed",
        "is_retrospective",
        "member",
        "patient_cell_phone",
        "patient_email",
        "primary_diagnosis",
        "secondary_diagnosis",
        "site",
        "site_email",
        "site_fax",
        "site_phone",
        "place_of_service",
        "dispensed_on_urgent_basis",
        "dispensed_after_hours",
    }
)
# A change to a field invalidates what a later step checked or was filled in from: those fields are
# cleared (in turn: a cleared patient takes the patient's contact details along) ...
STEP_FIELDS_CLEARED_BY = {
    # The insurer step offers the provider's own addresses.
    "ordering_provider": ("provider_address",),
    # Eligibility (CASE-6) depends on the plan and the date.
    "health_plan": ("member",),
    "date_of_service": ("member",),
    # A patient's phone and email must never stay on another patient's request.
    "member": ("patient_cell_phone", "patient_email"),
    "dme_already_dispensed": ("dispensed_on_urgent_basis", "dispensed_after_hours"),
}
# ... and these steps are open again (removed from ``completed_steps``), so that the wizard stops there
# and the attestation is refused until they are completed anew. Every changed field counts, a cleared one too.
STEPS_REOPENED_BY = {
    # The contact step is pre-filled with the provider's name, fax and phone: determinations are faxed there.
    "ordering_provider": ("insurer", "contact"),
    # The address is the provider's "for this insurer" (the supplier path picks the plan on the provider step);
    # each plan has its own date-of-service rules (same day, retrospective window): the date is checked again.
    "health_plan": ("insurer", "date", "patient", "patient-contact"),
    "date_of_service": ("patient", "patient-contact", "site-dispensed"),
    # The "Attention!" page confirms its answers for the patient and the date of service it shows.
    "member": ("patient", "patient-contact", "site-dispensed"),
    "dme_already_dispensed": ("site-dispensed",),
}


class CaseLocked(ValidationError):
    """A change to data that the attestation (or the submission) has locked."""


@transaction.atomic
def case_transition(*, case: Case, to: str, by=None, reason: str = "") -> CaseStatusChange:
    """Move ``case`` to status ``to`` if the map allows it; record who, when, from, to and why, and emit the
    status event.

    The row is locked first and the map is checked against the status the database holds, not the one of the
    object passed in: of two simultaneous transitions out of one status, the second waits and is refused.
    ``case`` is updated in place.
    """
    from_status = Case.objects.select_for_update(of=("self",)).values_list("status", flat=True).get(pk=case.pk)
    if to not in ALLOWED_TRANSITIONS.get(from_status, set()):
        raise ValidationError(
            f"A case that is {CaseStatus(from_status).label} cannot become {CaseStatus(to).label}.",
            code="transition",
        )
    case.status = to
    case.save(update_fields=["status"])
    change = CaseStatusChange.objects.create(
        case=case, from_status=from_status, to_status=to, changed_by=by, reason=reason[:300]
    )
    events.status_changed_event(change=change)
    return change


@transaction.atomic
def case_start(*, user, program, builder_role: str, practice=None, request=None) -> Case:
    """Step 1 done: a draft with its request ID, saved at once so that nothing is ever lost.

    The case belongs to ``practice`` (SEC-1), which must be one where ``user`` holds case submission;
    when omitted, the user's only such practice.
    """
    allowed_practices = list(permissions.practices_for_new_case(user))
    if practice is None and len(allowed_practices) == 1:
        practice = allowed_practices[0]
    if practice is None or practice not in allowed_practices:
        refusal = permissions.new_case_refusal(user)
        raise ValidationError(
            refusal["reason"] if refusal else "Choose the practice (TIN) this request is for.", code="practice"
        )
    if not program.is_buildable:
        raise ValidationError(program.unavailable_message, code="program")
    allowed = {
        "dme": {BuilderRole.REFERRING_PHYSICIAN, BuilderRole.DME_PROVIDER},
        "home-health": {BuilderRole.REFERRING_PHYSICIAN, BuilderRole.HOME_HEALTH_AGENCY},
    }[program.code]
    if builder_role not in allowed:
        raise ValidationError("Select who is building this case.", code="builder_role")
    now = timezone.now()
    case = Case.objects.create(
        request_id=new_identifier(Case, "request_id"),
        program=program,
        builder_role=builder_role,
        created_by=user,
        practice=practice,
        created_at=now,
        last_saved_at=now,
        expires_at=default_expiry(now),
        current_step="provider",
    )
    audit_record(action="case.started", request=request, actor=user, target=case, details={"program": program.code})
    return case


@transaction.atomic
def case_repeat(*, user, source: Case, request=None) -> Case:
    """ "Start from a previous request": a new draft with ``source``'s requesting provider, insurer and address,
    contact details and site of service (``selectors.REPEATED_FIELDS``), never its patient, dates, diagnoses or
    clinical answers (issue 10, item 15).

    The copied steps are filled in, not done: the wizard still walks through each, and the user confirms it with
    one click. A provider no longer on the user's account (a referring physician's office may only order for
    its own) or a site of the wrong kind is not copied; that step is then asked anew.
    """
    if source.submitted_at is None:
        raise ValidationError("Only a submitted request can be repeated.", code="not_submitted")
    case = case_start(
        user=user, program=source.program, builder_role=source.builder_role, practice=source.practice, request=request
    )
    copied = {name: getattr(source, name) for name in selectors.REPEATED_FIELDS}
    on_account = providers_on_account(user=user).filter(pk=source.ordering_provider_id).exists()
    if not case.builds_as_supplier and not on_account:
        for name in ("ordering_provider", "provider_address", "contact_provider_name", "contact_fax", "contact_phone"):
            copied.pop(name)
    site_kind = Site.Kind.DME_SUPPLIER if case.is_dme else Site.Kind.HOME_HEALTH_AGENCY
    if source.site is None or source.site.kind != site_kind:
        for name in ("site", "site_email", "site_fax", "site_phone", "place_of_service"):
            copied.pop(name)
    for name, value in copied.items():
        setattr(case, name, value)
    case.save(update_fields=list(copied))
    audit_record(action="case.repeated", request=request, actor=user, target=case, details={"from": source.request_id})
    return case


@transaction.atomic
def case_step_save(*, case: Case, user, step: str, changes: dict, next_step: str, request=None) -> Case:
    """Save one completed step's fields and where to resume; refuse changes to locked data."""
    case = _locked_draft(case)
    changed = {name for name, value in changes.items() if getattr(case, name) != value}
    if case.is_locked and changed & LOCKED_FIELDS:
        raise CaseLocked(
            "The physician, patient and service information can no longer be edited: it was confirmed "
            "before the clinical questions.",
            code="locked",
        )
    if "ordering_provider" in changed and case.ordering_provider_id:
        changed |= _previous_provider_contact_cleared(case, keep=changes.keys())
    pending = list(changed)
    while pending:
        for dependent in STEP_FIELDS_CLEARED_BY.get(pending.pop(), ()):
            field = Case._meta.get_field(dependent)
            empty = field.get_default()  # None, or "" for text
            if dependent not in changes and getattr(case, field.attname) != empty:
                setattr(case, dependent, empty)
                changed.add(dependent)
                pending.append(dependent)
    reopened = {slug for name in changed for slug in STEPS_REOPENED_BY.get(name, ())}
    case.completed_steps = [slug for slug in case.completed_steps if slug not in reopened]
    for name, value in changes.items():
        setattr(case, name, value)
    _touch(case, next_step=next_step, completed=step)
    case.save()
    if changed:
        audit_record(action="case.step_saved", request=request, actor=user, target=case, details={"step": step})
    return case


@transaction.atomic
def case_progress_save(*, case: Case, next_step: str, completed: str | None = None) -> Case:
    """Remember where to resume (Finish Later, Back): the data of each step is already saved."""
    case = _locked_draft(case)
    _touch(case, next_step=next_step, completed=completed)
    case.save(update_fields=["current_step", "last_saved_at", "completed_steps"])
    return case


@transaction.atomic
def case_attest(*, case: Case, user, request=None) -> Case:
    """ "Confirm and continue": lock the physician, patient and service data (CASE-9)."""
    case = _locked_draft(case)
    if case.attested_at is None:
        problems = selectors.case_attestation_problems(case)
        unfinished = [step.title for step in wizard.unfinished_steps_before(case, "attest")]
        if unfinished:
            problems.insert(0, f"Complete these steps first: {', '.join(unfinished)}.")
        if problems:
            raise ValidationError(problems, code="incomplete")
        qs = engine.question_set_for(case.program.code)
        case.attested_at = timezone.now()
        case.questionnaire_id, case.questionnaire_version = qs.id, qs.version
        _touch(case, next_step="clinical", completed="attest")
        case.save()
        audit_record(action="case.attested", request=request, actor=user, target=case)
    return case


@transaction.atomic
def case_answers_save(*, case: Case, answers: dict, next_step: str) -> Case:
    case = _locked_draft(case)
    if case.attested_at is None:
        raise ValidationError("Confirm the information before answering the clinical questions.", code="order")
    case.clinical_answers = answers
    _touch(case, next_step=next_step, completed=None)
    # Urgency and uploads follow the questionnaire's outcome: a new answer set asks them again.
    case.completed_steps = [step for step in case.completed_steps if step not in ("clinical-summary",)]
    case.save()
    return case


@transaction.atomic
def clinical_document_add(*, case: Case, uploaded_file, user, request=None) -> ClinicalDocument:
    """Check (content type, size) and store one uploaded file; ValidationError names the file and why."""
    case = _locked_draft(case)
    if case.documents.count() >= uploads.MAX_FILES_PER_UPLOAD:
        raise ValidationError(
            f"{uploads.display_name(uploaded_file.name)}: you can upload up to {uploads.MAX_FILES_PER_UPLOAD} "
            "documents.",
            code="count",
        )
    with uploads.clinical_file_stored(uploaded_file, max_bytes=case.upload_max_bytes) as stored:
        document = ClinicalDocument.objects.create(case=case, uploaded_by=user, **stored)
    audit_record(
        action="case.document_uploaded", request=request, actor=user, target=case, details={"document": document.pk}
    )
    return document


@transaction.atomic
def clinical_document_remove(*, document: ClinicalDocument, user, request=None) -> None:
    case = _locked_draft(document.case)
    stored_name = document.stored_name
    document.delete()
    transaction.on_commit(lambda: uploads.clinical_upload_storage().delete(stored_name))
    audit_record(action="case.document_removed", request=request, actor=user, target=case)


def service_line_for(*, case: Case, hcpcs: HcpcsCode, line: engine.ServiceLine, line_number: int) -> ServiceLine:
    """The row of one requested line, with the billing basis and unit of its HCPCS code as of now."""
    return ServiceLine(
        case=case,
        hcpcs=hcpcs,
        label=line.label,
        quantity=line.quantity,
        billing_basis=hcpcs.billing_basis,
        unit=rules.service_unit(hcpcs.billing_basis),
        line_number=line_number,
    )


@transaction.atomic
def case_submit(*, case: Case, user, request=None) -> Case:
    """Submit the request: one case however many times it is sent (two clicks, two tabs).

    The row is locked first, so a second submit waits for the first and then finds it submitted.
    """
    case = (
        Case.objects.select_for_update(of=("self",))
        .select_related("program", "health_plan", "member", "ordering_provider", "site")
        .get(pk=case.pk)
    )
    if not case.is_draft:
        if case.submitted_at is not None:
            return case  # already submitted by the first click: show its summary
        raise ValidationError(f"This request is {case.get_status_display()} and cannot be submitted.", code="status")
    permissions.case_require(user, case, permissions.CaseAction.SUBMIT)
    problems = selectors.case_submission_problems(case)
    if problems:
        raise ValidationError(problems, code="incomplete")

    qs = engine.question_set_for(case.program.code)
    result = engine.outcome(qs, case.clinical_answers)
    now = timezone.now()
    codes = {
        code.code: code
        for code in HcpcsCode.objects.filter(code__in=[line.hcpcs_code for line in result.service_lines])
    }
    lines = ServiceLine.objects.bulk_create(
        service_line_for(case=case, hcpcs=codes[line.hcpcs_code], line=line, line_number=i)
        for i, line in enumerate(result.service_lines, start=1)
    )
    approve = result.result == "approve_bundle"
    # Urgent needs a criterion and at least one successful upload (CASE-12); otherwise standard.
    case.is_urgent = (
        not approve
        and case.is_routine is False
        and case.urgency_criterion in (UrgencyCriterion.JEOPARDY, UrgencyCriterion.SEVERE_PAIN)
        and case.documents.exists()
    )
    case.submitted_at = now
    # My Worklist's sort keys for Patient, Procedure and Ordering Provider, on the case's own row (cases.worklist).
    case.patient_sort_name = f"{case.member.last_name}, {case.member.first_name}" if case.member else None
    case.first_procedure_code = result.service_lines[0].hcpcs_code if result.service_lines else None
    case.provider_sort_name = case.ordering_provider.sort_name if case.ordering_provider else None
    case.case_number = new_identifier(Case, "case_number")
    case.episode_id = new_identifier(Case, "episode_id")
    case.search_text = worklist.search_text(case, lines)  # what My Worklist's search matches, with the case number
    case.decision_due_at = now + (URGENT_DECISION_WITHIN if case.is_urgent else STANDARD_DECISION_WITHIN)
    case.expires_at = None
    case.current_step = "summary"
    case.save()
    events.case_submitted_event(case=case, user=user)
    case_transition(case=case, to=S.SUBMITTED, by=user, reason="Submitted on the provider portal.")
    if approve:
        # Each line approved in the initial round for the bundle's 30 days, then decided: Approved.
        case = decisions.case_bundle_approve(case=case)
    else:
        case_transition(case=case, to=S.PENDING_REVIEW, by=None, reason="Sent to Medical Review.")
    audit_record(
        action="case.submitted",
        request=request,
        actor=user,
        target=case,
        details={"case_number": case.case_number, "status": case.status},
    )
    return case


@transaction.atomic
def case_cancel_draft(*, case: Case, user, request=None) -> Case:
    case = _locked_draft(case)
    permissions.case_require(user, case, permissions.CaseAction.CANCEL_DRAFT)
    case.expires_at = None
    case.save(update_fields=["expires_at"])
    case_transition(case=case, to=S.CANCELLED, by=user, reason="Cancelled by the provider before submission.")
    audit_record(action="case.cancelled", request=request, actor=user, target=case)
    return case


@transaction.atomic
def case_withdraw(*, case: Case, user, request=None) -> Case:
    """The provider cancels a submitted request that is still waiting for its decision."""
    case = Case.objects.select_for_update(of=("self",)).get(pk=case.pk)
    permissions.case_require(user, case, permissions.CaseAction.WITHDRAW)
    holds.hold_close_open(case=case, by=user)  # a hold open on a withdrawn case is closed with it
    case_transition(case=case, to=S.CANCELLED, by=user, reason="Withdrawn by the provider.")
    audit_record(action="case.cancelled", request=request, actor=user, target=case)
    return case


def drafts_expire(*, now: datetime.datetime | None = None) -> int:
    """Expire every draft past its expiry time, with no correspondence (seed 001); how many expired."""
    now = now or timezone.now()
    expired = 0
    for pk in Case.objects.filter(status=S.DRAFT, expires_at__lte=now).values_list("pk", flat=True):
        with transaction.atomic():
            case = Case.objects.select_for_update(of=("self",)).get(pk=pk)
            # Re-checked under the lock: the provider may have saved a step since the query.
            if case.status == S.DRAFT and case.expires_at and case.expires_at <= now:
                case_transition(
                    case=case, to=S.EXPIRED, reason="Not submitted in time: expired with no correspondence."
                )
                expired += 1
    return expired


def _previous_provider_contact_cleared(case: Case, *, keep) -> set[str]:
    """Clear the contact values that belonged to the ordering provider being replaced; the names cleared.

    Determinations are faxed to the contact fax (issue 10 item 1): the provider's name goes, and so do a fax
    and phone equal to that provider's own numbers; numbers typed for this request, and the office's own
    contact details, stay. The reopened contact step fills the gaps from the new provider.
    """
    previous = case.ordering_provider
    owned = {
        "contact_provider_name": True,
        "contact_fax": case.contact_fax == previous.fax,
        "contact_phone": case.contact_phone == previous.phone,
    }
    cleared = {name for name, is_previous in owned.items() if is_previous and getattr(case, name) and name not in keep}
    for name in cleared:
        setattr(case, name, "")
    return cleared


def _locked_draft(case: Case) -> Case:
    """The case row, locked for this transaction, and only while it is a draft."""
    case = Case.objects.select_for_update(of=("self",)).select_related("program").get(pk=case.pk)
    if not case.is_draft:
        raise ValidationError(
            f"This request is {case.get_status_display()}: it can no longer be changed.", code="status"
        )
    return case


def _touch(case: Case, *, next_step: str, completed: str | None) -> None:
    # The expiry stays where the first step put it: a request must be submitted within N days of its start.
    case.current_step = next_step
    case.last_saved_at = timezone.now()
    if completed and completed not in case.completed_steps:
        case.completed_steps = [*case.completed_steps, completed]
