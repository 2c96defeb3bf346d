"""Another requesting provider chosen after the contact step (issue 10, item 1), in the browser: going back and
choosing provider B puts B's name, fax and phone on the contact step, keeps a fax typed for this request, and the
page says what changed (cases/tests/test_contact_refresh.py checks the rule on the server)."""

import re

import pytest
from playwright.sync_api import expect

from practices.models import AccountProvider
from reference.tests.factories import ProviderFactory
from tests.browser.test_case_build import (  # noqa: F401 (world is a fixture)
    choose_program,
    heading,
    open_clinical_certification,
    world,
)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def two_providers(world):  # noqa: F811
    """The case-build world with a second provider on the account: Ken Nakamura, DO, with a fax and phone of his own."""
    newcomer = ProviderFactory(
        first_name="Ken", last_name="Nakamura", credentials="DO", fax="8605559999", phone="8605558888"
    )
    AccountProvider.objects.create(user=world["user"], provider=newcomer)
    return {**world, "newcomer": newcomer}


def fax(page):
    return page.get_by_label("Fax:")


def phone(page):
    return page.get_by_label(re.compile("^Phone:"))


def provider_name(page):
    return page.get_by_label("Provider's Name:")


def select_provider_and_insurer(page, audit, provider):
    """On the provider step: select ``provider``, then the insurer and its address: on "Add Your Contact Info"."""
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


def contact_for_the_first_provider(page, live_url, audit, sign_in, office, *, typed_fax=None):
    """Program, Ada Okafor, MD and the insurer; her name, fax and phone on the contact step, confirmed (with
    ``typed_fax`` typed over her fax): on "Attention!". ``office`` is the ``two_providers`` fixture."""
    sign_in(office["user"])
    audit.check()
    open_clinical_certification(page, live_url, audit)
    choose_program(page, audit, "Home Health")
    select_provider_and_insurer(page, audit, office["provider"])

    expect(provider_name(page)).to_have_value("Ada Okafor, MD")
    expect(fax(page)).to_have_value("(860) 666-4321")
    expect(phone(page)).to_have_value("(860) 666-1234")
    expect(page.get_by_text("You chose another provider")).to_have_count(0)
    if typed_fax:
        fax(page).fill(typed_fax)
    page.get_by_role("button", name="Confirm Fax and Continue").click()
    expect(heading(page, "Attention!")).to_be_visible()
    audit.check()


def back_to_the_provider_step(page, audit):
    """Back, Back, Back: the date, contact and insurer steps, to "Requesting Provider Information"."""
    for title in ("Add Your Contact Info", "Choose Your Insurer", "Requesting Provider Information"):
        page.get_by_role("link", name="Back", exact=True).click()
        expect(heading(page, title)).to_be_visible()
        audit.check()


def test_another_provider_puts_its_name_fax_and_phone_on_the_contact_step_and_says_so(
    page, live_url, audit, sign_in, two_providers
):
    contact_for_the_first_provider(page, live_url, audit, sign_in, two_providers)
    back_to_the_provider_step(page, audit)
    select_provider_and_insurer(page, audit, two_providers["newcomer"])

    expect(provider_name(page)).to_have_value("Ken Nakamura, DO")
    expect(fax(page)).to_have_value("(860) 555-9999")
    expect(phone(page)).to_have_value("(860) 555-8888")
    # The office's own details stay.
    expect(page.get_by_label("Who to Contact:")).to_have_value("Maria Johnson")
    expect(page.get_by_role("status").filter(has_text="You chose another provider")).to_have_text(
        "You chose another provider: the provider's name, fax and phone were updated to Ken Nakamura, DO's. "
        "Check them before you continue."
    )
    expect(page.get_by_role("main")).not_to_contain_text("Ada Okafor")

    # Confirmed, B's details are the request's and the notice has done its job.
    page.get_by_role("button", name="Confirm Fax and Continue").click()
    expect(heading(page, "Attention!")).to_be_visible()
    audit.check()
    page.get_by_role("link", name="Back", exact=True).click()
    expect(heading(page, "Add Your Contact Info")).to_be_visible()
    audit.check()
    expect(fax(page)).to_have_value("(860) 555-9999")
    expect(page.get_by_text("You chose another provider")).to_have_count(0)


def test_a_fax_typed_for_this_request_is_kept_for_another_provider_and_the_page_says_so(
    page, live_url, audit, sign_in, two_providers
):
    contact_for_the_first_provider(page, live_url, audit, sign_in, two_providers, typed_fax="860-555-0100")
    back_to_the_provider_step(page, audit)
    select_provider_and_insurer(page, audit, two_providers["newcomer"])

    expect(provider_name(page)).to_have_value("Ken Nakamura, DO")
    expect(fax(page)).to_have_value("(860) 555-0100")
    expect(phone(page)).to_have_value("(860) 555-8888")
    expect(page.get_by_role("status").filter(has_text="You chose another provider")).to_have_text(
        "You chose another provider: the provider's name and phone were updated to Ken Nakamura, DO's. "
        "The fax typed for this request, (860) 555-0100, was kept: make sure it reaches Ken Nakamura, DO. "
        "Check them before you continue."
    )
