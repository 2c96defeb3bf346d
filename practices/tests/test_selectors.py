import pytest
from django.core.exceptions import ValidationError

from accounts.tests.factories import UserFactory
from practices.selectors import (
    memberships_for,
    practice_members_visible_to,
    practice_tins_with_entitlement,
    provider_directory_search,
    providers_on_account,
    worklist_owners_visible_to,
)
from practices.tests.factories import (
    AccountProviderFactory,
    PracticeFactory,
    PracticeMembershipFactory,
    WorklistAccessFactory,
)
from reference.tests.factories import ProviderFactory

pytestmark = pytest.mark.django_db


# --- worklist_owners_visible_to ----------------------------------------------------------------


def test_a_user_sees_their_own_worklist_and_those_shared_with_them():
    me = UserFactory()
    sharer = WorklistAccessFactory(grantee=me).owner
    assert set(worklist_owners_visible_to(me)) == {me, sharer}


def test_a_revoked_grant_no_longer_shows_its_owners_worklist():
    me = UserFactory()
    WorklistAccessFactory(grantee=me, revoked=True)
    assert list(worklist_owners_visible_to(me)) == [me]


def test_grants_between_other_users_and_grants_i_gave_do_not_widen_what_i_see():
    me = UserFactory()
    WorklistAccessFactory()  # two strangers
    WorklistAccessFactory(owner=me)  # I shared mine; that does not show me theirs
    assert list(worklist_owners_visible_to(me)) == [me]


def test_an_owner_appears_once_even_after_a_grant_was_revoked_and_given_again():
    me = UserFactory()
    old = WorklistAccessFactory(grantee=me, revoked=True)
    WorklistAccessFactory(grantee=me, owner=old.owner)
    assert sorted(user.pk for user in worklist_owners_visible_to(me)) == sorted([me.pk, old.owner.pk])


def test_an_anonymous_visitor_sees_no_worklist():
    from django.contrib.auth.models import AnonymousUser

    assert not worklist_owners_visible_to(AnonymousUser()).exists()


# --- providers ---------------------------------------------------------------------------------


def test_providers_on_account_lists_only_this_users_providers():
    mine = AccountProviderFactory()
    AccountProviderFactory()
    assert list(providers_on_account(user=mine.user)) == [mine.provider]


def test_find_matches_by_npi_is_exact():
    wanted = ProviderFactory()
    ProviderFactory()
    assert list(provider_directory_search(npi=wanted.npi)) == [wanted]


def test_find_matches_by_state_and_zip_matches_the_five_digit_zip_of_a_zip_plus_four():
    here = ProviderFactory(state="CT", zip_code="06103-1234")
    ProviderFactory(state="CT", zip_code="06105")
    ProviderFactory(state="NY", zip_code="06103")
    assert list(provider_directory_search(state="ct", zip_code="06103")) == [here]


def test_find_matches_marks_the_providers_already_on_the_account():
    link = AccountProviderFactory(provider=ProviderFactory(zip_code="06103"))
    other = ProviderFactory(zip_code="06103")
    found = {p.pk: p.is_on_account for p in provider_directory_search(state="CT", zip_code="06103", user=link.user)}
    assert found == {link.provider.pk: True, other.pk: False}


def test_find_matches_returns_at_most_the_limit():
    ProviderFactory.create_batch(4, zip_code="06103")
    assert len(provider_directory_search(state="CT", zip_code="06103", limit=3)) == 3


@pytest.mark.parametrize(
    "search",
    [
        {"npi": "123"},
        {"npi": "1234567890"},  # the valid NPI is 1234567893
        {"state": "ZZ", "zip_code": "06103"},
        {"state": "CT", "zip_code": "6103"},
        {},
    ],
)
def test_find_matches_refuses_input_a_form_should_have_caught(search):
    with pytest.raises(ValidationError):
        list(provider_directory_search(**search))


# --- practices ---------------------------------------------------------------------------------


def test_memberships_for_lists_only_the_users_own_tins():
    mine = PracticeMembershipFactory()
    PracticeMembershipFactory()
    assert list(memberships_for(mine.user)) == [mine]


def test_a_manager_sees_every_member_of_their_practice():
    manager = PracticeMembershipFactory(manager=True)
    member = PracticeMembershipFactory(practice=manager.practice)
    PracticeMembershipFactory()  # another practice
    assert set(practice_members_visible_to(manager=manager.user, practice=manager.practice)) == {manager, member}


def test_a_member_who_is_not_a_manager_sees_no_members_list():
    member = PracticeMembershipFactory(case_submission=True)
    PracticeMembershipFactory(practice=member.practice, manager=True)
    assert not practice_members_visible_to(manager=member.user, practice=member.practice).exists()


def test_a_manager_of_one_practice_sees_no_members_of_another():
    manager = PracticeMembershipFactory(manager=True)
    assert not practice_members_visible_to(manager=manager.user, practice=PracticeFactory()).exists()


def test_tins_with_an_entitlement_are_only_those_where_the_user_holds_it():
    user = UserFactory()
    PracticeMembershipFactory(user=user, practice=PracticeFactory(tin="061234567"), correspondence=True)
    PracticeMembershipFactory(user=user, practice=PracticeFactory(tin="062345678"), case_submission=True)
    assert list(practice_tins_with_entitlement(user=user, entitlement="correspondence")) == ["061234567"]


def test_asking_for_an_unknown_entitlement_is_a_programming_error():
    with pytest.raises(ValueError, match="Unknown entitlement"):
        practice_tins_with_entitlement(user=UserFactory(), entitlement="claims")
