"""Reconsiderations (WL-5, seeds 001 and 002): a post-denial, pre-appeal request to look again, with additional
clinical information, "any time, up until an appeal is received".

The provider asks (``reconsideration_request``); the reviewer determines the lines not approved in a
reconsideration round with the request's sequence and decides (``reconsideration_decide``), which moves the
request to Overturned or Upheld (``cases.decisions``).
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from audit.services import audit_record
from cases import decisions, events, permissions
from cases.models import Appeal, Case, CaseStatus, DeterminationOutcome, DeterminationRound, Reconsideration

RECONSIDERABLE = {CaseStatus.DENIED, CaseStatus.PARTIALLY_APPROVED}
APPEAL_RECEIVED = "A reconsideration can be requested until an appeal is received: this request has been appealed."
ONE_OPEN = "A reconsideration of this request is already waiting for its decision."


def lines_not_approved(case: Case) -> list:
    """The effective determinations of the case's lines that are not approved, in line order (the denial's
    reasons: criterion, guideline, documentation needed, and for DME an alternative)."""
    effective = decisions.effective_determinations(case)
    rows = [row for row in effective.values() if row.outcome != DeterminationOutcome.APPROVED]
    return sorted(rows, key=lambda row: row.line.line_number)


def has_alternative(case: Case) -> bool:
    """Whether an alternative offered on ``case`` still waits for the provider's answer: an accepted one is
    covered by its own approved line (seed 002: accept it or reconsider the original, not both)."""
    return any(
        row.outcome == DeterminationOutcome.ALTERNATIVE_OFFERED and not hasattr(row, "acceptance")
        for row in lines_not_approved(case)
    )


def reconsideration_prefill(case: Case) -> str:
    """The additional clinical information pre-filled from what the denial said was missing, line by line."""
    return "\n".join(
        f"Line {row.line.line_number} ({row.line.label}): {row.documentation_needed}"
        for row in lines_not_approved(case)
        if row.documentation_needed
    )


def reconsideration_refusal(case: Case) -> str | None:
    """Why ``case`` takes no reconsideration request now (whoever asks), or None."""
    if case.status not in RECONSIDERABLE:
        return f"A request that is {case.get_status_display()} cannot be reconsidered."
    if Appeal.objects.filter(case=case).exclude(status=Appeal.Status.DRAFT).exists():
        return APPEAL_RECEIVED
    if case.reconsiderations.filter(status=Reconsideration.Status.SUBMITTED).exists():
        return ONE_OPEN
    return None


@transaction.atomic
def reconsideration_request(
    *, case: Case, user, reason: str, documentation: str = "", of_original_item: bool = False, request=None
) -> Reconsideration:
    """The provider asks for a reconsideration of a Denied or Partially Approved request; one at a time, none
    once an appeal is received. ``of_original_item``: for a DME alternative, the original item is reconsidered."""
    case = decisions.locked_case(case.pk)
    permissions.case_require(user, case, permissions.CaseAction.RECONSIDER)
    refusal = reconsideration_refusal(case)
    if refusal:
        raise ValidationError(refusal, code="refused")
    if not (reason or "").strip():
        raise ValidationError({"reason": "Enter the reason for the reconsideration."})
    if of_original_item and not has_alternative(case):
        raise ValidationError("No alternative was recommended for this request.", code="no_alternative")
    last = case.reconsiderations.order_by("-sequence").values_list("sequence", flat=True).first() or 0
    reconsideration = Reconsideration.objects.create(
        case=case,
        sequence=last + 1,
        reason=reason.strip(),
        documentation=(documentation or "").strip(),
        of_original_item=of_original_item,
        requested_by=user,
        requested_at=timezone.now(),
    )
    events.reconsideration_requested_event(reconsideration=reconsideration)
    audit_record(
        action="case.reconsideration_requested",
        request=request,
        actor=user,
        target=case,
        details={"reconsideration": reconsideration.pk, "sequence": reconsideration.sequence},
    )
    return reconsideration


@transaction.atomic
def reconsideration_decide(*, reconsideration: Reconsideration, by) -> Reconsideration:
    """Decide the case from the reconsideration round the reviewer has determined (``decisions.line_determine``
    with round "reconsideration" and this sequence): the request becomes Overturned when a line not approved
    is now approved, else Upheld. Reviewers only."""
    case = decisions.locked_case(reconsideration.case_id)
    if not decisions.is_reviewer(by, case):
        raise PermissionDenied("Only a clinical reviewer can decide a reconsideration.")
    decisions.case_decide(case=case, round=DeterminationRound.RECONSIDERATION, sequence=reconsideration.sequence, by=by)
    reconsideration.refresh_from_db()
    return reconsideration
