"""Steps 5 and 6: the date of service and the patient (eligibility lookup, the patient's contact; CASE-5, CASE-6)."""

from django.http import Http404
from django.shortcuts import redirect
from django.utils import timezone

from audit.services import audit_record
from cases import forms, rules, selectors
from cases.views.common import posted_data, render_step, save_step, step_url
from cases.views.help import HELP
from reference.selectors import members_lookup


def _plan_rules(case) -> rules.DateOfServiceRules:
    plan_program = selectors.plan_program_for(case)
    if plan_program is None:
        return rules.DateOfServiceRules(True, None, "Call the number on the back of the member's card.")
    return rules.DateOfServiceRules(
        plan_program.same_day_requests_online,
        plan_program.retro_window_business_days,
        plan_program.phone_in_instruction or "Call the number on the back of the member's card.",
    )


def step_date(request, case):
    today = timezone.localdate()
    if case.is_home_health:
        form = forms.StartOfCareForm(
            posted_data(request), rules_for_plan=_plan_rules(case), initial={"start_of_care": case.date_of_service}
        )
        if request.method == "POST" and form.is_valid():
            day = form.cleaned_data["start_of_care"]
            return save_step(request, case, "date", {"date_of_service": day, "is_retrospective": day < today})
        help_text = HELP["date"]
    else:
        form = forms.DmeDeliveredForm(
            posted_data(request),
            rules_for_plan=_plan_rules(case),
            initial={
                "delivered": forms.as_yes_no(case.dme_already_dispensed),
                "delivered_on": case.date_of_service if case.dme_already_dispensed else None,
            },
        )
        if request.method == "POST" and form.is_valid():
            delivered = form.cleaned_data["delivered"] == "yes"
            day = form.cleaned_data["delivered_on"] if delivered else today
            return save_step(
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
    return render_step(request, case, "date", "cases/step_date.html", {"form": form, "help": help_text})


def step_patient(request, case):
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
                return save_step(request, case, "patient", {"member": member})
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
    return render_step(
        request,
        case,
        "patient",
        "cases/step_patient.html",
        {"form": form, "matches": matches, "help": HELP["patient"]},
    )


def step_patient_contact(request, case):
    if case.member is None:  # the wizard reopens the patient step when the patient is cleared; never a 500
        return redirect(step_url(case, "patient"))
    form = forms.PatientContactForm(
        posted_data(request),
        initial={
            "patient_cell_phone": case.patient_cell_phone or case.member.phone,
            "patient_email": case.patient_email,
        },
    )
    if request.method == "POST" and form.is_valid():
        return save_step(request, case, "patient-contact", form.cleaned_data)
    return render_step(
        request, case, "patient-contact", "cases/step_patient_contact.html", {"form": form, "help": HELP["patient"]}
    )
