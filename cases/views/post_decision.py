"""After the decision (WL-5, WL-6, WL-7): request a reconsideration, appeal online, accept a DME alternative,
ask for a one-time extension. Each page picks the case through the permission module, answers 403 to a user
who may view it but not act, explains when the status or the time no longer allows the action, and calls one
service; every change is POST-redirect-GET and audited by its service."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from audit.services import audit_record
from cases import alternatives, appeals, extensions, permissions, reconsiderations, rules
from cases.models.review import APPEAL_LIMIT
from cases.permissions import CaseAction
from cases.post_decision_forms import AppealForm, ExtensionForm, ReconsiderationForm, add_service_error
from cases.views.common import VIEW_ONLY, case_or_404, case_page_url, request_grants

APPEALS_ONLY = (
    "You can view this request, but not appeal it or ask for its reconsideration. Appeals and reconsiderations "
    "are requested by the practice's members who hold the Precertification/appeals entitlement."
)

_EXPIRED = "This draft was not submitted within five calendar days: it will be deleted. Start a new appeal."


def _entitled_case(request, request_id, action: CaseAction, refusal: str = VIEW_ONLY):
    """The case if the user may view it (404 otherwise) and would be allowed ``action`` in a status that allows
    it (403 with ``refusal`` otherwise)."""
    case = case_or_404(request, request_id)
    if case.submitted_at is None:
        raise Http404("This request was never submitted.")
    grants = request_grants(request)
    if not permissions.case_permits(request.user, case, action, grants=grants, any_status=True):
        raise PermissionDenied(refusal)
    return case


def _viewed(request, case, page: str) -> None:
    if request.method == "GET":
        audit_record(action="case.viewed", request=request, target=case, details={"page": page})


@login_required
@require_http_methods(["GET", "POST"])
def reconsider(request, request_id):
    case = _entitled_case(request, request_id, CaseAction.RECONSIDER, APPEALS_ONLY)
    refusal = reconsiderations.reconsideration_refusal(case)
    alternative = reconsiderations.has_alternative(case)
    form = ReconsiderationForm(alternative=alternative)
    if request.method == "POST" and not refusal:
        if "prefill" in request.POST:
            # "Use what the denial said was missing": the form again, the reason kept, the information filled in.
            data = request.POST.copy()
            data["documentation"] = reconsiderations.reconsideration_prefill(case)
            form = ReconsiderationForm(initial=data.dict(), alternative=alternative)
        else:
            form = ReconsiderationForm(request.POST, alternative=alternative)
            if form.is_valid():
                try:
                    reconsiderations.reconsideration_request(
                        case=case,
                        user=request.user,
                        reason=form.cleaned_data["reason"],
                        documentation=form.cleaned_data["documentation"],
                        of_original_item=form.cleaned_data.get("of_original_item", False),
                        request=request,
                    )
                except ValidationError as error:
                    add_service_error(form, error)
                else:
                    messages.success(request, f"Your reconsideration request for case {case.case_number} was sent.")
                    return redirect(case_page_url(case))
    _viewed(request, case, "reconsideration")
    context = {
        "case": case,
        "form": form,
        "refusal": refusal,
        "lines": reconsiderations.lines_not_approved(case),
        "back_url": case_page_url(case),
    }
    return render(request, "cases/reconsider.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def appeal_list(request, request_id):
    case = _entitled_case(request, request_id, CaseAction.APPEAL, APPEALS_ONLY)
    refusal = appeals.appeal_start_refusal(case)
    if request.method == "POST":
        try:
            appeal = appeals.appeal_draft_start(case=case, user=request.user, request=request)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("cases:appeals", request_id=case.request_id)
        return redirect("cases:appeal", request_id=case.request_id, sequence=appeal.sequence)
    _viewed(request, case, "appeals")
    context = {
        "case": case,
        "appeals": list(case.appeals.all()),
        "refusal": refusal,
        "limit": APPEAL_LIMIT,
        "last_day": appeals.appeal_last_day(case),
        "back_url": case_page_url(case),
    }
    return render(request, "cases/appeals.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def appeal_detail(request, request_id, sequence):
    case = _entitled_case(request, request_id, CaseAction.APPEAL, APPEALS_ONLY)
    appeal = get_object_or_404(case.appeals.select_related("submitted_by", "updated_by"), sequence=sequence)
    expired = appeals.is_expired(appeal)
    form = None
    if appeal.is_draft and not expired:
        form = AppealForm(initial={name: getattr(appeal, name) for name in appeals.DRAFT_FIELDS})
        if request.method == "POST":
            form = AppealForm(request.POST)
            if form.is_valid():
                try:
                    appeal = appeals.appeal_draft_save(
                        appeal=appeal, user=request.user, request=request, **form.cleaned_data
                    )
                    if "submit" in request.POST:
                        appeal = appeals.appeal_submit(appeal=appeal, user=request.user, request=request)
                except ValidationError as error:
                    add_service_error(form, error)
                else:
                    if appeal.is_draft:
                        messages.success(request, "Your draft appeal was saved.")
                    else:
                        messages.success(
                            request, f"Your appeal was submitted: a written response is due by {_when(appeal.due_at)}."
                        )
                    return redirect("cases:appeal", request_id=case.request_id, sequence=appeal.sequence)
    elif request.method == "POST":
        messages.error(request, "A submitted appeal cannot be changed." if not appeal.is_draft else _EXPIRED)
        return redirect("cases:appeal", request_id=case.request_id, sequence=appeal.sequence)
    _viewed(request, case, f"appeal {appeal.sequence}")
    context = {"case": case, "appeal": appeal, "form": form, "expired": expired, "expired_text": _EXPIRED}
    return render(request, "cases/appeal.html", context)


def _when(moment) -> str:
    return f"{timezone.localtime(moment):%m/%d/%Y %I:%M %p}"


@login_required
@require_http_methods(["GET", "POST"])
def alternative(request, request_id, line_number):
    case = _entitled_case(request, request_id, CaseAction.ACCEPT_ALTERNATIVE)
    offered = alternatives.alternative_for_line(case, line_number)
    if offered is None:
        raise Http404("No alternative was recommended for this line.")
    offered.line.case = case
    refusal = alternatives.alternative_refusal(offered)
    if request.method == "POST" and not refusal:
        try:
            alternatives.alternative_accept(determination=offered, user=request.user, request=request)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("cases:alternative", request_id=case.request_id, line_number=line_number)
        approval = alternatives.alternative_approval(offered)
        messages.success(
            request,
            f"You accepted the alternative recommended for line {line_number}: {approval.line.hcpcs.code} "
            f"{approval.line.label}, {approval.approved_quantity} {approval.line.unit}, is approved as line "
            f"{approval.line.line_number}, valid {approval.valid_from:%m/%d/%Y} to {approval.valid_to:%m/%d/%Y}.",
        )
        return redirect(case_page_url(case))
    _viewed(request, case, f"alternative {line_number}")
    context = {
        "case": case,
        "offered": offered,
        "refusal": refusal,
        "deadline": alternatives.alternative_deadline(offered),
        "acceptance": getattr(offered, "acceptance", None),
        "approval": alternatives.alternative_approval(offered),
        "may_reconsider": permissions.case_permits(
            request.user, case, CaseAction.RECONSIDER, grants=request_grants(request)
        ),
        "back_url": case_page_url(case),
    }
    return render(request, "cases/alternative.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def extension(request, request_id):
    case = _entitled_case(request, request_id, CaseAction.EXTEND)
    existing = getattr(case, "extension", None)
    refusal = extensions.extension_refusal(case)
    form = ExtensionForm()
    if request.method == "POST" and not refusal:
        form = ExtensionForm(request.POST)
        if form.is_valid():
            try:
                extensions.extension_request(
                    case=case,
                    user=request.user,
                    reason=form.cleaned_data["reason"],
                    requested_valid_to=form.cleaned_data["requested_valid_to"],
                    request=request,
                )
            except ValidationError as error:
                add_service_error(form, error)
            else:
                messages.success(request, "Your extension request was sent.")
                return redirect("cases:extension", request_id=case.request_id)
    _viewed(request, case, "extension")
    context = {
        "case": case,
        "form": form,
        "existing": existing,
        "refusal": refusal,
        "valid_to_text": rules.format_us_date(case.valid_to),
        "back_url": case_page_url(case),
    }
    return render(request, "cases/extension.html", context)
