"""Entry points of the case build: the CareCore home, Request an Authorization (with "Start from a previous
request"), Certification Requests In Progress and resuming a saved request."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from cases import forms, permissions, selectors, services, wizard
from cases.permissions import CaseAction
from cases.views.common import case_or_404, posted_data, posted_pk, request_grants, require, step_url
from cases.views.help import HELP

IN_PROGRESS_PAGE_SIZE = 25
PREVIOUS_REQUEST_COLUMNS = (
    "request_id",
    "submitted_at",
    "program__name",
    "health_plan__name",
    "site__name",
    "ordering_provider__kind",
    "ordering_provider__first_name",
    "ordering_provider__last_name",
    "ordering_provider__credentials",
    "ordering_provider__organization_name",
)


@login_required
@require_GET
def carecore_home(request):
    drafts = permissions.drafts_visible_to(request.user, grants=request_grants(request))
    return render(request, "cases/carecore_home.html", {"drafts_count": drafts.count()})


@login_required
@require_http_methods(["GET", "POST"])
def request_authorization(request):
    """Step 1: the practice, the program and who builds the case. The request ID is drawn when it is saved.

    Only members of a practice with the case-submission entitlement may start one (SEC-1); anyone else is
    told why and who their practice's website access manager is.
    """
    refusal = permissions.new_case_refusal(request.user)
    if request.method == "POST" and refusal is None and request.POST.get("action") == "repeat":
        return _repeat(request)
    form = forms.ProgramForm(posted_data(request), practices=permissions.practices_for_new_case(request.user))
    if request.method == "POST" and refusal is None and form.is_valid():
        try:
            case = services.case_start(
                user=request.user,
                program=form.cleaned_data["program"],
                builder_role=form.cleaned_data["builder_role"],
                practice=form.cleaned_data["practice"],
                request=request,
            )
        except ValidationError as error:
            form.add_error("program", error)
        else:
            return redirect("cases:step", request_id=case.request_id, slug="provider")
    status = 403 if request.method == "POST" and refusal else 200
    return render(
        request,
        "cases/step_program.html",
        {"form": form, "refusal": refusal, "help": HELP["program"], **_previous_requests(request, refusal)},
        status=status,
    )


def _previous_requests(request, refusal) -> dict:
    """ "Start from a previous request": the user's recent submitted requests, searchable (issue 10, item 15)."""
    if refusal is not None:
        return {}
    query = request.GET.get("previous", "").replace("\x00", "").strip()[:60]
    requests = selectors.previous_requests(request.user, grants=request_grants(request), query=query)
    # Only the columns the list shows: a case row has some sixty.
    requests = requests.only(*PREVIOUS_REQUEST_COLUMNS)[: selectors.PREVIOUS_REQUESTS_SHOWN + 1]
    found = list(requests)
    return {
        "previous_requests": found[: selectors.PREVIOUS_REQUESTS_SHOWN],
        "previous_more": len(found) > selectors.PREVIOUS_REQUESTS_SHOWN,
        "previous_query": query,
    }


def _repeat(request):
    source = get_object_or_404(
        selectors.previous_requests(request.user, grants=request_grants(request)), pk=posted_pk(request, "source")
    )
    try:
        case = services.case_repeat(user=request.user, source=source, request=request)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("cases:request_authorization")
    messages.success(
        request,
        f"Request {case.request_id} was started from request {source.request_id}: its requesting provider, insurer "
        "and address, contact details and site of service are filled in. Check each step and continue; the "
        "patient, dates, diagnoses and clinical information are entered for this request.",
    )
    return redirect(step_url(case, "provider"))


@login_required
@require_GET
def in_progress(request):
    """ "Certification Requests In Progress", newest first, a page at a time: a practice may hold hundreds."""
    drafts = permissions.drafts_visible_to(request.user, grants=request_grants(request))
    page = Paginator(drafts.values_list("pk", flat=True), IN_PROGRESS_PAGE_SIZE).get_page(request.GET.get("page"))
    # The page's ids first, then its rows with what the table shows: joins for 25 rows, not for all of them.
    rows = drafts.filter(pk__in=list(page.object_list))
    return render(
        request,
        "cases/in_progress.html",
        {"drafts": [(case, wizard.BY_SLUG.get(case.current_step)) for case in rows], "page_obj": page},
    )


@login_required
@require_GET
def resume(request, request_id):
    case = case_or_404(request, request_id)
    if not case.is_draft:
        return redirect("cases:summary", request_id=case.request_id)
    require(request, case, CaseAction.EDIT)
    step = wizard.BY_SLUG.get(case.current_step) or wizard.first_incomplete_step(case)
    if not wizard.may_open(case, step.slug):
        step = wizard.first_incomplete_step(case)
    return redirect(step_url(case, step.slug))
