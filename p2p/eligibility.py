"""Whether a case offers a peer-to-peer consultation now (P2P-1, seed 002 "P2P AVAILABILITY"), and who may ask.

``p2p_availability(case)`` answers one of three results, as a provider's office expects them:

- **Eligible, "Pre-decision P2P"**: the request is On Hold with an open hold whose due date has not passed. A P2P
  with the reviewer before the due date is one of the three ways to answer a hold (seeds 001 and 002: upload the
  information, phone it in, or discuss the case peer to peer). Valid until the hold's due date.
- **Eligible, "Reconsideration P2P"**: the request is Denied or Partially Approved, and the reconsideration
  window is open: ``P2P_RECONSIDERATION_DAYS`` calendar days (default 14) after the decision's day, through the
  end of the last day in the portal's zone ("Reconsideration allowed through eviCore until 11/11/2020 11:59:59
  PM."); the plan delegates the program to eviCore (``PlanProgram.is_delegated``); no appeal has been received
  (a reconsideration is "any time, up until an appeal is received", ``cases.reconsiderations``); no
  reconsideration has been decided and no earlier P2P about the case has been held (each is the one
  reconsideration of the decision). A reconsideration still waiting for its decision does not stop a P2P: the
  call is about that same reconsideration.
- **Consultative only**: Denied or Partially Approved when any of those fails: the office may still talk to a
  reviewer, but the decision cannot be changed (the seed's message, ``CONSULTATIVE_MESSAGE``).
- **Not eligible**, with why: Approved (nothing to reconsider), waiting in review without a hold (offered once
  the reviewer holds or decides), a hold whose due date has passed, cancelled, expired or never submitted; and
  whatever the status, a case that already has a P2P Scheduled in the future ("A peer-to-peer consultation is
  already scheduled for this case on ...") unless that is the request being rescheduled.

The rules are a pure function of plain facts (``availability_from``), read from the database in a few small
queries (``case_facts``). ``may_request_p2p`` adds who may ask (``CaseAction.REQUEST_P2P``: case submission or
precertification/appeals in the case's practice).
"""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone

from cases import holds, permissions, reconsiderations
from cases.models import Case, CaseStatus, Reconsideration
from p2p.models import US_TIME_ZONE_NAMES, P2PRequest, P2PRequestCase, zone
from reference.selectors import plan_delegates

ELIGIBLE = "eligible"
CONSULTATIVE = "consultative"
NOT_ELIGIBLE = "not_eligible"

PRE_DECISION = "Pre-decision P2P"
RECONSIDERATION = "Reconsideration P2P"
CONSULTATIVE_LEVEL = "Consultative P2P"
# Every case of this portal lives in one system, as the seed's "System Name" row names it.
SYSTEM_NAME = "CareCore"

CONSULTATIVE_MESSAGE = (
    "Post-decision options for this case have been exhausted or are not delegated to eviCore. You may continue to "
    "schedule a Peer to Peer discussion for this case but it will be considered consultative only and the original "
    "decision cannot be modified."
)
DEFAULT_RECONSIDERATION_DAYS = 14

S = CaseStatus
_DECIDED_ADVERSE = {S.DENIED, S.PARTIALLY_APPROVED}
_NOT_ELIGIBLE_BY_STATUS = {
    S.APPROVED: "This request is approved: there is no decision to discuss or reconsider.",
    S.SUBMITTED: (
        "This request is waiting for its clinical review. A peer-to-peer consultation is offered once the reviewer "
        "puts it on hold or decides it."
    ),
    S.PENDING_REVIEW: (
        "This request is waiting for its clinical review. A peer-to-peer consultation is offered once the reviewer "
        "puts it on hold or decides it."
    ),
    S.CANCELLED: "This request was cancelled: there is nothing to discuss.",
    S.EXPIRED: "This request expired before it was submitted: there is nothing to discuss.",
    S.DRAFT: "This request has not been submitted yet.",
}


def reconsideration_days() -> int:
    return int(getattr(settings, "P2P_RECONSIDERATION_DAYS", DEFAULT_RECONSIDERATION_DAYS))


