from django.contrib import admin

from audit.models import AuditEvent
from portal.admin_mixins import ReadOnlyAdminMixin


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only for everyone: the log is evidence."""

    list_display = ["at", "actor_username", "action", "target_type", "target_id", "ip_address"]
    list_filter = ["action", "at"]
    search_fields = ["actor_username", "=target_id", "=ip_address"]
    date_hierarchy = "at"
    show_full_result_count = False
