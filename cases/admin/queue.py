"""Cases in the admin: the reviewers' queue, read-only (decisions arrive with the reviewer queue, through services).

The list and every object URL are scoped by ``cases.permissions.cases_in_review_queue``: submitted requests
only, for staff holding ``cases.review_case``. A draft, an expired draft or a request cancelled before
submission answers as a missing object. Nobody changes a case here, the superuser included: a status moves
only through ``cases.services.case_transition``.
"""

from django.contrib import admin

from cases.models import Case, CaseStatusChange, ClinicalDocument, ServiceLine
from cases.permissions import cases_in_review_queue
from portal.admin_mixins import PHIAuditAdminMixin, ReadOnlyAdminMixin


class CaseStatusChangeInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = CaseStatusChange
    fields = ("changed_at", "from_status", "to_status", "changed_by", "reason")
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("changed_by")


class ServiceLineInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = ServiceLine
    fields = ("line_number", "hcpcs", "label", "quantity", "unit", "billing_basis")
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("hcpcs")


class ClinicalDocumentInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = ClinicalDocument
    fields = ("original_name", "content_type", "size", "uploaded_by", "uploaded_at")
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("uploaded_by")


@admin.register(Case)
class CaseAdmin(PHIAuditAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = (
        "request_id",
        "case_number",
        "status",
        "program",
        "is_urgent",
        "submitted_at",
        "decision_due_at",
        "authorization_number",
    )
    list_filter = ("status", "program", "is_urgent")
    search_fields = ("request_id", "case_number", "episode_id", "authorization_number")
    list_select_related = ("program",)
    date_hierarchy = "submitted_at"
    inlines = (ServiceLineInline, ClinicalDocumentInline, CaseStatusChangeInline)
    exclude = ("clinical_answers",)

    def get_queryset(self, request):
        # The one scope for the queue (SEC-1); the change, history and delete URLs fetch through it too.
        queryset = cases_in_review_queue(request.user)
        ordering = self.get_ordering(request)
        return queryset.order_by(*ordering) if ordering else queryset
