"""Decisions (REV-2, CMS-1): a determination per service line and round, and the case's status derived from them.

A reviewer determines each line of a round (``line_determine``), then decides the case (``case_decide``): all
lines approved makes it Approved, some Partially Approved, none Denied (an alternative offered does not
approve the line requested). The decision calls ``services.case_transition`` once, so that the status, its
history row and its event are written in one place. A round is decided once and its rows are never edited: a
reconsideration or an appeal of a Denied or Partially Approved case is a new set of rows that may overturn it.

A round is (round, sequence): the initial one is sequence 1, a reconsideration or an appeal takes the sequence
of its ``Reconsideration`` or ``Appeal`` row, which must be submitted. A line's effective determination is its
latest one; a later round determines only the lines not approved in theirs (approved lines carry over), and
the case's status is derived from every line's effective determination. Deciding such a round also moves its
reconsideration or appeal to Overturned (a line not approved is now approved) or Upheld.
The Home Health bundle accepted at submission goes through the same path (``case_bundle_approve``).

A DME alternative offered names its item (HCPCS code and quantity). Accepting it (``alternatives``) authorizes it
at once (``alternative_authorize``): a new line for the item, approved in the offer's round, after which the line
requested counts as covered by its alternative line's determination, and the case's status is derived again.
"""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from cases import events, holds, lifecycle, permissions, rules, selectors, services, worklist
from cases.identifiers import new_identifier
from cases.models import (
    Appeal,
    Case,
    CaseEvent,
    CaseStatus,
    Determination,
    DeterminationOutcome,
    DeterminationRound,
    Reconsideration,
    ServiceLine,
)
from reference.models import HcpcsCode

S = CaseStatus
Outcome = DeterminationOutcome
Round = DeterminationRound

# The statuses a case takes a round's determinations in: the initial one while it waits for its decision
# (a hold included), a reconsideration or an appeal once it is denied or partially approved.
ROUND_STATUSES = {
    Round.INITIAL: {S.SUBMITTED, S.PENDING_REVIEW, S.ON_HOLD},
    Round.RECONSIDERATION: {S.DENIED, S.PARTIALLY_APPROVED},
    Round.APPEAL: {S.DENIED, S.PARTIALLY_APPROVED},
}
DECISION_REASONS = {
    S.APPROVED: "Every service line approved.",
    S.PARTIALLY_APPROVED: "Some service lines approved, some not.",
    S.DENIED: "No service line approved.",
}
BUNDLE_REASON = "Home Health bundle accepted: approved without clinical review."
# The largest quantity of a line, as the DME questionnaire takes it ("Enter at most 999 units.").
MAX_QUANTITY = 999


def validity_basis(case: Case) -> tuple[datetime.date, int | None]:
    """Where the request's period starts (``selectors.requested_period``) and, for Home Health, its timeframe in
    days: what every line's default validity is counted from. Read once per case, not once per line."""
    start, _ = selectors.requested_period(case)
    result = selectors.case_outcome(case)
    return start, int(result.period_days) if result and result.period_days else None


def line_validity(
    line: ServiceLine, *, approved_quantity: int, basis: tuple[datetime.date, int | None] | None = None
) -> tuple[datetime.date, datetime.date]:
    """The default validity of ``line`` approved for ``approved_quantity`` (``rules.line_validity``), counted from
    ``basis`` (``validity_basis`` of its case, read here when not given)."""
    start, period_days = basis or validity_basis(line.case)
    return rules.line_validity(
        billing_basis=line.billing_basis, start=start, units=approved_quantity, period_days=period_days
    )


