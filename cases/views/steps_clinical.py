"""The clinical part: questionnaire pages, requested services, urgency, upload and the review before submission
(CASE-10 to CASE-14)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.views.decorators.http import require_http_methods, require_POST

from cases import forms, selectors, services, uploads, wizard
from cases.permissions import CaseAction
from cases.questionnaires import engine
from cases.views.common import (
    case_or_404,
    not_editable,
    posted_data,
    posted_pk,
    render_step,
    require,
    save_for_later,
    save_step,
    step_url,
    summary_context,
)
from cases.views.help import DME_CHECKLIST, HELP, PATIENT_IDENTIFIERS


def step_clinical(request, case):
    qs = engine.question_set_for(case.program.code)
    page = engine.next_page(qs, case.clinical_answers or {})
    if page is None:
        return redirect(step_url(case, "clinical-summary"))
    return redirect("cases:clinical_page", request_id=case.request_id, key=page.key)


def step_clinical_summary(request, case):
    qs = engine.question_set_for(case.program.code)
    result = selectors.case_outcome(case)
    if request.method == "POST":
        return save_step(request, case, "clinical-summary", {})
    return render_step(
        request,
        case,
        "clinical-summary",
        "cases/step_clinical_summary.html",
        {"outcome": result, "answered": engine.answered_pages(qs, case.clinical_answers), "help": HELP["clinical"]},
    )


def step_urgency(request, case):
    form = forms.UrgencyForm(
        posted_data(request),
        initial={"is_routine": forms.as_yes_no(case.is_routine), "urgency_criterion": case.urgency_criterion},
    )
    if request.method == "POST" and form.is_valid():
        return save_step(
            request,
            case,
            "urgency",
            {
                "is_routine": form.cleaned_data["is_routine"] == "yes",
                "urgency_criterion": form.cleaned_data["urgency_criterion"],
            },
        )
    return render_step(request, case, "urgency", "cases/step_urgency.html", {"form": form, "help": HELP["upload"]})


def step_upload(request, case):
    upload_form = forms.UploadForm(
        posted_data(request), request.FILES or None, max_megabytes=case.program.upload_max_megabytes
    )
    notes_form = forms.NotesForm(posted_data(request), initial={"additional_notes": case.additional_notes})
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "remove":
            document_id = posted_pk(request, "document")
            document = case.documents.filter(pk=document_id).first() if document_id else None
            if document is None:
                messages.error(request, "That document is no longer on this request.")
                return redirect(step_url(case, "upload"))
            services.clinical_document_remove(document=document, user=request.user, request=request)
            messages.success(request, f"{document.original_name} was removed.")
            return redirect(step_url(case, "upload"))
        files = upload_form.cleaned_data["files"] if upload_form.is_valid() else []
        refused = []
        accepted = []
        for uploaded in files:
            try:
                services.clinical_document_add(case=case, uploaded_file=uploaded, user=request.user, request=request)
            except ValidationError as error:
                refused.extend(error.messages)  # one message per file, naming it
            else:
                accepted.append(uploads.display_name(uploaded.name))
        if accepted:
            messages.success(request, "Uploaded: " + ", ".join(accepted) + ".")
        if notes_form.is_valid() and notes_form.cleaned_data["additional_notes"] != case.additional_notes:
            case = services.case_step_save(
                case=case,
                user=request.user,
                step="upload-notes",
                changes={"additional_notes": notes_form.cleaned_data["additional_notes"]},
                next_step="upload",
                request=request,
            )
        for message in refused:
            upload_form.add_error("files", message)
        if not upload_form.errors and notes_form.is_valid():
            if action == "continue":
                return save_step(request, case, "upload", {})
            return redirect(step_url(case, "upload"))
    urgent_without_upload = case.is_routine is False and case.urgency_criterion not in ("", "none")
    return render_step(
        request,
        case,
        "upload",
        "cases/step_upload.html",
        {
            "form": upload_form,
            "notes_form": notes_form,
            "documents": list(case.documents.all()),
            "checklist": DME_CHECKLIST if case.is_dme else (),
            "identifiers": PATIENT_IDENTIFIERS,
            "asked_urgent": urgent_without_upload,
            "help": HELP["upload"],
        },
    )


def step_review(request, case):
    problems = selectors.case_submission_problems(case)
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "cancel":
            require(request, case, CaseAction.CANCEL_DRAFT)
            services.case_cancel_draft(case=case, user=request.user, request=request)
            messages.info(request, f"Request {case.request_id} was cancelled.")
            return redirect("cases:in_progress")
        if not problems:
            require(request, case, CaseAction.SUBMIT)
            try:
                case = services.case_submit(case=case, user=request.user, request=request)
            except ValidationError as error:
                problems = error.messages
            else:
                return redirect("cases:summary", request_id=case.request_id)
    return render_step(
        request,
        case,
        "review",
        "cases/step_review.html",
        {**summary_context(request, case), "problems": problems, "help": []},
    )


@login_required
@require_http_methods(["GET", "POST"])
def clinical_page(request, request_id, key):
    """One page of the clinical questionnaire; answered pages can be reopened until submission."""
    case = case_or_404(request, request_id)
    if not case.is_draft:
        return not_editable(request, case)
    require(request, case, CaseAction.EDIT)
    if not wizard.may_open(case, "clinical"):
        return redirect(step_url(case, wizard.first_incomplete_step(case).slug))
    qs = engine.question_set_for(case.program.code)
    answers = case.clinical_answers or {}
    page = engine.page_for_key(qs, answers, key)
    if page is None:
        raise Http404("This question is not open.")
    form = engine.page_form(qs, answers, page, data=request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if request.POST.get("action") == "finish_later":
            if form.is_valid():
                answers = engine.apply_answer(qs, answers, page, form.cleaned_data)
                services.case_answers_save(case=case, answers=answers, next_step="clinical")
            return save_for_later(request, case, "clinical")
        if form.is_valid():
            answers = engine.apply_answer(qs, answers, page, form.cleaned_data)
            services.case_answers_save(case=case, answers=answers, next_step="clinical")
            return redirect(step_url(case, "clinical"))
    return render_step(
        request,
        case,
        "clinical",
        "cases/step_clinical.html",
        {"form": form, "page": page, "answered": engine.answered_pages(qs, answers), "help": HELP["clinical"]},
    )


@login_required
@require_POST
def finish_later(request, request_id):
    case = case_or_404(request, request_id)
    if not case.is_draft:
        return not_editable(request, case)
    require(request, case, CaseAction.EDIT)
    return save_for_later(request, case, case.current_step)
