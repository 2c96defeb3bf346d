"""What the reviewer's case page shows (REV-1 to REV-4, CMS-1): the whole request, its clinical answers, each
service line with its determinations per round, documents, holds, post-decision requests, the review history
and the timeline, and the action forms that apply now. Reads only; a fixed number of queries."""

from django.contrib.auth import get_user_model
from django.db.models import Prefetch
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from cases import decisions, holds, queue
from cases.admin import forms as action_forms
from cases.models import (
    Appeal,
    AuthorizationExtension,
    Case,
    CaseEvent,
    Determination,
    DeterminationRound,
    Reconsideration,
)
from cases.questionnaires import engine

Round = DeterminationRound
Kind = CaseEvent.Kind
# The related rows the page prints, read with the case.
CASE_RELATED = (
    "program",
    "health_plan",
    "practice",
    "member",
    "ordering_provider",
    "site",
    "primary_diagnosis",
    "secondary_diagnosis",
    "assigned_to",
)


def current_round(case: Case) -> tuple[str, int, object] | None:
    """The round the reviewer determines now: (round, sequence, the reconsideration or appeal or None); None when
    nothing waits (decided, no open request to look again)."""
    if case.status in queue.AWAITING_DECISION:
        return Round.INITIAL, 1, None
    appeal = case.appeals.filter(status=Appeal.Status.SUBMITTED).first()
    if appeal:
        return Round.APPEAL, appeal.sequence, appeal
    reconsideration = case.reconsiderations.filter(status=Reconsideration.Status.SUBMITTED).first()
    if reconsideration:
        return Round.RECONSIDERATION, reconsideration.sequence, reconsideration
    return None


def service_lines(case: Case) -> list:
    determinations = Determination.objects.select_related("guideline", "decided_by", "acceptance").order_by(
        "decided_at", "pk"
    )
    return list(
        case.service_lines.select_related("hcpcs").prefetch_related(Prefetch("determinations", queryset=determinations))
    )


def case_page_context(case: Case, *, user, bound: dict | None = None) -> dict:
    """The template's context for ``case``; ``bound`` holds the forms posted with errors, by key."""
    bound = bound or {}
    lines = service_lines(case)
    round_now = current_round(case)
    line_forms = []
    if round_now:
        round_, sequence, _row = round_now
        basis = decisions.validity_basis(case)
        for line in lines:
            line.case = case
            if not _takes_determination(line, round_, sequence):
                continue
            default = decisions.line_validity(line, approved_quantity=line.quantity, basis=basis)
            form = bound.get(f"line-{line.pk}") or action_forms.LineDetermineForm(
                line=line, case=case, default_validity=default
            )
            line_forms.append(form)
    extension = AuthorizationExtension.objects.filter(case=case).select_related("requested_by", "decided_by").first()
    events = list(case.events.select_related("actor").order_by("created_at", "pk"))
    clock_text, overdue = queue.clock(case)
    open_hold = next((hold for hold in case_holds(case) if hold.status == hold.Status.OPEN), None)
    documents = list(case.documents.select_related("uploaded_by"))
    return {
        "case": case,
        # The rows shown, for the audit row of the page (``PHIAuditAdminMixin``): ids only.
        "audit_shown": {
            "cases.clinicaldocument": [document.pk for document in documents],
            "cases.serviceline": [line.pk for line in lines],
        },
        "clock": clock_text,
        "overdue": overdue,
        "assigned_to_me": case.assigned_to_id == user.pk,
        "decide_on_original": holds.decide_on_original(case),
        "answered": _answers(case),
        "service_lines": lines,
        "round": round_now,
        "line_forms": line_forms,
        "documents": documents,
        "holds": case_holds(case),
        "open_hold": open_hold,
        "reconsiderations": list(case.reconsiderations.select_related("requested_by", "decided_by")),
        "appeals": list(case.appeals.exclude(status=Appeal.Status.DRAFT).select_related("submitted_by", "decided_by")),
        "extension": extension,
        "due_extensions": list(case.due_extensions.select_related("extended_by")),
        "history": list(case.status_changes.select_related("changed_by")),
        "timeline": timeline(events),
        "assign_form": bound.get("assign") or action_forms.AssignForm(),
        "hold_form": bound.get("hold") or action_forms.HoldForm()
        if case.status in holds.HOLDABLE_STATUSES and open_hold is None
        else None,
        "due_form": bound.get("due") or action_forms.DueExtendForm()
        if case.status in queue.AWAITING_DECISION
        else None,
        "extension_form": bound.get("extension") or action_forms.ExtensionDecideForm()
        if extension and extension.status == AuthorizationExtension.Status.REQUESTED
        else None,
        "error_forms": list(bound.values()),
        "urls": action_urls(case),
    }


