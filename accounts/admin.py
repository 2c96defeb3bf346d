from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from accounts.models import PasswordResetCode, User


@admin.register(User)
class PortalUserAdmin(UserAdmin):
    """Django's user admin (its password forms run every AUTH_PASSWORD_VALIDATORS rule) with the
    registration fields."""

    list_display = ["username", "email", "first_name", "last_name", "npi", "tax_id", "is_active", "is_staff"]
    list_filter = ["is_active", "is_staff", "is_superuser", "groups"]
    search_fields = ["username", "email", "first_name", "last_name", "=npi", "=tax_id"]
    readonly_fields = ["email_verified_at", "last_login", "date_joined"]
    fieldsets = (
        *UserAdmin.fieldsets,
        ("Registration", {"fields": ("phone", "phone_ext", "npi", "tax_id", "organization_name", "email_verified_at")}),
    )


@admin.register(PasswordResetCode)
class PasswordResetCodeAdmin(admin.ModelAdmin):
    """Only hashes are stored; shown so support staff can see whether a code was sent and used."""

    list_display = ["user", "created_at", "expires_at", "failed_attempts", "used_at"]
    list_select_related = ["user"]
    search_fields = ["user__username"]
    readonly_fields = ["user", "code_hash", "created_at", "expires_at", "failed_attempts", "used_at"]

    def has_add_permission(self, request):
        return False