@transaction.atomic
def line_determine(
    *,
    line: ServiceLine,
    round: str,
    sequence: int = 1,
    outcome: str,
    approved_quantity: int | None = None,
    valid_from: datetime.date | None = None,
    valid_to: datetime.date | None = None,
    criterion: str = "",
    guideline=None,
    documentation: str = "",
    alternative: str = "",
    alternative_hcpcs: HcpcsCode | None = None,
    alternative_quantity: int | None = None,
    by,
) -> Determination:
    """A reviewer's determination of one service line in ``round``: approved (a quantity up to the one requested,
    and a validity, by default ``line_validity``), denied or (DME) an alternative offered, with the specific
    reason: the criterion not met, the guideline relied on and the documentation that would change the outcome.
    An alternative names its item: a HCPCS code on the case's program list that needs prior authorization, and
    its quantity; ``alternative`` is its label for people (the code's description when empty).

    The case row is locked first: of two reviewers determining the same line at once, the second is refused.
    """
    case = _locked_case(line.case_id)
    _require_reviewer(by, case)
    return _line_determine(
        case=case,
        line=line,
        round=round,
        sequence=sequence,
        outcome=outcome,
        approved_quantity=approved_quantity,
        valid_from=valid_from,
        valid_to=valid_to,
        criterion=criterion,
        guideline=guideline,
        documentation=documentation,
        alternative=alternative,
        alternative_hcpcs=alternative_hcpcs,
        alternative_quantity=alternative_quantity,
        by=by,
    )


@transaction.atomic
def case_decide(*, case: Case, round: str, sequence: int = 1, by) -> Case:
    """Decide ``case`` from its lines' effective determinations after ``round`` (its ``sequence``); refused until
    every line the round determines has its determination.

    Sets the case's decision time and validity (the approved lines' first and last day) and an authorization
    number when something is approved, then moves the status once. A reconsideration or an appeal that
    upholds the status moves nothing; its decision is still recorded (the decided event).
    """
    case = _locked_case(case.pk)
    _require_reviewer(by, case)
    return _case_decide(case=case, round=round, sequence=sequence, by=by)


def case_bundle_approve(*, case: Case) -> Case:
    """The Home Health bundle accepted at submission: each line approved in the initial round for its requested
    visits and the bundle's 30 days, then decided like any case, by nobody (the system). The caller (``case_submit``)
    holds the case row locked."""
    problem = _round_problem(case, Round.INITIAL)
    if problem:
        raise ValidationError(problem, code="round")
    # Written together (a bundle has six lines, just created by the submission): one insert for the lines'
    # determinations and one for their events, instead of a dozen statements per line.
    basis = validity_basis(case)
    now = timezone.now()
    determinations = []
    for line in case.service_lines.select_related("hcpcs"):
        line.case = case
        valid_from, valid_to = line_validity(line, approved_quantity=line.quantity, basis=basis)
        determinations.append(
            Determination(
                line=line,
                round=Round.INITIAL,
                outcome=Outcome.APPROVED,
                approved_quantity=line.quantity,
                valid_from=valid_from,
                valid_to=valid_to,
                decided_by=None,
                decided_at=now,
            )
        )
    events.lines_determined_events(determinations=Determination.objects.bulk_create(determinations))
    return _case_decide(case=case, round=Round.INITIAL, by=None, reason=BUNDLE_REASON)


