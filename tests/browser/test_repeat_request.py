"""A repeat request in the browser (issue 10, item 15): "Start from a previous request" on Request an
Authorization, each copied step confirmed with one click, and what the whole request costs, counted."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cases.models import Case, CaseStatus
from cases.tests.factories import submitted_case
from tests.browser.interactions import count_interactions, stop_counting
from tests.browser.test_case_build import (  # noqa: F401 (world is a fixture)
    answer,
    heading,
    open_clinical_certification,
    patient_step,
    us_date,
    world,
)

pytestmark = pytest.mark.django_db(transaction=True)

# What a Home Health bundle request that repeats a previous one costs, counted like the journeys of
# test_case_build (first time: 19 page loads, 14 inputs, 19 clicks). Issue 10 asked for at most 8 inputs; 9 are
# left, each one that the spec says a request must be given anew: the start of care date (CASE-5), the patient's
# ID, date of birth and last name (CASE-6), the diagnosis (CASE-7), the attestation tick (CASE-9) and the three
# clinical answers (CASE-10).
REPEAT_CEILING = {"page loads": 17, "inputs": 9, "clicks": 17}


@pytest.fixture
def previous(world):  # noqa: F811
    """The office's earlier Home Health request for Ada Okafor at Hartford Visiting Nurses, with its own contact."""
    provider = world["provider"]
    return submitted_case(
        approved=True,
        user=world["user"],
        ordering_provider=provider,
        provider_address=provider.address_display,
        contact_provider_name=provider.display_name,
        contact_name="Maria Johnson",
        contact_fax="8605550111",
        contact_phone="8605550122",
        contact_email="maria@office.example",
        site=world["agency"],
        site_fax="8605550133",
        site_phone="8605550144",
    )


def test_a_repeat_home_health_bundle_request_is_confirmed_step_by_step_and_counted(
    page,
    live_url,
    audit,
    sign_in,
    world,  # noqa: F811
    previous,
    monkeypatch,
):
    interactions = count_interactions(page, monkeypatch)
    sign_in(world["user"])
    audit.check()
    open_clinical_certification(page, live_url, audit)  # counting starts at "Clinical Certification"

    recent = page.get_by_role("region", name="Your recent submitted requests")
    expect(recent.get_by_role("cell", name=previous.request_id, exact=True)).to_be_visible()
    expect(recent).not_to_contain_text(previous.member.member_id)  # the list never shows the patient
    recent.get_by_role("button", name=f"Start from this request {previous.request_id}").click()
    expect(heading(page, "Requesting Provider Information")).to_be_visible()
    expect(page.get_by_role("status").or_(page.locator(".messages"))).to_contain_text(
        f"started from request {previous.request_id}"
    )
    audit.check()

    provider = world["provider"]
    page.get_by_role("button", name=f"Continue with {provider.display_name}").click()
    expect(heading(page, "Choose Your Insurer")).to_be_visible()
    audit.check()
    expect(page.get_by_label("Please select the insurer for this authorization request.")).to_have_value(
        str(previous.health_plan_id)
    )
    page.get_by_role("button", name="Continue").click()
    expect(heading(page, "Add Your Contact Info")).to_be_visible()
    audit.check()
    expect(page.get_by_role("textbox", name="Fax:", exact=True)).to_have_value("(860) 555-0111")
    page.get_by_role("button", name="Confirm Fax and Continue").click()
    expect(heading(page, "Attention!")).to_be_visible()
    audit.check()

    page.get_by_label("What is the start of care date for this home health request?").fill(
        us_date(timezone.localdate() + datetime.timedelta(days=3))
    )
    page.get_by_role("button", name="Submit").click()
    expect(heading(page, "Patient Eligibility Lookup")).to_be_visible()
    audit.check()
    patient_step(page, audit, world)

    page.get_by_label("Primary Diagnosis Code (Lookup by Code or Description)").fill("S92.151A")
    page.get_by_role("button", name="Continue").click()
    expect(heading(page, "Add Site of Service")).to_be_visible()
    audit.check()
    # The copied site is already selected, with the numbers typed for the previous request.
    expect(page.get_by_text(world["agency"].name, exact=True)).to_be_visible()
    expect(page.get_by_label("Fax", exact=False).first).to_have_value("(860) 555-0133")
    page.get_by_role("button", name="Continue").click()
    expect(heading(page, "Proceed to Clinical Information")).to_be_visible()
    audit.check()

    page.get_by_label(re.compile("^I acknowledge that the clinical information")).check()
    page.get_by_role("button", name="Confirm and Continue").click()
    expect(page.get_by_role("group", name="Is the patient homebound?")).to_be_visible()
    audit.check()
    answer(page, audit, "Is the patient homebound?", "Yes", then="If applicable, please select the admitting diagnosis")
    answer(
        page,
        audit,
        re.compile("^If applicable, please select the admitting diagnosis"),
        "Orthopedic",
        then="Registered/Skilled Nurse - 6 visits",
    )
    answer(page, audit, "Do you want to proceed with the presented bundle?", "Yes", then="Requested services")
    page.get_by_role("button", name="Submit").click()
    expect(heading(page, "Summary of Your Request")).to_be_visible()
    audit.check()
    page.get_by_role("button", name="Submit").click()
    expect(page.get_by_role("status")).to_have_text("Your case has been Approved.")
    audit.check()
    inputs = list(interactions.inputs)
    counts = stop_counting(page, "Repeat Home Health bundle request")

    case = Case.objects.exclude(pk=previous.pk).get(created_by=world["user"])
    assert case.status == CaseStatus.APPROVED
    assert (case.ordering_provider, case.health_plan, case.site) == (
        previous.ordering_provider,
        previous.health_plan,
        previous.site,
    )
    assert (case.contact_fax, case.site_fax) == ("8605550111", "8605550133")
    assert case.member == world["member"] and case.member != previous.member
    assert all(counts[what] <= REPEAT_CEILING[what] for what in REPEAT_CEILING), (counts, inputs)
