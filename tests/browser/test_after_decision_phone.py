"""The pages after a submission on a 390 px wide phone (issue 11): the dashboard's worklist, the case page of a
denied DME request with an alternative offered, its reconsideration, appeals, appeal draft and alternative pages,
an approved request's extension page and a held one's upload page. None scrolls sideways; every one passes axe.

``test_phone_width``'s ``audit`` measures each page before axe checks it (its fixtures are imported here).
"""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cases import holds
from cases.tests.factories import submitted_case
from cases.tests.post_decision_world import appeals_user, decided_case, make_reviewer
from reference.services import catalog_load
from tests.browser.test_phone_width import audit, browser_context_args, width  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db(transaction=True)


def heading(page, text):
    return page.get_by_role("heading", level=1, name=text)


def test_the_pages_after_a_decision_fit_a_phone(page, live_url, audit, sign_in, width):  # noqa: F811
    catalog_load()
    reviewer = make_reviewer()
    denied = decided_case("xdd", by=reviewer)  # an alternative offered on line 1, the others denied
    user = appeals_user(denied, case_submission=True, user=denied.created_by)
    approved = decided_case("aaa", by=reviewer)
    appeals_user(approved, case_submission=True, user=user)
    held = submitted_case(user=user, practice=denied.practice)
    holds.hold_place(
        case=held,
        items=["progress_notes", "therapy_goals"],
        note="The last two visits' notes.",
        due_on=timezone.localdate() + datetime.timedelta(days=5),
        by=reviewer,
    )

    assert page.viewport_size["width"] == 390
    sign_in(user)
    expect(page.get_by_role("heading", name="My Worklist")).to_be_visible()
    audit.check()

    page.goto(f"{live_url}/cases/{denied.request_id}/case/")
    expect(page.get_by_role("main")).to_contain_text("No documented trial of a standard wheelchair.")
    audit.check()
    page.goto(f"{live_url}/cases/{denied.request_id}/reconsideration/")
    expect(heading(page, "Request a Reconsideration")).to_be_visible()
    audit.check()
    page.goto(f"{live_url}/cases/{denied.request_id}/appeals/")
    expect(heading(page, "Appeals")).to_be_visible()
    audit.check()
    page.get_by_role("button", name="Start an appeal").click()
    expect(heading(page, "Appeal 1 (draft)")).to_be_visible()
    audit.check()
    page.goto(f"{live_url}/cases/{denied.request_id}/alternative/1/")
    expect(page.get_by_role("main")).to_contain_text("A standard wheelchair (K0001).")
    audit.check()

    page.goto(f"{live_url}/cases/{approved.request_id}/extension/")
    expect(page.get_by_role("main")).to_contain_text("extension")
    audit.check()

    page.goto(f"{live_url}/cases/{held.request_id}/case/")
    expect(page.get_by_role("main")).to_contain_text("Clinical and/or therapy progress notes")
    audit.check()
    page.goto(f"{live_url}/cases/{held.request_id}/upload/")
    expect(heading(page, "Upload Additional Clinical Information")).to_be_visible()
    expect(page.get_by_role("main")).to_contain_text("Therapy goals and level of functioning")
    audit.check()

    width.assert_all_fit()
    assert len(width.measured) >= 9