def _takes_determination(line, round_: str, sequence: int) -> bool:
    """Whether ``line`` waits for its determination in this round: every line in the initial round, in a later one
    the lines not approved before it (``decisions``: approved lines carry over), but for a line covered by its
    accepted alternative."""
    rows = list(line.determinations.all())  # prefetched, oldest first
    if any(row.round == round_ and row.sequence == sequence for row in rows):
        return False
    if round_ == Round.INITIAL:
        return True
    if rows and hasattr(rows[-1], "acceptance"):
        return False  # its alternative was accepted: the alternative's own line stands for it, decided already
    return not rows or rows[-1].outcome != "approved"


def case_holds(case: Case) -> list:
    cached = case.__dict__.get("_holds_shown")
    if cached is None:
        cached = case.__dict__["_holds_shown"] = list(case.holds.select_related("placed_by"))
    return cached


def action_urls(case: Case) -> dict:
    names = ("claim", "release", "assign", "determine", "decide", "approve_all", "hold", "extend_due", "extension")
    return {name: reverse(f"admin:cases_case_{name}", args=[case.pk]) for name in names}


def _answers(case: Case) -> list:
    question_set = engine.question_set_for(case.program.code)
    if question_set is None or not case.clinical_answers:
        return []
    return engine.answered_pages(question_set, case.clinical_answers)


def timeline(events: list[CaseEvent]) -> list[dict]:
    """Each event, oldest first, with a sentence built from its payload (codes and ids only)."""
    ids = {event.payload.get("reviewer") for event in events if event.kind == Kind.ASSIGNED} - {None}
    names = {
        user.pk: user.get_full_name() or user.get_username() for user in get_user_model().objects.filter(pk__in=ids)
    }
    return [{"event": event, "text": event_text(event, names)} for event in events]


def event_text(event: CaseEvent, names: dict) -> str:
    payload = event.payload or {}
    kind = event.kind
    if kind == Kind.STATUS_CHANGED:
        return f"Status: {_status_label(payload.get('from'))} to {_status_label(payload.get('to'))}"
    if kind == Kind.LINE_DETERMINED:
        text = f"Line {payload.get('line_number')} ({payload.get('hcpcs')}), {payload.get('round')} round: "
        text += _outcome_label(payload.get("outcome"))
        if payload.get("approved_quantity"):
            text += f" ({payload['approved_quantity']})"
        return text
    if kind == Kind.DECIDED:
        return f"Decided ({payload.get('round')} round): {_status_label(payload.get('status'))}"
    if kind == Kind.ASSIGNED:
        reviewer = payload.get("reviewer")
        return "Released to the queue" if reviewer is None else f"Assigned to {names.get(reviewer, 'a reviewer')}"
    if kind == Kind.DUE_EXTENDED:
        new_due = parse_datetime(payload.get("new_due_at") or "")
        return (
            f"Decision due time extended to {timezone.localtime(new_due):%m/%d/%Y %I:%M %p}"
            if new_due
            else event.get_kind_display()
        )
    if kind == Kind.HOLD_PLACED:
        return f"Put on hold, due {payload.get('due_on', '')}"
    return event.get_kind_display()


def _status_label(value) -> str:
    from cases.models import CaseStatus

    return CaseStatus(value).label if value in CaseStatus.values else str(value)


def _outcome_label(value) -> str:
    from cases.models import DeterminationOutcome

    return DeterminationOutcome(value).label if value in DeterminationOutcome.values else str(value)
