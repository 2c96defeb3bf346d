"""The provider's case page (WL-1, WL-2, CMS-1, CMS-2): what a submitted request shows, and its wording.

``case_page`` reads everything the page shows in a fixed number of queries whatever the number of lines,
determinations, events or documents (prefetches on the one case). The wording of the decision clock and of
the timeline are pure functions of plain values, tested without a database.
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import Prefetch, prefetch_related_objects
from django.utils import timezone

from cases import rules
from cases.models import (
    AWAITING_DECISION,
    Case,
    CaseEvent,
    CaseStatus,
    Determination,
    DeterminationOutcome,
    DeterminationRound,
    Hold,
)

Kind = CaseEvent.Kind
ROUND_ORDER = {DeterminationRound.INITIAL: 0, DeterminationRound.RECONSIDERATION: 1, DeterminationRound.APPEAL: 2}


# --- The decision clock (CMS-2) ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Clock:
    text: str  # "Decision due in 2 days 4 hours", "Decision overdue by 3 hours"
    overdue: bool


def decision_clock(*, status: str, due_at: datetime.datetime | None, now: datetime.datetime) -> Clock | None:
    """The clock of a case awaiting its decision; None once it is decided, withdrawn or has no due time."""
    if due_at is None or status not in AWAITING_DECISION:
        return None
    if due_at <= now:
        return Clock(f"Decision overdue by {rules.duration_words(now - due_at)}", overdue=True)
    return Clock(f"Decision due in {rules.duration_words(due_at - now)}", overdue=False)


# --- The timeline ------------------------------------------------------------------------------------------

_OUTCOME_WORDS = {
    DeterminationOutcome.APPROVED: "approved",
    DeterminationOutcome.DENIED: "denied",
    DeterminationOutcome.ALTERNATIVE_OFFERED: "not approved; an alternative was offered",
}
_REVIEW_OUTCOME_WORDS = {
    "upheld": "the earlier decision was upheld",
    "overturned": "the earlier decision was overturned",
}


def _status_label(value) -> str:
    return CaseStatus(value).label if value in CaseStatus.values else "another status"


def _round_label(value) -> str:
    return DeterminationRound(value).label if value in DeterminationRound.values else "Review"


def _us_date(iso: str | None) -> str:
    try:
        return datetime.date.fromisoformat(iso[:10]).strftime("%m/%d/%Y") if iso else ""
    except ValueError:
        return ""


def _us_time(iso: str | None) -> str:
    try:
        return timezone.localtime(datetime.datetime.fromisoformat(iso)).strftime("%m/%d/%Y %I:%M %p") if iso else ""
    except (TypeError, ValueError):
        return ""


def event_text(kind: str, payload: dict) -> str:
    """What one ``CaseEvent`` says to the provider. Payloads hold codes and ids only (``cases.events``)."""
    p = payload or {}
    sequence = p.get("sequence") or ""
    if kind == Kind.SUBMITTED:
        return "Request submitted" + (" as urgent" if p.get("urgent") else "") + "."
    if kind == Kind.STATUS_CHANGED:
        return f"Status changed from {_status_label(p.get('from'))} to {_status_label(p.get('to'))}."
    if kind == Kind.LINE_DETERMINED:
        words = _OUTCOME_WORDS.get(p.get("outcome"), "determined")
        quantity = f" ({p['approved_quantity']})" if p.get("approved_quantity") else ""
        code = f" ({p['hcpcs']})" if p.get("hcpcs") else ""
        return f"{_round_label(p.get('round'))} review: line {p.get('line_number') or ''}{code} {words}{quantity}."
    if kind == Kind.DECIDED:
        return f"{_round_label(p.get('round'))} review decided: {_status_label(p.get('status'))}."
    if kind == Kind.ASSIGNED:
        return "Assigned to a clinical reviewer." if p.get("reviewer") else "Returned to the review queue."
    if kind == Kind.DOCUMENT_ADDED:
        return "Clinical information added."
    if kind == Kind.DUE_EXTENDED:
        return f"Decision due time extended to {_us_time(p.get('new_due_at'))}."
    if kind == Kind.HOLD_PLACED:
        return f"Put on hold: additional clinical information requested, due {_us_date(p.get('due_on'))}."
    if kind == Kind.HOLD_ANSWERED:
        return "Hold answered: the clinical information requested was received."
    if kind == Kind.HOLD_LAPSED:
        return "Hold lapsed: no information was received by the due date; the request is decided as submitted."
    if kind == Kind.RECONSIDERATION_REQUESTED:
        return f"Reconsideration {sequence} requested."
    if kind == Kind.RECONSIDERATION_DECIDED:
        return f"Reconsideration {sequence} decided: {_REVIEW_OUTCOME_WORDS.get(p.get('status'), 'decided')}."
    if kind == Kind.APPEAL_SUBMITTED:
        return f"Appeal {sequence} submitted."
    if kind == Kind.APPEAL_DECIDED:
        return f"Appeal {sequence} decided: {_REVIEW_OUTCOME_WORDS.get(p.get('status'), 'decided')}."
    if kind == Kind.ALTERNATIVE_ACCEPTED:
        return f"Alternative accepted for line {p.get('line_number') or ''}."
    if kind == Kind.EXTENSION_REQUESTED:
        return f"Extension of the authorization requested through {_us_date(p.get('requested_valid_to'))}."
    if kind == Kind.EXTENSION_DECIDED:
        return f"Extension of the authorization {p.get('status') or 'decided'}."
    return Kind(kind).label + "." if kind in Kind.values else "Updated."


# --- The page's data ---------------------------------------------------------------------------------------


def round_label(determination: Determination) -> str:
    """ "Initial review", "Reconsideration 1", "Appeal 2"."""
    if determination.round == DeterminationRound.INITIAL:
        return "Initial review"
    return f"{_round_label(determination.round)} {determination.sequence}"


@dataclass
class LineView:
    line: object
    determinations: list[tuple[str, Determination]] = field(default_factory=list)  # (round label, row), in order
    # An accepted DME alternative is authorized as a line of its own: the line number it is the alternative to, and
    # on the line requested, the number of the line that authorizes its alternative.
    alternative_to: int | None = None
    alternative_line: int | None = None


@dataclass
class TimelineEntry:
    at: datetime.datetime
    text: str


@dataclass
class CasePage:
    lines: list[LineView]
    open_hold: Hold | None
    timeline: list[TimelineEntry]
    documents: list
    clock: Clock | None
    due_extensions: list


def case_page(case: Case, *, now: datetime.datetime | None = None) -> CasePage:
    """Everything the case page shows about ``case``, in one query per kind of row."""
    determinations = Determination.objects.select_related("guideline__program", "acceptance", "alternative_hcpcs")
    prefetch_related_objects(
        [case],
        "service_lines__hcpcs",
        Prefetch("service_lines__determinations", queryset=determinations),
        "holds",
        "events",
        "documents",
        "due_extensions",
    )
    lines = []
    numbers = {line.pk: line.line_number for line in case.service_lines.all()}
    alternative_lines = {line.alternative_of_id: line.line_number for line in case.service_lines.all()}
    for line in case.service_lines.all():
        rows = sorted(line.determinations.all(), key=lambda d: (ROUND_ORDER.get(d.round, 9), d.sequence, d.pk))
        lines.append(
            LineView(
                line=line,
                determinations=[(round_label(d), d) for d in rows],
                alternative_to=numbers.get(line.alternative_of_id),
                alternative_line=alternative_lines.get(line.pk),
            )
        )
    open_hold = next((hold for hold in case.holds.all() if hold.status == Hold.Status.OPEN), None)
    timeline = [
        TimelineEntry(at=event.created_at, text=event_text(event.kind, event.payload)) for event in case.events.all()
    ]
    return CasePage(
        lines=lines,
        open_hold=open_hold,
        timeline=timeline,
        documents=list(case.documents.all()),
        clock=decision_clock(status=case.status, due_at=case.decision_due_at, now=now or timezone.now()),
        due_extensions=list(case.due_extensions.all()),
    )
