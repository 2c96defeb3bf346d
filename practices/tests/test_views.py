import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.tests.factories import UserFactory
from audit.models import AuditEvent
from practices.models import AccountProvider, PracticeMembership, WorklistAccess
from practices.tests.factories import (
    AccountProviderFactory,
    PracticeFactory,
    PracticeMembershipFactory,
    WorklistAccessFactory,
)
from reference.tests.factories import ProviderFactory

pytestmark = pytest.mark.django_db

MANAGE_ACCOUNT = reverse("practices:manage_account")
USER_ACCESS = reverse("practices:user_access")
VIEW_ACCESS = reverse("practices:view_access")


@pytest.fixture
def as_user(client, signed_in_client):
    """``as_user(user)``: the test's client, signed in as ``user`` with MFA passed."""
    return lambda user: signed_in_client(user, client)


def html_of(response) -> str:
    return response.content.decode()


def assert_same_queries_as_the_list_grows(client, django_assert_num_queries, url, add_rows):
    """The page's query count with a few rows holds with many more: no query per row."""
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    add_rows()
    with django_assert_num_queries(len(few)):
        assert client.get(url).status_code == 200


@pytest.mark.parametrize(
    "url",
    [
        MANAGE_ACCOUNT,
        USER_ACCESS,
        VIEW_ACCESS,
        reverse("practices:practice_access", args=[1]),
        reverse("practices:practice_manage", args=[1]),
        reverse("practices:member_access", args=[1, 1]),
    ],
)
def test_every_account_page_asks_a_visitor_to_log_in(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


def test_account_pages_wait_until_mfa_is_passed(client):
    client.force_login(UserFactory())
    response = client.get(USER_ACCESS)
    assert response.status_code == 302
    assert response.url.startswith(reverse("mfa:start"))


# --- Manage Your Account -----------------------------------------------------------------------


def test_manage_your_account_lists_the_users_providers_with_name_npi_and_address(as_user):
    mine = AccountProviderFactory(
        provider=ProviderFactory(first_name="Ana", last_name="Lopez", address_line1="1 Main St", zip_code="06103")
    )
    theirs = AccountProviderFactory()
    html = html_of(as_user(mine.user).get(MANAGE_ACCOUNT))
    assert "Ana Lopez, MD" in html
    assert mine.provider.npi in html
    assert "1 Main St, Hartford, CT 06103" in html
    assert theirs.provider.npi not in html


def test_find_matches_by_npi_offers_the_provider_to_select(as_user):
    provider = ProviderFactory(last_name="Lopez")
    html = html_of(as_user(UserFactory()).get(MANAGE_ACCOUNT, {"npi": provider.npi}))
    assert "Lopez" in html
    assert f'name="provider" value="{provider.pk}"' in html
    assert ">Select<" in html


def test_find_matches_marks_a_provider_already_on_the_account(as_user):
    link = AccountProviderFactory()
    html = html_of(as_user(link.user).get(MANAGE_ACCOUNT, {"npi": link.provider.npi}))
    assert "On your account" in html
    assert f'name="provider" value="{link.provider.pk}"' not in html


def test_find_matches_with_no_result_says_so(as_user):
    html = html_of(as_user(UserFactory()).get(MANAGE_ACCOUNT, {"state": "CT", "zip_code": "06103"}))
    assert "No providers match your search." in html


@pytest.mark.parametrize(
    ("search", "field", "message"),
    [
        ({"npi": "123456789"}, "npi", "Enter the 10-digit NPI, digits only."),
        ({"npi": "1234567890"}, "npi", "This is not a valid NPI: check the digits and try again."),
        ({"state": "ZZ", "zip_code": "06103"}, "state", "Select the provider&#x27;s state from the list."),
        ({"state": "CT", "zip_code": "6103"}, "zip_code", "Enter a 5-digit zip code, or ZIP+4 such as 06002-1234."),
        ({"state": "CT"}, "zip_code", "Enter the provider&#x27;s zip, or their NPI."),
        ({"zip_code": "06103"}, "state", "Select the provider&#x27;s state, or enter their NPI."),
        ({"npi": "", "state": "", "zip_code": ""}, "npi", "Enter the provider&#x27;s NPI, or their state and zip."),
    ],
)
def test_bad_search_input_gets_its_message_next_to_the_field_and_in_the_summary(as_user, search, field, message):
    html = html_of(as_user(UserFactory()).get(MANAGE_ACCOUNT, search))
    assert f'<p class="error-message" id="id_{field}_error">' in html
    assert html.index(f'id="id_{field}_error"') < html.index(f'id="id_{field}"')
    assert re.search(rf'aria-describedby="[^"]*id_{field}_error"[^>]*id="id_{field}"', html)
    assert message in html
    assert f'<a href="#id_{field}">' in html  # the error summary links to the field
    assert "Matches</h3>" not in html


def test_selecting_a_match_adds_it_to_the_account_and_returns_to_the_same_search(client, as_user):
    user, provider = UserFactory(), ProviderFactory(first_name="Ana", last_name="Lopez")
    response = as_user(user).post(reverse("practices:provider_add"), {"provider": provider.pk, "npi": provider.npi})
    assert response.status_code == 302
    assert response.url == f"{MANAGE_ACCOUNT}?npi={provider.npi}#add-provider-title"
    assert AccountProvider.objects.get(user=user).provider == provider
    html = html_of(client.get(response.url))
    assert "Ana Lopez, MD was added to your account." in html
    assert "On your account" in html
    assert AuditEvent.objects.filter(action="account.provider_added", actor=user).exists()


def test_selecting_a_provider_that_is_not_in_the_directory_answers_404(as_user):
    response = as_user(UserFactory()).post(reverse("practices:provider_add"), {"provider": 999_999})
    assert response.status_code == 404


def test_selecting_a_provider_twice_explains_it_is_already_on_the_account(as_user):
    link = AccountProviderFactory(provider=ProviderFactory(first_name="Ana", last_name="Lopez"))
    response = as_user(link.user).post(reverse("practices:provider_add"), {"provider": link.provider.pk}, follow=True)
    assert "Ana Lopez, MD is already on your account." in html_of(response)
    assert AccountProvider.objects.count() == 1


def test_remove_takes_the_provider_off_the_account(as_user):
    link = AccountProviderFactory(provider=ProviderFactory(first_name="Ana", last_name="Lopez"))
    response = as_user(link.user).post(reverse("practices:provider_remove", args=[link.pk]), follow=True)
    assert "Ana Lopez, MD was removed from your account." in html_of(response)
    assert not AccountProvider.objects.exists()


def test_removing_a_provider_from_another_users_account_answers_404(as_user):
    theirs = AccountProviderFactory()
    response = as_user(UserFactory()).post(reverse("practices:provider_remove", args=[theirs.pk]))
    assert response.status_code == 404
    assert AccountProvider.objects.filter(pk=theirs.pk).exists()


def test_removing_needs_a_post(as_user):
    link = AccountProviderFactory()
    response = as_user(link.user).get(reverse("practices:provider_remove", args=[link.pk]))
    assert response.status_code == 405
    assert AccountProvider.objects.exists()


def test_the_providers_list_and_the_matches_cost_the_same_queries_for_many_rows(
    client, as_user, django_assert_num_queries
):
    user = UserFactory()
    AccountProviderFactory(user=user, provider=ProviderFactory(zip_code="06103"))
    as_user(user)

    def more_rows():
        for _ in range(5):
            AccountProviderFactory(user=user, provider=ProviderFactory(zip_code="06103"))
        ProviderFactory.create_batch(5, zip_code="06103")

    assert_same_queries_as_the_list_grows(
        client, django_assert_num_queries, f"{MANAGE_ACCOUNT}?state=CT&zip_code=06103", more_rows
    )


# --- User Access -------------------------------------------------------------------------------


def test_giving_access_by_user_id_and_email_confirms_with_the_persons_name(as_user):
    owner = UserFactory()
    UserFactory(username="dgates", first_name="David", last_name="Gates", email="dgates@office.example")
    response = as_user(owner).post(USER_ACCESS, {"username": "dgates", "email": "DGates@office.example"}, follow=True)
    html = html_of(response)
    assert "David Gates will have access to your worklist." in html
    assert "1 person has access to your worklist." in html
    assert WorklistAccess.objects.get().owner == owner


def test_the_count_of_people_with_access_uses_the_plural_from_two(as_user):
    owner = UserFactory()
    WorklistAccessFactory.create_batch(2, owner=owner)
    html = html_of(as_user(owner).get(USER_ACCESS))
    assert "2 people have access to your worklist." in html
    assert "View List" in html


def test_with_nobody_given_access_the_page_says_0_people(as_user):
    html = html_of(as_user(UserFactory()).get(USER_ACCESS))
    assert "0 people have access to your worklist." in html
    assert "View List" not in html


def test_a_user_id_and_email_that_match_no_account_get_one_message_and_no_grant(as_user):
    UserFactory(username="dgates", email="dgates@office.example")
    response = as_user(UserFactory()).post(USER_ACCESS, {"username": "dgates", "email": "someone@office.example"})
    assert response.status_code == 200
    html = html_of(response)
    assert "No EviCore account matches that User ID and Email Address." in html
    assert 'class="error-summary"' in html
    assert not WorklistAccess.objects.exists()


def test_missing_user_id_and_bad_email_get_messages_next_to_their_fields(as_user):
    html = html_of(as_user(UserFactory()).post(USER_ACCESS, {"username": "", "email": "not-an-email"}))
    assert '<p class="error-message" id="id_username_error">' in html
    assert "Enter their User ID." in html
    assert '<p class="error-message" id="id_email_error">' in html
    assert "Enter the email address of their EviCore account" in html


def test_revoke_ends_the_grant_and_shows_the_list_again(as_user):
    access = WorklistAccessFactory(grantee=UserFactory(first_name="David", last_name="Gates"))
    response = as_user(access.owner).post(reverse("practices:worklist_access_revoke", args=[access.pk]), follow=True)
    assert "David Gates no longer has access to your worklist." in html_of(response)
    access.refresh_from_db()
    assert access.revoked_at is not None
    assert AuditEvent.objects.filter(action="access.revoked").exists()


@pytest.mark.parametrize("who", ["grantee", "stranger"])
def test_revoking_a_grant_you_did_not_give_answers_404(as_user, who):
    access = WorklistAccessFactory()
    user = access.grantee if who == "grantee" else UserFactory()
    response = as_user(user).post(reverse("practices:worklist_access_revoke", args=[access.pk]))
    assert response.status_code == 404
    access.refresh_from_db()
    assert access.revoked_at is None


def test_revoking_an_already_revoked_grant_answers_404(as_user):
    access = WorklistAccessFactory(revoked=True)
    response = as_user(access.owner).post(reverse("practices:worklist_access_revoke", args=[access.pk]))
    assert response.status_code == 404


def test_worklists_shared_with_you_lists_their_owners_but_not_revoked_ones(as_user):
    me = UserFactory()
    WorklistAccessFactory(grantee=me, owner=UserFactory(first_name="Maria", last_name="Johnson"))
    WorklistAccessFactory(grantee=me, owner=UserFactory(first_name="Revoked", last_name="Owner"), revoked=True)
    html = html_of(as_user(me).get(USER_ACCESS))
    assert "Worklists shared with you" in html
    assert "Maria Johnson" in html
    assert "Revoked Owner" not in html


def test_user_access_costs_the_same_queries_for_many_grants(client, as_user, django_assert_num_queries):
    me = UserFactory()
    WorklistAccessFactory(owner=me)
    WorklistAccessFactory(grantee=me)
    as_user(me)

    def more_rows():
        WorklistAccessFactory.create_batch(5, owner=me)
        WorklistAccessFactory.create_batch(5, grantee=me)

    assert_same_queries_as_the_list_grows(client, django_assert_num_queries, USER_ACCESS, more_rows)


# --- View Access and the manager's pages -------------------------------------------------------


def test_view_access_lists_only_the_users_own_tins(as_user):
    mine = PracticeMembershipFactory(practice=PracticeFactory(tin="061234567"))
    PracticeMembershipFactory(practice=PracticeFactory(tin="069999999"))
    html = html_of(as_user(mine.user).get(VIEW_ACCESS))
    assert "061234567" in html
    assert "069999999" not in html


def test_the_access_rights_for_a_tin_list_each_entitlement_and_whom_to_ask(as_user):
    manager = PracticeMembershipFactory(manager=True, user=UserFactory(first_name="Maria", last_name="Johnson"))
    member = PracticeMembershipFactory(practice=manager.practice, correspondence=True)
    html = html_of(as_user(member.user).get(reverse("practices:practice_access", args=[member.practice_id])))
    assert "<dt>Correspondence</dt><dd>Yes</dd>" in html
    assert "<dt>Case submission</dt><dd>No</dd>" in html
    assert "contact your practice's website access manager" in html
    assert "Maria Johnson" in html
    assert reverse("practices:practice_manage", args=[member.practice_id]) not in html


def test_a_manager_is_offered_the_page_to_manage_the_tin(as_user):
    manager = PracticeMembershipFactory(manager=True)
    url = reverse("practices:practice_access", args=[manager.practice_id])
    html = html_of(as_user(manager.user).get(url))
    assert reverse("practices:practice_manage", args=[manager.practice_id]) in html


def test_the_access_rights_of_a_practice_you_do_not_belong_to_answer_404(as_user):
    other = PracticeFactory()
    response = as_user(UserFactory()).get(reverse("practices:practice_access", args=[other.pk]))
    assert response.status_code == 404


def test_a_member_who_is_not_a_manager_gets_404_on_the_managers_pages(client, as_user):
    manager = PracticeMembershipFactory(manager=True)
    member = PracticeMembershipFactory(practice=manager.practice, case_submission=True)
    as_user(member.user)
    practice_id = member.practice_id
    assert client.get(reverse("practices:practice_manage", args=[practice_id])).status_code == 404
    response = client.post(reverse("practices:member_access", args=[practice_id, member.pk]), {"correspondence": "on"})
    assert response.status_code == 404
    member.refresh_from_db()
    assert not member.correspondence


def test_a_manager_gets_404_for_a_member_of_another_practice(as_user):
    manager = PracticeMembershipFactory(manager=True)
    stranger = PracticeMembershipFactory()
    response = as_user(manager.user).get(reverse("practices:member_access", args=[manager.practice_id, stranger.pk]))
    assert response.status_code == 404


def test_a_manager_sees_every_member_and_their_entitlements(as_user):
    manager = PracticeMembershipFactory(manager=True)
    PracticeMembershipFactory(practice=manager.practice, user=UserFactory(first_name="Priya", last_name="Raman"))
    url = reverse("practices:practice_manage", args=[manager.practice_id])
    html = html_of(as_user(manager.user).get(url))
    assert "Priya Raman" in html
    assert 'Change<span class="visually-hidden"> access for Priya Raman</span>' in html


def test_a_manager_sets_a_members_entitlements(as_user):
    manager = PracticeMembershipFactory(manager=True)
    member = PracticeMembershipFactory(practice=manager.practice)
    url = reverse("practices:member_access", args=[manager.practice_id, member.pk])
    response = as_user(manager.user).post(url, {"case_submission": "on", "correspondence": "on"})
    assert response.url == reverse("practices:practice_manage", args=[manager.practice_id])
    member.refresh_from_db()
    assert (member.case_submission, member.precertification_appeals, member.correspondence) == (True, False, True)
    assert AuditEvent.objects.filter(action="practice.entitlements_changed", actor=manager.user).exists()


def test_the_last_manager_stepping_down_is_told_why_next_to_the_manager_checkbox(as_user):
    manager = PracticeMembershipFactory(manager=True)
    url = reverse("practices:member_access", args=[manager.practice_id, manager.pk])
    response = as_user(manager.user).post(url, {"case_submission": "on"})
    assert response.status_code == 200
    html = html_of(response)
    assert '<p class="error-message" id="id_is_access_manager_error">' in html
    assert "A practice needs a website access manager." in html
    manager.refresh_from_db()
    assert manager.is_access_manager and manager.correspondence


def test_a_manager_who_hands_the_role_on_lands_on_their_own_access(as_user):
    manager = PracticeMembershipFactory(manager=True)
    PracticeMembershipFactory(practice=manager.practice, manager=True)
    url = reverse("practices:member_access", args=[manager.practice_id, manager.pk])
    response = as_user(manager.user).post(url, {"correspondence": "on"})
    assert response.url == reverse("practices:practice_access", args=[manager.practice_id])


def test_a_manager_turns_paper_claim_letters_on(as_user):
    manager = PracticeMembershipFactory(manager=True)
    url = reverse("practices:practice_manage", args=[manager.practice_id])
    response = as_user(manager.user).post(url, {"paper_claim_letters": "on"}, follow=True)
    assert "Correspondence delivery for this practice was saved." in html_of(response)
    manager.practice.refresh_from_db()
    assert (manager.practice.paper_claim_letters, manager.practice.paper_precertification_letters) == (True, False)
    assert AuditEvent.objects.filter(action="practice.delivery_changed").exists()


def test_the_managers_page_and_view_access_cost_the_same_queries_for_many_members(
    client, as_user, django_assert_num_queries
):
    manager = PracticeMembershipFactory(manager=True)
    as_user(manager.user)

    def more_rows():
        PracticeMembershipFactory.create_batch(5, practice=manager.practice)
        PracticeMembershipFactory.create_batch(5, user=manager.user)

    url = reverse("practices:practice_manage", args=[manager.practice_id])
    assert_same_queries_as_the_list_grows(client, django_assert_num_queries, url, more_rows)
    with CaptureQueriesContext(connection) as queries:
        client.get(VIEW_ACCESS)
    PracticeMembershipFactory.create_batch(3, user=manager.user)
    with django_assert_num_queries(len(queries)):
        client.get(VIEW_ACCESS)
    assert PracticeMembership.objects.filter(user=manager.user).count() == 9