@transaction.atomic
def alternative_authorize(
    *, case: Case, offer: Determination, accepted_at: datetime.datetime, accepted_by
) -> Determination:
    """The alternative of ``offer``, accepted by ``accepted_by`` at ``accepted_at``, authorized at once: a new line
    for the alternative item (``ServiceLine.alternative_of`` the line requested; billing basis and unit from its
    code as of now, like a line at submission) and its approval for the offered quantity, in the offer's round and
    sequence and by the offer's reviewer, valid from the day of acceptance (``line_validity``); then the case's
    status is derived again, the original line counting as covered by this approval. The offer is not edited.

    The caller (``alternatives.alternative_accept``) holds the case row locked and has checked the acceptance.
    """
    if offer.outcome != Outcome.ALTERNATIVE_OFFERED or offer.alternative_hcpcs_id is None:
        raise ValidationError("This determination offers no alternative item to authorize.", code="no_alternative")
    original = offer.line
    if ServiceLine.objects.filter(alternative_of_id=original.pk).exists():
        raise ValidationError("This alternative is already authorized.", code="authorized")
    hcpcs = HcpcsCode.objects.get(pk=offer.alternative_hcpcs_id)
    last_number = max(case.service_lines.values_list("line_number", flat=True), default=0)
    line = ServiceLine.objects.create(
        case=case,
        hcpcs=hcpcs,
        label=hcpcs.description[:300],
        quantity=offer.alternative_quantity,
        billing_basis=hcpcs.billing_basis,
        unit=rules.service_unit(hcpcs.billing_basis),
        line_number=last_number + 1,
        alternative_of=original,
    )
    determination = _determination_checked(
        case=case,
        line=line,
        round=offer.round,
        sequence=offer.sequence,
        outcome=Outcome.APPROVED,
        approved_quantity=offer.alternative_quantity,
        valid_from=None,
        valid_to=None,
        by=offer.decided_by,
        decided_at=timezone.now(),
        basis=(timezone.localdate(accepted_at), None),
    )
    determination.save()
    events.line_determined_event(determination=determination)
    # The status moves because the provider accepted: the change and the decision event are theirs.
    status = _case_status_derive(
        case=case,
        lines=list(case.service_lines.select_related("hcpcs")),
        effective=effective_determinations(case),
        by=accepted_by,
        round=offer.round,
        why=f"Alternative accepted for line {original.line_number}",
        lines_added=True,
    )
    events.case_decided_event(case=case, round=offer.round, sequence=offer.sequence, status=status, user=accepted_by)
    return determination


def round_decided(case: Case, round: str, sequence: int = 1) -> bool:
    return CaseEvent.objects.filter(
        case=case, kind=CaseEvent.Kind.DECIDED, payload__round=round, payload__sequence=sequence
    ).exists()


def effective_determinations(case: Case, *, excluding: tuple[str, int] | None = None) -> dict[int, Determination]:
    """Each line's latest determination, by line id (lines never determined are absent); ``excluding`` leaves
    out one round's rows, (round, sequence), to read what stood before it."""
    rows = (
        Determination.objects.filter(line__case=case)
        .select_related("line__hcpcs", "guideline", "alternative_hcpcs", "acceptance")
        .order_by("pk")
    )
    if excluding:
        rows = rows.exclude(round=excluding[0], sequence=excluding[1])
    return {row.line_id: row for row in rows}  # the later row of a line replaces the earlier


def review_row(case: Case, round: str, sequence: int):
    """The submitted reconsideration or appeal a later round answers, or None."""
    model = {Round.RECONSIDERATION: Reconsideration, Round.APPEAL: Appeal}.get(round)
    if model is None:
        return None
    return model.objects.filter(case=case, sequence=sequence, status=model.Status.SUBMITTED).first()


# --- Internals: the case row is locked by the caller ---------------------------------------------------------


def locked_case(pk: int) -> Case:
    """The case row, locked until the transaction ends: every post-decision service starts here."""
    return Case.objects.select_for_update(of=("self",)).select_related("program").get(pk=pk)


_locked_case = locked_case


def is_reviewer(user, case: Case) -> bool:
    """Staff holding ``cases.review_case``, with ``case`` in their queue."""
    return user is not None and permissions.cases_in_review_queue(user).filter(pk=case.pk).exists()


def _require_reviewer(user, case: Case) -> None:
    """Only staff holding ``cases.review_case`` determine and decide, on a case in their queue."""
    if not is_reviewer(user, case):
        raise PermissionDenied("Only a clinical reviewer can determine or decide a case.")


def _round_problem(case: Case, round: str, sequence: int = 1) -> str | None:
    """Why ``case`` takes no determination or decision in ``round`` (its ``sequence``) now, or None."""
    if round not in ROUND_STATUSES:
        return f"{round!r} is not a review round."
    label = Round(round).label.lower()
    if case.status not in ROUND_STATUSES[round]:
        return f"A case that is {case.get_status_display()} takes no {label} determination."
    if round == Round.INITIAL and sequence != 1:
        return "A case has one initial round."
    if round_decided(case, round, sequence):
        return f"The {label} of this case is decided: its determinations cannot change."
    if round == Round.RECONSIDERATION and Appeal.objects.filter(case=case).exclude(status=Appeal.Status.DRAFT).exists():
        return "A reconsideration is no longer possible once an appeal is received."
    if round != Round.INITIAL and review_row(case, round, sequence) is None:
        return f"This case has no submitted {label} {sequence} to determine."
    return None


