from django.shortcuts import render
from django.views.decorators.http import require_GET

from reference.selectors import plan_programs_for_contacts
from resources.forms import GuidelineSearchForm
from resources.selectors import guidelines_search


@require_GET
def index(request):
    return render(request, "resources/index.html")


@require_GET
def clinical_guidelines(request):
    form = GuidelineSearchForm(request.GET or None)
    searched = form.is_bound and form.is_valid()
    guidelines = None
    if searched:
        program = form.cleaned_data["program"]
        guidelines = guidelines_search(
            health_plan=form.cleaned_data["health_plan"],
            program_code=program.code if program else "",
        )
    return render(
        request,
        "resources/clinical_guidelines.html",
        {"form": form, "guidelines": guidelines},
    )


@require_GET
def provider_resources(request):
    return render(request, "resources/provider_resources.html")


@require_GET
def contacts(request):
    return render(
        request,
        "resources/contacts.html",
        {"plan_programs": plan_programs_for_contacts()},
    )
