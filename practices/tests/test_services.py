import pytest
from django.core.exceptions import ValidationError

from accounts.tests.factories import UserFactory
from audit.models import AuditEvent
from practices.models import AccountProvider, Practice, PracticeMembership, WorklistAccess
from practices.services import (
    account_provider_add,
    account_provider_remove,
    membership_entitlements_set,
    practice_delivery_set,
    practice_join,
    worklist_access_grant,
    worklist_access_revoke,
)
from practices.tests.factories import (
    AccountProviderFactory,
    PracticeFactory,
    PracticeMembershipFactory,
    WorklistAccessFactory,
)
from reference.tests.factories import ProviderFactory

pytestmark = pytest.mark.django_db

NO_ENTITLEMENTS = {"case_submission": False, "precertification_appeals": False, "correspondence": False}
ALL_ENTITLEMENTS = dict.fromkeys(NO_ENTITLEMENTS, True)


def entitlements(membership):
    return {name: getattr(membership, name) for name in NO_ENTITLEMENTS}


# --- practice_join -----------------------------------------------------------------------------


def test_the_first_user_of_a_new_tin_creates_the_practice_and_becomes_its_manager_with_every_entitlement():
    user = UserFactory(organization_name="Hartford Family Medicine")
    membership = practice_join(user=user, tin="061234567")
    assert membership.practice.tin == "061234567"
    assert membership.practice.name == "Hartford Family Medicine"
    assert membership.is_access_manager
    assert entitlements(membership) == ALL_ENTITLEMENTS


def test_a_new_practice_without_an_organization_name_is_named_after_its_tin():
    membership = practice_join(user=UserFactory(organization_name=""), tin="061234567")
    assert membership.practice.name == "Practice 061234567"


def test_a_new_practice_starts_with_digital_delivery_only():
    practice = practice_join(user=UserFactory(), tin="061234567").practice
    assert practice.digital_delivery
    assert not practice.paper_precertification_letters
    assert not practice.paper_claim_letters


def test_a_later_user_of_the_same_tin_joins_with_no_entitlements_and_is_not_a_manager():
    practice_join(user=UserFactory(), tin="061234567")
    later = practice_join(user=UserFactory(organization_name="Another Name"), tin="061234567")
    assert not later.is_access_manager
    assert entitlements(later) == NO_ENTITLEMENTS
    assert Practice.objects.get().name != "Another Name"


def test_joining_the_same_practice_twice_keeps_one_membership():
    user = UserFactory()
    first = practice_join(user=user, tin="061234567")
    again = practice_join(user=user, tin="061234567")
    assert again == first
    assert PracticeMembership.objects.count() == 1


def test_joining_with_a_malformed_tin_is_refused():
    with pytest.raises(ValidationError):
        practice_join(user=UserFactory(), tin="06-1234567")
    assert not Practice.objects.exists()


def test_joining_a_practice_is_audited():
    user = UserFactory()
    membership = practice_join(user=user, tin="061234567")
    assert AuditEvent.objects.filter(action="practice.created", actor=user).exists()
    event = AuditEvent.objects.get(action="practice.joined")
    assert (event.actor, event.target_id) == (user, str(membership.pk))
    assert event.details["is_access_manager"] is True


# --- membership_entitlements_set ---------------------------------------------------------------


def test_a_manager_grants_a_member_entitlements_and_the_change_is_audited():
    manager = PracticeMembershipFactory(manager=True)
    member = PracticeMembershipFactory(practice=manager.practice)
    membership_entitlements_set(
        manager=manager.user,
        membership=member,
        is_access_manager=False,
        case_submission=True,
        precertification_appeals=False,
        correspondence=True,
    )
    member.refresh_from_db()
    assert entitlements(member) == {"case_submission": True, "precertification_appeals": False, "correspondence": True}
    event = AuditEvent.objects.get(action="practice.entitlements_changed")
    assert event.actor == manager.user
    assert event.details["before"]["case_submission"] is False
    assert event.details["after"]["case_submission"] is True


def test_a_member_who_is_not_a_manager_cannot_change_entitlements():
    practice = PracticeFactory()
    member = PracticeMembershipFactory(practice=practice)
    colleague = PracticeMembershipFactory(practice=practice)
    with pytest.raises(ValidationError, match="Only a website access manager"):
        membership_entitlements_set(
            manager=member.user, membership=colleague, is_access_manager=False, **ALL_ENTITLEMENTS
        )
    colleague.refresh_from_db()
    assert entitlements(colleague) == NO_ENTITLEMENTS
    assert not AuditEvent.objects.filter(action="practice.entitlements_changed").exists()


