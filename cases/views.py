"""The CareCore case build: one page per step, each saved on the server as it is completed (CASE-1 to 14)."""

import contextlib
import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from audit.services import audit_record
from cases import forms, permissions, rules, selectors, services, uploads, wizard
from cases.models import Case, CaseStatus
from cases.pdf import render_to_pdf
from cases.permissions import CaseAction
from cases.questionnaires import engine
from practices.selectors import providers_on_account
from practices.services import account_provider_add
from reference.models import DiagnosisCode, HealthPlan, Provider, Site
from reference.selectors import diagnoses_search, members_lookup, ordering_providers_search, sites_search
from reference.validators import format_us_phone

HELP = {
    "program": [
        "Choose Clinical Certification to begin a new case request.",
        "Select the appropriate program: Home Health, or Durable Medical Equipment (DME).",
        "Choose who is making the request, Referring Physician or the Durable Medical Equipment provider "
        "(or Home Health Agency). Only referring providers are allowed to order a case.",
        "Sending another request for the same provider? Start from a previous request: the provider, insurer, "
        "contact details and site of service are filled in for you.",
    ],
    "provider": [
        'Enter the provider\'s name or NPI and select "Search". Click on the "Select" button for the correct provider.',
        "Practitioners/groups may be added to your account prior to case submission (optional): use Manage Your "
        "Account, or Search By NPI here to add the provider and continue with case build.",
    ],
    "provider-supplier": [
        "If you are from the home health agency, or from the DME supplier, select the health plan and then enter "
        "the ordering provider's NPI number (or Tax ID number) to search.",
        "Only referring providers are allowed to order a case, so you will need to enter the ordering provider "
        "information on this screen.",
    ],
    "insurer": [
        "Choose the appropriate Health Plan for the request.",
        "Then select the appropriate address for the practitioner/group, and select CONTINUE.",
    ],
    "contact": [
        "Enter/edit the Practitioner's name and appropriate information for the point of contact/who to contact "
        "individual. Practitioner name, fax and phone will pre-populate, edit as necessary.",
        "The e-notification box is checked by default to enable email notices for any updates on case status "
        "changes. Make sure to uncheck this box if you prefer to receive faxed notices.",
        'Complete all boxes with an * and select "Confirm FAX and Continue".',
    ],
    "date": [
        'Select the expected start of care date, then click "Submit".',
        "You will then be asked for the patient information, and you will select the patient's name from the "
        "search results.",
    ],
    "date-dme": ["If the DME has been delivered/dispensed, please enter that date."],
    "patient": [
        "When entering patient details, please review and confirm the spelling of the patient's name. Verify "
        "accuracy of the patient's ID.",
        "Select the patient's name from the search results; on the next screen, enter the patient phone number.",
    ],
    "service": [
        "Home Services will use the 'header code' HomeH; DME requests the header code DME.",
        "Select appropriate Diagnosis Code. You can search using the description or the code.",
        "The CPT codes will be collected during the clinical questionnaire.",
    ],
    "site": [
        "Search for the Site of Service (Rendering Facility) for where the procedure will be performed (for best "
        "results, search with NPI, TIN, and zip code).",
        "Select the specific site where the procedure will be performed.",
    ],
    "attest": [
        "Confirm previous selections, and check the box to acknowledge the attestation.",
        "You will not be able to make changes to the selections already made after advancing into the clinical "
        "pathways (clinical questionnaire portion of the case-build).",
    ],
    "clinical": [
        "Clinical Certification questions will populate based on the information provided.",
        "You can save your request and finish it later if needed (Note: make sure to complete (finish) the case "
        "before you leave for the day).",
        "Now you can edit your responses to clinical questions prior to case submission by clicking the link for "
        "the related question.",
    ],
    "upload": [
        "Providing clinical information via the web is the fastest and most efficient method.",
        "Enter additional notes in the space provided only when necessary.",
        "Additional information uploaded to the case will be sent for clinical review.",
        "Print out a summary of the request that includes the case number and indicates 'Your case has been sent "
        "to clinical review'.",
    ],
}
IN_PROGRESS_PAGE_SIZE = 25
# Matches listed for a diagnosis lookup: more than this asks the user to refine the search (a page of
# 200 radio buttons was 10,000 px long). Suggestions start at the second character typed.
DIAGNOSIS_RESULTS = 20
DIAGNOSIS_SUGGEST_MIN_CHARS = 2
# Seed 002: "Required Medical information checklist" for DME.
DME_CHECKLIST = (
    "Written prescription",
    "Certificate of medical necessity (CMN)",
    "Preauthorization request form",
    "Most recent office visit notes (for most requests, must be within last 3 months)",
    "Current detailed invoice listing all requested equipment",
    "Diagnosis (if part of discharge plan, include the admitting diagnosis)",
    "Patient history and physical exam findings, progress notes, wound or incision/location",
    "Rental vs Purchase and Quantity requested (if applicable)",
    "Has the patient previously used this/these item(s)",
    "DME vendor/site",
)
# Seed 003: documents must carry the patient's name and one more identifier from this list.
PATIENT_IDENTIFIERS = (
    "Date of birth",
    "Correct case number/Episode ID",
    "Customer identification number",
    "Full address (Street, City, State and Zip Code)",
    "Full phone number including area code",
    "Driver's license number or other government-issued ID.",
)


