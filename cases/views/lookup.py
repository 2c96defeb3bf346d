"""Authorization Lookup (WL-2, seed 002): "Search by member information OR by case number with ordering national
provider identifier (NPI)". Two forms on one page; each lookup is a POST, since its answers are PHI and stay out of
URLs, browser history and access logs (SEC-2), as on Eligibility Lookup."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from audit.services import audit_record
from cases import lookup, worklist
from cases.views.common import request_grants

SEARCHES = {"member": lookup.MemberLookupForm, "case_number": lookup.CaseNumberLookupForm}
PREFIXES = {"member": "member", "case_number": "case"}


@login_required
@require_http_methods(["GET", "POST"])
def authorization_lookup(request):
    searched = request.POST.get("search") if request.method == "POST" else None
    searched = searched if searched in SEARCHES else None
    forms = {
        key: form_class(request.POST if key == searched else None, prefix=PREFIXES[key])
        for key, form_class in SEARCHES.items()
    }
    results = None
    if searched and forms[searched].is_valid():
        visible = worklist.submitted_cases(request.user, grants=request_grants(request))
        find = lookup.by_member if searched == "member" else lookup.by_case_number
        results = list(find(visible, **forms[searched].cleaned_data).select_related("site"))
        if not results:
            forms[searched].add_error(None, lookup.NOT_FOUND)
        # Which way and which cases were found: ids only, never the answers typed.
        audit_record(
            action="case.looked_up", request=request, details={"by": searched, "cases": [case.pk for case in results]}
        )
    return render(
        request,
        "cases/authorization_lookup.html",
        {
            "member_form": forms["member"],
            "case_form": forms["case_number"],
            "searched_form": forms[searched] if searched else None,
            "searched": searched,
            "results": results,
        },
    )
