from django.contrib import admin

from portal.admin_mixins import PHIAuditAdminMixin, ReadOnlyAdminMixin
from reference.models import (
    DiagnosisCode,
    Eligibility,
    HcpcsCode,
    HealthPlan,
    Member,
    PlanProgram,
    Program,
    Provider,
    Site,
)


class PlanProgramInline(admin.TabularInline):
    model = PlanProgram
    extra = 0


@admin.register(HealthPlan)
class HealthPlanAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "payer_id"]
    inlines = [PlanProgramInline]


@admin.register(Program)
class ProgramAdmin(admin.ModelAdmin):
    list_display = ["name", "header_code", "is_buildable", "sort_order"]
    list_filter = ["is_buildable"]


@admin.register(DiagnosisCode)
class DiagnosisCodeAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only: the code set comes from the ICD-10-CM package, and SQLite's word index mirrors it."""

    list_display = ["code", "description", "is_billable"]
    list_filter = ["is_billable"]
    search_fields = ["code"]
    show_full_result_count = False


@admin.register(HcpcsCode)
class HcpcsCodeAdmin(admin.ModelAdmin):
    list_display = [
        "code",
        "description",
        "program",
        "category",
        "billing_basis",
        "requires_prior_auth",
    ]
    list_filter = ["program", "category", "billing_basis", "requires_prior_auth"]
    list_select_related = ["program"]
    search_fields = ["code", "description"]


@admin.register(Provider)
class ProviderAdmin(admin.ModelAdmin):
    list_display = [
        "npi",
        "last_name",
        "first_name",
        "organization_name",
        "kind",
        "tin",
        "city",
        "state",
    ]
    list_filter = ["kind", "state"]
    search_fields = ["=npi", "=tin", "last_name", "organization_name"]
    show_full_result_count = False


@admin.register(Site)
class SiteAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "npi", "tin", "city", "state"]
    list_filter = ["kind", "state"]
    search_fields = ["=npi", "=tin", "name"]


class EligibilityInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = Eligibility
    extra = 0


@admin.register(Member)
class MemberAdmin(PHIAuditAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    """Patients: every list, search and record shown here is audited (its eligibility spans with it).

    Read-only: members and their eligibility mirror the health plans' files; a hand edit of a patient's
    name or coverage would change who a request is for without a trace in the audit log.
    """

    list_display = ["member_id", "last_name", "first_name", "date_of_birth", "state"]
    search_fields = ["=member_id", "last_name"]
    inlines = [EligibilityInline]
    show_full_result_count = False