def test_a_manager_of_another_practice_cannot_change_entitlements_here():
    outsider = PracticeMembershipFactory(manager=True)
    member = PracticeMembershipFactory()
    with pytest.raises(ValidationError):
        membership_entitlements_set(
            manager=outsider.user, membership=member, is_access_manager=True, **ALL_ENTITLEMENTS
        )
    member.refresh_from_db()
    assert not member.is_access_manager


def test_the_last_manager_cannot_remove_their_own_manager_flag():
    manager = PracticeMembershipFactory(manager=True)
    with pytest.raises(ValidationError) as raised:
        membership_entitlements_set(
            manager=manager.user, membership=manager, is_access_manager=False, **ALL_ENTITLEMENTS
        )
    assert raised.value.code == "last_access_manager"
    manager.refresh_from_db()
    assert manager.is_access_manager


def test_a_manager_can_step_down_once_another_member_is_a_manager():
    manager = PracticeMembershipFactory(manager=True)
    successor = PracticeMembershipFactory(practice=manager.practice)
    membership_entitlements_set(manager=manager.user, membership=successor, is_access_manager=True, **ALL_ENTITLEMENTS)
    membership_entitlements_set(manager=manager.user, membership=manager, is_access_manager=False, **ALL_ENTITLEMENTS)
    manager.refresh_from_db()
    assert not manager.is_access_manager
    assert PracticeMembership.objects.filter(practice=manager.practice, is_access_manager=True).get() == successor


def test_saving_unchanged_entitlements_writes_no_audit_row():
    manager = PracticeMembershipFactory(manager=True)
    membership_entitlements_set(manager=manager.user, membership=manager, is_access_manager=True, **ALL_ENTITLEMENTS)
    assert not AuditEvent.objects.filter(action="practice.entitlements_changed").exists()


# --- practice_delivery_set ---------------------------------------------------------------------


def test_a_manager_turns_paper_letters_on_and_the_change_is_audited():
    manager = PracticeMembershipFactory(manager=True)
    practice = practice_delivery_set(
        manager=manager.user, practice=manager.practice, paper_precertification_letters=True, paper_claim_letters=False
    )
    practice.refresh_from_db()
    assert (practice.paper_precertification_letters, practice.paper_claim_letters) == (True, False)
    event = AuditEvent.objects.get(action="practice.delivery_changed")
    assert event.details["after"] == {"paper_precertification_letters": True, "paper_claim_letters": False}


def test_a_member_without_the_manager_role_cannot_change_delivery():
    member = PracticeMembershipFactory(**ALL_ENTITLEMENTS)
    with pytest.raises(ValidationError):
        practice_delivery_set(
            manager=member.user, practice=member.practice, paper_precertification_letters=True, paper_claim_letters=True
        )
    member.practice.refresh_from_db()
    assert not member.practice.paper_claim_letters


# --- providers on the account ------------------------------------------------------------------


def test_adding_a_provider_puts_it_on_the_account_and_is_audited():
    user, provider = UserFactory(), ProviderFactory()
    link = account_provider_add(user=user, provider=provider)
    assert link.provider == provider
    event = AuditEvent.objects.get(action="account.provider_added")
    assert (event.actor, event.target_type, event.target_id) == (user, "reference.provider", str(provider.pk))


def test_adding_the_same_provider_twice_is_refused_with_its_name():
    link = AccountProviderFactory()
    with pytest.raises(ValidationError, match="already on your account"):
        account_provider_add(user=link.user, provider=link.provider)
    assert AccountProvider.objects.count() == 1


def test_removing_a_provider_takes_it_off_the_account_and_is_audited():
    link = AccountProviderFactory()
    account_provider_remove(user=link.user, account_provider=link)
    assert not AccountProvider.objects.exists()
    assert AuditEvent.objects.get(action="account.provider_removed").details == {"npi": link.provider.npi}


def test_nobody_can_remove_a_provider_from_another_users_account():
    link = AccountProviderFactory()
    with pytest.raises(ValidationError):
        account_provider_remove(user=UserFactory(), account_provider=link)
    assert AccountProvider.objects.exists()


# --- worklist access ---------------------------------------------------------------------------


