"""What each letter says (COR-1, CMS-1): its kind, chosen from the case event that causes it, and its content,
read from the case as it stood at that event, rendered once to PDF.

A letter is rendered after the decision's transaction has committed (by ``tasks.letter_deliver``), maybe
minutes later when the sweep catches up; so its content is read as of its event, not as of now: the
determinations made up to the event, the status and validity the event recorded. A later reconsideration
never changes an earlier letter, and a letter already rendered is never rendered again.
"""

import datetime
import hashlib
from dataclasses import dataclass

from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from cases import reconsiderations, rules, selectors
from cases.models import (
    Appeal,
    Case,
    CaseEvent,
    CaseStatus,
    Determination,
    DeterminationOutcome,
    DeterminationRound,
    Hold,
)
from cases.models.review import APPEAL_WINDOW
from correspondence.models import Letter
from correspondence.pdf import html_to_pdf

Kind = Letter.Kind
Event = CaseEvent.Kind

DETERMINATION_KINDS = {
    CaseStatus.APPROVED: Kind.APPROVAL,
    CaseStatus.PARTIALLY_APPROVED: Kind.PARTIAL_APPROVAL,
    CaseStatus.DENIED: Kind.DENIAL,
}
# What the status box at the top of page one says.
STATUS_LINES = {
    Kind.HOLD: "On Hold: additional clinical information needed",
    Kind.APPROVAL: "Approved",
    Kind.PARTIAL_APPROVAL: "Partially Approved",
    Kind.DENIAL: "Denied",
    Kind.ALTERNATIVE_RECOMMENDATION: "Alternative Recommended",
    Kind.APPEAL_ACKNOWLEDGEMENT: "Appeal Received",
}


def letter_kind_for(event: CaseEvent, case: Case) -> str | None:
    """The letter ``event`` causes, or None. One decision makes one letter: its DECIDED event, whatever the
    round (the reconsideration's or appeal's own decided event is the same decision, and makes none)."""
    if event.kind == Event.HOLD_PLACED:
        return Kind.HOLD
    if event.kind == Event.APPEAL_SUBMITTED:
        return Kind.APPEAL_ACKNOWLEDGEMENT
    if event.kind != Event.DECIDED:
        return None
    if event.payload.get("round") == DeterminationRound.APPEAL:
        return Kind.APPEAL_DECISION
    status = event.payload.get("status")
    if status != CaseStatus.APPROVED and case.is_dme and reconsiderations.has_alternative(case):
        return Kind.ALTERNATIVE_RECOMMENDATION
    return DETERMINATION_KINDS.get(status)


# --- Content -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LineOutcome:
    """One service line in a determination letter, as decided up to the letter's event."""

    line_number: int
    code: str
    description: str
    requested: str
    determination: Determination
    # An accepted DME alternative is authorized as a line of its own (``ServiceLine.alternative_of``): the line
    # requested is then covered by it, and the alternative's line says which line it replaces.
    covered_by: int | None = None
    alternative_to: int | None = None

    @property
    def approved(self) -> bool:
        return self.determination.outcome == DeterminationOutcome.APPROVED

    @property
    def units(self) -> str:
        return f"{self.determination.approved_quantity} {self.determination.line.unit}"


def determinations_as_of(case: Case, event: CaseEvent) -> list[LineOutcome]:
    """Each line's latest determination made up to ``event`` (a line's later rows replace its earlier ones), in
    line order: what the case's decision at ``event`` stood on, whatever was decided since."""
    rows = (
        Determination.objects.filter(line__case=case, decided_at__lte=event.created_at)
        .select_related("line__hcpcs", "guideline")
        .order_by("pk")
    )
    latest = {row.line_id: row for row in rows}
    numbers = {row.line_id: row.line.line_number for row in latest.values()}
    covering = {
        row.line.alternative_of_id: row.line.line_number
        for row in latest.values()
        if row.line.alternative_of_id and row.outcome == DeterminationOutcome.APPROVED
    }
    return [
        LineOutcome(
            line_number=row.line.line_number,
            code=row.line.hcpcs.code,
            description=row.line.label,
            requested=f"{row.line.quantity} {row.line.unit}",
            determination=row,
            covered_by=covering.get(row.line_id),
            alternative_to=numbers.get(row.line.alternative_of_id),
        )
        for row in sorted(latest.values(), key=lambda row: row.line.line_number)
    ]


# What the templates print of the case and its relations; a letter reads nothing else of them (one query, not
# the case's every column and its clinical answers: the worker renders thousands of letters).
CASE_FIELDS = (
    "case_number",
    "authorization_number",
    "contact_fax",
    "contact_provider_name",
    "program__name",
    "health_plan__name",
    "member__first_name",
    "member__last_name",
    "member__member_id",
    "member__date_of_birth",
    *(f"ordering_provider__{name}" for name in ("kind", "first_name", "last_name", "credentials", "organization_name")),
    *(f"site__{name}" for name in ("name", "address_line1", "address_line2", "city", "state", "zip_code")),
)


