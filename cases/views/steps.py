"""One URL per step: ``step`` checks access and order, then hands over to the step's function."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect
from django.views.decorators.http import require_http_methods

from cases import wizard
from cases.permissions import CaseAction
from cases.views.common import case_or_404, not_editable, require, save_for_later, step_url
from cases.views.steps_clinical import step_clinical, step_clinical_summary, step_review, step_upload, step_urgency
from cases.views.steps_patient import step_date, step_patient, step_patient_contact
from cases.views.steps_requester import step_contact, step_insurer, step_provider
from cases.views.steps_service import step_attest, step_service, step_site, step_site_dispensed


@login_required
@require_http_methods(["GET", "POST"])
def step(request, request_id, slug):
    case = case_or_404(request, request_id)
    if not case.is_draft:
        return not_editable(request, case)
    require(request, case, CaseAction.EDIT)
    if slug not in STEP_VIEWS:
        raise Http404("No such step.")
    if not wizard.may_open(case, slug):
        if wizard.BY_SLUG[slug].before_attestation and case.is_locked:
            messages.info(
                request,
                "The physician, patient and service information was confirmed before the clinical questions and "
                "can no longer be edited.",
            )
        return redirect(step_url(case, wizard.first_incomplete_step(case).slug))
    if request.method == "POST" and request.POST.get("action") == "finish_later":
        return save_for_later(request, case, slug)
    return STEP_VIEWS[slug](request, case)


STEP_VIEWS = {
    "provider": step_provider,
    "insurer": step_insurer,
    "contact": step_contact,
    "date": step_date,
    "patient": step_patient,
    "patient-contact": step_patient_contact,
    "service": step_service,
    "site": step_site,
    "site-dispensed": step_site_dispensed,
    "attest": step_attest,
    "clinical": step_clinical,
    "clinical-summary": step_clinical_summary,
    "urgency": step_urgency,
    "upload": step_upload,
    "review": step_review,
}
