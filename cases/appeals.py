"""Appeals submitted online (WL-5, seed 004): first-level pre-service appeals of a Denied or Partially Approved
request.

Who: the users of the case's practice holding the precertification/appeals entitlement (``CaseAction.APPEAL``);
any of them may complete a colleague's draft. A draft is kept five calendar days, then deleted by a scheduled
job (``appeal_drafts_delete``). Up to five per request, one at a time; within 180 days of the adverse decision.
Once submitted an appeal is never changed or deleted; a written response is due within 30 days (72 hours when
expedited). The reviewer's decision is a new round (``appeal_decide``).
"""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from audit.services import audit_record
from cases import decisions, lifecycle, permissions, rules
from cases.models import Appeal, Case, CaseStatus, DeterminationRound, Reconsideration
from cases.models.review import (
    APPEAL_DRAFT_KEPT,
    APPEAL_LIMIT,
    APPEAL_WINDOW,
    EXPEDITED_APPEAL_DUE,
    STANDARD_APPEAL_DUE,
)

APPEALABLE = {CaseStatus.DENIED, CaseStatus.PARTIALLY_APPROVED}
LIMIT_REACHED = "Up to five precertification appeals can be submitted per request."
ONE_AT_A_TIME = "Each request must be completed before another can be started: this request has an open appeal."
RECONSIDERATION_OPEN = "A reconsideration of this request is waiting for its decision: an appeal can follow it."
DRAFT_FIELDS = ("reason", "is_expedited", "contact_name", "contact_phone")


def appeal_last_day(case: Case) -> datetime.date | None:
    """The last day an appeal may be submitted: 180 days after the adverse decision (seed 001)."""
    if case.decided_at is None:
        return None
    return rules.last_day_within(timezone.localdate(case.decided_at), APPEAL_WINDOW.days)


def appeal_start_refusal(case: Case, *, today: datetime.date | None = None) -> str | None:
    """Why no appeal of ``case`` may be started now (whoever asks), or None."""
    if case.status not in APPEALABLE:
        return f"A request that is {case.get_status_display()} cannot be appealed."
    last_day = appeal_last_day(case)
    if last_day is None or (today or timezone.localdate()) > last_day:
        return f"The time to appeal this decision ended on {rules.format_us_date(last_day)}."
    appeals = list(case.appeals.values_list("status", flat=True))
    if any(status in (Appeal.Status.DRAFT, Appeal.Status.SUBMITTED) for status in appeals):
        return ONE_AT_A_TIME
    if len(appeals) >= APPEAL_LIMIT:
        return LIMIT_REACHED
    if case.reconsiderations.filter(status=Reconsideration.Status.SUBMITTED).exists():
        return RECONSIDERATION_OPEN
    return None


def is_expired(appeal: Appeal, now: datetime.datetime | None = None) -> bool:
    return appeal.is_draft and appeal.draft_expires_at <= (now or timezone.now())


@transaction.atomic
def appeal_draft_start(*, case: Case, user, request=None) -> Appeal:
    """Start a draft appeal of ``case``, kept five calendar days."""
    case = decisions.locked_case(case.pk)
    permissions.case_require(user, case, permissions.CaseAction.APPEAL)
    refusal = appeal_start_refusal(case)
    if refusal:
        raise ValidationError(refusal, code="refused")
    now = timezone.now()
    last = case.appeals.order_by("-sequence").values_list("sequence", flat=True).first() or 0
    appeal = Appeal.objects.create(
        case=case,
        sequence=last + 1,
        created_by=user,
        created_at=now,
        updated_by=user,
        updated_at=now,
        draft_expires_at=now + APPEAL_DRAFT_KEPT,
    )
    _audit("case.appeal_started", appeal, user, request)
    return appeal


