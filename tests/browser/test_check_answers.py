"""Check your answers before the lock (issue 10, item 12): the attest page lists the answers, a Change link
followed with the keyboard opens the step, and saving it comes back to the attest page with the new value."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.test_case_build import (  # noqa: F401 (world is a fixture)
    heading,
    patient_step,
    tab_to,
    walk_home_health_to_the_patient_step,
    world,
)

pytestmark = pytest.mark.django_db(transaction=True)


def walk_home_health_to_attest(page, live_url, audit, sign_in, office):
    """Program to site of service, as in the case-build journeys, stopping on "Proceed to Clinical Information".

    ``office`` is the ``world`` fixture of the case-build journeys."""
    walk_home_health_to_the_patient_step(page, live_url, audit, sign_in, office)
    patient_step(page, audit, office)

    page.get_by_label("Primary Diagnosis Code (Lookup by Code or Description)").fill("S92.151A")
    page.get_by_role("button", name="Continue").click()
    expect(heading(page, "Add Site of Service")).to_be_visible()
    audit.check()

    site = office["agency"]
    page.get_by_label("Site Name:").fill(site.name)
    page.get_by_label("Zip Code:").fill(site.zip_code)
    page.get_by_role("button", name="Lookup Site").click()
    sites = page.get_by_role("region", name="Sites found")
    sites.get_by_role("button", name=f"Select {site.name}, NPI {site.npi}").click()
    expect(page.get_by_role("heading", name="Site of service", exact=True)).to_be_visible()
    audit.check()
    page.get_by_role("button", name="Continue").click()
    expect(heading(page, "Proceed to Clinical Information")).to_be_visible()
    audit.check()


def test_a_change_link_followed_with_the_keyboard_comes_back_to_the_answers_with_the_new_contact(
    page,
    live_url,
    audit,
    sign_in,
    world,  # noqa: F811
):
    walk_home_health_to_attest(page, live_url, audit, sign_in, world)
    answers = page.get_by_role("region", name="Check your answers")
    expect(answers.get_by_text("Maria Johnson", exact=True)).to_be_visible()
    expect(answers.get_by_text(world["agency"].name, exact=True)).to_be_visible()
    # Seven sections, and the patient contact row (its own step).
    expect(answers.get_by_role("link", name=re.compile("^Change"))).to_have_count(8)

    tab_to(page, re.compile("^Change contact$"), tag="a")
    page.keyboard.press("Enter")
    expect(heading(page, "Add Your Contact Info")).to_be_visible()
    audit.check()

    page.get_by_label("Who to Contact:").fill("Jo Bloggs")
    page.get_by_role("button", name="Confirm Fax and Continue").click()
    expect(heading(page, "Proceed to Clinical Information")).to_be_visible()
    audit.check()
    answers = page.get_by_role("region", name="Check your answers")
    expect(answers.get_by_text("Jo Bloggs", exact=True)).to_be_visible()
    expect(answers.get_by_text("Maria Johnson", exact=True)).to_have_count(0)
    expect(page.get_by_label(re.compile("^I acknowledge that the clinical information"))).not_to_be_checked()
