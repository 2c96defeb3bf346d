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
from reference.signals import searched_names_changed


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


class SearchedNamesAdminMixin:
    """Says when a save changed one of ``searched_fields`` (values that My Worklist's search copies onto cases)."""

    searched_fields: frozenset[str] = frozenset()

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and self.searched_fields.intersection(form.changed_data):
            searched_names_changed.send(sender=type(obj), instance=obj)


@admin.register(Provider)
class ProviderAdmin(SearchedNamesAdminMixin, admin.ModelAdmin):
    # The search text's values, and the kind, which decides the cases' sort key (Provider.sort_name).
    searched_fields = frozenset({"kind", "first_name", "last_name", "organization_name", "npi"})
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
class SiteAdmin(SearchedNamesAdminMixin, admin.ModelAdmin):
    searched_fields = frozenset({"name"})
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
