"""'Where am I' on a phone: "Step N of M" and the list of steps, read as text and never wider than the screen."""

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

PHONE = {"width": 390, "height": 844}


def assert_where_am_i(page, audit, *, position, current, completed):
    """The page says its position in words, marks the current step for screen readers, and fits the phone."""
    expect(page.get_by_text(position, exact=True)).to_be_visible()
    steps = page.get_by_role("navigation", name="Steps of this request")
    expect(steps.locator('li[aria-current="step"]')).to_have_text(current)
    expect(steps.get_by_role("listitem").filter(has_text="(completed)")).to_have_count(completed)
    audit.check()
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth"), (
        f"{position}: the page scrolls sideways at {PHONE['width']} px"
    )


def test_the_step_indicator_follows_a_home_health_request_at_phone_width(
    page,
    live_url,
    audit,
    sign_in,
    world,  # noqa: F811
):
    page.set_viewport_size(PHONE)
    sign_in(world["user"])
    audit.check()
    open_clinical_certification(page, live_url, audit)
    choose_program(page, audit, "Home Health")
    assert_where_am_i(
        page,
        audit,
        position="Step 1 of 14: Requesting Provider Information",
        current="Requesting Provider Information",
        completed=0,
    )

    provider_insurer_and_contact(page, audit, world)
    assert_where_am_i(page, audit, position="Step 4 of 14: Date of Service", current="Date of Service", completed=3)

    page.get_by_label("What is the start of care date for this home health request?").fill(
        us_date(timezone.localdate() + datetime.timedelta(days=3))
    )
    page.get_by_role("button", name="Submit").click()
    expect(heading(page, "Patient Eligibility Lookup")).to_be_visible()
    assert_where_am_i(
        page,
        audit,
        position="Step 5 of 14: Patient Eligibility Lookup",
        current="Patient Eligibility Lookup",
        completed=4,
    )
