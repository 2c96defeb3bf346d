"""Reads for practices, providers on an account and shared worklists: every query here is scoped to a user."""

import re

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Q, QuerySet

from practices.models import ENTITLEMENTS, AccountProvider, Practice, PracticeMembership, WorklistAccess
from practices.states import US_STATE_CODES
from reference.models import Provider
from reference.validators import validate_npi

User = get_user_model()

DIRECTORY_SEARCH_LIMIT = 25
_ZIP_CODE = re.compile(r"[0-9]{5}(-[0-9]{4})?")


# --- Shared worklists (ACC-9, WL-1) ---------------------------------------------------------------


def worklist_owners_visible_to(user) -> QuerySet:
    """The users whose worklists ``user`` may see: themself, and every owner with an active grant to them.

    The one answer to "whose worklist may this user read": the worklist and every object-level check on
    a case use it (``Case.objects.filter(submitted_by__in=worklist_owners_visible_to(user))``).
    """
    if not user.is_authenticated:
        return User.objects.none()
    granted = WorklistAccess.objects.filter(grantee=user, revoked_at__isnull=True).values("owner_id")
    return User.objects.filter(Q(pk=user.pk) | Q(pk__in=granted))


def worklist_grants_given(*, owner) -> QuerySet[WorklistAccess]:
    """The owner's active grants, with the people they were given to: the owner may revoke these."""
    return (
        WorklistAccess.objects.filter(owner=owner, revoked_at__isnull=True)
        .select_related("grantee")
        .order_by("grantee__last_name", "grantee__first_name", "grantee__username")
    )


def worklist_grants_received(*, grantee) -> QuerySet[WorklistAccess]:
    """Active grants to ``grantee``: the worklists shared with them."""
    return (
        WorklistAccess.objects.filter(grantee=grantee, revoked_at__isnull=True)
        .select_related("owner")
        .order_by("owner__last_name", "owner__first_name", "owner__username")
    )


def worklist_grantee_find(*, username: str, email: str):
    """The one active account with this user ID and email address (email case-insensitive), or None.

    User IDs are case-sensitive, as at log in. Emails are unique case-insensitively (accounts.User), so
    at most one account can match both.
    """
    matches = list(User.objects.filter(username=username, email__iexact=email.strip(), is_active=True)[:2])
    return matches[0] if len(matches) == 1 else None


# --- Providers on an account (ACC-8) --------------------------------------------------------------


def account_providers_visible_to(user) -> QuerySet[AccountProvider]:
    """The providers on ``user``'s account as rows the user may remove; nobody else's."""
    return AccountProvider.objects.filter(user=user).select_related("provider")


def providers_on_account(*, user) -> QuerySet[Provider]:
    """The practitioners and groups on the account: what the case build's ordering-provider step offers."""
    return Provider.objects.filter(account_links__user=user).order_by(
        "last_name", "first_name", "organization_name", "npi"
    )


def provider_directory_search(
    *, npi: str = "", state: str = "", zip_code: str = "", user=None, limit: int = DIRECTORY_SEARCH_LIMIT
) -> QuerySet[Provider]:
    """ "Find matches" in the provider directory: the NPI exactly when given, otherwise state and zip together.

    A ZIP+4 (or a 5-digit zip) matches the provider's 5-digit zip. With ``user``, each match carries
    ``is_on_account``. Raises ValidationError for input a form should have refused.
    """
    npi, state, zip_code = (npi or "").strip(), (state or "").strip().upper(), (zip_code or "").strip()
    providers = Provider.objects.all()
    if npi:
        validate_npi(npi)
        providers = providers.filter(npi=npi)
    else:
        if state not in US_STATE_CODES:
            raise ValidationError("Select the provider's state.", code="state")
        if not _ZIP_CODE.fullmatch(zip_code):
            raise ValidationError("Enter a 5-digit zip code, or ZIP+4 such as 06002-1234.", code="zip_code")
        providers = providers.filter(state=state, zip_code__startswith=zip_code[:5])
    if user is not None:
        providers = providers.annotate(
            is_on_account=Exists(AccountProvider.objects.filter(user=user, provider=OuterRef("pk")))
        )
    return providers.order_by("last_name", "first_name", "organization_name", "npi")[:limit]


def directory_provider_get(*, provider_id: int) -> Provider | None:
    """One provider from the directory. The directory is reference data: any signed-in user may pick from it."""
    return Provider.objects.filter(pk=provider_id).first()


# --- Practices and entitlements (ACC-10) ----------------------------------------------------------


def memberships_for(user) -> QuerySet[PracticeMembership]:
    """The user's own memberships (their TINs and entitlements); the scope of every "View Access" page."""
    return PracticeMembership.objects.filter(user=user).select_related("practice").order_by("practice__tin")


def practices_managed_by(user) -> QuerySet[Practice]:
    """The practices where ``user`` is a website access manager: the only ones whose settings they may change."""
    return Practice.objects.filter(memberships__user=user, memberships__is_access_manager=True)


def practice_members_visible_to(*, manager, practice) -> QuerySet[PracticeMembership]:
    """Every member of ``practice`` when ``manager`` manages it; nothing otherwise."""
    if not practices_managed_by(manager).filter(pk=practice.pk).exists():
        return PracticeMembership.objects.none()
    return (
        PracticeMembership.objects.filter(practice=practice)
        .select_related("user", "practice")
        .order_by("user__last_name", "user__first_name", "user__username")
    )


def practice_tins_with_entitlement(*, user, entitlement: str) -> QuerySet:
    """The TINs for which ``user`` holds an entitlement ("case_submission", "precertification_appeals",
    "correspondence"): for the case, appeal and Message Center apps to scope by."""
    return practices_with_entitlement(user=user, entitlement=entitlement).values_list("tin", flat=True)


def practices_with_entitlement(*, user, entitlement: str) -> QuerySet[Practice]:
    """The practices in which ``user`` holds ``entitlement``: the scope of what they may do for a TIN."""
    if entitlement not in ENTITLEMENTS:
        raise ValueError(f"Unknown entitlement {entitlement!r}")
    return Practice.objects.filter(memberships__user=user, **{f"memberships__{entitlement}": True})


def practice_access_managers(*, membership: PracticeMembership) -> QuerySet:
    """The website access managers of a member's practice: whom to ask for an entitlement (seed 004)."""
    return User.objects.filter(
        practice_memberships__practice_id=membership.practice_id, practice_memberships__is_access_manager=True
    ).order_by("last_name", "first_name", "username")


def entitlement_refusal(*, user, entitlement: str, purpose: str) -> dict | None:
    """Why ``user`` cannot ``purpose`` ("look up a patient's eligibility") for want of ``entitlement`` in any
    practice, with whom to ask; None when they hold it somewhere.

    ``{"reason": str, "managers": [User, ...]}``: the website access managers of the practices the user belongs to.
    """
    if practices_with_entitlement(user=user, entitlement=entitlement).exists():
        return None
    label = PracticeMembership._meta.get_field(entitlement).verbose_name
    memberships = list(memberships_for(user))
    if not memberships:
        return {
            "reason": f"Your account is not linked to a practice (TIN) yet, so you cannot {purpose}. Ask your "
            f"practice's website access manager to add you to the practice with the {label} entitlement.",
            "managers": [],
        }
    managers = []
    for membership in memberships:
        for manager in practice_access_managers(membership=membership):
            if manager not in managers:
                managers.append(manager)
    return {
        "reason": f"You do not have the {label} entitlement for your practice, so you cannot {purpose}. Your "
        "practice's website access manager can give it to you.",
        "managers": managers,
    }
