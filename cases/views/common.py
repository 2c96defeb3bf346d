"""What every case-build view shares: reading the posted data, the case and the user's grants, the permission
answer, saving a step and rendering a step page."""

import re

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone

from audit.services import audit_record
from cases import permissions, selectors, services, wizard
from cases.models import Case, CaseStatus
from cases.permissions import CaseAction


def posted_data(request):
    """The POST data, or None on GET: an empty POST (nothing ticked) must still bind and show its errors."""
    return request.POST if request.method == "POST" else None


ASCII_DIGITS = re.compile(r"[0-9]{1,18}")
VIEW_ONLY = (
    "You can view this request, but not change it. Requests are changed by the practice's members who hold the "
    "Case submission entitlement; users given access to a worklist through User Access can only view it."
)


def request_grants(request) -> permissions.Grants:
    """What the signed-in user holds, read once per request and passed to every permission question."""
    if not hasattr(request, "_case_grants"):
        request._case_grants = permissions.grants_of(request.user)
    return request._case_grants


def case_or_404(request, request_id) -> Case:
    """The case if ``request.user`` may view it; 404 otherwise, the same answer as for a missing one (SEC-1)."""
    visible = permissions.cases_visible_to(request.user, grants=request_grants(request))
    return get_object_or_404(visible, request_id=request_id)


def require(request, case, action: CaseAction) -> None:
    """403 with the reason when the user may view ``case`` but not do ``action`` to it."""
    if not permissions.case_permits(request.user, case, action, grants=request_grants(request)):
        raise PermissionDenied(VIEW_ONLY)


def posted_pk(request, name) -> int | None:
    """A posted row id: ASCII digits only (``"²".isdigit()`` is true, ``int("²")`` fails)."""
    value = request.POST.get(name, "")
    return int(value) if ASCII_DIGITS.fullmatch(value) else None


def step_url(case, slug) -> str:
    return reverse("cases:step", kwargs={"request_id": case.request_id, "slug": slug})


def case_page_url(case) -> str:
    """The submitted case's own page, where the pages after a submission return."""
    return reverse("cases:case_detail", kwargs={"request_id": case.request_id})


def not_editable(request, case):
    if case.submitted_at:
        return redirect("cases:summary", request_id=case.request_id)
    messages.info(request, f"Request {case.request_id} is {case.get_status_display()}: it can no longer be changed.")
    return redirect("cases:in_progress")


# "Check your answers" (issue 10, item 12): each Change link opens its step with ``?return=attest``, and ``save_step``
# comes back here. The value is checked against this fixed list, so the parameter can never redirect elsewhere.
RETURN_STEPS = frozenset({"attest"})


def return_step(request, case, slug) -> str | None:
    """The step a Change link asked to come back to after saving step ``slug``: only one on the allow-list, and
    only when every step before it is complete (else the next incomplete step comes first)."""
    back_to = request.GET.get("return", "")
    step = wizard.BY_SLUG.get(slug)
    if back_to not in RETURN_STEPS or step is None or not step.before_attestation:
        return None
    return back_to if wizard.may_open(case, back_to) else None


def save_step(request, case, slug, changes):
    next_step = wizard.step_after(case, slug).slug if slug in wizard.BY_SLUG else slug
    try:
        case = services.case_step_save(
            case=case, user=request.user, step=slug, changes=changes, next_step=next_step, request=request
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(step_url(case, wizard.first_incomplete_step(case).slug))
    # The next step is computed again: the saved data may change which steps apply. A change that
    # cleared a later step's data (another insurer or date clears the patient) reopens that step: go there.
    following = wizard.step_after(case, slug)
    reopened = wizard.first_incomplete_step(case)
    if wizard.STEPS.index(reopened) < wizard.STEPS.index(following):
        messages.info(request, f"Your change needs {reopened.title} again: please complete it before you continue.")
        return redirect(step_url(case, reopened.slug))
    back_to = return_step(request, case, slug)
    return redirect(step_url(case, back_to or following.slug))


def render_step(request, case, slug, template, context):
    step = wizard.BY_SLUG[slug]
    back = wizard.step_before(case, slug)
    conflicts = _conflicts(request, case) if step.clinical else None
    if case.member_id:
        audit_record(action="case.viewed", request=request, target=case, details={"step": slug})
    return render(
        request,
        template,
        {
            "case": case,
            "step": step,
            "back_url": step_url(case, back.slug) if back else "",
            "conflicts": conflicts,
            "progress": wizard.progress(case, slug),
            **context,
        },
    )


def _conflicts(request, case) -> dict | None:
    """ "There is a possible request conflict on file": details only of the requests this user may view."""
    others = selectors.conflicting_cases(case)
    if not others:
        return None
    grants = request_grants(request)
    visible = [other for other in others if permissions.case_permits(request.user, other, "view", grants=grants)]
    return {"visible": visible, "other_count": len(others) - len(visible)}


def status_history(case) -> dict:
    return {"history": list(case.status_changes.select_related("changed_by"))}


def summary_context(request, case) -> dict:
    service_lines = list(case.service_lines.select_related("hcpcs")) if case.submitted_at else None
    result = selectors.case_outcome(case) if service_lines is None else None
    return {
        "service_lines": service_lines,
        "outcome": result,
        "documents": list(case.documents.all()),
        "approved": case.status in (CaseStatus.APPROVED, CaseStatus.PARTIALLY_APPROVED),
        "may_cancel": permissions.case_permits(request.user, case, CaseAction.WITHDRAW, grants=request_grants(request)),
        "status_sentence": _status_sentence(case),
    }


def _status_sentence(case) -> str:
    if case.status == CaseStatus.APPROVED:
        return "Your case has been Approved."
    if case.status in (CaseStatus.PENDING_REVIEW, CaseStatus.SUBMITTED):
        return "Your case has been sent to Medical Review."
    if case.status == CaseStatus.DRAFT:
        return "Please review the details of your request below and if everything looks correct click SUBMIT"
    return f"Your case is {case.get_status_display()}."


def save_for_later(request, case, slug):
    services.case_progress_save(case=case, next_step=slug)
    messages.success(
        request,
        f"Request {case.request_id} was saved. Resume it from Certification Requests In Progress before "
        f"{timezone.localtime(case.expires_at):%m/%d/%Y %I:%M %p}, when it expires.",
    )
    return redirect("cases:in_progress")
