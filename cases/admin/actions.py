"""The actions on one case in the admin (REV-1 to REV-3, CMS-2): each a small form posting to its own admin URL
that calls one service, audits it and comes back to the case page with a message; a refused input shows the
page again with the error summary and the message next to the field.

Reviewers only (``cases.review_case``; anyone else 403), on cases of the review queue (anything else 404).
Nothing here writes a status or a determination itself: the services do.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from audit.services import audit_record
from cases import appeals, decisions, extensions, holds, queue, reconsiderations, uploads
from cases.admin import case_page
from cases.admin.forms import (
    AssignForm,
    DueExtendForm,
    ExtensionDecideForm,
    HoldForm,
    LineDetermineForm,
    add_service_errors,
)
from cases.models import AuthorizationExtension, Determination, DeterminationOutcome, DeterminationRound

Round = DeterminationRound


class CaseActionsMixin:
    """For ``CaseAdmin``: the action URLs, their views and the case page rendered with posted forms."""

    change_form_template = "admin/cases/case/change_form.html"

    def get_urls(self):
        def route(suffix, view, name, methods=require_POST):
            return path(
                f"<int:object_id>/{suffix}/", self.admin_site.admin_view(methods(view)), name=f"cases_case_{name}"
            )

        return [
            route("claim", self.claim_view, "claim"),
            route("release", self.release_view, "release"),
            route("assign", self.assign_view, "assign"),
            route("determine", self.determine_view, "determine"),
            route("decide", self.decide_view, "decide"),
            route("approve-all", self.approve_all_view, "approve_all"),
            route("hold", self.hold_view, "hold"),
            route("extend-due", self.extend_due_view, "extend_due"),
            path(
                "<int:object_id>/documents/<int:document_id>/",
                self.admin_site.admin_view(require_GET(self.document_view)),
                name="cases_case_document",
            ),
            *self.post_decision_urls(route),
            *super().get_urls(),
        ]

    def post_decision_urls(self, route) -> list:
        # Reconsiderations and appeals are decided through "determine" and "decide" (their round).
        return [route("extension", self.extension_view, "extension")]

    # --- The page ------------------------------------------------------------------------------------------

    def review_case(self, request, object_id):
        """The case for an action: 403 for anyone who does not review cases, 404 outside the queue."""
        if not queue.is_reviewer(request.user):
            raise PermissionDenied("Only clinical reviewers work cases.")
        queryset = self.get_queryset(request).select_related(*case_page.CASE_RELATED)
        return get_object_or_404(queryset, pk=object_id)

    def get_object(self, request, object_id, from_field=None):
        # The case page prints the request's related rows: read with the case, once per request.
        cached = getattr(request, "_review_case", None)
        if cached is not None and str(cached.pk) == str(object_id):
            return cached
        queryset = self.get_queryset(request).select_related(*case_page.CASE_RELATED)
        field = queryset.model._meta.pk if from_field is None else queryset.model._meta.get_field(from_field)
        try:
            case = queryset.get(**{field.name: field.to_python(object_id)})
        except (queryset.model.DoesNotExist, ValidationError, ValueError):
            return None
        request._review_case = case
        return case

    def change_view(self, request, object_id, form_url="", extra_context=None):
        # Django's admin renders the page for every method but POST (HEAD, PUT, OPTIONS...): so does ours.
        case = self.get_object(request, object_id) if request.method != "POST" else None
        if case is not None and queue.is_reviewer(request.user):
            extra_context = {**(extra_context or {}), **case_page.case_page_context(case, user=request.user)}
        return super().change_view(request, object_id, form_url, extra_context)

    def render_case(self, request, case, bound: dict) -> TemplateResponse:
        """The case page again with the forms posted (their errors shown); audited as a view of the case."""
        page = case_page.case_page_context(case, user=request.user, bound=bound)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": case,
            "title": f"Case {case.case_number}",
            "has_view_permission": True,
            "change": True,
            "media": self.media,
            **page,
        }
        audit_record(
            action="case.viewed",
            request=request,
            target=case,
            details={"via": "admin", "page": "change", "inlines": page["audit_shown"]},
        )
        return TemplateResponse(request, self.change_form_template, context)

    def case_url(self, case) -> str:
        return reverse("admin:cases_case_change", args=[case.pk])

    def done(self, request, case, *, action: str, message: str, details=None):
        audit_record(action=action, request=request, target=case, details={"via": "admin", **(details or {})})
        messages.success(request, message)
        return redirect(self.case_url(case))

    def refused(self, request, case, error: ValidationError):
        messages.error(request, " ".join(error.messages))
        return redirect(self.case_url(case))

    # --- Who works the case ------------------------------------------------------------------------------

    def claim_view(self, request, object_id):
        case = self.review_case(request, object_id)
        try:
            queue.case_claim(case=case, by=request.user)
        except ValidationError as error:
            return self.refused(request, case, error)
        return self.done(request, case, action="case.claimed", message=f"You are working case {case.case_number}.")

    def release_view(self, request, object_id):
        case = self.review_case(request, object_id)
        try:
            queue.case_release(case=case, by=request.user)
        except ValidationError as error:
            return self.refused(request, case, error)
        return self.done(
            request, case, action="case.released", message=f"Case {case.case_number} is back in the queue, unassigned."
        )

    def assign_view(self, request, object_id):
        case = self.review_case(request, object_id)
        form = AssignForm(request.POST)
        if form.is_valid():
            reviewer = form.cleaned_data["reviewer"]
            try:
                queue.case_assign(case=case, reviewer=reviewer, by=request.user)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                name = reviewer.get_full_name() or reviewer.get_username()
                return self.done(
                    request,
                    case,
                    action="case.assigned",
                    message=f"Case {case.case_number} is assigned to {name}.",
                    details={"reviewer": reviewer.pk},
                )
        return self.render_case(request, case, {"assign": form})

    # --- Determinations and the decision -------------------------------------------------------------------

    def determine_view(self, request, object_id):
        case = self.review_case(request, object_id)
        round_now = case_page.current_round(case)
        line = case.service_lines.select_related("hcpcs").filter(pk=_posted_int(request, "line")).first()
        if round_now is None or line is None:
            messages.error(request, "There is no service line to determine on this case now.")
            return redirect(self.case_url(case))
        round_, sequence, _row = round_now
        line.case = case
        default = decisions.line_validity(line, approved_quantity=line.quantity)
        form = LineDetermineForm(request.POST, line=line, case=case, default_validity=default)
        if form.is_valid():
            try:
                determination = decisions.line_determine(
                    line=line, round=round_, by=request.user, sequence=sequence, **form.service_arguments()
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                return self.done(
                    request,
                    case,
                    action="case.line_determined",
                    message=f"Line {line.line_number} ({line.hcpcs.code}): {determination.get_outcome_display()}.",
                    details={"determination": determination.pk, "round": round_},
                )
        return self.render_case(request, case, {f"line-{line.pk}": form})

    def decide_view(self, request, object_id):
        case = self.review_case(request, object_id)
        round_now = case_page.current_round(case)
        if round_now is None:
            messages.error(request, "This case has nothing waiting for a decision.")
            return redirect(self.case_url(case))
        round_, sequence, row = round_now
        try:
            case = self.decide_round(request, case, round_, sequence, row)
        except ValidationError as error:
            return self.refused(request, case, error)
        return self.done(
            request,
            case,
            action="case.decided",
            message=f"Case {case.case_number} is decided: {case.get_status_display()}.",
            details={"round": round_, "status": case.status},
        )

    def decide_round(self, request, case, round_, sequence, row):
        """The decision of the round the reviewer has determined: the case's first one, or a reconsideration's or
        an appeal's (upheld or overturned, and the case with it)."""
        if round_ == Round.RECONSIDERATION:
            reconsiderations.reconsideration_decide(reconsideration=row, by=request.user)
        elif round_ == Round.APPEAL:
            appeals.appeal_decide(appeal=row, by=request.user)
        else:
            return decisions.case_decide(case=case, round=round_, by=request.user)
        row.refresh_from_db()
        messages.info(request, f"{row} is {row.get_status_display().lower()}.")
        case.refresh_from_db()
        return case

    def approve_all_view(self, request, object_id):
        """Convenience: every line not yet determined approved as requested, then the case decided, at once."""
        case = self.review_case(request, object_id)
        round_now = case_page.current_round(case)
        if round_now is None or round_now[0] != Round.INITIAL:
            messages.error(request, "Only a case awaiting its first decision can be approved as requested.")
            return redirect(self.case_url(case))
        try:
            with transaction.atomic():
                determined = {d.line_id for d in Determination.objects.filter(line__case=case, round=Round.INITIAL)}
                for line in case.service_lines.select_related("hcpcs"):
                    if line.pk not in determined:
                        decisions.line_determine(
                            line=line,
                            round=Round.INITIAL,
                            outcome=DeterminationOutcome.APPROVED,
                            approved_quantity=line.quantity,
                            by=request.user,
                        )
                case = decisions.case_decide(case=case, round=Round.INITIAL, by=request.user)
        except ValidationError as error:
            return self.refused(request, case, error)
        return self.done(
            request,
            case,
            action="case.decided",
            message=f"Case {case.case_number} is decided: {case.get_status_display()}.",
            details={"round": Round.INITIAL, "status": case.status, "approved_as_requested": True},
        )

    # --- Hold and the clock ------------------------------------------------------------------------------

    def hold_view(self, request, object_id):
        case = self.review_case(request, object_id)
        form = HoldForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                # hold_place writes its own audit row (case.hold_placed).
                hold = holds.hold_place(
                    case=case,
                    items=data["items"],
                    note=data["note"],
                    due_on=data["due_on"],
                    by=request.user,
                    request=request,
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, f"Case {case.case_number} is on hold until {hold.due_on:%m/%d/%Y}.")
                return redirect(self.case_url(case))
        return self.render_case(request, case, {"hold": form})

    def extend_due_view(self, request, object_id):
        case = self.review_case(request, object_id)
        form = DueExtendForm(request.POST)
        if form.is_valid():
            try:
                extension = queue.due_date_extend(
                    case=case,
                    new_due_at=form.cleaned_data["new_due_at"],
                    reason=form.cleaned_data["reason"],
                    by=request.user,
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                return self.done(
                    request,
                    case,
                    action="case.due_extended",
                    message=f"The decision is now due {timezone.localtime(extension.new_due_at):%m/%d/%Y %I:%M %p}.",
                    details={"due_extension": extension.pk},
                )
        return self.render_case(request, case, {"due": form})

    def extension_view(self, request, object_id):
        """A one-time extension of the authorization (WL-7) granted or refused, with a note."""
        case = self.review_case(request, object_id)
        extension = AuthorizationExtension.objects.filter(
            case=case, status=AuthorizationExtension.Status.REQUESTED
        ).first()
        if extension is None:
            messages.error(request, "This case has no extension request waiting for a decision.")
            return redirect(self.case_url(case))
        form = ExtensionDecideForm(request.POST)
        if form.is_valid():
            try:
                extensions.extension_decide(
                    extension=extension,
                    grant=form.cleaned_data["grant"],
                    note=form.cleaned_data["note"],
                    by=request.user,
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                return self.done(
                    request,
                    case,
                    action="case.extension_decided",
                    message=f"The extension request is {extension.get_status_display().lower()}.",
                    details={"extension": extension.pk, "status": extension.status},
                )
        return self.render_case(request, case, {"extension": form})

    # --- Documents -----------------------------------------------------------------------------------------

    def document_view(self, request, object_id, document_id):
        """A clinical document opened from the case page, as an attachment, audited."""
        case = self.review_case(request, object_id)
        document = get_object_or_404(case.documents, pk=document_id)
        audit_record(
            action="case.document_viewed",
            request=request,
            target=case,
            details={"via": "admin", "document": document.pk},
        )
        response = FileResponse(
            uploads.open_clinical_file(document.stored_name),
            content_type=document.content_type,
            as_attachment=True,
            filename=uploads.download_name(document.original_name, document.content_type),
        )
        response["X-Content-Type-Options"] = "nosniff"
        return response


def _posted_int(request, name) -> int | None:
    value = request.POST.get(name, "")
    return int(value) if value.isascii() and value.isdigit() and len(value) < 12 else None