@dataclass(frozen=True)
class Availability:
    """One case's answer to "P2P AVAILABILITY"."""

    result: str  # ELIGIBLE, CONSULTATIVE or NOT_ELIGIBLE
    reason: str  # why, in the office's words ("" when simply eligible)
    level_of_review: str  # "Reconsideration P2P", "Pre-decision P2P", "Consultative P2P" or ""
    valid_until: datetime.date | None  # the last day a P2P is offered for this result
    reconsideration_until: datetime.datetime | None  # the end of the reconsideration window, when it applies
    system_name: str
    modality: str  # the case's program

    @property
    def is_eligible(self) -> bool:
        return self.result == ELIGIBLE

    @property
    def is_consultative(self) -> bool:
        return self.result == CONSULTATIVE

    @property
    def may_schedule(self) -> bool:
        """Eligible or consultative only: a P2P can be booked."""
        return self.result != NOT_ELIGIBLE


@dataclass(frozen=True)
class CaseFacts:
    """What the rules need to know about a case, as plain values."""

    status: str
    modality: str
    decided_on: datetime.date | None  # the decision's day in the portal's zone
    hold_due_on: datetime.date | None  # the open hold's due date
    delegated: bool  # the plan delegates the case's program to eviCore
    appeal_received: bool
    reconsideration_decided: bool
    p2p_held: bool  # a P2P about this case was completed (the reviewer spoke with the office)
    scheduled_at: datetime.datetime | None  # a P2P already Scheduled in the future


def case_facts(case: Case, *, now: datetime.datetime | None = None, ignore_request_id: int | None = None) -> CaseFacts:
    """Read the facts of ``case`` (a handful of small indexed queries)."""
    now = now or timezone.now()
    hold = holds.hold_open(case)
    delegated = case.health_plan_id is not None and plan_delegates(
        health_plan_id=case.health_plan_id, program_id=case.program_id
    )
    p2p_rows = P2PRequestCase.objects.filter(case=case)
    if ignore_request_id is not None:
        p2p_rows = p2p_rows.exclude(request_id=ignore_request_id)
    scheduled = (
        p2p_rows.filter(request__status=P2PRequest.Status.SCHEDULED, request__starts_at__gt=now)
        .order_by("request__starts_at")
        .values_list("request__starts_at", flat=True)
        .first()
    )
    return CaseFacts(
        status=case.status,
        modality=case.program.name,
        decided_on=timezone.localdate(case.decided_at) if case.decided_at else None,
        hold_due_on=hold.due_on if hold else None,
        delegated=delegated,
        # "Any time, up until an appeal is received" (cases.reconsiderations): the same answer as its refusal.
        appeal_received=reconsiderations.reconsideration_refusal(case) == reconsiderations.APPEAL_RECEIVED,
        reconsideration_decided=case.reconsiderations.filter(
            status__in=[Reconsideration.Status.UPHELD, Reconsideration.Status.OVERTURNED]
        ).exists(),
        p2p_held=p2p_rows.filter(request__status=P2PRequest.Status.COMPLETED)
        .exclude(request__outcome=P2PRequest.Outcome.NO_SHOW)
        .exists(),
        scheduled_at=scheduled,
    )


def reconsideration_window_end(decided_on: datetime.date) -> tuple[datetime.date, datetime.datetime]:
    """The last day of the reconsideration window and its last second (11:59:59 PM, portal zone)."""
    last_day = decided_on + datetime.timedelta(days=reconsideration_days())
    end = datetime.datetime.combine(last_day, datetime.time(23, 59, 59), tzinfo=timezone.get_current_timezone())
    return last_day, end