@transaction.atomic
def appeal_draft_save(*, appeal: Appeal, user, request=None, **fields) -> Appeal:
    """Save a draft's fields (any entitled user of the practice, while the draft is kept)."""
    appeal = _locked_draft(appeal, user)
    unknown = set(fields) - set(DRAFT_FIELDS)
    if unknown:
        raise ValueError(f"Not an appeal draft's field: {', '.join(sorted(unknown))}")
    for name, value in fields.items():
        setattr(appeal, name, value.strip() if isinstance(value, str) else bool(value))
    appeal.updated_by, appeal.updated_at = user, timezone.now()
    appeal.save(update_fields=[*fields, "updated_by", "updated_at"])
    _audit("case.appeal_saved", appeal, user, request)
    return appeal


@transaction.atomic
def appeal_submit(*, appeal: Appeal, user, request=None) -> Appeal:
    """Submit a draft: the response is due 72 hours (expedited) or 30 days after; never changed afterwards."""
    appeal = _locked_draft(appeal, user)
    if not appeal.reason.strip():
        raise ValidationError({"reason": "Enter the reason for the appeal."})
    case = decisions.locked_case(appeal.case_id)
    last_day = appeal_last_day(case)
    if case.status not in APPEALABLE or last_day is None or timezone.localdate() > last_day:
        raise ValidationError(f"The time to appeal this decision ended on {rules.format_us_date(last_day)}.")
    if case.reconsiderations.filter(status=Reconsideration.Status.SUBMITTED).exists():
        raise ValidationError(RECONSIDERATION_OPEN, code="refused")
    now = timezone.now()
    due_at = now + (EXPEDITED_APPEAL_DUE if appeal.is_expedited else STANDARD_APPEAL_DUE)
    lifecycle.row_transition(
        appeal,
        to=Appeal.Status.SUBMITTED,
        by=user,
        fields={"submitted_by": user, "submitted_at": now, "due_at": due_at, "updated_by": user, "updated_at": now},
    )
    _audit("case.appeal_submitted", appeal, user, request)
    return appeal


def appeal_drafts_delete(now: datetime.datetime | None = None) -> int:
    """Delete the drafts kept past their five days (the scheduled job); how many. Safe to run twice."""
    now = now or timezone.now()
    deleted = 0
    expired = Appeal.objects.filter(status=Appeal.Status.DRAFT, draft_expires_at__lte=now)
    for pk in expired.values_list("pk", flat=True):
        with transaction.atomic():
            # Re-checked under the lock: a colleague may have submitted it since the query.
            appeal = Appeal.objects.select_for_update().filter(pk=pk).first()
            if appeal is not None and is_expired(appeal, now):
                appeal.delete()
                deleted += 1
    return deleted


@transaction.atomic
def appeal_decide(*, appeal: Appeal, by) -> Appeal:
    """Decide the case from the appeal round the reviewer has determined (round "appeal", this sequence): the
    appeal becomes Overturned when a line not approved is now approved, else Upheld. Reviewers only."""
    case = decisions.locked_case(appeal.case_id)
    if not decisions.is_reviewer(by, case):
        raise PermissionDenied("Only a clinical reviewer can decide an appeal.")
    decisions.case_decide(case=case, round=DeterminationRound.APPEAL, sequence=appeal.sequence, by=by)
    appeal.refresh_from_db()
    return appeal


def _locked_draft(appeal: Appeal, user) -> Appeal:
    appeal = Appeal.objects.select_for_update().select_related("case").filter(pk=appeal.pk).first()
    if appeal is None:
        raise ValidationError("This draft appeal was deleted: it was not submitted within five days.", code="gone")
    permissions.case_require(user, appeal.case, permissions.CaseAction.APPEAL)
    if not appeal.is_draft:
        raise ValidationError("A submitted appeal cannot be changed.", code="submitted")
    if is_expired(appeal):
        raise ValidationError("This draft appeal has expired: it was not submitted within five days.", code="expired")
    return appeal


def _audit(action: str, appeal: Appeal, user, request) -> None:
    audit_record(
        action=action,
        request=request,
        actor=user,
        target=appeal.case,
        details={"appeal": appeal.pk, "sequence": appeal.sequence},
    )
