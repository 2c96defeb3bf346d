"""Writes for practices, providers on an account and shared worklists. Each one writes its audit row."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from audit.services import audit_record
from practices.models import ENTITLEMENTS, AccountProvider, Practice, PracticeMembership, WorklistAccess
from practices.selectors import worklist_grantee_find
from reference.validators import validate_tin

GRANTEE_NOT_FOUND = (
    "No EviCore account matches that User ID and Email Address. Check both; the person must have an "
    "EviCore account to be added."
)
NOT_ACCESS_MANAGER = "Only a website access manager of this practice can change its settings."


# --- Practices and entitlements (ACC-10) ----------------------------------------------------------


@transaction.atomic
def practice_join(*, user, tin: str, request=None) -> PracticeMembership:
    """Put a newly verified user in the practice of their TIN, creating the practice if it is new.

    The first member of a practice becomes its website access manager with every entitlement: someone
    must be able to hand out access. Later members join with none, because entitlements open patients'
    cases and letters, and seed 004 leaves that decision to the manager ("To gain access to website
    entitlements, please contact your practice's website access manager"). Safe to call twice.
    """
    validate_tin(tin)
    practice, created = Practice.objects.get_or_create(
        tin=tin, defaults={"name": (user.organization_name or "").strip() or f"Practice {tin}"}
    )
    # Lock the practice so two users joining at once cannot both become its first member.
    practice = Practice.objects.select_for_update().get(pk=practice.pk)
    existing = PracticeMembership.objects.filter(user=user, practice=practice).first()
    if existing:
        return existing
    is_first = not practice.memberships.exists()
    membership = PracticeMembership.objects.create(
        user=user,
        practice=practice,
        is_access_manager=is_first,
        **dict.fromkeys(ENTITLEMENTS, is_first),
    )
    if created:
        audit_record(action="practice.created", request=request, actor=user, target=practice, details={"tin": tin})
    audit_record(
        action="practice.joined",
        request=request,
        actor=user,
        target=membership,
        details={"practice_id": practice.pk, "is_access_manager": is_first},
    )
    return membership


def _require_access_manager(*, manager, practice) -> None:
    if not PracticeMembership.objects.filter(user=manager, practice=practice, is_access_manager=True).exists():
        raise ValidationError(NOT_ACCESS_MANAGER, code="not_access_manager")


@transaction.atomic
def membership_entitlements_set(
    *,
    manager,
    membership: PracticeMembership,
    is_access_manager: bool,
    case_submission: bool,
    precertification_appeals: bool,
    correspondence: bool,
    request=None,
) -> PracticeMembership:
    """A website access manager sets a member's entitlements and manager flag (their own included).

    A practice always keeps one manager, so the last one cannot step down: they make someone else a
    manager first.
    """
    # Lock the practice's rows: two managers demoting each other at once must not leave it with none.
    members = list(PracticeMembership.objects.select_for_update().filter(practice_id=membership.practice_id))
    if not any(member.user_id == manager.pk and member.is_access_manager for member in members):
        raise ValidationError(NOT_ACCESS_MANAGER, code="not_access_manager")
    membership = next(member for member in members if member.pk == membership.pk)
    if membership.is_access_manager and not is_access_manager:
        other_managers = [m for m in members if m.is_access_manager and m.pk != membership.pk]
        if not other_managers:
            raise ValidationError(
                "A practice needs a website access manager. Make another member a manager before removing this one.",
                code="last_access_manager",
            )
    wanted = {
        "is_access_manager": is_access_manager,
        "case_submission": case_submission,
        "precertification_appeals": precertification_appeals,
        "correspondence": correspondence,
    }
    before = _fields_set(membership, wanted, also_save=["updated_at"])
    if before is None:
        return membership
    audit_record(
        action="practice.entitlements_changed",
        request=request,
        actor=manager,
        target=membership,
        details={
            "practice_id": membership.practice_id,
            "user_id": membership.user_id,
            "before": before,
            "after": wanted,
        },
    )
    return membership


@transaction.atomic
def practice_delivery_set(
    *, manager, practice: Practice, paper_precertification_letters: bool, paper_claim_letters: bool, request=None
) -> Practice:
    """Only the website access manager turns paper letters on or off; digital delivery always stays on."""
    _require_access_manager(manager=manager, practice=practice)
    practice = Practice.objects.select_for_update().get(pk=practice.pk)
    wanted = {
        "paper_precertification_letters": paper_precertification_letters,
        "paper_claim_letters": paper_claim_letters,
    }
    before = _fields_set(practice, wanted)
    if before is None:
        return practice
    audit_record(
        action="practice.delivery_changed",
        request=request,
        actor=manager,
        target=practice,
        details={"before": before, "after": wanted},
    )
    return practice


# --- Providers on an account (ACC-8) --------------------------------------------------------------


@transaction.atomic
def account_provider_add(*, user, provider, request=None) -> AccountProvider:
    if AccountProvider.objects.filter(user=user, provider=provider).exists():
        raise ValidationError(f"{provider.display_name} is already on your account.", code="already_added")
    try:
        with transaction.atomic():
            link = AccountProvider.objects.create(user=user, provider=provider)
    except IntegrityError as error:  # the same provider added twice at once
        raise ValidationError(f"{provider.display_name} is already on your account.", code="already_added") from error
    audit_record(
        action="account.provider_added",
        request=request,
        actor=user,
        target=provider,
        details={"npi": provider.npi},
    )
    return link


@transaction.atomic
def account_provider_remove(*, user, account_provider: AccountProvider, request=None) -> None:
    if account_provider.user_id != user.pk:
        raise ValidationError("This provider is not on your account.", code="not_on_account")
    provider = account_provider.provider
    account_provider.delete()
    audit_record(
        action="account.provider_removed",
        request=request,
        actor=user,
        target=provider,
        details={"npi": provider.npi},
    )


# --- Shared worklists (ACC-9) ---------------------------------------------------------------------


@transaction.atomic
def worklist_access_grant(*, owner, username: str, email: str, request=None) -> WorklistAccess:
    """Give the account with this user ID and email address access to the owner's worklist.

    Both must match one account; the message for a miss never says which of the two was wrong, so the
    form cannot be used to find out who has an account.
    """
    grantee = worklist_grantee_find(username=(username or "").strip(), email=email or "")
    if grantee is None:
        raise ValidationError(GRANTEE_NOT_FOUND, code="no_matching_account")
    if grantee.pk == owner.pk:
        raise ValidationError("You always have access to your own worklist.", code="self")
    already = ValidationError(f"{grantee.display_name} already has access to your worklist.", code="already_granted")
    if WorklistAccess.objects.filter(owner=owner, grantee=grantee, revoked_at__isnull=True).exists():
        raise already
    try:
        with transaction.atomic():
            access = WorklistAccess.objects.create(owner=owner, grantee=grantee)
    except IntegrityError as error:  # granted twice at once: the partial unique constraint refused one
        raise already from error
    audit_record(
        action="access.granted",
        request=request,
        actor=owner,
        target=access,
        details={"owner_id": owner.pk, "grantee_id": grantee.pk},
    )
    return access


@transaction.atomic
def worklist_access_revoke(*, owner, access: WorklistAccess, request=None) -> WorklistAccess:
    """End a grant. The row stays, with ``revoked_at``, as the record of who could see the worklist and when."""
    access = WorklistAccess.objects.select_for_update().get(pk=access.pk)
    if access.owner_id != owner.pk:
        raise ValidationError("Only the owner of a worklist can revoke access to it.", code="not_owner")
    if access.revoked_at is not None:
        raise ValidationError("This access has already been revoked.", code="already_revoked")
    access.revoked_at = timezone.now()
    access.save(update_fields=["revoked_at"])
    audit_record(
        action="access.revoked",
        request=request,
        actor=owner,
        target=access,
        details={"owner_id": access.owner_id, "grantee_id": access.grantee_id},
    )
    return access


def _fields_set(instance, wanted: dict, also_save: tuple | list = ()) -> dict | None:
    """Save ``wanted`` field values; the values before, or None when nothing changed (no save, no audit)."""
    before = {field: getattr(instance, field) for field in wanted}
    if before == wanted:
        return None
    for field, value in wanted.items():
        setattr(instance, field, value)
    instance.save(update_fields=[*wanted, *also_save])
    return before
