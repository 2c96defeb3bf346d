"""The reviewers' work queue (REV-1, CMS-2): who works a case (claim, assign, release), its decision clock and
its extensions, and the queue's counts.

Each write locks the case row first, checks that the acting user works the review queue
(``permissions.cases_in_review_queue``) and writes the case's event (``cases.events``); the admin views call
exactly one of them and audit it.
"""

import datetime
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import BooleanField, Count, OuterRef, Q, QuerySet, Subquery, Value, When
from django.utils import timezone

from cases import events, permissions, rules
from cases.models import AWAITING_DECISION, Case, CaseStatus, DueDateExtension, Hold
from reference.models import Program

S = CaseStatus
# Cases that wait for a decision: their clock runs, and they come first in the queue.
REVIEW_PERMISSION = "cases.review_case"


# --- Selectors ---------------------------------------------------------------------------------------------


def is_reviewer(user) -> bool:
    return bool(
        user and user.is_authenticated and user.is_active and user.is_staff and user.has_perm(REVIEW_PERMISSION)
    )


def reviewers() -> QuerySet:
    """Active staff who may work the queue: the permission held directly, through a group, or as superuser."""
    permission = Permission.objects.filter(content_type__app_label="cases", codename="review_case")
    return (
        get_user_model()
        .objects.filter(is_active=True, is_staff=True)
        .filter(Q(is_superuser=True) | Q(user_permissions__in=permission) | Q(groups__permissions__in=permission))
        .distinct()
        .order_by("last_name", "first_name", "username")
    )


def latest_hold_status():
    """The status of each case's latest hold (None without one), for ``annotate``."""
    return Subquery(Hold.objects.filter(case=OuterRef("pk")).order_by("-placed_at", "-pk").values("status")[:1])