def availability_from(facts: CaseFacts, *, now: datetime.datetime) -> Availability:
    """The rules (see the module's docstring), a pure function of ``facts`` and ``now``."""

    def answer(result, reason="", level="", valid_until=None, reconsideration_until=None):
        return Availability(result, reason, level, valid_until, reconsideration_until, SYSTEM_NAME, facts.modality)

    today = timezone.localdate(now)
    if facts.scheduled_at is not None:
        at = timezone.localtime(facts.scheduled_at)
        return answer(
            NOT_ELIGIBLE,
            f"A peer-to-peer consultation is already scheduled for this case on {at:%m/%d/%Y} at "
            f"{at:%I:%M %p} {at.tzname()}. See My P2P Requests to reschedule or cancel it.",
        )
    if facts.status == S.ON_HOLD:
        if facts.hold_due_on is None:
            return answer(NOT_ELIGIBLE, _NOT_ELIGIBLE_BY_STATUS[S.PENDING_REVIEW])
        if facts.hold_due_on < today:
            return answer(
                NOT_ELIGIBLE,
                f"The hold's due date ({facts.hold_due_on:%m/%d/%Y}) has passed: the request will be decided on "
                "the information submitted.",
            )
        return answer(
            ELIGIBLE,
            f"A peer-to-peer consultation before the hold's due date ({facts.hold_due_on:%m/%d/%Y}) answers the "
            "hold, like uploading the information requested.",
            PRE_DECISION,
            facts.hold_due_on,
        )
    if facts.status in _DECIDED_ADVERSE:
        consultative = answer(CONSULTATIVE, CONSULTATIVE_MESSAGE, CONSULTATIVE_LEVEL)
        if facts.decided_on is None or not facts.delegated:
            return consultative
        if facts.appeal_received or facts.reconsideration_decided or facts.p2p_held:
            return consultative
        last_day, end = reconsideration_window_end(facts.decided_on)
        if now > end:
            return consultative
        return answer(ELIGIBLE, "", RECONSIDERATION, last_day, end)
    return answer(NOT_ELIGIBLE, _NOT_ELIGIBLE_BY_STATUS.get(facts.status, "This request offers no P2P."))


def p2p_availability(
    case: Case, *, now: datetime.datetime | None = None, ignore_request_id: int | None = None
) -> Availability:
    """P2P AVAILABILITY for ``case`` now. ``ignore_request_id``: the request being rescheduled, whose own
    appointment does not count as "already scheduled"."""
    now = now or timezone.now()
    return availability_from(case_facts(case, now=now, ignore_request_id=ignore_request_id), now=now)


def may_request_p2p(
    user,
    case: Case,
    *,
    grants: permissions.Grants | None = None,
    now: datetime.datetime | None = None,
    ignore_request_id: int | None = None,
) -> bool:
    """Whether ``user`` may book a P2P about ``case`` now: the permission (``CaseAction.REQUEST_P2P``) and the case
    eligible or consultative only."""
    if not permissions.case_permits(user, case, permissions.CaseAction.REQUEST_P2P, grants=grants):
        return False
    return p2p_availability(case, now=now, ignore_request_id=ignore_request_id).may_schedule


def modality_conflict(modalities: list[str]) -> str | None:
    """Several cases in one appointment are discussed with one reviewer trained for their program: they must
    share it. The message for a list of the cases' programs in order, or None."""
    first = modalities[0] if modalities else None
    for other in modalities[1:]:
        if other != first:
            return (
                f"This case is for {other}, and this P2P request is for {first}. The cases of one P2P request must "
                "share the modality: request a separate P2P for this case."
            )
    return None


@dataclass(frozen=True)
class PostDecisionOption:
    action: str  # a ``CaseAction`` value: the template links it to its page
    label: str
    explanation: str


_POST_DECISION_OPTIONS = [
    PostDecisionOption(
        "reconsider",
        "Request a Reconsideration",
        "Ask the reviewer to look again with additional clinical information, any time until an appeal is received.",
    ),
    PostDecisionOption(
        "appeal",
        "Appeals",
        "A first-level pre-service appeal, within 180 days of the adverse decision; a written response follows.",
    ),
    PostDecisionOption(
        "accept_alternative",
        "Accept the alternative",
        "Where the reviewer recommended an alternative item, accept it and it is authorized as a line of its own.",
    ),
    PostDecisionOption(
        "extend",
        "Request an Extension",
        "A one-time extension of the approved authorization's dates.",
    ),
    PostDecisionOption(
        "upload",
        "Upload Additional Clinical Information",
        "Add clinical information while the request waits for its decision (it answers an open hold).",
    ),
    PostDecisionOption(
        "request_p2p",
        "Request Peer to Peer Consultation",
        "Discuss the case with a clinical reviewer by phone (see P2P AVAILABILITY for what the call can change).",
    ),
]


