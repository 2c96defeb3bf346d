"""Leaving a case-build step with unsaved changes asks first (issue 10, item 10): the browser's own "Leave site?"
prompt, from static/js/unsaved-changes.js on forms marked data-warn-unsaved. Submitting never asks, and the
idle timeout ending the session is never held by it (the page shows PHI)."""

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

START_OF_CARE = "What is the start of care date for this home health request?"


class Dialogs:
    """Every dialog the page opens, by type; each is answered with ``answer`` ("dismiss": stay on the page)."""

    def __init__(self, page):
        self.page = page
        self.seen: list[str] = []
        self.answer = "dismiss"
        page.on("dialog", self._handle)

    def _handle(self, dialog):
        self.seen.append(dialog.type)
        dialog.accept() if self.answer == "accept" else dialog.dismiss()

    def click_and_expect_prompt(self, locator, answer):
        """Click ``locator`` and wait for the "Leave site?" prompt, answered with ``answer``."""
        self.answer = answer
        before = len(self.seen)
        with self.page.expect_event("dialog") as prompt:
            locator.click()
        assert prompt.value.type == "beforeunload"
        assert self.seen[before:] == ["beforeunload"]


def walk_to_the_start_of_care_date(page, live_url, audit, sign_in, office):
    """Sign in, then program, provider, insurer and contact: on "Attention!" (the start of care date).

    ``office`` is the ``world`` fixture of the case-build journeys."""
    sign_in(office["user"])
    audit.check()
    open_clinical_certification(page, live_url, audit)
    choose_program(page, audit, "Home Health")
    provider_insurer_and_contact(page, audit, office)


def back(page):
    return page.get_by_role("link", name="Back", exact=True)


def test_back_with_typed_values_asks_first_staying_keeps_them_and_leaving_goes_back(
    page,
    live_url,
    audit,
    sign_in,
    world,  # noqa: F811
):
    walk_to_the_start_of_care_date(page, live_url, audit, sign_in, world)
    dialogs = Dialogs(page)

    # Nothing typed: Back goes back, no question asked.
    back(page).click()
    expect(heading(page, "Add Your Contact Info")).to_be_visible()
    audit.check()
    assert dialogs.seen == []

    # A fax typed over the provider's: Back asks; staying keeps the page and what was typed.
    fax = page.get_by_label("Fax:")
    fax.fill("860-555-0100")
    dialogs.click_and_expect_prompt(back(page), "dismiss")
    expect(heading(page, "Add Your Contact Info")).to_be_visible()
    expect(fax).to_have_value("860-555-0100")
    audit.check()

    # Asked again, leaving goes back; the typed fax was not saved.
    dialogs.click_and_expect_prompt(back(page), "accept")
    expect(heading(page, "Choose Your Insurer")).to_be_visible()
    audit.check()
    page.get_by_role("button", name="Continue").click()
    expect(heading(page, "Add Your Contact Info")).to_be_visible()
    audit.check()
    expect(page.get_by_label("Fax:")).to_have_value("(860) 666-4321")
    assert dialogs.seen == ["beforeunload", "beforeunload"]


def test_a_value_typed_and_then_put_back_leaves_without_asking(
    page,
    live_url,
    audit,
    sign_in,
    world,  # noqa: F811
):
    walk_to_the_start_of_care_date(page, live_url, audit, sign_in, world)
    dialogs = Dialogs(page)
    start_of_care = page.get_by_label(START_OF_CARE)
    start_of_care.fill("1/2/2030")
    start_of_care.fill("")
    back(page).click()
    expect(heading(page, "Add Your Contact Info")).to_be_visible()
    audit.check()
    assert dialogs.seen == []


def test_submitting_a_changed_form_never_asks(
    page,
    live_url,
    audit,
    sign_in,
    world,  # noqa: F811
):
    walk_to_the_start_of_care_date(page, live_url, audit, sign_in, world)
    dialogs = Dialogs(page)

    # Continue (here "Submit").
    page.get_by_label(START_OF_CARE).fill(us_date(timezone.localdate() + datetime.timedelta(days=3)))
    page.get_by_role("button", name="Submit").click()
    expect(heading(page, "Patient Eligibility Lookup")).to_be_visible()
    audit.check()

    # A lookup: the same page again, with the matches.
    member = world["member"]
    page.get_by_label("Patient ID:").fill(member.member_id)
    page.get_by_label("Date Of Birth:").fill("04/02/1950")
    page.get_by_label("Patient Last Name Only:").fill(member.last_name)
    page.get_by_role("button", name="Eligibility Lookup").click()
    patients = page.get_by_role("region", name="Patients found")
    expect(patients.get_by_role("cell", name=member.member_id, exact=True)).to_be_visible()
    audit.check()

    # Select, a form of its own beside the lookup form.
    patients.get_by_role("button", name=f"Select {member.full_name}").click()
    expect(heading(page, "Patient Contact Information")).to_be_visible()
    audit.check()
    assert dialogs.seen == []


def test_the_idle_timeout_signs_out_without_asking_even_with_typed_values(
    page,
    live_url,
    audit,
    sign_in,
    world,  # noqa: F811
    settings,
):
    walk_to_the_start_of_care_date(page, live_url, audit, sign_in, world)
    dialogs = Dialogs(page)
    # A short session from now on (the server reads the limit on each request, the page when it is shown).
    settings.SESSION_IDLE_TIMEOUT = datetime.timedelta(seconds=6)
    settings.SESSION_WARNING_SECONDS = 3
    page.reload()
    expect(heading(page, "Attention!")).to_be_visible()
    audit.check()

    page.get_by_label(START_OF_CARE).fill("1/2/2030")
    expect(page.get_by_role("dialog", name="You will be signed out soon")).to_be_visible(timeout=10_000)
    expect(page.get_by_role("heading", name="Log in")).to_be_visible(timeout=15_000)
    audit.check()
    assert dialogs.seen == []
