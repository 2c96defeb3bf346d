"""The tool's first step, Case Info (P2P-2, P2P-3): the start from a case page, the default time zone and New P2P
Request (look up cases by Case Reference Number and Member Date of Birth, remove them, continue).

The draft (``p2p.draft``) keeps only case ids; each page re-reads its cases through the permission module
(``eligibility.request_cases``), so a stale draft grants nothing.
"""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from audit.services import audit_record
from cases.views.common import case_or_404, posted_pk, request_grants
from p2p import eligibility, lookup
from p2p.draft import Draft, draft_get, draft_save
from p2p.forms import CaseRowsForm, TimeZoneForm
from p2p.time_zones import user_time_zone_set
from p2p.views.common import tool_view


@login_required
@require_GET
def start(request, request_id):
    """ "Request Peer to Peer Consultation" on a case page: a new draft with that case, then New P2P Request."""
    case = case_or_404(request, request_id)
    grants = request_grants(request)
    if not eligibility.may_request_p2p(request.user, case, grants=grants):
        availability = eligibility.p2p_availability(case)
        raise PermissionDenied(availability.reason if not availability.may_schedule else eligibility.NOT_PERMITTED)
    draft_save(request, Draft(case_ids=[case.pk]))
    return redirect("p2p:cases")


def _safe_next(request, value: str) -> str:
    """Where the time zone page returns: a page of the tool on this site only."""
    if (
        value.startswith("/p2p/")
        and not value.startswith("//")
        and url_has_allowed_host_and_scheme(value, allowed_hosts={request.get_host()}, require_https=False)
    ):
        return value
    return reverse("p2p:cases")


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def time_zone(request):
    """P2P-2: "Upon first login, you will be asked to confirm your default time zone"; later, to change it."""
    next_url = _safe_next(request, request.POST.get("next") or request.GET.get("next", ""))
    if request.method == "POST":
        form = TimeZoneForm(request.POST)
        if form.is_valid():
            user_time_zone_set(user=request.user, time_zone=form.cleaned_data["time_zone"], request=request)
            return redirect(next_url)
    else:
        form = TimeZoneForm(initial={"time_zone": request.user.time_zone or None})
    status = 400 if form.is_bound else 200
    return render(
        request,
        "p2p/time_zone.html",
        {"form": form, "next_url": next_url, "first_time": not request.user.time_zone},
        status=status,
    )


def _cases_page(request, draft: Draft, form: CaseRowsForm, *, status: int = 200):
    checks = eligibility.request_cases(
        request.user,
        draft.case_ids,
        grants=request_grants(request),
        ignore_request_id=draft.rescheduling_request_id,
    )
    for check in checks:
        audit_record(action="case.viewed", request=request, target=check.case, details={"page": "p2p_cases"})
    return render(
        request,
        "p2p/cases.html",
        {"form": form, "checks": checks, "p2p_menu": "new"},
        status=status,
    )


def _draft(request) -> Draft:
    draft = draft_get(request)
    if draft is None or draft.rescheduling_request_id is not None:
        # Rescheduling keeps its own cases: New P2P Request starts a new request.
        draft = Draft()
    return draft


@tool_view
@never_cache
@require_http_methods(["GET", "POST"])
def cases(request):
    """New P2P Request: the cases of the appointment (cards) and rows to look up more."""
    draft = _draft(request)
    if request.method == "GET":
        return _cases_page(request, draft, CaseRowsForm(rows=0 if draft.case_ids else 1))
    if "remove" in request.POST:
        case_id = posted_pk(request, "remove")
        draft.case_ids = [pk for pk in draft.case_ids if pk != case_id]
        draft.questions_done = False
        draft_save(request, draft)
        return redirect("p2p:cases")
    if "add" in request.POST:
        posted = CaseRowsForm(request.POST)
        typed = [
            (request.POST.get(f"case_number_{i}", ""), request.POST.get(f"date_of_birth_{i}", ""))
            for i in range(1, posted.row_count + 1)
        ]
        return _cases_page(request, draft, CaseRowsForm(rows=posted.row_count, add_row=True, initial_rows=typed))
    if "continue" in request.POST:
        return _continue(request, draft)
    return _lookup(request, draft)


def _continue(request, draft: Draft):
    checks = eligibility.request_cases(request.user, draft.case_ids, grants=request_grants(request))
    problem = eligibility.request_cases_problem(checks)
    if problem is None:
        draft.case_ids = [check.case.pk for check in checks]
        draft_save(request, draft)
        return redirect("p2p:questions")
    form = CaseRowsForm({"rows": "0" if draft.case_ids else "1"})
    form.is_valid()
    form.add_error(None, problem)
    return _cases_page(request, draft, form, status=400)


def _lookup(request, draft: Draft):
    form = CaseRowsForm(request.POST)
    if not form.is_valid():
        return _cases_page(request, draft, form, status=400)
    grants = request_grants(request)
    failed = []  # (case number, date of birth as typed, message)
    left = lookup.lookups_left(request.user)
    for index, number, born in form.filled_rows():
        typed_born = request.POST.get(f"date_of_birth_{index}", "")
        if left <= 0:
            failed.append((number, typed_born, lookup.rate_limit_message()))
            continue
        left -= 1
        case = lookup.case_lookup(request=request, case_number=number, date_of_birth=born, grants=grants)
        if case is None:
            failed.append((number, typed_born, lookup.NOT_FOUND))
            continue
        if case.pk in draft.case_ids:
            continue
        checks = eligibility.request_cases(request.user, draft.case_ids, grants=grants)
        modalities = [check.case.program.name for check in checks if not check.problem]
        conflict = eligibility.modality_conflict([*modalities[:1], case.program.name])
        if conflict:
            failed.append((number, typed_born, conflict))
            continue
        draft.case_ids.append(case.pk)
        draft.questions_done = False
    draft_save(request, draft)
    if not failed:
        return redirect("p2p:cases")
    # The rows that found nothing stay, each with its message; the cases found are in the list above them.
    data = {"rows": str(len(failed))}
    for index, (number, typed_born, _message) in enumerate(failed, start=1):
        data[f"case_number_{index}"] = number
        data[f"date_of_birth_{index}"] = typed_born
    again = CaseRowsForm(data)
    again.is_valid()
    for index, (_number, _born, message) in enumerate(failed, start=1):
        again.add_error(f"case_number_{index}", message)
    return _cases_page(request, draft, again, status=400)
