"""The correspondence in the admin: letters (read-only, with their deliveries), and the deliveries with the
print-and-mail queue (the member's copies waiting to be mailed) and the failed ones to retry.

Staff with the model's view permission read them (every page is audited: letters carry PHI); the actions need
the change permission and go through ``correspondence.services``.
"""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.urls import path, reverse
from django.utils.html import format_html

from audit.services import audit_record
from correspondence import letters, services
from correspondence.models import Delivery, Letter
from portal.admin_mixins import PHIAuditAdminMixin, ReadOnlyAdminMixin


class DeliveryInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = Delivery
    extra = 0
    fields = ("channel", "recipient", "destination", "status", "attempts", "last_error", "sent_at", "external_id")
    readonly_fields = fields


@admin.register(Letter)
class LetterAdmin(PHIAuditAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("__str__", "kind", "case_number", "created_at", "rendered_at", "pdf_link")
    list_filter = ("kind",)
    list_select_related = ("case",)
    search_fields = ("=case__case_number", "=case__request_id", "=case__authorization_number")
    date_hierarchy = "created_at"
    fields = ("case", "kind", "event", "created_at", "rendered_at", "sha256", "pdf_link")
    readonly_fields = fields
    inlines = [DeliveryInline]

    def get_queryset(self, request):
        return super().get_queryset(request).defer("pdf")

    @admin.display(description="Case Number", ordering="case__case_number")
    def case_number(self, letter):
        return letter.case.case_number

    @admin.display(description="PDF")
    def pdf_link(self, letter):
        if not letter.is_rendered:
            return "Not rendered yet"
        return format_html('<a href="{}">Open PDF</a>', reverse("admin:correspondence_letter_pdf", args=[letter.pk]))

    def get_urls(self):
        return [
            path(
                "<int:pk>/pdf/",
                self.admin_site.admin_view(self.pdf_view),
                name="correspondence_letter_pdf",
            ),
            *super().get_urls(),
        ]

    def pdf_view(self, request, pk):
        """The stored PDF for staff who may view letters; audited like the provider's read."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        letter = Letter.objects.select_related("case").filter(pk=pk).first()
        if letter is None or not letter.is_rendered:
            raise Http404
        audit_record(
            action="correspondence.letter_viewed",
            request=request,
            target=letter.case,
            details={"letter": letter.pk, "kind": letter.kind, "via": "admin"},
        )
        response = HttpResponse(letters.letter_pdf(letter), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="letter-{letter.pk}.pdf"'
        return response


class PrintAndMailQueueFilter(admin.SimpleListFilter):
    """The member's copies waiting to be printed and mailed, and the deliveries that failed."""

    title = "queue"
    parameter_name = "queue"

    def lookups(self, request, model_admin):
        return [("print_and_mail", "Print and mail"), ("failed", "Failed")]

    def queryset(self, request, queryset):
        if self.value() == "print_and_mail":
            return queryset.filter(channel=Delivery.Channel.MAIL, status=Delivery.Status.PENDING)
        if self.value() == "failed":
            return queryset.filter(status=Delivery.Status.FAILED)
        return queryset


@admin.register(Delivery)
class DeliveryAdmin(PHIAuditAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = (
        "__str__",
        "letter_link",
        "case_number",
        "channel",
        "recipient",
        "status",
        "mail_to",
        "attempts",
        "last_error",
        "created_at",
        "sent_at",
    )
    list_filter = (PrintAndMailQueueFilter, "channel", "status", "recipient")
    list_select_related = ("letter__case__member", "letter__case__practice", "letter__case__ordering_provider")
    search_fields = ("=letter__case__case_number", "=letter__case__request_id")
    actions = ["mark_mailed", "retry"]
    fields = (
        "letter",
        "channel",
        "recipient",
        "destination",
        "status",
        "created_at",
        "attempts",
        "last_attempt_at",
        "next_attempt_at",
        "last_error",
        "sent_at",
        "external_id",
    )
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).defer("letter__pdf")

    @admin.display(description="Letter", ordering="letter")
    def letter_link(self, delivery):
        url = reverse("admin:correspondence_letter_change", args=[delivery.letter_id])
        return format_html('<a href="{}">{}</a>', url, delivery.letter.get_kind_display())

    @admin.display(description="Case Number", ordering="letter__case__case_number")
    def case_number(self, delivery):
        return delivery.letter.case.case_number

    @admin.display(description="Mail to")
    def mail_to(self, delivery):
        """For the print-and-mail queue: the name and address printed on the envelope: the member's, or for the
        practice's paper copy the practice's name at its ordering provider's office."""
        if delivery.channel != Delivery.Channel.MAIL:
            return ""
        case = delivery.letter.case
        if delivery.recipient == Delivery.Recipient.PRACTICE:
            if case.practice is None or case.ordering_provider is None:
                return ""
            return f"{case.practice.name}, {case.ordering_provider.address_display}"
        if case.member is None:
            return ""
        return f"{case.member.full_name}, {case.member.address_display}"

    def _may_act(self, request) -> bool:
        # The records stay read-only; the change permission is what the actions require.
        return request.user.has_perm("correspondence.change_delivery")

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not self._may_act(request):
            actions.pop("mark_mailed", None)
            actions.pop("retry", None)
        return actions

    @admin.action(description="Mark as mailed")
    def mark_mailed(self, request, queryset):
        self._each(request, queryset, lambda d: services.delivery_mark_mailed(delivery=d, by=request.user), "mailed")

    @admin.action(description="Retry the failed deliveries")
    def retry(self, request, queryset):
        self._each(request, queryset, lambda d: services.delivery_retry(delivery=d), "queued again")

    def _each(self, request, queryset, act, done: str) -> None:
        if not self._may_act(request):
            self.message_user(request, "You may not change deliveries.", messages.ERROR)
            return
        count, refused = 0, []
        for delivery in queryset:
            try:
                act(delivery)
                count += 1
            except ValidationError as error:
                refused.append(f"Delivery {delivery.pk}: {' '.join(error.messages)}")
        if count:
            self.message_user(request, f"{count} delivery(ies) {done}.", messages.SUCCESS)
        for message in refused:
            self.message_user(request, message, messages.WARNING)