def _line_determine(
    *,
    case: Case,
    line: ServiceLine,
    round: str,
    sequence: int = 1,
    outcome: str,
    approved_quantity: int | None = None,
    valid_from: datetime.date | None = None,
    valid_to: datetime.date | None = None,
    criterion: str = "",
    guideline=None,
    documentation: str = "",
    alternative: str = "",
    alternative_hcpcs: HcpcsCode | None = None,
    alternative_quantity: int | None = None,
    by,
) -> Determination:
    problem = _round_problem(case, round, sequence)
    if problem:
        raise ValidationError(problem, code="round")
    line = ServiceLine.objects.select_related("hcpcs").get(pk=line.pk)
    if line.case_id != case.pk:
        raise ValidationError("This service line belongs to another case.", code="line")
    line.case = case
    name = f"Line {line.line_number} ({line.hcpcs.code})"
    if Determination.objects.filter(line=line, round=round, sequence=sequence).exists():
        raise ValidationError(f"{name} already has its {Round(round).label.lower()} determination.", code="determined")
    standing = effective_determinations(case).get(line.pk)
    if round != Round.INITIAL and standing is not None and standing.outcome == Outcome.APPROVED:
        raise ValidationError(f"{name} is approved: its approval carries over.", code="approved")
    covering = ServiceLine.objects.filter(alternative_of=line).values_list("line_number", flat=True).first()
    if covering is not None:
        # Seed 002: the provider accepts the alternative or asks to reconsider the original, not both.
        raise ValidationError(
            f"{name}: its alternative was accepted and is authorized as line {covering}; it is not determined again.",
            code="alternative_accepted",
        )
    determination = _determination_checked(
        case=case,
        line=line,
        round=round,
        sequence=sequence,
        outcome=outcome,
        approved_quantity=approved_quantity,
        valid_from=valid_from,
        valid_to=valid_to,
        criterion=criterion,
        guideline=guideline,
        documentation=documentation,
        alternative=alternative,
        alternative_hcpcs=alternative_hcpcs,
        alternative_quantity=alternative_quantity,
        by=by,
        decided_at=timezone.now(),
    )
    determination.save()
    events.line_determined_event(determination=determination)
    return determination