def letter_context(letter: Letter) -> dict:
    """Everything the letter's template prints."""
    case = (
        Case.objects.select_related("program", "health_plan", "member", "ordering_provider", "site")
        .only(*CASE_FIELDS)
        .get(pk=letter.case_id)
    )
    event = letter.event
    plan_program = selectors.plan_program_for(case)
    context = {
        "letter": letter,
        "case": case,
        "member": case.member,
        "plan": case.health_plan,
        "plan_program": plan_program,
        "letter_date": timezone.localdate(letter.created_at),
        "requesting_provider_name": case.contact_provider_name
        or (case.ordering_provider.display_name if case.ordering_provider else ""),
        "status_line": STATUS_LINES.get(letter.kind, ""),
        "reference_label": "Case Number",
        "reference_number": case.case_number,
    }
    context.update(_KIND_CONTEXT[letter.kind](case, event))
    if context.get("authorization_number"):
        context["reference_label"], context["reference_number"] = "Authorization Number", case.authorization_number
    return context


def _hold(case: Case, event: CaseEvent) -> dict:
    hold = Hold.objects.get(pk=event.payload["hold"])
    return {"hold": hold, "items": hold.item_labels(), "due_on": hold.due_on}


def _determination(case: Case, event: CaseEvent) -> dict:
    lines = determinations_as_of(case, event)
    approved = [line for line in lines if line.approved]
    decided_on = timezone.localdate(event.created_at)
    return {
        "round": event.payload.get("round", DeterminationRound.INITIAL),
        "round_label": DeterminationRound(event.payload.get("round", DeterminationRound.INITIAL)).label,
        "decided_on": decided_on,
        "lines": lines,
        "approved_lines": approved,
        "not_approved_lines": [line for line in lines if not line.approved and line.covered_by is None],
        "authorization_number": case.authorization_number if approved else "",
        "valid_from": _date(event.payload.get("valid_from")),
        "valid_to": _date(event.payload.get("valid_to")),
        # Seed 001: "typically within 180 days of the adverse decision"; day 180 is in (``appeals.appeal_last_day``).
        "appeal_last_day": rules.last_day_within(decided_on, APPEAL_WINDOW.days),
    }


def _appeal_acknowledgement(case: Case, event: CaseEvent) -> dict:
    return {"appeal": Appeal.objects.get(pk=event.payload["appeal"])}


def _appeal_decision(case: Case, event: CaseEvent) -> dict:
    context = _determination(case, event)
    sequence = event.payload.get("sequence", 1)
    this_round = [
        line.determination
        for line in context["lines"]
        if line.determination.round == DeterminationRound.APPEAL and line.determination.sequence == sequence
    ]
    # As ``cases.decisions`` decides it: overturned when a line not approved before is approved by the appeal.
    overturned = any(row.outcome == DeterminationOutcome.APPROVED for row in this_round)
    context.update(
        {
            "appeal": Appeal.objects.get(case=case, sequence=sequence),
            "overturned": overturned,
            "status_line": f"Appeal {'Overturned' if overturned else 'Upheld'}: "
            f"{CaseStatus(event.payload['status']).label}",
        }
    )
    return context


def _date(text: str | None) -> datetime.date | None:
    return datetime.date.fromisoformat(text) if text else None


_KIND_CONTEXT = {
    Kind.HOLD: _hold,
    Kind.APPROVAL: _determination,
    Kind.DENIAL: _determination,
    Kind.PARTIAL_APPROVAL: _determination,
    Kind.ALTERNATIVE_RECOMMENDATION: _determination,
    Kind.APPEAL_ACKNOWLEDGEMENT: _appeal_acknowledgement,
    Kind.APPEAL_DECISION: _appeal_decision,
}


def template_for(kind: str) -> str:
    return f"correspondence/letters/{kind}.html"


# The print stylesheet (pages, running header, page numbers) and the letters' own, parsed once per worker thread;
# and the letters' user-agent stylesheet, in place of WeasyPrint's (the rules of its html5_ua.css that they use).
STYLESHEETS = ("css/print-pdf.css", "css/letter-pdf.css")
USER_AGENT_STYLESHEET = "css/letter-ua-pdf.css"


def letter_html(letter: Letter) -> str:
    return render_to_string(template_for(letter.kind), letter_context(letter))


def letter_pdf_from_html(html: str) -> bytes:
    return html_to_pdf(html, stylesheets=STYLESHEETS, user_agent_stylesheet=USER_AGENT_STYLESHEET)


# --- Rendering -----------------------------------------------------------------------------------------------


def letter_render(*, letter: Letter) -> Letter:
    """Render ``letter`` to PDF and store it with its checksum, once: a letter already rendered is returned as it
    is, so a template changed later never changes a letter sent. Rendering happens outside any lock (it takes a
    moment); of two workers rendering the same letter at once, the first to store wins."""
    if letter.is_rendered:
        return letter
    pdf = letter_pdf_from_html(letter_html(letter))
    with transaction.atomic():
        stored = Letter.objects.select_for_update().get(pk=letter.pk)
        if not stored.is_rendered:
            stored.pdf = pdf
            stored.sha256 = hashlib.sha256(pdf).hexdigest()
            stored.rendered_at = timezone.now()
            stored.save(update_fields=["pdf", "sha256", "rendered_at"])
    return stored


def letter_pdf(letter: Letter) -> bytes:
    """The stored PDF's bytes (a memoryview on PostgreSQL)."""
    return bytes(letter.pdf)
