"""Steps 7 to 9: the requested service and diagnoses (with the type-ahead endpoint), the site of service, DME
already dispensed, and "Proceed to Clinical Information" with check your answers (CASE-7 to CASE-9)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_GET

from cases import forms, services, wizard
from cases.views.common import case_or_404, posted_data, posted_pk, render_step, save_step, step_url
from cases.views.help import HELP
from reference.models import DiagnosisCode, Site
from reference.selectors import diagnoses_search, sites_search

# Matches listed for a diagnosis lookup: more than this asks the user to refine the search (a page of
# 200 radio buttons was 10,000 px long). Suggestions start at the second character typed.
DIAGNOSIS_RESULTS = 20
DIAGNOSIS_SUGGEST_MIN_CHARS = 2


def step_service(request, case):
    initial = {
        "primary_code": case.primary_diagnosis.code if case.primary_diagnosis else "",
        "secondary_code": case.secondary_diagnosis.code if case.secondary_diagnosis else "",
    }
    action = request.POST.get("action", "") if request.method == "POST" else ""
    lookup = action.removeprefix("lookup_") if action in ("lookup_primary", "lookup_secondary") else None
    form = forms.DiagnosisForm(
        posted_data(request),
        initial=initial,
        secondary_hint=f"Secondary diagnosis is optional for {case.program.name}",
        lookup=lookup,
    )
    results = {"primary": None, "secondary": None}
    more = {"primary": False, "secondary": False}
    if lookup:
        if form.is_valid() and form.cleaned_data[f"{lookup}_diagnosis"] is None:
            # One more than are shown, to know whether to ask for a narrower search.
            matches = list(
                diagnoses_search(
                    query=form.cleaned_data[f"{lookup}_query"], billable_only=True, limit=DIAGNOSIS_RESULTS + 1
                )
            )
            results[lookup] = matches[:DIAGNOSIS_RESULTS]
            more[lookup] = len(matches) > DIAGNOSIS_RESULTS
    elif request.method == "POST" and form.is_valid():
        return save_step(
            request,
            case,
            "service",
            {
                "primary_diagnosis": form.cleaned_data["primary_diagnosis"],
                "secondary_diagnosis": form.cleaned_data["secondary_diagnosis"],
            },
        )
    chosen = {
        "primary": _chosen_diagnosis(form, "primary", case.primary_diagnosis),
        "secondary": _chosen_diagnosis(form, "secondary", case.secondary_diagnosis),
    }
    return render_step(
        request,
        case,
        "service",
        "cases/step_service.html",
        {
            "form": form,
            "primary_results": results["primary"],
            "secondary_results": results["secondary"],
            "primary_more": more["primary"],
            "secondary_more": more["secondary"],
            "results_shown": DIAGNOSIS_RESULTS,
            "chosen": chosen,
            "lookup_url": reverse("cases:diagnoses", kwargs={"request_id": case.request_id}),
            "help": HELP["service"],
        },
    )


def _chosen_diagnosis(form, which, saved):
    """The code shown as chosen: one typed exactly in the box, else the one posted, else the one saved."""
    found = getattr(form, "cleaned_data", {}).get(f"{which}_diagnosis")
    if found is not None:
        return found
    code = (form.data.get(f"{which}_code") if form.is_bound else None) or form.initial.get(f"{which}_code")
    if code and saved and saved.code == code:
        return saved
    if code:
        return DiagnosisCode.objects.filter(code=code, is_billable=True).first()
    return None


@login_required
@require_GET
def diagnoses(request, request_id):
    """Suggestions for the service step's diagnosis lookup as the user types: reference data only, no PHI."""
    case_or_404(request, request_id)
    query = request.GET.get("q", "")[:100]
    if len(query.strip()) < DIAGNOSIS_SUGGEST_MIN_CHARS:
        return JsonResponse([], safe=False)
    matches = diagnoses_search(query=query, billable_only=True, limit=DIAGNOSIS_RESULTS).values_list(
        "code", "description"
    )
    return JsonResponse([{"code": code, "description": description} for code, description in matches], safe=False)


