"""P2P in the admin (REV-5, P2P-4, P2P-6).

- Reviewers, set up by staff: their zone, slot length and the three things slots are computed from (skills,
  weekly working hours in the reviewer's own zone, time off). Stacked inlines: every field has its label, and rows
  are added without JavaScript (one empty row each).
- P2P appointments, for staff holding ``p2p.work_p2p``: "the day's appointments", today's by default (today in
  the reviewer's zone for a reviewer, in the portal's for others), a reviewer seeing only their own; filters by
  day, status, outcome and reviewer; search by P2P number. A request's page is read-only (the office's contact
  details and the cases), with the form that records the call's outcome (``p2p.outcomes.outcome_record``), posted
  to its own URL; a refused input shows the page again with the error summary.
- The P2P emails' outbox, read-only, with Retry for a Failed notice (as the correspondence deliveries).
"""

import datetime

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.views.decorators.http import require_POST

from audit.services import audit_record
from cases.admin.forms import add_service_errors
from p2p import ics, notifications, outcomes, timefmt
from p2p.models import P2PNotice, P2PRequest, Reviewer, ReviewerSkill, TimeOff, WorkingHours, zone
from portal.forms import ErrorSummaryMixin

Outcome = P2PRequest.Outcome


# --- Reviewers --------------------------------------------------------------------------------------------------


class ReviewerSkillInline(admin.StackedInline):
    model = ReviewerSkill
    extra = 1
    verbose_name = "skill"
    verbose_name_plural = "Skills (programs this reviewer takes P2P calls for)"


class WorkingHoursForm(forms.ModelForm):
    class Meta:
        model = WorkingHours
        fields = ("weekday", "starts", "ends")
        help_texts = {
            "starts": "In the reviewer's time zone, as 09:00.",
            "ends": "In the reviewer's time zone, as 17:00: the last slot ends by then.",
        }


class WorkingHoursInline(admin.StackedInline):
    model = WorkingHours
    form = WorkingHoursForm
    extra = 1
    verbose_name_plural = "Working hours (weekly, in the reviewer's time zone)"


def _local_datetime_field(label: str, help_text: str) -> forms.DateTimeField:
    """One labelled date-and-time input (the admin's split date and time inputs have no label of their own)."""
    return forms.DateTimeField(
        label=label,
        help_text=help_text,
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )


class TimeOffForm(forms.ModelForm):
    starts_at = _local_datetime_field(
        "Starts at", "In the portal's time zone (US/Eastern). No slot is offered from then."
    )
    ends_at = _local_datetime_field(
        "Ends at", "In the portal's time zone (US/Eastern). Slots are offered again from then."
    )

    class Meta:
        model = TimeOff
        fields = ("starts_at", "ends_at", "reason")


class TimeOffInline(admin.StackedInline):
    model = TimeOff
    form = TimeOffForm
    extra = 1
    verbose_name_plural = "Time off (no calls)"


class ReviewerForm(forms.ModelForm):
    class Meta:
        model = Reviewer
        fields = ("user", "display_name", "time_zone", "slot_minutes", "is_active")
        help_texts = {
            "user": "The reviewer's staff account. To see their appointments and record outcomes it needs the "
            'permission "Can see P2P appointments and record their outcome".',
        }

    def clean_user(self):
        user = self.cleaned_data["user"]
        if not user.is_staff or not user.is_active:
            raise ValidationError("Choose an active staff account: reviewers work in the admin.")
        return user


@admin.register(Reviewer)
class ReviewerAdmin(admin.ModelAdmin):
    form = ReviewerForm
    list_display = ("display_name", "user", "time_zone", "slot_minutes", "is_active")
    list_filter = ("is_active", "time_zone", "programs")
    list_select_related = ("user",)
    search_fields = ("display_name", "user__username")
    raw_id_fields = ("user",)
    inlines = [ReviewerSkillInline, WorkingHoursInline, TimeOffInline]
    change_form_template = "admin/p2p/reviewer/change_form.html"


# --- The day's appointments --------------------------------------------------------------------------------------


def reviewer_of(user) -> Reviewer | None:
    """The ``Reviewer`` a signed-in user is, or None."""
    try:
        return user.p2p_reviewer
    except Reviewer.DoesNotExist:
        return None


def users_today(user) -> datetime.date:
    """Today in the reviewer's zone for a reviewer, in the portal's zone for other staff."""
    reviewer = reviewer_of(user)
    return timezone.localdate(timezone=zone(reviewer.time_zone) if reviewer else None)


