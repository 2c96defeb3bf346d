"""Practices, providers on accounts and worklist grants in the admin: for support staff to look up, not to edit.

Every change to access goes through the services (they enforce the rules and write the audit row), so the
admin shows these rows read-only; a practice's name is the one thing support may correct here.
"""

from django.contrib import admin

from portal.admin_mixins import ReadOnlyAdminMixin
from practices.models import AccountProvider, Practice, PracticeMembership, WorklistAccess


class ReadOnlyAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    pass


class PracticeMembershipInline(admin.TabularInline):
    model = PracticeMembership
    fields = ["user", "is_access_manager", "case_submission", "precertification_appeals", "correspondence", "joined_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user")


@admin.register(Practice)
class PracticeAdmin(admin.ModelAdmin):
    list_display = ["tin", "name", "paper_precertification_letters", "paper_claim_letters", "created_at"]
    list_filter = ["paper_precertification_letters", "paper_claim_letters"]
    search_fields = ["tin", "name"]
    readonly_fields = ["tin", "paper_precertification_letters", "paper_claim_letters", "created_at"]
    inlines = [PracticeMembershipInline]

    def has_add_permission(self, request):
        # Practices are created when their first user registers (practice_join), which also names a manager.
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(PracticeMembership)
class PracticeMembershipAdmin(ReadOnlyAdmin):
    list_display = [
        "user",
        "practice",
        "is_access_manager",
        "case_submission",
        "precertification_appeals",
        "correspondence",
        "joined_at",
    ]
    list_filter = ["is_access_manager", "case_submission", "precertification_appeals", "correspondence"]
    search_fields = ["user__username", "user__email", "user__last_name", "practice__tin", "practice__name"]
    list_select_related = ["user", "practice"]


@admin.register(AccountProvider)
class AccountProviderAdmin(ReadOnlyAdmin):
    list_display = ["user", "provider", "added_at"]
    list_filter = ["provider__kind", "provider__state"]
    search_fields = [
        "user__username",
        "user__email",
        "provider__npi",
        "provider__last_name",
        "provider__organization_name",
    ]
    list_select_related = ["user", "provider"]


@admin.register(WorklistAccess)
class WorklistAccessAdmin(ReadOnlyAdmin):
    list_display = ["owner", "grantee", "granted_at", "revoked_at"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter), "granted_at"]
    search_fields = ["owner__username", "owner__email", "grantee__username", "grantee__email"]
    list_select_related = ["owner", "grantee"]
    date_hierarchy = "granted_at"
