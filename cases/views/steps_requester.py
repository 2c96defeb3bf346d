"""Steps 2 to 4: the requesting provider (physician office or supplier/agency path), the insurer and address, the
contact (CASE-2 to CASE-4)."""

import contextlib

from django.core.exceptions import ValidationError
from django.http import Http404

from cases import forms, selectors
from cases.models import Case
from cases.views.common import ASCII_DIGITS, posted_data, posted_pk, render_step, save_step
from cases.views.help import HELP
from practices.selectors import providers_on_account
from practices.services import account_provider_add
from reference.models import HealthPlan, Provider
from reference.selectors import ordering_providers_search
from reference.validators import format_us_phone


def step_provider(request, case):
    if case.builds_as_supplier:
        return step_provider_supplier(request, case)
    account_providers = providers_on_account(user=request.user)
    filter_text = request.GET.get("filter", "").replace("\x00", "").strip()[:60]
    if filter_text:
        account_providers = (
            account_providers.filter(npi__startswith=filter_text)
            if ASCII_DIGITS.fullmatch(filter_text)
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
    return render_step(
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


def step_provider_supplier(request, case):
    form = forms.PhysicianSearchForm(
        request.POST if request.POST.get("action") == "search" else None,
        initial={"health_plan": case.health_plan_id},
    )
    matches = None
    if request.method == "POST":
        if request.POST.get("action") == "select":
            provider = _posted_provider(request, allowed=Provider.objects.all())
            plan_id = posted_pk(request, "health_plan")
            changes = {"ordering_provider": provider}
            if plan_id:
                plan = HealthPlan.objects.filter(pk=plan_id).first()
                if plan:
                    changes["health_plan"] = plan
            return save_step(request, case, "provider", changes)
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
    return render_step(
        request,
        case,
        "provider",
        "cases/step_provider_supplier.html",
        {"form": form, "matches": matches, "help": HELP["provider-supplier"]},
    )


def _posted_provider(request, *, allowed):
    provider_id = posted_pk(request, "provider")
    provider = allowed.filter(pk=provider_id).first() if provider_id else None
    if provider is None:
        raise Http404("No such provider.")
    return provider


def _save_provider(request, case, provider):
    return save_step(request, case, "provider", {"ordering_provider": provider})


def step_insurer(request, case):
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
    form = forms.InsurerForm(posted_data(request), addresses=addresses, initial=initial)
    if request.method == "POST" and form.is_valid():
        return save_step(
            request,
            case,
            "insurer",
            {
                "health_plan": form.cleaned_data["health_plan"],
                "provider_address": form.cleaned_data["provider_address"],
            },
        )
    return render_step(request, case, "insurer", "cases/step_insurer.html", {"form": form, "help": HELP["insurer"]})


def step_contact(request, case):
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
    form = forms.ContactForm(posted_data(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        return save_step(request, case, "contact", form.cleaned_data)
    return render_step(
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
