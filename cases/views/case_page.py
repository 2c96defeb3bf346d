"""The provider's case page (WL-1, WL-2, CMS-1, CMS-2): a submitted request's status, lines, decisions, hold,
timeline, documents, letters and the actions the user may take."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from audit.services import audit_record
from cases import case_page, permissions
from cases.views.common import case_or_404, request_grants
from correspondence.selectors import letters_for_case


@login_required
@require_GET
def case_detail(request, request_id):
    case = case_or_404(request, request_id)
    if case.is_draft:
        return redirect("cases:resume", request_id=case.request_id)
    if case.submitted_at is None:
        # Cancelled or expired before submission: the summary says so, there is no case to show.
        return redirect("cases:summary", request_id=case.request_id)
    page = case_page.case_page(case)
    audit_record(action="case.viewed", request=request, target=case, details={"page": "case"})
    return render(
        request,
        "cases/case_detail.html",
        {
            "case": case,
            "page": page,
            "letters": list(letters_for_case(case)),
            "actions": permissions.case_actions(request.user, case, grants=request_grants(request)),
        },
    )
