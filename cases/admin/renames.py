"""The renames' rewrites of the cases' copies (``cases.renames``): an outbox, read here. A row stays pending while
its task has not run; the sweep queues it again (beat, every 5 minutes), so staff only read, never edit."""

from django.contrib import admin

from cases.models import SearchTextRewrite
from portal.admin_mixins import ReadOnlyAdminMixin


@admin.register(SearchTextRewrite)
class SearchTextRewriteAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["pk", "provider", "site", "requested_at", "done_at", "cases_written"]
    list_filter = [("done_at", admin.EmptyFieldListFilter)]
    list_select_related = ["provider", "site"]
    readonly_fields = ["provider", "site", "requested_at", "done_at", "cases_written"]
    ordering = ["-requested_at"]
