"""A case-build form posted after signing out and in again in another tab (issue 10, item 3): the portal says
what happened, links back to the step, and the steps saved before are still there."""

import pytest
from django.conf import settings
from playwright.sync_api import expect

from cases.models import Case
from cases.tests.factories import submitter
from practices.models import AccountProvider
from reference.services import catalog_load
from reference.tests.factories import ProviderFactory
from tests.browser.conftest import AccessibilityAudit

pytestmark = pytest.mark.django_db(transaction=True)


def heading(page, text):
    return page.get_by_role("heading", level=1, name=text, exact=True)


def sign_out_and_in_again(other, live_url, user):
    """In another tab of the same browser: log out, then log in (the remembered browser skips MFA)."""
    audit = AccessibilityAudit(other)
    other.goto(live_url + "/")
    expect(heading(other, "Welcome, Maria Johnson")).to_be_visible()
    audit.check()
    other.get_by_role("navigation", name="Main").get_by_role("button", name="Maria Johnson").click()
    other.get_by_role("button", name="Log out").click()
    expect(heading(other, "Provider's Hub")).to_be_visible()
    audit.check()
    other.goto(live_url + "/accounts/login/")
    audit.check()
    other.get_by_label("User name").fill(user.username)
    other.get_by_label("Password").fill(settings.DEMO_PASSWORD)
    other.get_by_role("button", name="Log in").click()
    expect(heading(other, "Welcome, Maria Johnson")).to_be_visible()
    audit.check()
    audit.finish()
    other.close()


def test_a_step_posted_from_a_stale_tab_explains_and_links_back_to_the_saved_step(page, live_url, audit, sign_in):
    catalog_load()
    user = submitter(username="mjohnson", first_name="Maria", last_name="Johnson", email="maria@office.example")
    provider = ProviderFactory(first_name="Ada", last_name="Okafor", fax="8606664321", phone="8606661234")
    AccountProvider.objects.create(user=user, provider=provider)
    sign_in(user, remember=True)
    audit.check()

    # Program, provider and insurer are saved, one step at a time.
    page.goto(live_url + "/cases/request/")
    expect(heading(page, "Request an Authorization")).to_be_visible()
    audit.check()
    page.get_by_label("Home Health", exact=True).check()
    page.get_by_label(
        "Are you building a case as a referring physician's office or as a home health agency?"
    ).select_option(label="Referring Physician")
    page.get_by_role("button", name="Continue").click()
    expect(heading(page, "Requesting Provider Information")).to_be_visible()
    audit.check()
    providers = page.get_by_role("region", name="Providers on your account")
    providers.get_by_role("button", name=f"Select {provider.display_name}, NPI {provider.npi}").click()
    expect(heading(page, "Choose Your Insurer")).to_be_visible()
    audit.check()
    page.get_by_label("Please select the insurer for this authorization request.").select_option(
        label="Cigna Healthcare Commercial"
    )
    page.get_by_label("Provider address").select_option(label=provider.address_display)
    page.get_by_role("button", name="Continue").click()
    expect(heading(page, "Add Your Contact Info")).to_be_visible()
    audit.check()
    contact_step = page.url

    # The office types a contact, then someone signs out and in again in another tab before it is sent.
    page.get_by_label("Who to Contact:").fill("Dana Wright")
    sign_out_and_in_again(page.context.new_page(), live_url, user)
    page.bring_to_front()
    page.get_by_role("button", name="Confirm Fax and Continue").click()

    expect(heading(page, "This page was out of date")).to_be_visible()
    expect(page.get_by_text("The steps of a request that you already saved are kept.")).to_be_visible()
    expect(page.get_by_role("navigation", name="Main").get_by_role("button", name="Maria Johnson")).to_be_visible()
    audit.check()
    case = Case.objects.get(created_by=user)
    assert case.contact_name != "Dana Wright"

    page.get_by_role("link", name="Go back to the page").click()
    expect(heading(page, "Add Your Contact Info")).to_be_visible()
    assert page.url == contact_step
    # The provider and insurer saved before are still there: the contact step is filled from them.
    expect(page.get_by_label("Provider's Name:")).to_have_value(provider.display_name)
    audit.check()

    page.get_by_label("Who to Contact:").fill("Dana Wright")
    page.get_by_role("button", name="Confirm Fax and Continue").click()
    expect(heading(page, "Attention!")).to_be_visible()
    audit.check()
    case.refresh_from_db()
    assert (case.ordering_provider, case.health_plan.name, case.contact_name) == (
        provider,
        "Cigna Healthcare Commercial",
        "Dana Wright",
    )
