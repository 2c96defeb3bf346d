"""Holds (REV-3, WL-4): a reviewer asks for more clinical information by a due date; the provider answers by
uploading it, or the hold lapses and the reviewer decides on the original submission.

A case's status moves only through ``services.case_transition`` and a hold's only through
``lifecycle.row_transition``. Every function that moves either locks the case row first, so that an upload
racing the lapse job (or a decision) is safe: whichever comes second finds the hold no longer open.
"""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from audit.services import audit_record
from cases import events, lifecycle, permissions, services, uploads
from cases.models import Case, CaseStatus, ClinicalDocument, Hold, HoldItem

S = CaseStatus
# A hold is placed on a case waiting in review; more clinical information is taken until the decision.
HOLDABLE_STATUSES = {S.SUBMITTED, S.PENDING_REVIEW}
UPLOAD_STATUSES = {S.SUBMITTED, S.PENDING_REVIEW, S.ON_HOLD}
CLOSED_UNDECIDED = {S.DRAFT, S.CANCELLED, S.EXPIRED}
ANSWERED_REASON = "Hold answered: clinical information uploaded."
LAPSED_REASON = "Hold lapsed: decide on the original submission."


# --- Selectors ---------------------------------------------------------------------------------------------


def hold_open(case: Case) -> Hold | None:
    """The case's open hold, if any (at most one: a database constraint)."""
    return Hold.objects.filter(case=case, status=Hold.Status.OPEN).first()


def decide_on_original(case: Case) -> bool:
    """True when the latest hold lapsed unanswered and the case waits in review: the reviewer decides on the
    original submission."""
    if case.status != S.PENDING_REVIEW:
        return False
    latest = Hold.objects.filter(case=case).order_by("-placed_at", "-pk").first()
    return latest is not None and latest.status == Hold.Status.LAPSED


def upload_allowed(case: Case) -> bool:
    """Whether clinical information may still be added to ``case`` (submitted and not yet decided)."""
    return case.status in UPLOAD_STATUSES


# --- Writes ------------------------------------------------------------------------------------------------


@transaction.atomic
def hold_place(*, case: Case, items: list[str], note: str, due_on: datetime.date, by, request=None) -> Hold:
    """A reviewer puts ``case`` on hold for the ``items`` (``HoldItem`` values) and ``note``, due by ``due_on``.

    Refused with a field error for bad input, PermissionDenied for anyone who does not review the case.
    """
    case = _locked_case(case.pk)
    if by is None or not permissions.cases_in_review_queue(by).filter(pk=case.pk).exists():
        raise PermissionDenied("Only a clinical reviewer can put a case on hold.")
    if case.status not in HOLDABLE_STATUSES:
        raise ValidationError(f"A case that is {case.get_status_display()} cannot be put on hold.", code="status")
    if Hold.objects.filter(case=case, status=Hold.Status.OPEN).exists():
        raise ValidationError("This case already has an open hold.", code="open_hold")
    items = list(dict.fromkeys(items or []))  # keep the order, drop repeats
    note = (note or "").strip()
    errors = {}
    unknown = [item for item in items if item not in HoldItem.values]
    if unknown:
        errors["items"] = "Choose the information needed from the list."
    elif not items and not note:
        errors["items"] = "Choose at least one item of information needed, or describe it in the details."
    if len(note) > Hold._meta.get_field("note").max_length:
        errors["note"] = "Keep the details to 2000 characters or fewer."
    if due_on is None:
        errors["due_on"] = "Enter the due date."
    elif due_on <= timezone.localdate():
        errors["due_on"] = "The due date must be after today."
    if errors:
        raise ValidationError(errors)
    hold = Hold.objects.create(case=case, items=items, note=note, due_on=due_on, placed_by=by)
    events.hold_placed_event(hold=hold)
    services.case_transition(
        case=case,
        to=S.ON_HOLD,
        by=by,
        reason=f"On hold: additional clinical information requested, due {due_on:%m/%d/%Y}",
    )
    audit_record(action="case.hold_placed", request=request, actor=by, target=case, details={"hold": hold.pk})
    return hold


@transaction.atomic
def hold_close_open(*, case: Case, by=None) -> Hold | None:
    """Close the case's open hold because the case is decided or withdrawn; None when there is none.

    The caller holds the case row locked (or it is locked here); the case's own transition is the caller's.
    """
    _locked_case(case.pk)
    hold = hold_open(case)
    if hold is None:
        return None
    return lifecycle.row_transition(hold, to=Hold.Status.CLOSED, by=by, fields={"closed_at": timezone.now()})


@transaction.atomic
def clinical_information_add(*, case: Case, user, uploaded_file, request=None) -> ClinicalDocument:
    """Add one clinical document to a submitted case before its decision; an open hold is answered by it and
    the case returns to its reviewer's queue (its assignment kept).

    The file passes the wizard's upload checks (``uploads.check_clinical_file``); a ValidationError names it.
    """
    case = _locked_case(case.pk)
    permissions.case_require(user, case, permissions.CaseAction.UPLOAD)
    if not upload_allowed(case):
        state = "is " + case.get_status_display() if case.status in CLOSED_UNDECIDED else "has been decided"
        raise ValidationError(f"This request {state}; clinical information can no longer be added.", code="status")
    with uploads.clinical_file_stored(uploaded_file, max_bytes=case.upload_max_bytes) as stored:
        document = ClinicalDocument.objects.create(case=case, uploaded_by=user, **stored)
        events.document_added_event(document=document, user=user)
        hold = hold_open(case)
        if hold is not None:
            lifecycle.row_transition(hold, to=Hold.Status.ANSWERED, by=user, fields={"closed_at": timezone.now()})
            services.case_transition(case=case, to=S.PENDING_REVIEW, by=user, reason=ANSWERED_REASON)
        audit_record(
            action="case.document_added",
            request=request,
            actor=user,
            target=case,
            details={"document": document.pk, "hold_answered": hold.pk if hold else None},
        )
    return document


def holds_lapse(now: datetime.datetime | None = None) -> int:
    """Lapse every open hold whose due date has passed (a hold due today is still answerable today, in the
    portal's time zone); its case returns to review, to be decided on the original submission. Idempotent;
    how many lapsed."""
    today = timezone.localdate(now) if now else timezone.localdate()
    lapsed = 0
    due = Hold.objects.filter(status=Hold.Status.OPEN, due_on__lt=today).values_list("pk", "case_id")
    for hold_pk, case_pk in due:
        with transaction.atomic():
            case = _locked_case(case_pk)
            hold = Hold.objects.get(pk=hold_pk)
            # Re-checked under the case's lock: the provider may have answered it since the query.
            if hold.status != Hold.Status.OPEN or hold.due_on >= today:
                continue
            lifecycle.row_transition(hold, to=Hold.Status.LAPSED, fields={"closed_at": timezone.now()})
            if case.status == S.ON_HOLD:
                services.case_transition(case=case, to=S.PENDING_REVIEW, reason=LAPSED_REASON)
            lapsed += 1
    return lapsed


def _locked_case(pk: int) -> Case:
    return Case.objects.select_for_update(of=("self",)).select_related("program").get(pk=pk)