def _determination_checked(
    *,
    case: Case,
    line: ServiceLine,
    round: str,
    sequence: int,
    outcome: str,
    approved_quantity: int | None,
    valid_from: datetime.date | None,
    valid_to: datetime.date | None,
    criterion: str = "",
    guideline=None,
    documentation: str = "",
    alternative: str = "",
    alternative_hcpcs: HcpcsCode | None = None,
    alternative_quantity: int | None = None,
    by,
    decided_at: datetime.datetime,
    basis: tuple[datetime.date, int | None] | None = None,
) -> Determination:
    """The determination of ``line``, not saved, once its outcome's rules hold (ValidationError by field otherwise):
    an approval's quantity and validity (by default ``line_validity`` from ``basis``), a denial's or alternative's
    reasons, an alternative's item."""
    determination = Determination(
        line=line, round=round, sequence=sequence, outcome=outcome, decided_by=by, decided_at=decided_at
    )
    errors = {}
    if outcome == Outcome.APPROVED:
        if approved_quantity is None or not 1 <= approved_quantity <= line.quantity:
            errors["approved_quantity"] = f"Approve between 1 and {line.quantity} {line.unit.lower()}."
        elif (valid_from is None) != (valid_to is None):
            errors["valid_to"] = "Enter both the first and the last day of the validity, or neither."
        else:
            if valid_from is None:
                valid_from, valid_to = line_validity(line, approved_quantity=approved_quantity, basis=basis)
            if valid_to < valid_from:
                errors["valid_to"] = "The validity must end on or after the day it starts."
            determination.approved_quantity = approved_quantity
            determination.valid_from, determination.valid_to = valid_from, valid_to
    elif outcome in (Outcome.DENIED, Outcome.ALTERNATIVE_OFFERED):
        # CMS-1: the specific reason, on every channel.
        if approved_quantity is not None or valid_from is not None or valid_to is not None:
            errors["approved_quantity"] = "A line that is not approved has no approved quantity or validity."
        if not criterion.strip():
            errors["criterion_not_met"] = "State the criterion that is not met."
        if guideline is None:
            errors["guideline"] = "Cite the clinical guideline relied on."
        elif guideline.program_id != case.program_id:
            errors["guideline"] = f"Cite a {case.program.name} guideline."
        if not documentation.strip():
            errors["documentation_needed"] = "State the documentation that would change the outcome."
        if outcome == Outcome.ALTERNATIVE_OFFERED:
            if not case.is_dme:
                errors["outcome"] = "An alternative is recommended for durable medical equipment only."
            else:
                errors.update(_alternative_item_errors(case, line, alternative_hcpcs, alternative_quantity))
            if alternative_hcpcs is not None and not alternative.strip():
                alternative = str(alternative_hcpcs)  # "K0001 Standard wheelchair"
            determination.alternative = alternative.strip()[:300]
            determination.alternative_hcpcs = alternative_hcpcs
            determination.alternative_quantity = alternative_quantity
        determination.criterion_not_met = criterion.strip()
        determination.guideline = guideline
        determination.documentation_needed = documentation.strip()
    else:
        errors["outcome"] = "Approve, deny or offer an alternative."
    if errors:
        raise ValidationError(errors)
    return determination


def _alternative_item_errors(case: Case, line: ServiceLine, hcpcs: HcpcsCode | None, quantity: int | None) -> dict:
    """What is wrong with the item an alternative names: a code of the case's program list (the wizard's rule:
    ``questionnaires.forms.HcpcsCodeValidator``) that needs prior authorization, other than the one requested, and
    a quantity of 1 to ``MAX_QUANTITY``."""
    errors = {}
    if hcpcs is None:
        errors["alternative_hcpcs"] = "Enter the HCPCS code of the alternative item, such as K0001."
    elif hcpcs.program_id != case.program_id:
        errors["alternative_hcpcs"] = (
            f"HCPCS code {hcpcs.code} is not on the {case.program.name} code list: recommend an item of that list."
        )
    elif not hcpcs.requires_prior_auth:
        errors["alternative_hcpcs"] = (
            f"{hcpcs.code} ({hcpcs.description}) does not require prior authorization: there is nothing to authorize."
        )
    elif hcpcs.pk == line.hcpcs_id:
        errors["alternative_hcpcs"] = (
            f"{hcpcs.code} is the item requested: approve a smaller quantity instead of recommending it."
        )
    if quantity is None:
        errors["alternative_quantity"] = "Enter the quantity of the alternative item."
    elif not 1 <= quantity <= MAX_QUANTITY:
        errors["alternative_quantity"] = f"The alternative quantity must be between 1 and {MAX_QUANTITY}."
    return errors