def with_queue_fields(queryset: QuerySet[Case], *, now: datetime.datetime | None = None) -> QuerySet[Case]:
    """``awaiting`` (the case waits for its decision), ``overdue`` (and its due time has passed) and
    ``decide_on_original`` (the latest hold lapsed unanswered and the case is back in review), read in the
    list's own query."""
    now = now or timezone.now()
    return queryset.annotate(latest_hold=latest_hold_status()).annotate(
        awaiting=models.Case(
            When(status__in=AWAITING_DECISION, then=Value(True)), default=Value(False), output_field=BooleanField()
        ),
        overdue=models.Case(
            When(status__in=AWAITING_DECISION, decision_due_at__lt=now, then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        ),
        decide_on_original=models.Case(
            When(Q(status=S.PENDING_REVIEW) & Q(latest_hold=Hold.Status.LAPSED), then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        ),
    )


def queue_ordering() -> tuple:
    """Awaiting a decision first, overdue first among them, then by due time; the decided ones after."""
    return ("-awaiting", "-overdue", "decision_due_at", "pk")


def review_queue(user, *, now: datetime.datetime | None = None) -> QuerySet[Case]:
    """The reviewer's queue with its fields (``with_queue_fields``), in queue order."""
    return with_queue_fields(permissions.cases_in_review_queue(user), now=now).order_by(*queue_ordering())


@dataclass(frozen=True)
class QueueCount:
    program_id: int
    program: str
    by_status: dict  # status value -> count of cases awaiting a decision
    total: int
    overdue: int
    unassigned: int

    @property
    def status_counts(self) -> list[int]:
        """The counts in the order of ``AWAITING_DECISION`` (the table's columns)."""
        return [self.by_status.get(status, 0) for status in AWAITING_DECISION]


def queue_counts(user, *, now: datetime.datetime | None = None) -> list[QueueCount]:
    """Per program (queue): the cases awaiting a decision in each status, how many are overdue and unassigned.
    One aggregate query over the partial index ``case_awaiting_counts_idx`` alone (no join: the programs' names
    come from their own small table), however many cases."""
    now = now or timezone.now()
    rows = (
        permissions.cases_in_review_queue(user)
        .filter(status__in=AWAITING_DECISION)
        .order_by()
        .values("program_id", "status")
        .annotate(
            # COUNT(status), not COUNT(id): every column read is in the index, so the table is never visited.
            cases=Count("status"),
            overdue=Count("status", filter=Q(decision_due_at__lt=now)),
            unassigned=Count("status", filter=Q(assigned_to__isnull=True)),
        )
    )
    programs: dict[int, dict] = {}
    for row in rows:
        entry = programs.setdefault(row["program_id"], {"by_status": {}, "total": 0, "overdue": 0, "unassigned": 0})
        entry["by_status"][row["status"]] = row["cases"]
        entry["total"] += row["cases"]
        entry["overdue"] += row["overdue"]
        entry["unassigned"] += row["unassigned"]
    names = Program.objects.filter(pk__in=programs).order_by("sort_order", "name").values_list("pk", "name")
    return [QueueCount(program_id=pk, program=name, **programs[pk]) for pk, name in names]


def clock(case: Case, *, now: datetime.datetime | None = None) -> tuple[str, bool]:
    """The decision clock in words and whether it is overdue: "Due in 2 days 4 hours", "Overdue by 3 hours";
    a decided case says when it was decided."""
    if case.status not in AWAITING_DECISION or case.decision_due_at is None:
        if case.decided_at:
            return f"Decided {timezone.localtime(case.decided_at):%m/%d/%Y}", False
        return "No decision due", False
    now = now or timezone.now()
    left = case.decision_due_at - now
    if left.total_seconds() < 0:
        return f"Overdue by {rules.duration_words(left)}", True
    return f"Due in {rules.duration_words(left)}", False


# --- Writes ------------------------------------------------------------------------------------------------


@transaction.atomic
def case_claim(*, case: Case, by) -> Case:
    """``by`` takes the case to work it. Refused when another reviewer has it (assign it instead)."""
    case = _locked_case(case, by)
    if case.assigned_to_id == by.pk:
        return case
    if case.assigned_to_id is not None:
        raise ValidationError(
            f"{_name(case.assigned_to)} is working this case. Assign it to yourself to take it over.",
            code="assigned",
        )
    return _assign(case, reviewer=by, by=by)


@transaction.atomic
def case_assign(*, case: Case, reviewer, by) -> Case:
    """``by`` gives the case to ``reviewer``, who must work the review queue."""
    case = _locked_case(case, by)
    if reviewer is None or not is_reviewer(reviewer):
        raise ValidationError({"reviewer": "Choose a clinical reviewer."})
    if case.assigned_to_id == reviewer.pk:
        raise ValidationError({"reviewer": f"The case is already assigned to {_name(reviewer)}."})
    return _assign(case, reviewer=reviewer, by=by)


@transaction.atomic
def case_release(*, case: Case, by) -> Case:
    """The assigned reviewer puts the case back in the queue, unassigned."""
    case = _locked_case(case, by)
    if case.assigned_to_id is None:
        raise ValidationError("This case is not assigned to anyone.", code="unassigned")
    if case.assigned_to_id != by.pk:
        raise ValidationError(
            f"Only {_name(case.assigned_to)} can release this case; assign it to move it.", code="not_yours"
        )
    return _assign(case, reviewer=None, by=by)


@transaction.atomic
def due_date_extend(*, case: Case, new_due_at: datetime.datetime | None, reason: str, by) -> DueDateExtension:
    """Extend the decision due time of a case awaiting its decision to ``new_due_at`` (later than now's), with
    the reason (CMS-2): the extension is recorded and the clock shows the new time."""
    case = _locked_case(case, by)
    if case.status not in AWAITING_DECISION:
        raise ValidationError(
            f"A case that is {case.get_status_display()} has no decision due time to extend.", code="status"
        )
    reason = (reason or "").strip()
    errors = {}
    if not reason:
        errors["reason"] = "Enter the reason for the extension."
    elif len(reason) > DueDateExtension._meta.get_field("reason").max_length:
        errors["reason"] = "Keep the reason to 300 characters or fewer."
    if new_due_at is None:
        errors["new_due_at"] = "Enter the new due date and time."
    elif new_due_at <= case.decision_due_at:
        due = timezone.localtime(case.decision_due_at)
        errors["new_due_at"] = f"The new due time must be later than the current one, {due:%m/%d/%Y %I:%M %p}."
    if errors:
        raise ValidationError(errors)
    extension = DueDateExtension.objects.create(
        case=case, previous_due_at=case.decision_due_at, new_due_at=new_due_at, reason=reason, extended_by=by
    )
    case.decision_due_at = new_due_at
    case.save(update_fields=["decision_due_at"])
    events.due_extended_event(extension=extension)
    return extension


def _locked_case(case: Case, by) -> Case:
    if not permissions.cases_in_review_queue(by).filter(pk=case.pk).exists():
        raise PermissionDenied("Only a clinical reviewer can work this case.")
    locked = Case.objects.select_for_update(of=("self",)).select_related("assigned_to").get(pk=case.pk)
    if locked.status == S.CANCELLED:
        raise ValidationError("This request was withdrawn: there is nothing left to review.", code="cancelled")
    return locked


def _assign(case: Case, *, reviewer, by) -> Case:
    case.assigned_to = reviewer
    case.assigned_at = timezone.now() if reviewer else None
    case.save(update_fields=["assigned_to", "assigned_at"])
    events.assigned_event(case=case, reviewer=reviewer, user=by)
    return case


def _name(user) -> str:
    return user.get_full_name() or user.get_username()
