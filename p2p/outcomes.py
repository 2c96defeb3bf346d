"""The outcome of a P2P call, recorded by the reviewer in the admin (P2P-6, REV-5): Decision changed, Decision
upheld, Consultative only or No show, with a note.

A "Decision changed" outcome applies to each case of the call that is not consultative only as a reconsideration
round of the case decision services: it opens a ``Reconsideration`` of the case (requested by the office that
asked for the P2P, reason "Peer-to-peer consultation P2P00000001", the reviewer's note as its information), or
takes the one already waiting for its decision; the reviewer then determines the lines and decides on the case's
admin page (``decisions.line_determine`` with round "reconsideration", ``reconsiderations.reconsideration_decide``).
So the case's status changes in exactly one place, ``decisions.case_decide``, as for any reconsideration; nothing
here touches a case's status. A consultative-only call can never change the decision: refused.
"""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from audit.services import audit_record
from cases import decisions, events, reconsiderations
from cases.models import Case, Reconsideration
from p2p import timefmt
from p2p.models import P2PRequest

Outcome = P2PRequest.Outcome
PERMISSION = "p2p.work_p2p"
CONSULTATIVE = "A consultative-only P2P cannot change the decision: record what the call concluded otherwise."
NOT_STARTED = "The call has not started yet: its outcome can be recorded from {when} on."


def reconsideration_reason(p2p_request) -> str:
    return f"Peer-to-peer consultation {p2p_request.number}"


def cases_to_reconsider(p2p_request) -> list[Case]:
    """The cases of the call whose decision it may change: those not consultative only (none when the whole
    request is)."""
    if p2p_request.consultative_only:
        return []
    rows = p2p_request.request_cases.filter(consultative_only=False).select_related("case").order_by("position")
    return [row.case for row in rows]


def outcome_refusal(p2p_request, now: datetime.datetime | None = None) -> str | None:
    """Why no outcome can be recorded for ``p2p_request`` now (whatever the outcome), or None."""
    now = now or timezone.now()
    if p2p_request.status == P2PRequest.Status.COMPLETED:
        return f"The outcome of {p2p_request.number} is recorded: {p2p_request.get_outcome_display()}."
    if p2p_request.status != P2PRequest.Status.SCHEDULED:
        return f"{p2p_request.number} is {p2p_request.get_status_display()}: it has no outcome."
    if p2p_request.starts_at > now:
        return NOT_STARTED.format(when=timefmt.appointment(p2p_request.starts_at, p2p_request.reviewer.time_zone))
    return None


@transaction.atomic
def outcome_record(*, p2p_request, outcome: str, note: str, by, request=None) -> P2PRequest:
    """Record the outcome of a Scheduled call that has started: the request becomes Completed with the outcome,
    the note, who and when, audited. "Decision changed" opens a reconsideration round on each case the call may
    change (see the module's docstring). Needs ``p2p.work_p2p``; refusals are ValidationErrors (``outcome`` and
    ``note`` by field)."""
    if by is None or not by.has_perm(PERMISSION):
        raise PermissionDenied("Only P2P reviewers record the outcome of a call.")
    p2p_request = P2PRequest.objects.select_for_update(of=("self",)).select_related("reviewer").get(pk=p2p_request.pk)
    refusal = outcome_refusal(p2p_request)
    if refusal:
        raise ValidationError(refusal, code="refused")
    if outcome not in Outcome.values:
        raise ValidationError({"outcome": "Choose the outcome of the call."})
    note = (note or "").strip()
    if len(note) > 2000:
        raise ValidationError({"note": "Enter at most 2000 characters."})
    opened = []
    if outcome == Outcome.DECISION_CHANGED:
        cases = cases_to_reconsider(p2p_request)
        if not cases:
            raise ValidationError({"outcome": CONSULTATIVE})
        if not note:
            raise ValidationError({"note": "Enter what changed and why: it goes to the reconsideration."})
        opened = [_reconsideration_open(case, p2p_request=p2p_request, note=note, by=by) for case in cases]

    now = timezone.now()
    p2p_request.status = P2PRequest.Status.COMPLETED
    p2p_request.outcome = outcome
    p2p_request.outcome_note = note
    p2p_request.outcome_recorded_at = now
    p2p_request.outcome_recorded_by = by
    p2p_request.updated_at = now
    p2p_request.save(
        update_fields=["status", "outcome", "outcome_note", "outcome_recorded_at", "outcome_recorded_by", "updated_at"]
    )
    audit_record(
        action="p2p.outcome_recorded",
        request=request,
        actor=by,
        target=p2p_request,
        details={"outcome": outcome, "reconsiderations": [row.pk for row in opened]},
    )
    return p2p_request


def _reconsideration_open(case: Case, *, p2p_request, note: str, by) -> Reconsideration:
    """The reconsideration round the call's "decision changed" goes to: the case's own one already waiting for its
    decision, or a new one (the case's rules as for any reconsideration: Denied or Partially Approved, no appeal
    received)."""
    case = decisions.locked_case(case.pk)
    waiting = case.reconsiderations.filter(status=Reconsideration.Status.SUBMITTED).first()
    if waiting is not None:
        return waiting
    refusal = reconsiderations.reconsideration_refusal(case)
    if refusal:
        raise ValidationError({"outcome": f"Case {case.case_number}: {refusal}"})
    last = case.reconsiderations.order_by("-sequence").values_list("sequence", flat=True).first() or 0
    reconsideration = Reconsideration.objects.create(
        case=case,
        sequence=last + 1,
        reason=reconsideration_reason(p2p_request),
        documentation=note,
        requested_by=p2p_request.requested_by,
        requested_at=timezone.now(),
    )
    events.reconsideration_requested_event(reconsideration=reconsideration)
    audit_record(
        action="case.reconsideration_requested",
        actor=by,
        target=case,
        details={
            "reconsideration": reconsideration.pk,
            "sequence": reconsideration.sequence,
            "p2p_request": p2p_request.pk,
        },
    )
    return reconsideration
