from django.contrib import admin, messages
from django_otp_webauthn.admin import WebAuthnCredentialAdmin

from mfa.models import EmailPinDevice, PasskeyDevice, RememberedDevice, SMSPinDevice
from mfa.services import mfa_device_throttle_reset, remembered_device_forget
from portal.admin_mixins import ReadOnlyAdminMixin


class PinDeviceAdmin(admin.ModelAdmin):
    """Support can see a user's methods and lift a throttle; PINs are never shown (only their hash exists)."""

    list_display = ["user", "name", "destination_masked", "confirmed", "created_at", "last_used_at", "throttled"]
    list_filter = ["confirmed", "created_at", "last_used_at"]
    list_select_related = ["user"]
    search_fields = ["user__username", "user__email"]
    raw_id_fields = ["user"]
    readonly_fields = [
        "created_at",
        "last_used_at",
        "valid_until",
        "last_generated_timestamp",
        "throttling_failure_timestamp",
        "throttling_failure_count",
    ]
    exclude = ["token_hash"]
    actions = ["reset_throttling"]

    @admin.display(description="sent to")
    def destination_masked(self, obj):
        return obj.destination_masked

    @admin.display(boolean=True, description="throttled")
    def throttled(self, obj):
        return obj.throttling_failure_count > 0

    @admin.action(description="Reset throttling after wrong codes", permissions=["change"])
    def reset_throttling(self, request, queryset):
        for device in queryset:
            mfa_device_throttle_reset(request=request, device=device)
        self.message_user(request, f"Reset throttling on {len(queryset)} device(s).", messages.SUCCESS)


@admin.register(EmailPinDevice)
class EmailPinDeviceAdmin(PinDeviceAdmin):
    search_fields = [*PinDeviceAdmin.search_fields, "email"]


@admin.register(SMSPinDevice)
class SMSPinDeviceAdmin(PinDeviceAdmin):
    search_fields = [*PinDeviceAdmin.search_fields, "number"]


@admin.register(PasskeyDevice)
class PasskeyDeviceAdmin(WebAuthnCredentialAdmin):
    """django-otp-webauthn's own admin (no adding; the public key only when sensitive data is shown).

    Support can turn a lost passkey off by unticking "confirmed"; it then no longer verifies anyone.
    """

    list_display = ["user", "name", "confirmed", "created_at", "last_used_at"]
    list_filter = ["confirmed", "created_at", "last_used_at"]
    list_select_related = ["user"]
    search_fields = ["user__username", "user__email", "name"]


@admin.register(RememberedDevice)
class RememberedDeviceAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only, except "Forget" (a lost laptop): through the service, so the audit log records it."""

    list_display = ["user", "label", "created_at", "last_used_at", "expires_at"]
    list_filter = ["created_at", "expires_at"]
    list_select_related = ["user"]
    search_fields = ["user__username", "user__email", "label"]
    readonly_fields = ["user", "label", "otp_device_id", "created_at", "last_used_at", "expires_at"]
    exclude = ["token_hash", "password_fingerprint"]
    actions = ["forget"]

    @admin.action(description="Forget selected devices (ask them for a code again)", permissions=["forget"])
    def forget(self, request, queryset):
        devices = list(queryset)
        for remembered in devices:
            remembered_device_forget(request=request, remembered_device=remembered)
        self.message_user(request, f"Forgot {len(devices)} device(s).", messages.SUCCESS)

    # Read-only (ReadOnlyAdminMixin): deleting would skip the audit row; the "Forget" action writes one.

    def has_forget_permission(self, request):
        return request.user.has_perm("mfa.delete_remembereddevice")
