"""Cases in the admin: the reviewers' work queue (REV-1, CMS-2) and, through ``actions``, the case page.

The list and every object URL are scoped by ``cases.permissions.cases_in_review_queue``: submitted requests
only, for staff holding ``cases.review_case``. A draft, an expired draft or a request cancelled before
submission answers as a missing object. Nobody changes a case through the model form, the superuser included:
a status moves only through ``cases.services.case_transition``, called by the services the actions call.
"""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.utils.html import format_html

from audit.services import audit_record
from cases import queue
from cases.admin import filters
from cases.admin.actions import CaseActionsMixin
from cases.models import Case
from cases.permissions import cases_in_review_queue
from portal.admin_mixins import PHIAuditAdminMixin, QuickRowsAdminMixin, ReadOnlyAdminMixin
from portal.pagination import CountedPaginator
from reference.models import Member, Provider

# A search by the start of a last name matches at most this many patients (a reviewer narrows a longer list).
SEARCH_MAX_PEOPLE = 500
# The changelist's parameters that leave its list as it is (the page, the column sort): with only these, the list
# is the default one, awaiting a decision, which the queue counts count.
UNFILTERING_PARAMETERS = {"p", "o"}
# What the list's columns, its row links and checkboxes (``str(case)``) and the queue fields read.
LIST_COLUMNS = (
    "id",
    "request_id",
    "case_number",
    "status",
    "is_urgent",
    "decision_due_at",
    "decided_at",
    "program__name",
    "member__first_name",
    "member__last_name",
    "assigned_to__first_name",
    "assigned_to__last_name",
    "assigned_to__username",
)


