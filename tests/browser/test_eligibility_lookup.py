"""Eligibility Lookup in the browser (WL-3, issue 11 item 7): keyboard only, on a desktop and on a 390 px phone."""

import datetime

import pytest
from playwright.sync_api import expect

from accounts.tests.factories import UserFactory
from practices.tests.factories import PracticeFactory, PracticeMembershipFactory
from reference.models import HealthPlan
from reference.services import catalog_load
from reference.tests.factories import EligibilityFactory, MemberFactory
from tests.browser.test_case_build import heading, press_button, tab_to

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}


def _fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def _member():
    catalog_load()
    member = MemberFactory(
        member_id="K7734521", first_name="Ada", last_name="Stone", date_of_birth=datetime.date(1950, 4, 2)
    )
    EligibilityFactory(
        member=member,
        health_plan=HealthPlan.objects.get(code="cigna-commercial"),
        coverage_start=datetime.date(2024, 1, 1),
    )
    EligibilityFactory(
        member=member,
        health_plan=HealthPlan.objects.get(code="keystone-community"),
        coverage_start=datetime.date(2020, 1, 1),
        coverage_end=datetime.date(2023, 12, 31),
    )
    return member


def _open_from_the_carecore_bar(page, live_url, audit):
    page.goto(live_url + "/cases/")
    audit.check()
    page.get_by_role("navigation", name="CareCore").get_by_role("link", name="Eligibility Lookup").click()
    expect(heading(page, "Eligibility Lookup")).to_be_visible()
    audit.check()


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_a_case_submitter_looks_up_a_patients_plans_and_programs_with_the_keyboard(
    page, live_url, audit, sign_in, viewport
):
    _member()
    user = UserFactory()
    PracticeMembershipFactory(user=user, case_submission=True)
    page.set_viewport_size(viewport)
    sign_in(user)
    audit.check()
    _open_from_the_carecore_bar(page, live_url, audit)
    assert _fits(page)

    # Sent empty from the keyboard: the summary names each field and takes the focus.
    press_button(page, "Eligibility Lookup")
    summary = page.get_by_role("alert")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Patient ID: Enter the Patient ID.")
    expect(summary).to_contain_text("Date of birth: Enter the date of birth.")
    expect(summary).to_contain_text("Patient last name: Enter the patient's last name.")
    audit.check()
    assert _fits(page)

    # One field wrong: one message that does not say which.
    # (past the summary's links, which start with the fields' names)
    for label, text in (
        ("Patient ID", "K7734521"),
        ("Date Of Birth", "04/03/1950"),
        ("Patient Last Name Only", "Stone"),
    ):
        tab_to(page, label, tag="input")
        page.keyboard.type(text)
    page.keyboard.press("Enter")
    expect(page.get_by_role("alert")).to_contain_text(
        "No patient was found with this Patient ID, date of birth and last name."
    )
    expect(page.get_by_role("heading", name="Eligibility for Ada Stone")).to_have_count(0)
    audit.check()

    # The fields keep what was typed; the date of birth is corrected from the keyboard.
    page.get_by_label("Date Of Birth").focus()
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.type("4/2/1950")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Eligibility for Ada Stone")).to_be_visible()
    expect(page.get_by_role("alert")).to_have_count(0)
    audit.check()
    assert "K7734521" not in page.url and page.url.endswith("/eligibility/")

    cigna = page.get_by_role("region", name="Programs that need prior authorization through this portal with Cigna")
    expect(cigna.get_by_role("cell", name="Home Health", exact=True)).to_be_visible()
    expect(cigna.get_by_role("cell", name="Durable Medical Equipment(DME)")).to_be_visible()
    expect(page.get_by_text("01/01/2024 to ongoing")).to_be_visible()
    expect(page.get_by_text("Active today")).to_be_visible()
    expect(page.get_by_text("01/01/2020 to 12/31/2023")).to_be_visible()
    expect(page.get_by_text("Ended", exact=True)).to_be_visible()
    expect(
        page.get_by_text("Cigna Healthcare Commercial does not use EviCore for any other program's requests.")
    ).to_be_visible()
    assert _fits(page)
    if viewport is PHONE:
        # Stacked: each cell carries its column's name.
        cell = cigna.get_by_role("cell", name="Home Health", exact=True)
        assert "Program" in cell.evaluate("c => getComputedStyle(c, '::before').content")

    # The programs the plan does not delegate open from the keyboard.
    press_button(page, "Programs not reviewed through this portal for Cigna", tag="summary")
    expect(page.get_by_text("Gene Therapy").first).to_be_visible()
    assert _fits(page)


def test_a_member_of_a_practice_without_case_submission_is_told_whom_to_ask(page, live_url, audit, sign_in):
    practice = PracticeFactory()
    manager = UserFactory(first_name="Mia", last_name="Manager", email="mia.manager@office.example")
    PracticeMembershipFactory(user=manager, practice=practice, manager=True)
    user = UserFactory()
    PracticeMembershipFactory(user=user, practice=practice)
    sign_in(user)
    audit.check()
    _open_from_the_carecore_bar(page, live_url, audit)
    expect(page.get_by_text("You do not have the Case submission entitlement for your practice")).to_be_visible()
    expect(page.get_by_role("link", name="mia.manager@office.example")).to_be_visible()
    expect(page.get_by_label("Patient ID")).to_have_count(0)
