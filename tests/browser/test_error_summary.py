"""The error summary after a failed submit (issue 10, item 8): focused, each entry names its field
("First name: Enter your first name"), and an entry moves focus to its field (GOV.UK error summary pattern)."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.test_case_build import (  # noqa: F401 (world is a fixture)
    choose_program,
    heading,
    open_clinical_certification,
    provider_insurer_and_contact,
    us_date,
    world,
)

pytestmark = pytest.mark.django_db(transaction=True)

SUMMARY_IS_FOCUSED = "document.activeElement && document.activeElement.hasAttribute('data-error-summary')"


def summary_entries(page):
    return page.locator("[data-error-summary] li")


def test_the_empty_registration_form_names_every_missing_field_and_links_to_it(page, live_url, audit):
    page.goto(live_url + "/accounts/register/")
    audit.check()
    page.get_by_role("button", name="Submit Registration").click()

    summary = page.get_by_role("alert")
    expect(summary).to_be_focused()
    assert page.evaluate(SUMMARY_IS_FOCUSED)
    expect(summary_entries(page)).to_have_text(
        [
            "First name: Enter your first name",
            "Last name: Enter your last name",
            "User name: Enter a user name",
            "Email: Enter your email address",
            "Confirm email: Enter your email address again",
            "Phone: Enter your phone number",
            "Individual NPI: Enter your individual NPI",
            "Tax ID: Enter the practice's Tax ID",
        ]
    )
    # Next to the field, the message alone.
    expect(page.locator("#id_first_name_error")).to_have_text("Error: Enter your first name")
    expect(page.get_by_text("This field is required.")).to_have_count(0)
    audit.check()

    summary.get_by_role("link", name="Phone: Enter your phone number").click()
    expect(page.locator("#id_phone")).to_be_focused()
    summary.get_by_role("link", name="First name: Enter your first name").click()
    expect(page.get_by_label("First Name")).to_be_focused()


def test_wizard_steps_summarise_their_errors_and_focus_the_summary(page, live_url, audit, sign_in, world):  # noqa: F811
    sign_in(world["user"])
    audit.check()
    open_clinical_certification(page, live_url, audit)

    # "Request an Authorization": a radio question links to its first option.
    page.get_by_role("button", name="Continue").click()
    summary = page.get_by_role("alert")
    expect(summary).to_be_focused()
    expect(summary_entries(page)).to_have_text(["Program: Select a program."])
    audit.check()
    summary.get_by_role("link", name="Program: Select a program.").click()
    expect(page.locator("#id_program_0")).to_be_focused()
    choose_program(page, audit, "Home Health")
    provider_insurer_and_contact(page, audit, world)
    page.get_by_label("What is the start of care date for this home health request?").fill(
        us_date(timezone.localdate() + datetime.timedelta(days=3))
    )
    page.get_by_role("button", name="Submit").click()
    expect(heading(page, "Patient Eligibility Lookup")).to_be_visible()

    # "Patient Eligibility Lookup", submitted empty.
    page.get_by_role("button", name="Eligibility Lookup").click()
    summary = page.get_by_role("alert")
    expect(summary).to_be_focused()
    assert page.evaluate(SUMMARY_IS_FOCUSED)
    expect(summary_entries(page)).to_have_text(
        [
            "Patient ID: Enter the Patient ID.",
            "Date of birth: Enter the date of birth.",
            "Patient last name: Enter the patient's last name.",
        ]
    )
    audit.check()
    summary.get_by_role("link", name="Date of birth: Enter the date of birth.").click()
    expect(page.get_by_label("Date Of Birth:")).to_be_focused()