def step_site(request, case):
    kind = Site.Kind.DME_SUPPLIER if case.is_dme else Site.Kind.HOME_HEALTH_AGENCY
    action = request.POST.get("action")
    search_form = forms.SiteSearchForm(request.POST if action == "lookup" else None, initial={"match": "starts"})
    matches = None
    selected = case.site
    if action == "select":
        site_id = posted_pk(request, "site")
        selected = Site.objects.filter(pk=site_id, kind=kind).first() if site_id else None
        if selected is None:
            raise Http404("No such site.")
    contact_form = forms.SiteContactForm(
        request.POST if action == "continue" else None, initial=_site_contact_initial(case, selected)
    )
    if action == "lookup" and search_form.is_valid():
        data = search_form.cleaned_data
        matches = list(
            sites_search(
                kind=kind,
                npi=data["npi"],
                zip_code=data["zip_code"],
                name=data["name"],
                exact=data.get("match") == "exact",
                tin=data["tin"],
                city=data["city"],
            )
        )
    if action == "continue":
        site_id = posted_pk(request, "site")
        selected = Site.objects.filter(pk=site_id, kind=kind).first() if site_id else None
        if selected is None:
            # A stale tab or a site that no longer exists: ask for the search again, keep what is saved.
            messages.error(request, "Look up the site of service and select it.")
            return redirect(step_url(case, "site"))
        if contact_form.is_valid():
            return save_step(
                request,
                case,
                "site",
                {
                    "site": selected,
                    **contact_form.cleaned_data,
                    # Seed 002: "For DME authorization requests, place of service will be selected as 12 - Home."
                    "place_of_service": "12 - Home" if case.is_dme else "",
                },
            )
    return render_step(
        request,
        case,
        "site",
        "cases/step_site.html",
        {
            "search_form": search_form,
            "form": contact_form if contact_form.is_bound else search_form,
            "contact_form": contact_form,
            "matches": matches,
            "selected": selected,
            "help": HELP["site"],
        },
    )


def _site_contact_initial(case, selected) -> dict | None:
    """The site's own email, fax and phone; the request's edited ones when this site was already chosen."""
    if selected is None:
        return None
    if selected == case.site:
        return {"site_email": case.site_email, "site_fax": case.site_fax, "site_phone": case.site_phone}
    return {"site_email": selected.email, "site_fax": selected.fax, "site_phone": selected.phone}


def step_site_dispensed(request, case):
    form = forms.DispensedUrgencyForm(
        posted_data(request),
        initial={
            "urgent_basis": forms.as_yes_no(case.dispensed_on_urgent_basis),
            "after_hours": forms.as_yes_no(case.dispensed_after_hours),
        },
    )
    if request.method == "POST" and form.is_valid():
        return save_step(
            request,
            case,
            "site-dispensed",
            {
                "dispensed_on_urgent_basis": form.cleaned_data["urgent_basis"] == "yes",
                "dispensed_after_hours": form.cleaned_data["after_hours"] == "yes",
            },
        )
    return render_step(request, case, "site-dispensed", "cases/step_site_dispensed.html", {"form": form, "help": []})


def step_attest(request, case):
    form = forms.AttestationForm(posted_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.case_attest(case=case, user=request.user, request=request)
        except ValidationError as error:
            # Something an earlier step checked no longer holds (the patient's coverage ended): say what.
            for message in error.messages:
                form.add_error(None, message)
        else:
            return redirect(step_url(case, "clinical"))
    return render_step(
        request,
        case,
        "attest",
        "cases/step_attest.html",
        {"form": form, "change_urls": _change_urls(case), "help": HELP["attest"]},
    )


def _change_urls(case) -> dict[str, str]:
    """The Change link of each section of the attest page's answers, keyed for the template (no hyphens)."""
    slugs = ["provider", "insurer", "contact", "date", "patient", "patient-contact", "service", "site"]
    if wizard.BY_SLUG["site-dispensed"].applies(case):
        slugs.append("site-dispensed")
    return {slug.replace("-", "_"): f"{step_url(case, slug)}?return=attest" for slug in slugs}