class DayFilter(admin.SimpleListFilter):
    """Today's appointments unless another day or all of them is chosen."""

    title = "day"
    parameter_name = "day"
    DAYS = {"today": 0, "tomorrow": 1, "yesterday": -1}

    def lookups(self, request, model_admin):
        return [("today", "Today"), ("tomorrow", "Tomorrow"), ("yesterday", "Yesterday"), ("all", "All days")]

    def value(self):
        return super().value() or "today"

    def choices(self, changelist):
        for lookup, title in self.lookup_choices:
            yield {
                "selected": self.value() == lookup,
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }

    def queryset(self, request, queryset):
        if self.value() not in self.DAYS:
            return queryset
        reviewer = reviewer_of(request.user)
        tz = zone(reviewer.time_zone) if reviewer else timezone.get_current_timezone()
        day = users_today(request.user) + datetime.timedelta(days=self.DAYS[self.value()])
        start = datetime.datetime.combine(day, datetime.time.min, tzinfo=tz)
        end = datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz)
        return queryset.filter(starts_at__gte=start, starts_at__lt=end)


class OutcomeForm(ErrorSummaryMixin, forms.Form):
    """The outcome of the call and a note (the rules are ``p2p.outcomes``')."""

    outcome = forms.ChoiceField(label="Outcome", widget=forms.RadioSelect, choices=Outcome.choices)
    note = forms.CharField(
        label="Note",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text='Required for "Decision changed": what changed and why (it goes to the reconsideration).',
    )
    summary_names = {"outcome": "Outcome", "note": "Note"}

    def __init__(self, *args, p2p_request, **kwargs):
        super().__init__(*args, prefix="outcome", **kwargs)
        if not outcomes.cases_to_reconsider(p2p_request):
            # A consultative-only call can never change the decision: not offered (and refused by the service).
            self.fields["outcome"].choices = [c for c in Outcome.choices if c[0] != Outcome.DECISION_CHANGED]
        self.fields["outcome"].error_messages["required"] = "Choose the outcome of the call."