def test_a_grant_needs_the_user_id_and_email_of_one_account_with_the_email_in_any_case():
    owner = UserFactory()
    grantee = UserFactory(username="dgates", email="david.gates@office.example")
    access = worklist_access_grant(owner=owner, username="dgates", email="David.Gates@Office.Example")
    assert (access.owner, access.grantee, access.revoked_at) == (owner, grantee, None)


@pytest.mark.parametrize(
    ("username", "email"),
    [
        ("dgates", "someone.else@office.example"),  # right user ID, wrong email
        ("dgatez", "david.gates@office.example"),  # wrong user ID, right email
        ("DGates", "david.gates@office.example"),  # user IDs are case-sensitive, as at log in
        ("nobody", "nobody@office.example"),
    ],
)
def test_a_grant_that_does_not_match_one_account_gets_one_message_that_does_not_say_which_field_was_wrong(
    username, email
):
    UserFactory(username="dgates", email="david.gates@office.example")
    UserFactory(username="someone", email="someone.else@office.example")
    with pytest.raises(ValidationError) as raised:
        worklist_access_grant(owner=UserFactory(), username=username, email=email)
    assert raised.value.messages == [
        "No EviCore account matches that User ID and Email Address. Check both; the person must have an "
        "EviCore account to be added."
    ]
    assert not WorklistAccess.objects.exists()


def test_an_inactive_account_cannot_be_given_access():
    UserFactory(username="leaver", email="leaver@office.example", is_active=False)
    with pytest.raises(ValidationError, match="No EviCore account matches"):
        worklist_access_grant(owner=UserFactory(), username="leaver", email="leaver@office.example")


def test_an_owner_cannot_grant_access_to_themself():
    owner = UserFactory(username="mjohnson", email="mjohnson@office.example")
    with pytest.raises(ValidationError, match="your own worklist"):
        worklist_access_grant(owner=owner, username="mjohnson", email="mjohnson@office.example")


def test_a_second_grant_to_the_same_person_is_refused_while_the_first_is_active():
    owner = UserFactory()
    UserFactory(username="dgates", first_name="David", last_name="Gates", email="dg@office.example")
    worklist_access_grant(owner=owner, username="dgates", email="dg@office.example")
    with pytest.raises(ValidationError, match="David Gates already has access to your worklist"):
        worklist_access_grant(owner=owner, username="dgates", email="dg@office.example")
    assert WorklistAccess.objects.count() == 1


def test_granting_access_is_audited_with_both_users():
    owner = UserFactory()
    grantee = UserFactory(username="dgates", email="dg@office.example")
    access = worklist_access_grant(owner=owner, username="dgates", email="dg@office.example")
    event = AuditEvent.objects.get(action="access.granted")
    assert (event.actor, event.target_type, event.target_id) == (owner, "practices.worklistaccess", str(access.pk))
    assert event.details == {"owner_id": owner.pk, "grantee_id": grantee.pk}


def test_revoking_keeps_the_grant_as_a_record_with_its_end_and_is_audited():
    access = WorklistAccessFactory()
    worklist_access_revoke(owner=access.owner, access=access)
    access.refresh_from_db()
    assert access.revoked_at is not None
    assert AuditEvent.objects.get(action="access.revoked").actor == access.owner


def test_access_can_be_given_again_after_it_was_revoked():
    owner = UserFactory()
    UserFactory(username="dgates", email="dg@office.example")
    first = worklist_access_grant(owner=owner, username="dgates", email="dg@office.example")
    worklist_access_revoke(owner=owner, access=first)
    second = worklist_access_grant(owner=owner, username="dgates", email="dg@office.example")
    assert second.pk != first.pk
    assert WorklistAccess.objects.filter(revoked_at__isnull=True).get() == second


def test_only_the_owner_can_revoke_a_grant():
    access = WorklistAccessFactory()
    for someone_else in (access.grantee, UserFactory()):
        with pytest.raises(ValidationError):
            worklist_access_revoke(owner=someone_else, access=access)
    access.refresh_from_db()
    assert access.revoked_at is None


def test_a_revoked_grant_cannot_be_revoked_again():
    access = WorklistAccessFactory()
    worklist_access_revoke(owner=access.owner, access=access)
    with pytest.raises(ValidationError, match="already been revoked"):
        worklist_access_revoke(owner=access.owner, access=access)
    assert AuditEvent.objects.filter(action="access.revoked").count() == 1
