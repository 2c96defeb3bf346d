"""After submission: the summary, its PDF, withdrawing a request and opening its documents."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from audit.services import audit_record
from cases import permissions, services, uploads
from cases.permissions import CaseAction
from cases.views.common import VIEW_ONLY, case_or_404, request_grants, status_history, summary_context
from correspondence.pdf import render_to_pdf


@login_required
@require_GET
def summary(request, request_id):
    case = case_or_404(request, request_id)
    if case.is_draft:
        return redirect("cases:resume", request_id=case.request_id)
    if case.submitted_at is None:
        # Cancelled or expired before submission: nothing was sent for review, there is no summary to show.
        return render(request, "cases/not_submitted.html", {"case": case, **status_history(case)})
    audit_record(action="case.viewed", request=request, target=case)
    return render(request, "cases/summary.html", {"case": case, **summary_context(request, case)})


@login_required
@require_GET
def summary_pdf(request, request_id):
    case = case_or_404(request, request_id)
    if case.submitted_at is None:
        return redirect("cases:summary", request_id=case.request_id)
    audit_record(action="case.printed", request=request, target=case)
    pdf = render_to_pdf("cases/summary_pdf.html", {"case": case, **summary_context(request, case)}, request=request)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="request-{case.request_id}.pdf"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def cancel(request, request_id):
    """Withdraw a submitted request that is still pending review (the summary's Cancel)."""
    case = case_or_404(request, request_id)
    grants = request_grants(request)
    if not permissions.case_permits(request.user, case, CaseAction.WITHDRAW, grants=grants, any_status=True):
        raise PermissionDenied(VIEW_ONLY)
    may_cancel = permissions.case_permits(request.user, case, CaseAction.WITHDRAW, grants=grants)
    if request.method == "POST" and may_cancel:
        services.case_withdraw(case=case, user=request.user, request=request)
        messages.info(request, f"Case {case.case_number} was cancelled.")
        return redirect("cases:summary", request_id=case.request_id)
    return render(request, "cases/cancel.html", {"case": case, "may_cancel": may_cancel})


@login_required
@require_GET
def document(request, request_id, pk):
    case = case_or_404(request, request_id)
    doc = get_object_or_404(case.documents, pk=pk)
    audit_record(action="case.document_viewed", request=request, target=case, details={"document": doc.pk})
    response = FileResponse(
        uploads.open_clinical_file(doc.stored_name),
        content_type=doc.content_type,
        as_attachment=True,
        filename=uploads.download_name(doc.original_name, doc.content_type),
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
