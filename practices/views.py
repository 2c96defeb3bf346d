"""Manage Your Account (providers), User Access (shared worklist) and View Access (practices, entitlements)."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from practices import selectors, services
from practices.forms import (
    MembershipEntitlementsForm,
    PracticeDeliveryForm,
    ProviderSearchForm,
    ProviderSelectForm,
    WorklistAccessForm,
)

SEARCH_FIELDS = ("npi", "state", "zip_code")


# --- Manage Your Account: providers on the account (ACC-8) ----------------------------------------


@login_required
@require_GET
def manage_account(request):
    search_form = ProviderSearchForm(request.GET or None)
    matches, more_matches = None, False
    if search_form.is_bound and search_form.is_valid():
        limit = selectors.DIRECTORY_SEARCH_LIMIT
        # One more than we show, to know whether to ask for a narrower search.
        found = list(
            selectors.provider_directory_search(**search_form.cleaned_data, user=request.user, limit=limit + 1)
        )
        matches, more_matches = found[:limit], len(found) > limit
    return render(
        request,
        "practices/manage_account.html",
        {
            "account_providers": selectors.account_providers_visible_to(request.user),
            "search_form": search_form,
            "form": search_form,  # for the error summary
            "matches": matches,
            "more_matches": more_matches,
            "search_params": {name: search_form.data.get(name, "") for name in SEARCH_FIELDS},
            "search_limit": selectors.DIRECTORY_SEARCH_LIMIT,
        },
    )


def _manage_account_url(data) -> str:
    """Back to Manage Your Account with the search the user came from, so the matches stay on screen."""
    query = urlencode({name: data[name] for name in SEARCH_FIELDS if data.get(name)})
    return reverse("practices:manage_account") + (f"?{query}" if query else "") + "#add-provider-title"


@login_required
@require_POST
def provider_add(request):
    form = ProviderSelectForm(request.POST)
    provider = form.is_valid() and selectors.directory_provider_get(provider_id=form.cleaned_data["provider"])
    if not provider:
        raise Http404("No such provider in the directory.")
    try:
        services.account_provider_add(user=request.user, provider=provider, request=request)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"{provider.display_name} was added to your account.")
    return redirect(_manage_account_url(request.POST))


@login_required
@require_POST
def provider_remove(request, pk):
    account_provider = get_object_or_404(selectors.account_providers_visible_to(request.user), pk=pk)
    services.account_provider_remove(user=request.user, account_provider=account_provider, request=request)
    messages.success(request, f"{account_provider.provider.display_name} was removed from your account.")
    return redirect("practices:manage_account")


# --- User Access: shared worklists (ACC-9) --------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def user_access(request):
    form = WorklistAccessForm(request.POST or None)
    if form.is_bound and form.is_valid():
        try:
            access = services.worklist_access_grant(owner=request.user, **form.cleaned_data, request=request)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"{access.grantee.display_name} will have access to your worklist.")
            return redirect("practices:user_access")
    return render(
        request,
        "practices/user_access.html",
        {
            "form": form,
            "grants": list(selectors.worklist_grants_given(owner=request.user)),
            "shared_with_me": selectors.worklist_grants_received(grantee=request.user),
            "list_open": request.GET.get("list") == "open",
        },
    )


@login_required
@require_POST
def worklist_access_revoke(request, pk):
    access = get_object_or_404(selectors.worklist_grants_given(owner=request.user), pk=pk)
    services.worklist_access_revoke(owner=request.user, access=access, request=request)
    messages.success(request, f"{access.grantee.display_name} no longer has access to your worklist.")
    return redirect(reverse("practices:user_access") + "?list=open#access-list")


# --- View Access: practices (TINs) and entitlements (ACC-10) --------------------------------------


@login_required
@require_GET
def view_access(request):
    return render(request, "practices/view_access.html", {"memberships": selectors.memberships_for(request.user)})


@login_required
@require_GET
def practice_access(request, practice_id):
    """The access rights for one of the user's TINs (seed 004: "View Access, then select their TIN")."""
    membership = get_object_or_404(selectors.memberships_for(request.user), practice_id=practice_id)
    return render(
        request,
        "practices/practice_access.html",
        {
            "membership": membership,
            "practice": membership.practice,
            "access_managers": selectors.practice_access_managers(membership=membership),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def practice_manage(request, practice_id):
    """A website access manager's page: each user's entitlements and the practice's letter delivery."""
    practice = get_object_or_404(selectors.practices_managed_by(request.user), pk=practice_id)
    form = PracticeDeliveryForm(request.POST or None, instance=practice)
    if form.is_bound and form.is_valid():
        services.practice_delivery_set(manager=request.user, practice=practice, **form.cleaned_data, request=request)
        messages.success(request, "Correspondence delivery for this practice was saved.")
        return redirect("practices:practice_manage", practice_id=practice.pk)
    return render(
        request,
        "practices/practice_manage.html",
        {
            "practice": practice,
            "form": form,
            "members": selectors.practice_members_visible_to(manager=request.user, practice=practice),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def member_access(request, practice_id, membership_id):
    practice = get_object_or_404(selectors.practices_managed_by(request.user), pk=practice_id)
    membership = get_object_or_404(
        selectors.practice_members_visible_to(manager=request.user, practice=practice), pk=membership_id
    )
    form = MembershipEntitlementsForm(request.POST or None, instance=membership)
    if form.is_bound and form.is_valid():
        try:
            services.membership_entitlements_set(
                manager=request.user, membership=membership, **form.cleaned_data, request=request
            )
        except ValidationError as error:
            field = "is_access_manager" if error.code == "last_access_manager" else None
            form.add_error(field, error)
        else:
            messages.success(request, f"Access for {membership.user.display_name} was saved.")
            if selectors.practices_managed_by(request.user).filter(pk=practice.pk).exists():
                return redirect("practices:practice_manage", practice_id=practice.pk)
            # They just handed the manager role on: back to their own access for this TIN.
            return redirect("practices:practice_access", practice_id=practice.pk)
    return render(
        request,
        "practices/member_access.html",
        {"practice": practice, "membership": membership, "member": membership.user, "form": form},
    )
