"""Accepting a DME alternative recommendation (WL-6, seed 002): "The ordering provider can either accept the
alternative recommendation or request a reconsideration for the original request. Providers have up to 60
business days to accept the alternative recommendation."

The reconsideration of the original item is ``reconsiderations.reconsideration_request(of_original_item=True)``.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from audit.services import audit_record
from cases import decisions, events, permissions, rules
from cases.models import (
    AlternativeAcceptance,
    Appeal,
    Case,
    CaseStatus,
    Determination,
    DeterminationOutcome,
    Reconsideration,
)

ACCEPT_WITHIN_BUSINESS_DAYS = 60


def alternative_deadline(determination: Determination) -> datetime.date:
    """The last day to accept: 60 business days (federal holidays excluded) after the day it was offered."""
    return rules.business_days_after(timezone.localdate(determination.decided_at), ACCEPT_WITHIN_BUSINESS_DAYS)


def alternative_for_line(case: Case, line_number: int) -> Determination | None:
    """The alternative offered for line ``line_number`` of ``case``, when it is the line's effective determination."""
    for row in decisions.effective_determinations(case).values():
        if row.line.line_number == line_number and row.outcome == DeterminationOutcome.ALTERNATIVE_OFFERED:
            return row
    return None


def alternative_approval(determination: Determination) -> Determination | None:
    """The approval of the line that authorizes the accepted alternative of ``determination``, or None."""
    return (
        Determination.objects.filter(
            line__alternative_of_id=determination.line_id, outcome=DeterminationOutcome.APPROVED
        )
        .select_related("line__hcpcs")
        .order_by("pk")
        .first()
    )


def alternative_refusal(determination: Determination, *, today: datetime.date | None = None) -> str | None:
    """Why the alternative of ``determination`` cannot be accepted now (whoever asks), or None."""
    case = determination.line.case
    if AlternativeAcceptance.objects.filter(determination=determination).exists():
        return "This alternative has already been accepted."
    if case.status not in (CaseStatus.DENIED, CaseStatus.PARTIALLY_APPROVED) or not case.is_dme:
        return f"A request that is {case.get_status_display()} has no alternative to accept."
    if alternative_for_line(case, determination.line.line_number) != determination:
        return "This alternative is no longer the line's decision."
    # Accepting may approve the case, which would leave an open reconsideration or appeal with no round to decide.
    waiting = _review_waiting(case)
    if waiting:
        return f"{waiting} of this request is waiting for its decision: accept the alternative once it is decided."
    deadline = alternative_deadline(determination)
    if (today or timezone.localdate()) > deadline:
        return f"The time to accept this alternative ended on {rules.format_us_date(deadline)}."
    return None


def _review_waiting(case: Case) -> str:
    """ "A reconsideration" or "An appeal" when one of ``case`` is submitted and not decided, else ""."""
    if Reconsideration.objects.filter(case=case, status=Reconsideration.Status.SUBMITTED).exists():
        return "A reconsideration"
    if Appeal.objects.filter(case=case, status=Appeal.Status.SUBMITTED).exists():
        return "An appeal"
    return ""


@transaction.atomic
def alternative_accept(*, determination: Determination, user, request=None) -> AlternativeAcceptance:
    """The ordering provider's practice accepts the alternative recommended for a DME line, once, in time; the
    alternative item is authorized at once (``decisions.alternative_authorize``)."""
    case = decisions.locked_case(determination.line.case_id)
    permissions.case_require(user, case, permissions.CaseAction.ACCEPT_ALTERNATIVE)
    determination = Determination.objects.select_related("line", "alternative_hcpcs", "decided_by").get(
        pk=determination.pk
    )
    determination.line.case = case
    refusal = alternative_refusal(determination)
    if refusal:
        raise ValidationError(refusal, code="refused")
    acceptance = AlternativeAcceptance.objects.create(determination=determination, accepted_by=user)
    events.alternative_accepted_event(acceptance=acceptance)
    # Accepting is what authorizes the alternative item: its line and approval are written in this transaction.
    approval = decisions.alternative_authorize(
        case=case, offer=determination, accepted_at=acceptance.accepted_at, accepted_by=user
    )
    audit_record(
        action="case.alternative_accepted",
        request=request,
        actor=user,
        target=case,
        details={
            "determination": determination.pk,
            "line_number": determination.line.line_number,
            "approval": approval.pk,
            "alternative_line_number": approval.line.line_number,
        },
    )
    return acceptance