# --- Entry points --------------------------------------------------------------------------------


@login_required
@require_GET
def carecore_home(request):
    drafts = permissions.drafts_visible_to(request.user, grants=_grants(request))
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
    form = forms.ProgramForm(_posted(request), practices=permissions.practices_for_new_case(request.user))
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
    found = list(
        selectors.previous_requests(request.user, grants=_grants(request), query=query)[
            : selectors.PREVIOUS_REQUESTS_SHOWN + 1
        ]
    )
    return {
        "previous_requests": found[: selectors.PREVIOUS_REQUESTS_SHOWN],
        "previous_more": len(found) > selectors.PREVIOUS_REQUESTS_SHOWN,
        "previous_query": query,
    }


def _repeat(request):
    source = get_object_or_404(
        selectors.previous_requests(request.user, grants=_grants(request)), pk=_posted_pk(request, "source")
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
    return redirect(_step_url(case, "provider"))


@login_required
@require_GET
def in_progress(request):
    """ "Certification Requests In Progress", newest first, a page at a time: a practice may hold hundreds."""
    drafts = permissions.drafts_visible_to(request.user, grants=_grants(request))
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
    case = _case(request, request_id)
    if not case.is_draft:
        return redirect("cases:summary", request_id=case.request_id)
    _require(request, case, CaseAction.EDIT)
    step = wizard.BY_SLUG.get(case.current_step) or wizard.first_incomplete_step(case)
    if not wizard.may_open(case, step.slug):
        step = wizard.first_incomplete_step(case)
    return redirect(_step_url(case, step.slug))


# --- The steps -----------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def step(request, request_id, slug):
    case = _case(request, request_id)
    if not case.is_draft:
        return _not_editable(request, case)
    _require(request, case, CaseAction.EDIT)
    if slug not in STEP_VIEWS:
        raise Http404("No such step.")
    if not wizard.may_open(case, slug):
        if wizard.BY_SLUG[slug].before_attestation and case.is_locked:
            messages.info(
                request,
                "The physician, patient and service information was confirmed before the clinical questions and "
                "can no longer be edited.",
            )
        return redirect(_step_url(case, wizard.first_incomplete_step(case).slug))
    if request.method == "POST" and request.POST.get("action") == "finish_later":
        return _finish_later(request, case, slug)
    return STEP_VIEWS[slug](request, case)


def _step_provider(request, case):
    if case.builds_as_supplier:
        return _step_provider_supplier(request, case)
    account_providers = providers_on_account(user=request.user)
    filter_text = request.GET.get("filter", "").replace("\x00", "").strip()[:60]
    if filter_text:
        account_providers = (
            account_providers.filter(npi__startswith=filter_text)
            if _ASCII_DIGITS.fullmatch(filter_text)
            else account_providers.filter(last_name__istartswith=filter_text)
        )
    npi_form = forms.ProviderNpiSearchForm(request.POST if request.POST.get("action") == "npi_search" else None)
    npi_matches = None
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "select":
            provider = _posted_provider(request, allowed=providers_on_account(user=request.user))
            return _save_provider(request, case, provider)
        if action == "add_select":
            provider = _posted_provider(request, allowed=Provider.objects.all())
            with contextlib.suppress(ValidationError):  # already on the account: just select it
                account_provider_add(user=request.user, provider=provider, request=request)
            return _save_provider(request, case, provider)
        if action == "npi_search" and npi_form.is_valid():
            npi_matches = _npi_matches(request, npi_form.cleaned_data["npi"])
    return _render(
        request,
        case,
        "provider",
        "cases/step_provider.html",
        {
            "last_provider": _last_provider(request, case),
            "account_providers": account_providers[:100],
            "filter_text": filter_text,
            "form": npi_form,
            "npi_matches": npi_matches,
            "help": HELP["provider"],
        },
    )


def _last_provider(request, case) -> Provider | None:
    """The provider of the user's last request, offered first on a new one when it is still on the account."""
    if case.ordering_provider_id is not None:
        return None
    last = _last_request(request, case)
    if last is None:
        return None
    return providers_on_account(user=request.user).filter(pk=last.ordering_provider_id).first()


def _npi_matches(request, npi) -> list[tuple[Provider, bool]]:
    """The providers with this NPI, each with whether it is already on the account (then "Select" only)."""
    matches = list(Provider.objects.filter(npi=npi))
    on_account = set(
        providers_on_account(user=request.user).filter(pk__in=[p.pk for p in matches]).values_list("pk", flat=True)
    )
    return [(provider, provider.pk in on_account) for provider in matches]


def _step_provider_supplier(request, case):
    form = forms.PhysicianSearchForm(
        request.POST if request.POST.get("action") == "search" else None,
        initial={"health_plan": case.health_plan_id},
    )
    matches = None
    if request.method == "POST":
        if request.POST.get("action") == "select":
            provider = _posted_provider(request, allowed=Provider.objects.all())
            plan_id = _posted_pk(request, "health_plan")
            changes = {"ordering_provider": provider}
            if plan_id:
                plan = HealthPlan.objects.filter(pk=plan_id).first()
                if plan:
                    changes["health_plan"] = plan
            return _save(request, case, "provider", changes)
        if form.is_valid():
            data = form.cleaned_data
            matches = list(
                ordering_providers_search(
                    tin=data["tin"],
                    npi=data["npi"],
                    last_name=data["last_name"],
                    city=data["city"],
                    zip_code=data["zip_code"],
                )
            )
    return _render(
        request,
        case,
        "provider",
        "cases/step_provider_supplier.html",
        {"form": form, "matches": matches, "help": HELP["provider-supplier"]},
    )


def _posted_provider(request, *, allowed):
    provider_id = _posted_pk(request, "provider")
    provider = allowed.filter(pk=provider_id).first() if provider_id else None
    if provider is None:
        raise Http404("No such provider.")
    return provider


def _save_provider(request, case, provider):
    return _save(request, case, "provider", {"ordering_provider": provider})


def _step_insurer(request, case):
    addresses = [case.ordering_provider.address_display]
    if case.provider_address and case.provider_address not in addresses:
        addresses.append(case.provider_address)
    initial = {"health_plan": case.health_plan_id, "provider_address": case.provider_address or addresses[0]}
    last = None if case.health_plan_id else _last_request(request, case)
    if last is not None:
        # Remembered from the user's last request: its insurer, and its address when the provider is the same.
        initial["health_plan"] = last.health_plan_id
        if last.ordering_provider_id == case.ordering_provider_id and last.provider_address in addresses:
            initial["provider_address"] = last.provider_address
    form = forms.InsurerForm(_posted(request), addresses=addresses, initial=initial)
    if request.method == "POST" and form.is_valid():
        return _save(
            request,
            case,
            "insurer",
            {
                "health_plan": form.cleaned_data["health_plan"],
                "provider_address": form.cleaned_data["provider_address"],
            },
        )
    return _render(request, case, "insurer", "cases/step_insurer.html", {"form": form, "help": HELP["insurer"]})


def _step_contact(request, case):
    provider = case.ordering_provider
    saved = {name: getattr(case, name) for name in forms.ContactForm.base_fields}
    notice = ""
    if "contact" in case.completed_steps:
        initial = saved
    elif case.contact_name:
        # Saved before and open again: another provider was chosen since, and the service cleared that
        # provider's name, fax and phone (services._previous_provider_contact_cleared). The new provider's
        # fill the gaps; the office's own details stay.
        initial = {**saved, **{name: value for name, value in _provider_contact(provider).items() if not saved[name]}}
        if not case.contact_provider_name:
            notice = _provider_changed_notice(provider, saved)
    else:
        # Pre-filled from the provider; changes apply only to this request (seed 003).
        initial = {
            **_provider_contact(provider),
            "contact_name": request.user.get_full_name(),
            "contact_phone_ext": "",
            "contact_cell_phone": "",
            "contact_email": request.user.email,
            "notify_by_email": True,
        }
        last = _last_request(request, case)
        if last is not None:
            # Remembered from the user's last request: the office's own details always, the provider's name,
            # fax and phone as typed there only when it was for this provider.
            same_provider = last.ordering_provider_id == provider.pk
            names = list(forms.ContactForm.base_fields) if same_provider else selectors.OFFICE_CONTACT_FIELDS
            initial.update({name: getattr(last, name) for name in names})
    form = forms.ContactForm(_posted(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        return _save(request, case, "contact", form.cleaned_data)
    return _render(
        request,
        case,
        "contact",
        "cases/step_contact.html",
        {"form": form, "provider_notice": notice, "help": HELP["contact"]},
    )


def _last_request(request, case) -> Case | None:
    return selectors.last_request_defaults(request.user, practice_id=case.practice_id, exclude_pk=case.pk)


def _provider_contact(provider) -> dict:
    return {
        "contact_provider_name": provider.display_name,
        "contact_fax": provider.fax,
        "contact_phone": provider.phone,
    }


def _provider_changed_notice(provider, saved) -> str:
    """What the contact step changed for the provider chosen now, and which typed numbers it kept."""
    numbers = {"fax": saved["contact_fax"], "phone": saved["contact_phone"]}
    updated = ["name", *(label for label, typed in numbers.items() if not typed)]
    kept = [(label, typed) for label, typed in numbers.items() if typed]
    listed = updated[0] if len(updated) == 1 else f"{', '.join(updated[:-1])} and {updated[-1]}"
    verb = "was" if len(updated) == 1 else "were"
    sentences = [f"You chose another provider: the provider's {listed} {verb} updated to {provider.display_name}'s."]
    sentences += [
        f"The {label} typed for this request, {format_us_phone(typed)}, was kept: make sure it reaches "
        f"{provider.display_name}."
        for label, typed in kept
    ]
    sentences.append("Check them before you continue.")
    return " ".join(sentences)


def _plan_rules(case) -> rules.DateOfServiceRules:
    plan_program = selectors.plan_program_for(case)
    if plan_program is None:
        return rules.DateOfServiceRules(True, None, "Call the number on the back of the member's card.")
    return rules.DateOfServiceRules(
        plan_program.same_day_requests_online,
        plan_program.retro_window_business_days,
        plan_program.phone_in_instruction or "Call the number on the back of the member's card.",
    )


def _step_date(request, case):
    today = timezone.localdate()
    if case.is_home_health:
        form = forms.StartOfCareForm(
            _posted(request), rules_for_plan=_plan_rules(case), initial={"start_of_care": case.date_of_service}
        )
        if request.method == "POST" and form.is_valid():
            day = form.cleaned_data["start_of_care"]
            return _save(request, case, "date", {"date_of_service": day, "is_retrospective": day < today})
        help_text = HELP["date"]
    else:
        form = forms.DmeDeliveredForm(
            _posted(request),
            rules_for_plan=_plan_rules(case),
            initial={
                "delivered": forms.as_yes_no(case.dme_already_dispensed),
                "delivered_on": case.date_of_service if case.dme_already_dispensed else None,
            },
        )
        if request.method == "POST" and form.is_valid():
            delivered = form.cleaned_data["delivered"] == "yes"
            day = form.cleaned_data["delivered_on"] if delivered else today
            return _save(
                request,
                case,
                "date",
                {
                    "dme_already_dispensed": delivered,
                    "date_of_service": day,
                    "is_retrospective": delivered and day < today,
                },
            )
        help_text = HELP["date-dme"]
    return _render(request, case, "date", "cases/step_date.html", {"form": form, "help": help_text})


def _step_patient(request, case):
    action = request.POST.get("action")
    form = forms.EligibilityLookupForm(request.POST if request.method == "POST" else None)
    matches, problems = None, {}
    if request.method == "POST" and form.is_valid():
        found = list(members_lookup(**form.cleaned_data))
        if action == "select":
            member = next((m for m in found if str(m.pk) == request.POST.get("member")), None)
            if member is None:
                raise Http404("No such patient in this lookup.")
            problem = selectors.eligibility_problem(member=member, case=case)
            if problem is None:
                audit_record(action="member.selected", request=request, target=member, details={"case": case.pk})
                return _save(request, case, "patient", {"member": member})
            problems[member.pk] = problem
        matches = [(m, problems.get(m.pk) or selectors.eligibility_problem(member=m, case=case)) for m in found]
        if not found:
            form.add_error(
                None,
                "No patient was found with this Patient ID, date of birth and last name. Check the spelling of the "
                "patient's name and the Patient ID, then look up again.",
            )
        else:
            for member in found:
                audit_record(action="member.looked_up", request=request, target=member, details={"case": case.pk})
    return _render(
        request,
        case,
        "patient",
        "cases/step_patient.html",
        {"form": form, "matches": matches, "help": HELP["patient"]},
    )


def _step_patient_contact(request, case):
    if case.member is None:  # the wizard reopens the patient step when the patient is cleared; never a 500
        return redirect(_step_url(case, "patient"))
    form = forms.PatientContactForm(
        _posted(request),
        initial={
            "patient_cell_phone": case.patient_cell_phone or case.member.phone,
            "patient_email": case.patient_email,
        },
    )
    if request.method == "POST" and form.is_valid():
        return _save(request, case, "patient-contact", form.cleaned_data)
    return _render(
        request, case, "patient-contact", "cases/step_patient_contact.html", {"form": form, "help": HELP["patient"]}
    )


def _step_service(request, case):
    initial = {
        "primary_code": case.primary_diagnosis.code if case.primary_diagnosis else "",
        "secondary_code": case.secondary_diagnosis.code if case.secondary_diagnosis else "",
    }
    action = request.POST.get("action", "") if request.method == "POST" else ""
    lookup = action.removeprefix("lookup_") if action in ("lookup_primary", "lookup_secondary") else None
    form = forms.DiagnosisForm(
        _posted(request),
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
        return _save(
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
    return _render(
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
    _case(request, request_id)
    query = request.GET.get("q", "")[:100]
    if len(query.strip()) < DIAGNOSIS_SUGGEST_MIN_CHARS:
        return JsonResponse([], safe=False)
    matches = diagnoses_search(query=query, billable_only=True, limit=DIAGNOSIS_RESULTS).values_list(
        "code", "description"
    )
    return JsonResponse([{"code": code, "description": description} for code, description in matches], safe=False)


def _step_site(request, case):
    kind = Site.Kind.DME_SUPPLIER if case.is_dme else Site.Kind.HOME_HEALTH_AGENCY
    action = request.POST.get("action")
    search_form = forms.SiteSearchForm(request.POST if action == "lookup" else None, initial={"match": "starts"})
    matches = None
    selected = case.site
    if action == "select":
        site_id = _posted_pk(request, "site")
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
        site_id = _posted_pk(request, "site")
        selected = Site.objects.filter(pk=site_id, kind=kind).first() if site_id else None
        if selected is None:
            # A stale tab or a site that no longer exists: ask for the search again, keep what is saved.
            messages.error(request, "Look up the site of service and select it.")
            return redirect(_step_url(case, "site"))
        if contact_form.is_valid():
            return _save(
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
    return _render(
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


def _step_site_dispensed(request, case):
    form = forms.DispensedUrgencyForm(
        _posted(request),
        initial={
            "urgent_basis": forms.as_yes_no(case.dispensed_on_urgent_basis),
            "after_hours": forms.as_yes_no(case.dispensed_after_hours),
        },
    )
    if request.method == "POST" and form.is_valid():
        return _save(
            request,
            case,
            "site-dispensed",
            {
                "dispensed_on_urgent_basis": form.cleaned_data["urgent_basis"] == "yes",
                "dispensed_after_hours": form.cleaned_data["after_hours"] == "yes",
            },
        )
    return _render(request, case, "site-dispensed", "cases/step_site_dispensed.html", {"form": form, "help": []})


def _step_attest(request, case):
    form = forms.AttestationForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.case_attest(case=case, user=request.user, request=request)
        except ValidationError as error:
            # Something an earlier step checked no longer holds (the patient's coverage ended): say what.
            for message in error.messages:
                form.add_error(None, message)
        else:
            return redirect(_step_url(case, "clinical"))
    return _render(
        request,
        case,
        "attest",
        "cases/step_attest.html",
        {"form": form, "change_urls": _change_urls(case), "help": HELP["attest"]},
    )


# "Check your answers" (issue 10, item 12): each Change link opens its step with ``?return=attest``, and ``_save``
# comes back here. The value is checked against this fixed list, so the parameter can never redirect elsewhere.
RETURN_STEPS = frozenset({"attest"})


def _change_urls(case) -> dict[str, str]:
    """The Change link of each section of the attest page's answers, keyed for the template (no hyphens)."""
    slugs = ["provider", "insurer", "contact", "date", "patient", "patient-contact", "service", "site"]
    if wizard.BY_SLUG["site-dispensed"].applies(case):
        slugs.append("site-dispensed")
    return {slug.replace("-", "_"): f"{_step_url(case, slug)}?return=attest" for slug in slugs}


def _return_step(request, case, slug) -> str | None:
    """The step a Change link asked to come back to after saving step ``slug``: only one on the allow-list, and
    only when every step before it is complete (else the next incomplete step comes first)."""
    back_to = request.GET.get("return", "")
    step = wizard.BY_SLUG.get(slug)
    if back_to not in RETURN_STEPS or step is None or not step.before_attestation:
        return None
    return back_to if wizard.may_open(case, back_to) else None


def _step_clinical(request, case):
    qs = engine.question_set_for(case.program.code)
    page = engine.next_page(qs, case.clinical_answers or {})
    if page is None:
        return redirect(_step_url(case, "clinical-summary"))
    return redirect("cases:clinical_page", request_id=case.request_id, key=page.key)


def _step_clinical_summary(request, case):
    qs = engine.question_set_for(case.program.code)
    result = selectors.case_outcome(case)
    if request.method == "POST":
        return _save(request, case, "clinical-summary", {})
    return _render(
        request,
        case,
        "clinical-summary",
        "cases/step_clinical_summary.html",
        {"outcome": result, "answered": engine.answered_pages(qs, case.clinical_answers), "help": HELP["clinical"]},
    )


def _step_urgency(request, case):
    form = forms.UrgencyForm(
        _posted(request),
        initial={"is_routine": forms.as_yes_no(case.is_routine), "urgency_criterion": case.urgency_criterion},
    )
    if request.method == "POST" and form.is_valid():
        return _save(
            request,
            case,
            "urgency",
            {
                "is_routine": form.cleaned_data["is_routine"] == "yes",
                "urgency_criterion": form.cleaned_data["urgency_criterion"],
            },
        )
    return _render(request, case, "urgency", "cases/step_urgency.html", {"form": form, "help": HELP["upload"]})


def _step_upload(request, case):
    upload_form = forms.UploadForm(
        _posted(request), request.FILES or None, max_megabytes=case.program.upload_max_megabytes
    )
    notes_form = forms.NotesForm(_posted(request), initial={"additional_notes": case.additional_notes})
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "remove":
            document_id = _posted_pk(request, "document")
            document = case.documents.filter(pk=document_id).first() if document_id else None
            if document is None:
                messages.error(request, "That document is no longer on this request.")
                return redirect(_step_url(case, "upload"))
            services.clinical_document_remove(document=document, user=request.user, request=request)
            messages.success(request, f"{document.original_name} was removed.")
            return redirect(_step_url(case, "upload"))
        files = upload_form.cleaned_data["files"] if upload_form.is_valid() else []
        refused = []
        accepted = []
        for uploaded in files:
            try:
                services.clinical_document_add(case=case, uploaded_file=uploaded, user=request.user, request=request)
            except ValidationError as error:
                refused.extend(error.messages)  # one message per file, naming it
            else:
                accepted.append(uploads.display_name(uploaded.name))
        if accepted:
            messages.success(request, "Uploaded: " + ", ".join(accepted) + ".")
        if notes_form.is_valid() and notes_form.cleaned_data["additional_notes"] != case.additional_notes:
            case = services.case_step_save(
                case=case,
                user=request.user,
                step="upload-notes",
                changes={"additional_notes": notes_form.cleaned_data["additional_notes"]},
                next_step="upload",
                request=request,
            )
        for message in refused:
            upload_form.add_error("files", message)
        if not upload_form.errors and notes_form.is_valid():
            if action == "continue":
                return _save(request, case, "upload", {})
            return redirect(_step_url(case, "upload"))
    urgent_without_upload = case.is_routine is False and case.urgency_criterion not in ("", "none")
    return _render(
        request,
        case,
        "upload",
        "cases/step_upload.html",
        {
            "form": upload_form,
            "notes_form": notes_form,
            "documents": list(case.documents.all()),
            "checklist": DME_CHECKLIST if case.is_dme else (),
            "identifiers": PATIENT_IDENTIFIERS,
            "asked_urgent": urgent_without_upload,
            "help": HELP["upload"],
        },
    )


def _step_review(request, case):
    problems = selectors.case_submission_problems(case)
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "cancel":
            _require(request, case, CaseAction.CANCEL_DRAFT)
            services.case_cancel_draft(case=case, user=request.user, request=request)
            messages.info(request, f"Request {case.request_id} was cancelled.")
            return redirect("cases:in_progress")
        if not problems:
            _require(request, case, CaseAction.SUBMIT)
            try:
                case = services.case_submit(case=case, user=request.user, request=request)
            except ValidationError as error:
                problems = error.messages
            else:
                return redirect("cases:summary", request_id=case.request_id)
    return _render(
        request,
        case,
        "review",
        "cases/step_review.html",
        {**_summary_context(request, case), "problems": problems, "help": []},
    )


STEP_VIEWS = {
    "provider": _step_provider,
    "insurer": _step_insurer,
    "contact": _step_contact,
    "date": _step_date,
    "patient": _step_patient,
    "patient-contact": _step_patient_contact,
    "service": _step_service,
    "site": _step_site,
    "site-dispensed": _step_site_dispensed,
    "attest": _step_attest,
    "clinical": _step_clinical,
    "clinical-summary": _step_clinical_summary,
    "urgency": _step_urgency,
    "upload": _step_upload,
    "review": _step_review,
}


@login_required
@require_http_methods(["GET", "POST"])
def clinical_page(request, request_id, key):
    """One page of the clinical questionnaire; answered pages can be reopened until submission."""
    case = _case(request, request_id)
    if not case.is_draft:
        return _not_editable(request, case)
    _require(request, case, CaseAction.EDIT)
    if not wizard.may_open(case, "clinical"):
        return redirect(_step_url(case, wizard.first_incomplete_step(case).slug))
    qs = engine.question_set_for(case.program.code)
    answers = case.clinical_answers or {}
    page = engine.page_for_key(qs, answers, key)
    if page is None:
        raise Http404("This question is not open.")
    form = engine.page_form(qs, answers, page, data=request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if request.POST.get("action") == "finish_later":
            if form.is_valid():
                answers = engine.apply_answer(qs, answers, page, form.cleaned_data)
                services.case_answers_save(case=case, answers=answers, next_step="clinical")
            return _finish_later(request, case, "clinical")
        if form.is_valid():
            answers = engine.apply_answer(qs, answers, page, form.cleaned_data)
            services.case_answers_save(case=case, answers=answers, next_step="clinical")
            return redirect(_step_url(case, "clinical"))
    return _render(
        request,
        case,
        "clinical",
        "cases/step_clinical.html",
        {"form": form, "page": page, "answered": engine.answered_pages(qs, answers), "help": HELP["clinical"]},
    )


@login_required
@require_POST
def finish_later(request, request_id):
    case = _case(request, request_id)
    if not case.is_draft:
        return _not_editable(request, case)
    _require(request, case, CaseAction.EDIT)
    return _finish_later(request, case, case.current_step)


def _finish_later(request, case, slug):
    services.case_progress_save(case=case, next_step=slug)
    messages.success(
        request,
        f"Request {case.request_id} was saved. Resume it from Certification Requests In Progress before "
        f"{timezone.localtime(case.expires_at):%m/%d/%Y %I:%M %p}, when it expires.",
    )
    return redirect("cases:in_progress")


# --- After submission ----------------------------------------------------------------------------


@login_required
@require_GET
def summary(request, request_id):
    case = _case(request, request_id)
    if case.is_draft:
        return redirect("cases:resume", request_id=case.request_id)
    if case.submitted_at is None:
        # Cancelled or expired before submission: nothing was sent for review, there is no summary to show.
        return render(request, "cases/not_submitted.html", {"case": case, **_status_history(case)})
    audit_record(action="case.viewed", request=request, target=case)
    return render(request, "cases/summary.html", {"case": case, **_summary_context(request, case)})


@login_required
@require_GET
def summary_pdf(request, request_id):
    case = _case(request, request_id)
    if case.submitted_at is None:
        return redirect("cases:summary", request_id=case.request_id)
    audit_record(action="case.printed", request=request, target=case)
    pdf = render_to_pdf("cases/summary_pdf.html", {"case": case, **_summary_context(request, case)}, request=request)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="request-{case.request_id}.pdf"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def cancel(request, request_id):
    """Withdraw a submitted request that is still pending review (the summary's Cancel)."""
    case = _case(request, request_id)
    grants = _grants(request)
    if not permissions.case_permits(request.user, case, CaseAction.WITHDRAW, grants=grants, any_status=True):
        raise PermissionDenied(_VIEW_ONLY)
    may_cancel = permissions.case_permits(request.user, case, CaseAction.WITHDRAW, grants=grants)
    if request.method == "POST" and may_cancel:
        services.case_withdraw(case=case, user=request.user, request=request)
        messages.info(request, f"Case {case.case_number} was cancelled.")
        return redirect("cases:summary", request_id=case.request_id)
    return render(request, "cases/cancel.html", {"case": case, "may_cancel": may_cancel})


@login_required
@require_GET
def document(request, request_id, pk):
    case = _case(request, request_id)
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


# --- Helpers -------------------------------------------------------------------------------------


def _posted(request):
    """The POST data, or None on GET: an empty POST (nothing ticked) must still bind and show its errors."""
    return request.POST if request.method == "POST" else None


_ASCII_DIGITS = re.compile(r"[0-9]{1,18}")
_VIEW_ONLY = (
    "You can view this request, but not change it. Requests are changed by the practice's members who hold the "
    "Case submission entitlement; users given access to a worklist through User Access can only view it."
)


def _grants(request) -> permissions.Grants:
    """What the signed-in user holds, read once per request and passed to every permission question."""
    if not hasattr(request, "_case_grants"):
        request._case_grants = permissions.grants_of(request.user)
    return request._case_grants


def _case(request, request_id) -> Case:
    """The case if ``request.user`` may view it; 404 otherwise, the same answer as for a missing one (SEC-1)."""
    visible = permissions.cases_visible_to(request.user, grants=_grants(request))
    return get_object_or_404(visible, request_id=request_id)


def _require(request, case, action: CaseAction) -> None:
    """403 with the reason when the user may view ``case`` but not do ``action`` to it."""
    if not permissions.case_permits(request.user, case, action, grants=_grants(request)):
        raise PermissionDenied(_VIEW_ONLY)


def _posted_pk(request, name) -> int | None:
    """A posted row id: ASCII digits only (``"²".isdigit()`` is true, ``int("²")`` fails)."""
    value = request.POST.get(name, "")
    return int(value) if _ASCII_DIGITS.fullmatch(value) else None


def _step_url(case, slug) -> str:
    return reverse("cases:step", kwargs={"request_id": case.request_id, "slug": slug})


def _not_editable(request, case):
    if case.submitted_at:
        return redirect("cases:summary", request_id=case.request_id)
    messages.info(request, f"Request {case.request_id} is {case.get_status_display()}: it can no longer be changed.")
    return redirect("cases:in_progress")


def _save(request, case, slug, changes):
    next_step = wizard.step_after(case, slug).slug if slug in wizard.BY_SLUG else slug
    try:
        case = services.case_step_save(
            case=case, user=request.user, step=slug, changes=changes, next_step=next_step, request=request
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(_step_url(case, wizard.first_incomplete_step(case).slug))
    # The next step is computed again: the saved data may change which steps apply. A change that
    # cleared a later step's data (another insurer or date clears the patient) reopens that step: go there.
    following = wizard.step_after(case, slug)
    reopened = wizard.first_incomplete_step(case)
    if wizard.STEPS.index(reopened) < wizard.STEPS.index(following):
        messages.info(request, f"Your change needs {reopened.title} again: please complete it before you continue.")
        return redirect(_step_url(case, reopened.slug))
    back_to = _return_step(request, case, slug)
    return redirect(_step_url(case, back_to or following.slug))


def _render(request, case, slug, template, context):
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
            "back_url": _step_url(case, back.slug) if back else "",
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
    grants = _grants(request)
    visible = [other for other in others if permissions.case_permits(request.user, other, "view", grants=grants)]
    return {"visible": visible, "other_count": len(others) - len(visible)}


def _status_history(case) -> dict:
    return {"history": list(case.status_changes.select_related("changed_by"))}


def _summary_context(request, case) -> dict:
    service_lines = list(case.service_lines.select_related("hcpcs")) if case.submitted_at else None
    result = selectors.case_outcome(case) if service_lines is None else None
    return {
        "service_lines": service_lines,
        "outcome": result,
        "documents": list(case.documents.all()),
        "approved": case.status in (CaseStatus.APPROVED, CaseStatus.PARTIALLY_APPROVED),
        "may_cancel": permissions.case_permits(request.user, case, CaseAction.WITHDRAW, grants=_grants(request)),
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
