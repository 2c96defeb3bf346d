"""The ECRM catalog, edited by staff: categories, request forms (their optional fields and "?" instructions),
request types and subrequests. Tickets are listed read-only here; the agents' queues come later."""

from django.contrib import admin

from ecrm.models import (
    Category,
    EcrmProfile,
    FieldInstructions,
    RequestForm,
    RequestType,
    Subrequest,
    Ticket,
    TicketAttachment,
)


class RequestFormInline(admin.TabularInline):
    model = RequestForm
    fields = ("name", "slug", "sort_order", "is_active")
    extra = 0
    show_change_link = True


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("name", "sort_order", "is_active")
    list_editable = ("sort_order", "is_active")
    prepopulated_fields = {"slug": ("name",)}
    inlines = [RequestFormInline]


class FieldInstructionsInline(admin.TabularInline):
    model = FieldInstructions
    extra = 0


@admin.register(RequestForm)
class RequestFormAdmin(admin.ModelAdmin):
    list_display = ("name", "category", "allows_all_carriers", "allows_multiple_carriers", "claim_number", "is_active")
    list_filter = ("category", "is_active")
    list_select_related = ("category",)
    search_fields = ("name",)
    prepopulated_fields = {"slug": ("name",)}
    filter_horizontal = ("request_types",)
    inlines = [FieldInstructionsInline]


class SubrequestInline(admin.TabularInline):
    model = Subrequest
    extra = 0


@admin.register(RequestType)
class RequestTypeAdmin(admin.ModelAdmin):
    list_display = ("name", "sort_order")
    search_fields = ("name",)
    inlines = [SubrequestInline]


@admin.register(EcrmProfile)
class EcrmProfileAdmin(admin.ModelAdmin):
    list_display = ("user", "organization_name", "city", "state", "registered_at")
    list_select_related = ("user",)
    search_fields = ("user__username", "user__email", "organization_name")
    raw_id_fields = ("user",)


class TicketAttachmentInline(admin.TabularInline):
    model = TicketAttachment
    fields = ("original_name", "size", "uploaded_by", "uploaded_at")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Ticket)
class TicketAdmin(admin.ModelAdmin):
    list_display = ("number", "short_description", "state", "priority", "created_at", "updated_at")
    list_filter = ("state", "priority", "request_form__category")
    list_select_related = ("request_form__category",)
    search_fields = ("=number",)
    search_help_text = "An EC number, as EC01057933."
    ordering = ("-sequence",)
    show_full_result_count = False
    readonly_fields = (
        "number",
        "reporter",
        "request_form",
        "short_description",
        "description_html",
        "carrier_scope",
        "health_plans",
        "request_type",
        "subrequest",
        "claim_number",
        "contact_name",
        "contact_phone",
        "contact_email",
        "state",
        "priority",
        "created_at",
        "updated_at",
    )
    fields = readonly_fields
    inlines = [TicketAttachmentInline]

    def get_search_results(self, request, queryset, search_term):
        """An EC number, matched exactly: Django's ``=number`` search compares UPPER(number), which no index
        serves (a scan of every ticket); numbers are stored upper case, so the term is upper-cased instead."""
        term = search_term.strip().upper()
        if not term:
            return queryset, False
        return queryset.filter(number=term), False

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
