"""Upload Additional Clinical Information (WL-4): a provider adds clinical documents to a submitted request until
its decision; an upload answers the case's open hold (REV-3) and the case returns to review."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from audit.services import audit_record
from cases import holds, permissions
from cases.permissions import CaseAction
from cases.views.common import VIEW_ONLY, case_or_404, case_page_url, request_grants
from portal.forms import ErrorSummaryMixin

UPLOADED = "Your clinical information was uploaded."
UPLOADED_ANSWERING_HOLD = "Your clinical information was uploaded. The case has returned to review."
# Seed 002: "All Clinical Information pages must include the patient/member's name and at least one additional
# identifiers."
IDENTIFIERS_NOTE = (
    "All Clinical Information pages must include the patient/member's name and at least one additional identifiers."
)
HOLD_FAX = "866-663-7740"


class AdditionalInformationForm(ErrorSummaryMixin, forms.Form):
    document = forms.FileField(
        label="Browse for file to upload",
        widget=forms.ClearableFileInput(attrs={"accept": ".doc,.docx,.pdf,.png"}),
        error_messages={
            "required": "Choose a file to upload.",
            "invalid": "Choose a file to upload.",
            "empty": "The file you chose is empty.",
        },
    )

    summary_names = {"document": "File to upload"}

    def __init__(self, *args, max_megabytes: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields[
            "document"
        ].label = f"Browse for file to upload (max size {max_megabytes}MB, allowable extensions .DOC,.DOCX,.PDF,.PNG):"


@login_required
@require_http_methods(["GET", "POST"])
def upload_more(request, request_id):
    case = case_or_404(request, request_id)
    grants = request_grants(request)
    if not permissions.case_permits(request.user, case, CaseAction.UPLOAD, grants=grants, any_status=True):
        raise PermissionDenied(VIEW_ONLY)
    if case.is_draft:
        return redirect("cases:resume", request_id=case.request_id)
    if not holds.upload_allowed(case):
        return _closed(request, case)
    form = AdditionalInformationForm(
        request.POST if request.method == "POST" else None,
        request.FILES or None,
        max_megabytes=case.program.upload_max_megabytes,
    )
    hold = holds.hold_open(case)
    if request.method == "POST" and form.is_valid():
        try:
            holds.clinical_information_add(
                case=case, user=request.user, uploaded_file=form.cleaned_data["document"], request=request
            )
        except ValidationError as error:
            if getattr(error, "code", None) == "status":  # decided while the file was on its way
                case.refresh_from_db()
                return _closed(request, case)
            for message in error.messages:
                form.add_error("document", message)
        else:
            messages.success(request, UPLOADED_ANSWERING_HOLD if hold else UPLOADED)
            return redirect(case_page_url(case))
    audit_record(action="case.viewed", request=request, target=case, details={"page": "upload_more"})
    return render(
        request,
        "cases/upload_more.html",
        {
            "case": case,
            "form": form,
            "hold": hold,
            "documents": list(case.documents.all()),
            "identifiers_note": IDENTIFIERS_NOTE,
            "hold_fax": HOLD_FAX,
            "case_url": case_page_url(case),
        },
    )


def _closed(request, case):
    decided = case.status not in holds.CLOSED_UNDECIDED
    return render(
        request,
        "cases/upload_closed.html",
        {"case": case, "decided": decided, "case_url": case_page_url(case)},
    )
