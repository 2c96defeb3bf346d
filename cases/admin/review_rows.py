"""The queues of what comes after a decision (REV-2, WL-5, WL-7): reconsiderations, appeals and authorization
extension requests, each waiting one first and the overdue first, with its case's number and a link to the case
page, where it is decided. Read-only lists: nothing is changed here.

Scoped like the case queue: rows of cases in ``cases_in_review_queue``; an appeal draft is the provider's
unfinished work and is never listed.
"""

from django.contrib import admin
from django.db.models import BooleanField, Case, Value, When
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html

from cases import queue, rules
from cases.models import Appeal, AuthorizationExtension, Reconsideration
from cases.permissions import cases_in_review_queue
from portal.admin_mixins import PHIAuditAdminMixin, QuickRowsAdminMixin, ReadOnlyAdminMixin


class ReviewRowAdmin(QuickRowsAdminMixin, PHIAuditAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    """Shared by the three queues: the scope, the case link, and the queue's permission."""

    waiting_status = ""  # the status that waits for the reviewer
    list_select_related = ("case", "case__program")
    list_per_page = 50

    class Media:
        css = {"all": ("cases/admin-review.css",)}

    def get_queryset(self, request):
        rows = self.model.objects.filter(case__in=cases_in_review_queue(request.user))
        rows = rows.annotate(
            waiting=Case(
                When(status=self.waiting_status, then=Value(True)), default=Value(False), output_field=BooleanField()
            )
        )
        return rows.select_related(*self.list_select_related).order_by(*self.get_ordering(request))

    def has_view_permission(self, request, obj=None):
        return queue.is_reviewer(request.user)

    def get_field_queryset(self, db, db_field, request):
        # The row's case field would be ordered by the case admin's queue ordering, which names annotations only
        # its own queryset adds: read it through the queue's scope instead.
        if db_field.name == "case":
            return cases_in_review_queue(request.user)
        return super().get_field_queryset(db, db_field, request)

    def has_module_permission(self, request):
        return queue.is_reviewer(request.user)

    @admin.display(description="Case", ordering="case__case_number")
    def case_link(self, row):
        url = reverse("admin:cases_case_change", args=[row.case_id])
        return format_html('<a href="{}">{}</a>', url, row.case.case_number)

    @admin.display(description="Queue", ordering="case__program__name")
    def program(self, row):
        return row.case.program.name


@admin.register(Reconsideration)
class ReconsiderationAdmin(ReviewRowAdmin):
    waiting_status = Reconsideration.Status.SUBMITTED
    list_display = ("case_link", "sequence", "status", "program", "requested_at", "decided_at")
    list_filter = ("status",)
    search_fields = ("=case__case_number", "=case__request_id")

    def get_ordering(self, request):
        # Reconsiderations have no clock of their own: the oldest waiting one first.
        return ("-waiting", "requested_at", "pk")


@admin.register(Appeal)
class AppealAdmin(ReviewRowAdmin):
    waiting_status = Appeal.Status.SUBMITTED
    list_display = ("case_link", "sequence", "status", "expedited", "program", "submitted_at", "clock")
    list_filter = ("status", "is_expedited")
    search_fields = ("=case__case_number", "=case__request_id")

    def get_queryset(self, request):
        return super().get_queryset(request).exclude(status=Appeal.Status.DRAFT)

    def get_ordering(self, request):
        # Waiting first, then by response due time: the overdue ones come first among the waiting.
        return ("-waiting", "due_at", "pk")

    @admin.display(description="Expedited", boolean=True, ordering="-is_expedited")
    def expedited(self, appeal):
        return appeal.is_expedited

    @admin.display(description="Response due", ordering="due_at")
    def clock(self, appeal):
        if appeal.status != Appeal.Status.SUBMITTED or appeal.due_at is None:
            return f"Decided {timezone.localtime(appeal.decided_at):%m/%d/%Y}" if appeal.decided_at else ""
        left = appeal.due_at - timezone.now()
        if left.total_seconds() < 0:
            return format_html(
                '<strong class="clock clock--overdue">Overdue by {}</strong>', rules.duration_words(left)
            )
        return f"Due in {rules.duration_words(left)}"


@admin.register(AuthorizationExtension)
class AuthorizationExtensionAdmin(ReviewRowAdmin):
    waiting_status = AuthorizationExtension.Status.REQUESTED
    list_display = ("case_link", "status", "program", "previous_valid_to", "requested_valid_to", "requested_at")
    list_filter = ("status",)
    search_fields = ("=case__case_number", "=case__request_id", "=case__authorization_number")

    def get_ordering(self, request):
        # Soonest to lapse first: an extension must be decided before the authorization ends.
        return ("-waiting", "previous_valid_to", "pk")
