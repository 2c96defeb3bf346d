"""The ECRM catalog, edited by staff: categories, request forms (their optional fields and "?" instructions),
request types and subrequests; canned replies. The agents' queues and a ticket's page with its actions (issue 13
item 7): each action a small form posting to its own admin URL that calls one service and comes back to the
ticket's page with a message; a refused input shows the page again with the error summary.

The ticket's fields are read-only (the reporter's request); agents with ``ecrm.change_ticket`` act through the
forms, agents with only ``ecrm.view_ticket`` read the page and its timeline without any form."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.views.decorators.http import require_POST

from audit.services import audit_record
from cases.admin.forms import add_service_errors
from ecrm import emails, selectors, tickets
from ecrm.admin_forms import AgentCommentForm, AssignForm, PriorityForm, StateForm
from ecrm.models import (
    CannedReply,
    Category,
    EcrmProfile,
    FieldInstructions,
    RequestForm,
    RequestType,
    Subrequest,
    Ticket,
    TicketAttachment,
    TicketState,
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


@admin.register(CannedReply)
class CannedReplyAdmin(admin.ModelAdmin):
    list_display = ("title",)
    search_fields = ("title",)


class AssignedToMeFilter(admin.SimpleListFilter):
    """ "Assigned to me" and the unassigned, each read from ``ecrm_ticket_assigned_idx`` newest first."""

    title = "assigned to"
    parameter_name = "assigned"

    def lookups(self, request, model_admin):
        return [("me", "Assigned to me"), ("nobody", "Unassigned")]

    def queryset(self, request, queryset):
        if self.value() == "me":
            return queryset.filter(assigned_to=request.user)
        if self.value() == "nobody":
            return queryset.filter(assigned_to__isnull=True)
        return queryset


def comment_posted_message(ticket: Ticket, emailed_to) -> tuple[str, int]:
    """What the agent is told after posting an additional comment, from who ``comment_email_send`` emailed
    (None: not sent yet, the post's transaction still open)."""
    if emailed_to is None:
        return "Comment posted: it is emailed to the reporter and the copied colleagues once saved.", messages.SUCCESS
    if not emailed_to:
        return "Comment posted, but not emailed: nobody on the ticket could be reached by email.", messages.WARNING
    return f"Comment posted and emailed to {emails.emailed_phrase(ticket, emailed_to)}.", messages.SUCCESS


@admin.register(Ticket)
class TicketAdmin(admin.ModelAdmin):
    list_display = (
        "number",
        "short_description",
        "state",
        "priority",
        "assigned_to",
        "assignment_group",
        "created_at",
        "updated_at",
    )
    list_filter = ("state", AssignedToMeFilter, "assignment_group", "request_form__category", "priority")
    list_select_related = ("request_form__category", "assigned_to", "assignment_group")
    search_fields = ("=number",)
    search_help_text = "An EC number, as EC01057933."
    # Newest first: the order of every index the filters use (state, assignee, group: each with -sequence).
    ordering = ("-sequence",)
    show_full_result_count = False
    change_form_template = "admin/ecrm/ticket/change_form.html"
    readonly_fields = (
        "number",
        "reporter",
        "copied_colleagues",
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
        "assigned_to",
        "assignment_group",
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

    # --- The ticket's page: timeline and actions ---------------------------------------------------------------

    def get_urls(self):
        def route(suffix, view, name):
            return path(
                f"<int:object_id>/{suffix}/",
                self.admin_site.admin_view(require_POST(view)),
                name=f"ecrm_ticket_{name}",
            )

        return [
            route("comment", self.comment_view, "comment"),
            route("state", self.state_view, "state"),
            route("priority", self.priority_view, "priority"),
            route("assign", self.assign_view, "assign"),
            *super().get_urls(),
        ]

    def page_context(self, request, ticket: Ticket, bound: dict | None = None) -> dict:
        """The timeline (work notes and assignments included, marked internal) and, for agents who may change
        tickets, the action forms (``bound``: the ones posted with errors)."""
        bound = bound or {}
        context = {
            "ticket": ticket,
            "timeline": selectors.ticket_timeline(ticket, with_work_notes=True),
            "may_act": self.has_change_permission(request, ticket),
            # The fields are read-only: the admin's own Save buttons would save nothing.
            "show_save": False,
            "show_save_and_continue": False,
            "show_save_and_add_another": False,
            "show_delete": False,
            "error_forms": list(bound.values()),
        }
        if context["may_act"]:
            open_ = ticket.state != TicketState.CLOSED
            context |= {
                "comment_form": (bound.get("comment") or AgentCommentForm()) if open_ else None,
                # For canned-replies.js: a chosen reply's text fills the message box.
                "canned_replies": {str(pk): body for pk, body in CannedReply.objects.values_list("pk", "body")},
                "state_form": (bound.get("state") or StateForm(ticket=ticket))
                if tickets.ticket_moves(ticket)
                else None,
                "priority_form": bound.get("priority") or PriorityForm(ticket=ticket),
                "assign_form": bound.get("assign") or AssignForm(ticket=ticket),
                "action_urls": {
                    name: reverse(f"admin:ecrm_ticket_{name}", args=[ticket.pk])
                    for name in ("comment", "state", "priority", "assign")
                },
            }
        return context

    def change_view(self, request, object_id, form_url="", extra_context=None):
        ticket = self.get_object(request, object_id) if request.method != "POST" else None
        if ticket is not None:
            extra_context = {**(extra_context or {}), **self.page_context(request, ticket)}
            audit_record(action="ecrm.ticket_viewed", request=request, target=ticket, details={"via": "admin"})
        return super().change_view(request, object_id, form_url, extra_context)

    def acted_on(self, request, object_id) -> Ticket:
        """The ticket of an action: 403 without ``ecrm.change_ticket``, 404 for no such ticket."""
        if not self.has_change_permission(request):
            raise PermissionDenied("Only ECRM agents who may change tickets act on them.")
        return get_object_or_404(self.get_queryset(request), pk=object_id)

    def render_page(self, request, ticket: Ticket, bound: dict) -> TemplateResponse:
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": ticket,
            "title": f"Ticket {ticket.number}",
            "has_view_permission": True,
            "has_change_permission": True,
            "change": True,
            "media": self.media,
            **self.page_context(request, ticket, bound),
        }
        return TemplateResponse(request, self.change_form_template, context, status=400)

    def done(self, request, ticket: Ticket, message: str, level: int = messages.SUCCESS):
        messages.add_message(request, level, message)
        return redirect(reverse("admin:ecrm_ticket_change", args=[ticket.pk]))

    def comment_view(self, request, object_id):
        ticket = self.acted_on(request, object_id)
        form = AgentCommentForm(request.POST, request.FILES)
        if form.is_valid():
            work_note = form.cleaned_data["kind"] == "work_note"
            try:
                # ticket_comment_add audits the post and emails an additional comment once committed.
                comment = tickets.ticket_comment_add(
                    ticket=ticket,
                    author=request.user,
                    body=form.cleaned_data["body_html"],
                    work_note=work_note,
                    files=form.cleaned_data["attachments"],
                    request=request,
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                if work_note:
                    return self.done(request, ticket, "Work note added (internal).")
                return self.done(request, ticket, *comment_posted_message(ticket, comment.emailed_to))
        return self.render_page(request, ticket, {"comment": form})

    def state_view(self, request, object_id):
        ticket = self.acted_on(request, object_id)
        form = StateForm(request.POST, ticket=ticket)
        if form.is_valid():
            try:
                tickets.ticket_transition(
                    ticket=ticket, to=form.cleaned_data["to"], by=request.user, reason=form.cleaned_data["reason"]
                )
            except ValidationError as error:
                form.add_error("to", error)
            else:
                audit_record(
                    action="ecrm.ticket_state_changed", request=request, target=ticket, details={"to": ticket.state}
                )
                return self.done(request, ticket, f"{ticket.number} is {ticket.get_state_display()}.")
        return self.render_page(request, ticket, {"state": form})

    def priority_view(self, request, object_id):
        ticket = self.acted_on(request, object_id)
        form = PriorityForm(request.POST, ticket=ticket)
        if form.is_valid():
            try:
                tickets.ticket_priority_set(
                    ticket=ticket, priority=form.cleaned_data["priority"], by=request.user, request=request
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                return self.done(request, ticket, f"{ticket.number}'s priority is {ticket.get_priority_display()}.")
        return self.render_page(request, ticket, {"priority": form})

    def assign_view(self, request, object_id):
        ticket = self.acted_on(request, object_id)
        form = AssignForm(request.POST, ticket=ticket)
        if form.is_valid():
            try:
                tickets.ticket_assign(
                    ticket=ticket,
                    agent=form.cleaned_data["assigned_to"],
                    group=form.cleaned_data["assignment_group"],
                    by=request.user,
                    request=request,
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                return self.done(request, ticket, f"{ticket.number}'s assignment is saved.")
        return self.render_page(request, ticket, {"assign": form})
