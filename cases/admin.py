"""Cases in the admin: read-only for now (decisions arrive with the reviewer queue, through services)."""

from django.contrib import admin

from cases.models import Case, CaseService, CaseStatusChange, ClinicalDocument
from portal.admin_mixins import ReadOnlyAdminMixin


class CaseStatusChangeInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = CaseStatusChange
    fields = ("changed_at", "from_status", "to_status", "changed_by", "reason")
    extra = 0


class CaseServiceInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = CaseService
    fields = ("line_number", "hcpcs", "label", "quantity")
    extra = 0


class ClinicalDocumentInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = ClinicalDocument
    fields = ("original_name", "content_type", "size", "uploaded_by", "uploaded_at")
    extra = 0


@admin.register(Case)
class CaseAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
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
    inlines = (CaseServiceInline, ClinicalDocumentInline, CaseStatusChangeInline)
    exclude = ("clinical_answers",)