def _case_decide(*, case: Case, round: str, sequence: int = 1, by, reason: str = "") -> Case:
    problem = _round_problem(case, round, sequence)
    if problem:
        raise ValidationError(problem, code="round")
    was_on_hold = case.status == S.ON_HOLD
    lines = list(case.service_lines.select_related("hcpcs"))
    # Nothing stands before the initial round (the bundle's approval counts its queries).
    before = {} if round == Round.INITIAL else effective_determinations(case, excluding=(round, sequence))
    this_round = {d.line_id: d for d in Determination.objects.filter(line__case=case, round=round, sequence=sequence)}
    # The lines this round determines: every line in the initial round, the ones not approved in a later one (a
    # line whose alternative was accepted stands by its alternative line's approval).
    standing_before = standing_determinations(lines, before)
    due = [
        line for line in requested_lines(lines) if round == Round.INITIAL or _not_approved(standing_before.get(line.pk))
    ]
    missing = [f"line {line.line_number} ({line.hcpcs.code})" for line in due if line.pk not in this_round]
    if not lines or missing:
        raise ValidationError(
            f"Determine every service line before deciding the case: {', '.join(missing) or 'no lines'}.",
            code="undetermined",
        )
    status = _case_status_derive(
        case=case, lines=lines, effective={**before, **this_round}, by=by, reason=reason, round=round
    )
    events.case_decided_event(case=case, round=round, sequence=sequence, status=status, user=by)
    if was_on_hold:  # a hold is open only while the case is On Hold: a decided case's hold is closed
        holds.hold_close_open(case=case, by=by)
    row = review_row(case, round, sequence)
    if row is not None:
        overturned = any(d.outcome == Outcome.APPROVED for d in this_round.values())
        lifecycle.row_transition(
            row,
            to=row.Status.OVERTURNED if overturned else row.Status.UPHELD,
            by=by,
            fields={"decided_by": by, "decided_at": case.decided_at},
        )
    return case


def _case_status_derive(
    *,
    case: Case,
    lines: list,
    effective: dict,
    by,
    reason: str = "",
    round: str,
    why: str = "",
    lines_added: bool = False,
) -> str:
    """Set the case's decision time, validity (the approved lines' first and last day) and authorization number
    from its lines' ``effective`` determinations, and move its status through ``services.case_transition`` when it
    changes: every line requested approved (or covered by its accepted alternative's approval) makes it Approved,
    some Partially Approved, none Denied; ``why`` starts the change's reason (the round by default). My Worklist's
    search text (``worklist.search_text``) is written again with the row when the authorization number is assigned
    or ``lines_added`` (an accepted alternative's line is among ``lines``). Returns the status."""
    standing = standing_determinations(lines, effective)
    requested = requested_lines(lines)
    approved_requested = [line for line in requested if not _not_approved(standing.get(line.pk))]
    if len(approved_requested) == len(requested):
        status = S.APPROVED
    elif approved_requested:
        status = S.PARTIALLY_APPROVED
    else:
        status = S.DENIED
    approved = [d for d in effective.values() if d.outcome == Outcome.APPROVED]
    case.decided_at = timezone.now()
    case.valid_from = min((d.valid_from for d in approved), default=None)
    case.valid_to = max((d.valid_to for d in approved), default=None)
    fields = ["decided_at", "valid_from", "valid_to", "authorization_number"]
    authorized_now = bool(approved) and not case.authorization_number
    if authorized_now:
        case.authorization_number = new_identifier(Case, "authorization_number")
    if authorized_now or lines_added:
        # My Worklist's search finds the case by its authorization ID, and an accepted alternative's code and label.
        case.search_text = worklist.search_text(case, sorted(lines, key=lambda line: line.line_number))
        fields.append("search_text")
    case.save(update_fields=fields)
    if status != case.status:
        if not reason:
            reason = DECISION_REASONS[status]
            why = why or (Round(round).label if round != Round.INITIAL else "")
            if why:
                reason = f"{why}: {reason}"
        services.case_transition(case=case, to=status, by=by, reason=reason)
    return status


def requested_lines(lines: list) -> list:
    """The lines the provider requested, without the lines that authorize an accepted alternative."""
    return [line for line in lines if line.alternative_of_id is None]


def standing_determinations(lines: list, effective: dict) -> dict[int, Determination]:
    """Each requested line's standing determination, by line id: its effective one, or for a line whose alternative
    was accepted, its alternative line's (the original line's own rows are never edited)."""
    alternative_line_of = {line.alternative_of_id: line.pk for line in lines if line.alternative_of_id is not None}
    standing = {}
    for line in requested_lines(lines):
        row = effective.get(alternative_line_of.get(line.pk, line.pk))
        if row is not None:
            standing[line.pk] = row
    return standing


def _not_approved(determination: Determination | None) -> bool:
    return determination is None or determination.outcome != Outcome.APPROVED
