"""The provider's case page (WL-1, WL-2, CMS-1, CMS-2): a submitted request's status, lines, decisions, hold,
timeline, documents, letters and the actions the user may take."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from audit.services import audit_record
from cases import case_page, permissions
from cases.views.common import case_or_404, request_grants
from correspondence.selectors import letters_for_case
from p2p import eligibility


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
    actions = permissions.case_actions(request.user, case, grants=request_grants(request))
    return render(
        request,
        "cases/case_detail.html",
        {
            "case": case,
            "page": page,
            "letters": list(letters_for_case(case)),
            "actions": actions,
            **_p2p_context(request, case, actions),
        },
    )


def _p2p_context(request, case, actions) -> dict:
    """P2P AVAILABILITY (P2P-1): the button for whoever may request a P2P in the case's practice; its answer once
    pressed (``?p2p=1``), and ALL POST DECISION OPTIONS (``&options=1``)."""
    offered = permissions.case_permits(
        request.user, case, permissions.CaseAction.REQUEST_P2P, grants=request_grants(request), any_status=True
    )
    if not offered:
        return {"p2p_offered": False}
    context = {"p2p_offered": True}
    if request.GET.get("p2p") == "1":
        context["p2p"] = eligibility.p2p_availability(case)
        context["p2p_status"] = eligibility.p2p_status(case, zone_name=request.user.time_zone)
        audit_record(
            action="p2p.availability_checked",
            request=request,
            target=case,
            details={"result": context["p2p"].result},
        )
        if request.GET.get("options") == "1":
            context["post_decision_options"] = eligibility.post_decision_options(actions)
    return context
