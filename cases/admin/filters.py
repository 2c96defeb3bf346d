"""The queue's list filters (REV-1): queue (program), urgency, status, due, assignment, and the cases to decide on
the original submission. Each reads the fields ``cases.queue.with_queue_fields`` annotates."""

import datetime

from django.contrib import admin
from django.utils import timezone

from cases.models import AWAITING_DECISION, CaseStatus
from reference.models import Program


class QueueFilter(admin.SimpleListFilter):
    title = "queue"
    parameter_name = "program"

    def lookups(self, request, model_admin):
        return [
            (str(pk), name) for pk, name in Program.objects.order_by("sort_order", "name").values_list("pk", "name")
        ]

    def queryset(self, request, queryset):
        value = self.value()
        return queryset.filter(program_id=int(value)) if value and value.isascii() and value.isdigit() else queryset


class UrgencyFilter(admin.SimpleListFilter):
    title = "urgency"
    parameter_name = "urgency"

    def lookups(self, request, model_admin):
        return [("expedited", "Expedited (72 hours)"), ("standard", "Standard (7 days)")]

    def queryset(self, request, queryset):
        if self.value() in ("expedited", "standard"):
            return queryset.filter(is_urgent=self.value() == "expedited")
        return queryset


def status_shown(request) -> str:
    """The status filter's value: by default the queue lists the cases awaiting a decision (the reviewers' work,
    and a list the partial index ``case_awaiting_due_idx`` serves in due order at any size); a search looks
    through every status (a reviewer looking up a case number wants it found, decided or not)."""
    value = request.GET.get(StatusFilter.parameter_name)
    if value:
        return value
    return "all" if request.GET.get("q") else "awaiting"


class StatusFilter(admin.SimpleListFilter):
    """The statuses a submitted request can have (never the draft ones); awaiting a decision by default."""

    title = "status"
    parameter_name = "status"
    STATUSES = [status for status in CaseStatus if status not in (CaseStatus.DRAFT, CaseStatus.EXPIRED)]

    def __init__(self, request, params, model, model_admin):
        super().__init__(request, params, model, model_admin)
        self.shown = status_shown(request)

    def lookups(self, request, model_admin):
        return [("awaiting", "Awaiting a decision"), ("all", "All statuses")] + [
            (status.value, status.label) for status in self.STATUSES
        ]

    def value(self):
        return self.shown

    def choices(self, changelist):
        # Django's own "All" entry (no parameter) would show the default list under a wrong name: "All statuses"
        # and "Awaiting a decision" say what they list.
        choices = list(super().choices(changelist))
        return choices[1:]

    def queryset(self, request, queryset):
        if self.shown == "awaiting":
            return queryset.filter(status__in=AWAITING_DECISION)
        if self.shown in CaseStatus.values:
            return queryset.filter(status=self.shown)
        return queryset


class DueFilter(admin.SimpleListFilter):
    """Cases awaiting a decision by their clock: past due, due before midnight (the portal's time zone), later."""

    title = "decision due"
    parameter_name = "due"

    def lookups(self, request, model_admin):
        return [("overdue", "Overdue"), ("today", "Due today"), ("later", "Due later")]

    def queryset(self, request, queryset):
        now = timezone.now()
        tomorrow = timezone.make_aware(
            datetime.datetime.combine(timezone.localdate(now) + datetime.timedelta(days=1), datetime.time.min)
        )
        awaiting = queryset.filter(status__in=AWAITING_DECISION)
        if self.value() == "overdue":
            return awaiting.filter(decision_due_at__lt=now)
        if self.value() == "today":
            return awaiting.filter(decision_due_at__gte=now, decision_due_at__lt=tomorrow)
        if self.value() == "later":
            return awaiting.filter(decision_due_at__gte=tomorrow)
        return queryset


class AssignedFilter(admin.SimpleListFilter):
    title = "assigned"
    parameter_name = "assigned"

    def lookups(self, request, model_admin):
        return [("mine", "Assigned to me"), ("unassigned", "Unassigned"), ("anyone", "Assigned to anyone")]

    def queryset(self, request, queryset):
        if self.value() == "mine":
            return queryset.filter(assigned_to=request.user)
        if self.value() == "unassigned":
            return queryset.filter(assigned_to__isnull=True)
        if self.value() == "anyone":
            return queryset.filter(assigned_to__isnull=False)
        return queryset


class DecideOnOriginalFilter(admin.SimpleListFilter):
    """REV-3: the hold lapsed unanswered, the case is back in review to be decided on the original submission."""

    title = "decide on original submission"
    parameter_name = "original"

    def lookups(self, request, model_admin):
        return [("yes", "Hold lapsed: decide on the original submission")]

    def queryset(self, request, queryset):
        return queryset.filter(decide_on_original=True) if self.value() == "yes" else queryset
