"""Manage Your Account and User Access, walked through in the browser (ACC-8, ACC-9)."""

import re

import pytest
from playwright.sync_api import expect

from accounts.tests.factories import UserFactory
from practices.tests.factories import PracticeFactory, PracticeMembershipFactory
from reference.tests.factories import ProviderFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_user_shares_their_worklist_by_user_id_and_email_then_revokes_it(page, live_url, audit, sign_in):
    UserFactory(username="dgates", first_name="David", last_name="Gates", email="dgates@office.example")
    sign_in(UserFactory(username="mjohnson", first_name="Maria", last_name="Johnson"))
    audit.check()

    page.get_by_role("navigation", name="Main").get_by_role("link", name="User Access").click()
    expect(page.get_by_role("heading", name="Give access to your worklist")).to_be_visible()
    expect(page.get_by_text("0 people have access to your worklist.")).to_be_visible()
    audit.check()

    page.get_by_label("User ID").fill("dgates")
    page.get_by_label("Email Address").fill("someone.else@office.example")
    page.get_by_label("Email Address").press("Enter")
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("No EviCore account matches that User ID and Email Address.")
    expect(summary).to_be_focused()
    audit.check()

    page.get_by_label("Email Address").fill("DGates@office.example")
    page.get_by_role("button", name="Allow access").click()
    expect(page.get_by_text("David Gates will have access to your worklist.")).to_be_visible()
    view_list = page.get_by_text("1 person has access to your worklist. View List")
    expect(view_list).to_be_visible()
    audit.check()

    # View List opens from the keyboard.
    revoke = page.get_by_role("button", name="Revoke access for David Gates")
    expect(revoke).to_be_hidden()
    view_list.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("cell", name="dgates@office.example")).to_be_visible()
    audit.check()

    revoke.click()
    expect(page.get_by_text("David Gates no longer has access to your worklist.")).to_be_visible()
    expect(page.get_by_text("0 people have access to your worklist.")).to_be_visible()
    audit.check()


def test_a_user_adds_a_provider_to_their_account_by_npi_with_find_matches(page, live_url, audit, sign_in):
    provider = ProviderFactory(first_name="Ana", last_name="Lopez", address_line1="1 Main St", zip_code="06103")
    sign_in(UserFactory(username="mjohnson", first_name="Maria", last_name="Johnson"))
    audit.check()

    page.goto(live_url + "/account/")
    expect(page.get_by_role("heading", name="Manage Your Account")).to_be_visible()
    expect(page.get_by_text("No providers are on your account yet.")).to_be_visible()
    audit.check()

    page.get_by_label("NPI", exact=True).fill(provider.npi[:9])
    page.get_by_role("button", name="Find matches").click()
    expect(page.get_by_role("alert")).to_contain_text("Enter the 10-digit NPI, digits only.")
    audit.check()

    page.get_by_label("NPI", exact=True).fill(provider.npi)
    page.get_by_label("NPI", exact=True).press("Enter")
    matches = page.get_by_role("region", name="Matches")
    expect(matches.get_by_role("cell", name="Ana Lopez, MD", exact=True)).to_be_visible()
    audit.check()

    matches.get_by_role("button", name=f"Select Ana Lopez, MD, NPI {provider.npi}").click()
    expect(page.get_by_text("Ana Lopez, MD was added to your account.")).to_be_visible()
    expect(page.get_by_role("region", name="Matches").get_by_text("On your account")).to_be_visible()
    providers = page.get_by_role("region", name="Providers on your account")
    expect(providers.get_by_role("cell", name="1 Main St, Hartford, CT 06103")).to_be_visible()
    audit.check()


def test_a_website_access_manager_gives_a_member_an_entitlement_and_keeps_paper_claim_letters(
    page, live_url, audit, sign_in
):
    practice = PracticeFactory(tin="061234567", name="Johnson Family Medicine")
    manager = UserFactory(username="mjohnson", first_name="Maria", last_name="Johnson")
    PracticeMembershipFactory(user=manager, practice=practice, manager=True)
    PracticeMembershipFactory(user=UserFactory(first_name="Priya", last_name="Raman"), practice=practice)
    sign_in(manager)
    audit.check()

    page.goto(live_url + "/account/access/")
    audit.check()
    page.get_by_role("link", name="061234567").click()
    expect(page.get_by_role("heading", name="View Access: TIN 061234567")).to_be_visible()
    audit.check()

    page.get_by_role("link", name="Manage users and delivery for TIN 061234567").click()
    audit.check()
    page.get_by_role("link", name="Change access for Priya Raman").click()
    expect(page.get_by_role("heading", name="Access for Priya Raman")).to_be_visible()
    audit.check()

    page.get_by_label("Correspondence").check()
    page.get_by_role("button", name="Save entitlements").click()
    expect(page.get_by_text("Access for Priya Raman was saved.")).to_be_visible()
    row = page.get_by_role("row", name=re.compile("Priya Raman"))
    expect(row.get_by_role("cell").nth(5)).to_have_text("Yes")
    audit.check()

    page.get_by_label("Paper claim letters").check()
    page.get_by_role("button", name="Save delivery").click()
    expect(page.get_by_text("Correspondence delivery for this practice was saved.")).to_be_visible()
    expect(page.get_by_label("Paper claim letters")).to_be_checked()
    expect(page.get_by_label("Paper precertification letters")).not_to_be_checked()
    audit.check()
