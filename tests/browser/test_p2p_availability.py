"""P2P AVAILABILITY in the browser (P2P-1 to P2P-3, issue 14 items 1-3): on a held case's page the provider asks,
reads the result and all post-decision options, follows "Request Peer to Peer Consultation", confirms a time zone
and sees the case on New P2P Request; a wrong lookup gets the error summary. Every page passes axe."""

import re

import pytest
from playwright.sync_api import expect

from accounts.tests.factories import UserFactory
from cases.tests.factories import submitter
from p2p.lookup import NOT_FOUND
from tests.browser.test_upload_more import held_case

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_held_case_offers_a_pre_decision_p2p_and_the_tool_opens_with_it(page, live_url, audit, sign_in):
    provider = submitter(UserFactory())
    case = held_case(provider)
    sign_in(provider)
    audit.check()

    page.goto(f"{live_url}/cases/{case.request_id}/case/")
    audit.check()
    page.get_by_role("button", name="P2P AVAILABILITY").click()
    expect(page).to_have_url(re.compile(r"\?p2p=1"))
    audit.check()
    section = page.locator("#p2p-availability")
    expect(section).to_contain_text("P2P Eligibility Result:")
    expect(section).to_contain_text("Pre-decision P2P")
    expect(section).to_contain_text("No peer-to-peer consultation requested.")

    page.get_by_role("link", name="ALL POST DECISION OPTIONS").click()
    audit.check()
    options = page.locator("#post-decision-options")
    expect(options).to_contain_text("Upload Additional Clinical Information")

    section.get_by_role("link", name="Request Peer to Peer Consultation", exact=True).first.click()
    expect(page.get_by_role("heading", name="Confirm your default time zone")).to_be_visible()
    audit.check()
    page.get_by_label("US/Pacific").check()
    page.get_by_role("button", name="Confirm").click()

    expect(page.get_by_role("heading", name="New P2P Request")).to_be_visible()
    audit.check()
    main = page.get_by_role("main")
    expect(main).to_contain_text(f"Case Ref #: {case.case_number}")
    expect(main).to_contain_text("P2P Eligible")
    expect(main).to_contain_text("Pre-decision P2P")
    expect(main).to_contain_text("Time Zone: US/Pacific")
    expect(page.locator('[aria-current="step"]')).to_contain_text("Case Info")

    page.get_by_role("button", name="+ Add Another Case").click()
    audit.check()
    page.get_by_label("Case Reference Number").fill("A000000000")
    page.get_by_label("Member Date of Birth").fill("01/01/1950")
    page.get_by_label("Member Date of Birth").press("Enter")
    expect(page.get_by_role("alert")).to_contain_text(NOT_FOUND)
    audit.check()
