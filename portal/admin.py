from django.contrib import admin

from portal.admin_mixins import ReadOnlyAdminMixin
from portal.models import WorkerHeartbeat


@admin.register(WorkerHeartbeat)
class WorkerHeartbeatAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Written by the worker's heartbeat task only: an added or edited row would fake a live worker."""

    list_display = ["worker", "seen_at"]
    readonly_fields = ["worker", "seen_at"]