@admin.register(P2PRequest)
class P2PRequestAdmin(admin.ModelAdmin):
    list_display = ("number", "time", "reviewer", "requesting_provider_name", "phone_number", "status", "outcome")
    list_filter = (DayFilter, "status", "outcome", "reviewer")
    list_select_related = ("reviewer",)
    ordering = ("starts_at",)
    search_fields = ("=id",)
    search_help_text = "A P2P number, as P2P00000042."
    change_list_template = "admin/p2p/p2prequest/change_list.html"
    change_form_template = "admin/p2p/p2prequest/change_form.html"
    readonly_fields = (
        "number",
        "status",
        "time",
        "office_time",
        "reviewer",
        "requested_by",
        "consultative_only",
        "requesting_provider_name",
        "contact_person_name",
        "contact_person_location",
        "phone_number",
        "alternate_phone_number",
        "requesting_provider_email",
        "contact_instructions",
        "cancel_reason",
        "outcome",
        "outcome_note",
        "outcome_recorded_by",
        "outcome_recorded_at",
    )
    fields = readonly_fields

    # --- Who sees what: P2P reviewers (``p2p.work_p2p``), each reviewer only their own calls -------------------

    def has_module_permission(self, request):
        return request.user.has_perm(outcomes.PERMISSION) or super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm(outcomes.PERMISSION) or super().has_view_permission(request, obj)

    def has_add_permission(self, request):
        return False  # offices book through the scheduling tool

    def has_change_permission(self, request, obj=None):
        return False  # read-only: the outcome is recorded through its form

    def has_delete_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        reviewer = reviewer_of(request.user)
        if reviewer is not None and not request.user.is_superuser:
            queryset = queryset.filter(reviewer=reviewer)
        return queryset

    def get_search_results(self, request, queryset, search_term):
        """A P2P number ("P2P00000042", or its digits), matched exactly by primary key."""
        term = search_term.strip().upper().removeprefix("P2P")
        if not term:
            return queryset, False
        return (queryset.filter(pk=int(term)) if term.isdigit() else queryset.none()), False

    # --- Columns and read-only fields -------------------------------------------------------------------------

    @admin.display(description="Time (reviewer's zone)", ordering="starts_at")
    def time(self, obj):
        return timefmt.appointment(obj.starts_at, obj.reviewer.time_zone)

    @admin.display(description="Time (office's zone)")
    def office_time(self, obj):
        return timefmt.appointment(obj.starts_at, obj.time_zone)

    @admin.display(description="Phone Number for P2P")
    def phone_number(self, obj):
        return ics.phone_text(obj.phone, obj.phone_ext)

    @admin.display(description="Alternate Phone")
    def alternate_phone_number(self, obj):
        return ics.phone_text(obj.alternate_phone, obj.alternate_phone_ext) or "-"

    # --- The request's page and the outcome form -----------------------------------------------------------------

    def get_urls(self):
        outcome = path(
            "<int:object_id>/outcome/",
            self.admin_site.admin_view(require_POST(self.outcome_view)),
            name="p2p_p2prequest_outcome",
        )
        return [outcome, *super().get_urls()]

    def page_context(self, request, p2p_request: P2PRequest, form: OutcomeForm | None = None) -> dict:
        """The cases discussed (links to their review pages for case reviewers) and the outcome form while one can
        be recorded."""
        may_review = request.user.has_perm("cases.review_case")
        cases = [
            {
                "position": row.position,
                "number": row.case.case_number,
                "level_of_review": row.level_of_review,
                "consultative_only": row.consultative_only or p2p_request.consultative_only,
                "url": reverse("admin:cases_case_change", args=[row.case_id]) if may_review else "",
            }
            for row in p2p_request.request_cases.select_related("case").order_by("position")
        ]
        refusal = outcomes.outcome_refusal(p2p_request)
        return {
            "p2p_request": p2p_request,
            "p2p_cases": cases,
            "outcome_refusal": refusal,
            "outcome_form": None if refusal else (form or OutcomeForm(p2p_request=p2p_request)),
            "outcome_url": reverse("admin:p2p_p2prequest_outcome", args=[p2p_request.pk]),
            "error_forms": [form] if form is not None else [],
            "show_save": False,
            "show_save_and_continue": False,
            "show_save_and_add_another": False,
            "show_delete": False,
        }

    def change_view(self, request, object_id, form_url="", extra_context=None):
        p2p_request = self.get_object(request, object_id) if request.method != "POST" else None
        if p2p_request is not None and self.has_view_permission(request, p2p_request):
            extra_context = {**(extra_context or {}), **self.page_context(request, p2p_request)}
            audit_record(action="p2p.request_viewed", request=request, target=p2p_request, details={"via": "admin"})
        return super().change_view(request, object_id, form_url, extra_context)

    def outcome_view(self, request, object_id):
        if not request.user.has_perm(outcomes.PERMISSION):
            raise PermissionDenied("Only P2P reviewers record the outcome of a call.")
        p2p_request = get_object_or_404(self.get_queryset(request).select_related("reviewer"), pk=object_id)
        form = OutcomeForm(request.POST, p2p_request=p2p_request)
        if form.is_valid():
            try:
                outcomes.outcome_record(
                    p2p_request=p2p_request,
                    outcome=form.cleaned_data["outcome"],
                    note=form.cleaned_data["note"],
                    by=request.user,
                    request=request,
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                p2p_request.refresh_from_db()
                self.outcome_message(request, p2p_request)
                return redirect(reverse("admin:p2p_p2prequest_change", args=[p2p_request.pk]))
        return self.render_page(request, p2p_request, form)

    def outcome_message(self, request, p2p_request: P2PRequest) -> None:
        text = f"{p2p_request.number}: {p2p_request.get_outcome_display()}, recorded."
        if p2p_request.outcome != Outcome.DECISION_CHANGED:
            messages.success(request, text)
            return
        numbers = ", ".join(case.case_number for case in outcomes.cases_to_reconsider(p2p_request))
        messages.success(
            request,
            format_html(
                "{} A reconsideration of case {} waits for its decision: determine its lines on the case's page.",
                text,
                numbers,
            ),
        )

    def render_page(self, request, p2p_request: P2PRequest, form: OutcomeForm) -> TemplateResponse:
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": p2p_request,
            "title": f"P2P request {p2p_request.number}",
            "has_view_permission": True,
            "change": True,
            "media": self.media,
            **self.page_context(request, p2p_request, form),
        }
        return TemplateResponse(request, self.change_form_template, context, status=400)


# --- The emails' outbox ------------------------------------------------------------------------------------------


@admin.register(P2PNotice)
class P2PNoticeAdmin(admin.ModelAdmin):
    list_display = ("request", "kind", "sequence", "status", "attempts", "created_at", "sent_at")
    list_filter = ("status", "kind")
    list_select_related = ("request",)
    readonly_fields = (
        "request",
        "kind",
        "sequence",
        "starts_at",
        "ends_at",
        "status",
        "created_at",
        "attempts",
        "last_attempt_at",
        "next_attempt_at",
        "last_error",
        "sent_at",
    )
    fields = readonly_fields
    actions = ["retry"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_retry_permission(self, request):
        """Staff who may change notices send a failed one again (its rows stay read-only)."""
        return request.user.has_perm("p2p.change_p2pnotice")

    @admin.action(description="Retry the selected failed notices", permissions=["retry"])
    def retry(self, request, queryset):
        retried = sum(notifications.notice_retry(notice=notice) for notice in queryset)
        messages.success(request, f"{retried} failed notice(s) queued again; other notices are left as they are.")