@admin.register(Case)
class CaseAdmin(CaseActionsMixin, QuickRowsAdminMixin, PHIAuditAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    change_list_template = "admin/cases/case/change_list.html"
    list_display = (
        "case_number",
        "patient",
        "program",
        "urgency",
        "status_shown",
        "clock",
        "assigned_to_shown",
    )
    list_display_links = ("case_number",)
    list_filter = (
        filters.QueueFilter,
        filters.UrgencyFilter,
        filters.StatusFilter,
        filters.DueFilter,
        filters.AssignedFilter,
        filters.DecideOnOriginalFilter,
    )
    # Exact identifiers, and the start of the patient's last name. The search text never reaches the logs (the
    # project strips query strings) nor the audit (``PHIAuditAdminMixin`` records only that a search was made).
    search_fields = (
        "=case_number",
        "=request_id",
        "=authorization_number",
        "=member__member_id",
        "^member__last_name",
        "=ordering_provider__npi",
    )
    search_help_text = (
        "Case number, request ID, authorization number, patient ID, the start of the patient's last name, or the "
        "ordering provider's NPI."
    )
    list_select_related = ("program", "member", "assigned_to")
    list_per_page = 50
    # The count of every submitted case ever (Django's "N total" beside a filtered count) is a scan of the table.
    show_full_result_count = False
    actions = ("claim_selected",)
    exclude = ("clinical_answers",)

    def get_queryset(self, request):
        # The one scope for the queue (SEC-1); the change, history and action URLs fetch through it too.
        # The scope already joins some relations, so Django skips ``list_select_related``: the list's are added here.
        queryset = queue.with_queue_fields(cases_in_review_queue(request.user))
        if getattr(request, "_case_list", False):
            # The list reads only what its columns show: not the scope's other joins, nor a case's dozens of other
            # columns (its clinical answers among them), each decoded for 50 rows per page.
            queryset = queryset.select_related(None).select_related(*self.list_select_related).only(*LIST_COLUMNS)
        else:
            queryset = queryset.select_related(*self.list_select_related)
        ordering = self.get_ordering(request)
        return queryset.order_by(*ordering) if ordering else queryset

    def get_search_results(self, request, queryset, search_term):
        """``search_fields``, each on its own index: the identifiers compared exactly (Django's ``=`` is
        ``UPPER(x) = UPPER(y)``, which no index serves: a scan of every submitted case), and the patients and
        providers found first in their own tables, so the case query is a union of index scans."""
        term = " ".join(search_term.split())
        if not term:
            return queryset, False
        upper = term.upper()
        members = Member.objects.filter(Q(member_id__in={term, upper}) | Q(last_name__istartswith=term))
        member_ids = list(members.values_list("pk", flat=True)[:SEARCH_MAX_PEOPLE])
        provider_ids = list(Provider.objects.filter(npi=term).values_list("pk", flat=True))
        found = Q(case_number=upper) | Q(request_id=term) | Q(authorization_number=upper)
        if member_ids:
            found |= Q(member_id__in=member_ids)
        if provider_ids:
            found |= Q(ordering_provider_id__in=provider_ids)
        return queryset.filter(found), False

    def get_ordering(self, request):
        # Awaiting a decision only (the default): by due time, which puts the overdue first; the partial index
        # case_awaiting_due_idx reads the page in that order. Any other list (all statuses, a decided status, a
        # search): newest submission first, read in that order from case_submitted_newest_idx, where sorting
        # every submitted case by a computed "awaiting" first cost a sort of the whole table per page.
        if filters.status_shown(request) in ("awaiting", *queue.AWAITING_DECISION):
            return ("decision_due_at", "pk")
        return ("-submitted_at", "-pk")

    def get_paginator(self, request, queryset, per_page, orphans=0, allow_empty_first_page=True):
        """A list the queue counts above it already count (awaiting a decision, or one of those statuses, in one
        queue or all, no other filter, no search) takes its number from them, not from a second COUNT over
        every case awaiting a decision (or in review, 120,000 at a million cases)."""
        count = self._counted_by_queue_counts(request)
        if count is not None:
            return CountedPaginator(
                queryset, per_page, count=count, orphans=orphans, allow_empty_first_page=allow_empty_first_page
            )
        return super().get_paginator(request, queryset, per_page, orphans, allow_empty_first_page)

    def _counted_by_queue_counts(self, request) -> int | None:
        counts = getattr(request, "_queue_counts", None)
        if counts is None or set(request.GET) - UNFILTERING_PARAMETERS - {"status", "program"}:
            return None
        status = filters.status_shown(request)
        program = request.GET.get("program")
        if status not in ("awaiting", *queue.AWAITING_DECISION):
            return None
        if program is not None and not (program.isascii() and program.isdigit()):
            return None  # QueueFilter ignores it; the database counts what is listed
        shown = [count for count in counts if program is None or count.program_id == int(program)]
        return sum(count.total if status == "awaiting" else count.by_status.get(status, 0) for count in shown)

    def changelist_view(self, request, extra_context=None):
        request._case_list = True  # for get_queryset
        reviewer = queue.is_reviewer(request.user)
        counts = queue.queue_counts(request.user) if reviewer else []
        request._queue_counts = counts if reviewer else None  # for get_paginator
        extra_context = {
            "title": "Review queue",
            **(extra_context or {}),
            "queue_counts": counts,
            "count_statuses": [(status.value, status.label) for status in queue.AWAITING_DECISION],
        }
        return super().changelist_view(request, extra_context)

    def has_view_permission(self, request, obj=None):
        # The review permission opens the queue and the case page; without it nothing is listed (the scope).
        return super().has_view_permission(request, obj) or queue.is_reviewer(request.user)

    def has_module_permission(self, request):
        return super().has_module_permission(request) or queue.is_reviewer(request.user)

    # --- Columns -----------------------------------------------------------------------------------------

    @admin.display(description="Patient", ordering="member__last_name")
    def patient(self, case):
        return case.member.full_name if case.member else ""

    @admin.display(description="Urgency", ordering="-is_urgent")
    def urgency(self, case):
        return "Expedited" if case.is_urgent else "Standard"

    @admin.display(description="Status", ordering="status")
    def status_shown(self, case):
        if getattr(case, "decide_on_original", False):
            return format_html(
                '{}<br><strong class="queue-flag">Hold lapsed: decide on the original submission</strong>',
                case.get_status_display(),
            )
        return case.get_status_display()

    @admin.display(description="Decision due", ordering="decision_due_at")
    def clock(self, case):
        text, overdue = queue.clock(case)
        if overdue:
            return format_html('<strong class="clock clock--overdue">{}</strong>', text)
        return format_html('<span class="clock">{}</span>', text)

    @admin.display(description="Assigned to", ordering="assigned_to__last_name")
    def assigned_to_shown(self, case):
        if case.assigned_to is None:
            return "Unassigned"
        return case.assigned_to.get_full_name() or case.assigned_to.get_username()

    # --- Bulk action ---------------------------------------------------------------------------------------

    @admin.action(description="Claim selected cases")
    def claim_selected(self, request, queryset):
        if not queue.is_reviewer(request.user):
            raise PermissionDenied("Only clinical reviewers work cases.")
        claimed, refused = [], []
        for case in queryset:
            try:
                queue.case_claim(case=case, by=request.user)
            except ValidationError as error:
                refused.append(f"{case.case_number}: {' '.join(error.messages)}")
            else:
                claimed.append(case.pk)
        if claimed:
            audit_record(action="case.claimed", request=request, details={"via": "admin", "ids": claimed})
            messages.success(request, f"You are working {len(claimed)} more case{'s' if len(claimed) != 1 else ''}.")
        for text in refused:
            messages.warning(request, text)