def post_decision_options(actions: dict[str, bool]) -> list[PostDecisionOption]:
    """ "ALL POST DECISION OPTIONS": what the permission module allows on the case (``case_actions``'s answers),
    each with a line of explanation."""
    return [option for option in _POST_DECISION_OPTIONS if actions.get(f"may_{option.action}")]


# --- The cases of one request ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class CaseCheck:
    """One case of a P2P request being built, re-read for ``user``: its availability and what stops it."""

    case: Case
    availability: Availability
    permitted: bool  # ``CaseAction.REQUEST_P2P``
    problem: str  # why this case cannot be part of the request as it stands ("" when it can)


NOT_PERMITTED = (
    "You can view this case, but not request a peer-to-peer consultation for it: that needs the case submission "
    "or precertification/appeals entitlement in the case's practice."
)
NO_CASES = "Look up at least one case to continue."
REMOVE_TO_CONTINUE = "Remove the cases that cannot be part of this P2P request to continue."


def request_cases(
    user,
    case_ids: list[int],
    *,
    grants: permissions.Grants | None = None,
    now: datetime.datetime | None = None,
    ignore_request_id: int | None = None,
) -> list[CaseCheck]:
    """The draft's cases the user may still view, in the draft's order, each with its answer. A case the user can no
    longer view is dropped (the draft grants nothing)."""
    visible = permissions.cases_visible_to(user, grants=grants).filter(pk__in=case_ids).select_related("member")
    by_id = {case.pk: case for case in visible}
    checks, modalities = [], []
    for case_id in case_ids:
        case = by_id.get(case_id)
        if case is None:
            continue
        availability = p2p_availability(case, now=now, ignore_request_id=ignore_request_id)
        permitted = permissions.case_permits(user, case, permissions.CaseAction.REQUEST_P2P, grants=grants)
        problem = ""
        if not permitted and availability.may_schedule:
            problem = NOT_PERMITTED
        elif not availability.may_schedule:
            problem = availability.reason
        else:
            problem = modality_conflict([*modalities, availability.modality]) or ""
        if not problem:
            modalities.append(availability.modality)
        checks.append(CaseCheck(case, availability, permitted, problem))
    return checks


def request_cases_problem(checks: list[CaseCheck]) -> str | None:
    """Why the request cannot go on to the Questions step with these cases, or None."""
    if not checks:
        return NO_CASES
    if any(check.problem for check in checks):
        return REMOVE_TO_CONTINUE
    return None


def p2p_status(case: Case, *, zone_name: str = "") -> str:
    """ "P2P Status:" on the case page: the case's latest P2P request, in the user's zone when they have one."""
    row = P2PRequestCase.objects.filter(case=case).select_related("request").order_by("-request__created_at").first()
    if row is None:
        return "No peer-to-peer consultation requested."
    p2p = row.request
    at = _in_zone(p2p.starts_at, zone_name)
    when = f"{at:%m/%d/%Y} at {at:%I:%M %p} {at.tzname()}"
    if p2p.status == P2PRequest.Status.SCHEDULED:
        return f"{p2p.number}: Scheduled for {when}."
    if p2p.status == P2PRequest.Status.CANCELLED:
        return f"{p2p.number}: Cancelled (was {when})."
    outcome = f": {p2p.get_outcome_display()}" if p2p.outcome else ""
    return f"{p2p.number}: Completed on {when}{outcome}."


def _in_zone(moment: datetime.datetime, zone_name: str) -> datetime.datetime:
    if zone_name in US_TIME_ZONE_NAMES:
        return timezone.localtime(moment, zone(zone_name))
    return timezone.localtime(moment)
