"""My Worklist in the browser (WL-1, issue 11 item 5): from the CareCore bar, tabs by keyboard, sort, search as you
type (focus and caret kept, the count announced, nothing in the address), on a desktop and on a 390 px phone."""

import datetime
import re

import pytest
from playwright.sync_api import expect

from accounts.tests.factories import UserFactory
from cases.models import Case, CaseStatus
from cases.tests.factories import submitted_case, submitter
from reference.models import HealthPlan
from reference.services import catalog_load
from reference.tests.factories import EligibilityFactory, MemberFactory
from tests.browser.test_case_build import heading, tab_to

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}


def _fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def _cases(user) -> tuple[Case, Case, Case]:
    catalog_load()
    plan = HealthPlan.objects.get(code="cigna-commercial")
    members = []
    for first, last in (("Ada", "Stone"), ("Ben", "Fairweather"), ("Cy", "Lowell")):
        member = MemberFactory(first_name=first, last_name=last)
        EligibilityFactory(member=member, health_plan=plan, coverage_start=datetime.date(2020, 1, 1))
        members.append(member)
    stone, fairweather, lowell = (submitted_case(user=user, member=member) for member in members)
    Case.objects.filter(pk=lowell.pk).update(status=CaseStatus.APPROVED, authorization_number="AUTH0000001")
    return stone, fairweather, lowell


def _listed(page) -> list[str]:
    return page.locator("#worklist-results tbody tr td[data-label='Request ID'] a").all_inner_texts()


def _press(page, name):
    tab_to(page, name, tag="a", presses=80)
    page.keyboard.press("Enter")


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_a_provider_finds_a_case_by_tab_sort_and_search_as_they_type(page, live_url, audit, sign_in, viewport):
    user = submitter(UserFactory())
    stone, fairweather, lowell = _cases(user)
    page.set_viewport_size(viewport)
    sign_in(user)
    audit.check()

    page.goto(live_url + "/cases/")
    audit.check()
    page.get_by_role("navigation", name="CareCore").get_by_role("link", name="Certification Summary").click()
    expect(heading(page, "My Worklist")).to_be_visible()
    audit.check()
    assert _fits(page)
    assert sorted(_listed(page)) == sorted([stone.request_id, fairweather.request_id])
    status_tabs = page.get_by_role("navigation", name="Status")
    expect(status_tabs.get_by_role("link", name="Pending (2)")).to_have_attribute("aria-current", "page")

    # The tabs, from the keyboard.
    _press(page, "Approved (1)")
    expect(status_tabs.get_by_role("link", name="Approved (1)")).to_have_attribute("aria-current", "page")
    audit.check()
    assert _listed(page) == [lowell.request_id]
    assert _fits(page)
    _press(page, "All Statuses (3)")
    expect(page.get_by_role("status")).to_have_text("3 requests under All Statuses.")
    audit.check()

    # Sort by Request ID, then the other way: the column headers on a desktop, "Sort by" anywhere (the headers
    # of a stacked table are not shown on a phone).
    ascending = sorted(c.request_id for c in (stone, fairweather, lowell))
    if viewport is DESKTOP:
        page.locator("#worklist-results thead").get_by_role("link", name="Request ID").click()
        expect(page.locator("th[aria-sort='ascending']")).to_contain_text("Request ID")
    else:
        page.get_by_label("Sort by").select_option("request_id")
        page.get_by_role("button", name="Sort", exact=True).click()
        expect(page.get_by_label("Sort by")).to_have_value("request_id")
    audit.check()
    assert _listed(page) == ascending
    if viewport is DESKTOP:
        page.locator("#worklist-results thead").get_by_role("link", name="Request ID").click()
        expect(page.locator("th[aria-sort='descending']")).to_contain_text("Request ID")
    else:
        page.get_by_label("Sort by").select_option("-request_id")
        page.get_by_role("button", name="Sort", exact=True).click()
        expect(page.get_by_label("Sort by")).to_have_value("-request_id")
    audit.check()
    assert _listed(page) == ascending[::-1]
    assert _fits(page)

    # Search as you type: the list follows, the box keeps the focus and the caret, the count is announced,
    # and the patient's name never reaches the address bar.
    address = page.url
    box = page.get_by_role("searchbox", name="Search")
    tab_to(page, "Search", tag="input", presses=80)
    page.keyboard.type("Stone", delay=40)
    expect(page.get_by_role("status")).to_have_text("1 request under All Statuses matching the search.")
    assert _listed(page) == [stone.request_id]
    expect(box).to_be_focused()
    assert box.evaluate("input => input.selectionStart") == len("Stone")
    assert page.url == address and "Stone" not in page.url
    audit.check()
    assert _fits(page)
    page.keyboard.type("x", delay=40)
    expect(page.get_by_role("status")).to_have_text("0 requests under All Statuses matching the search.")
    expect(page.locator("#worklist-results")).to_contain_text("No Data Available")
    expect(box).to_be_focused()
    audit.check()

    # Enter posts the form as it would without JavaScript: the list comes back with the term kept.
    page.keyboard.press("Backspace")
    page.keyboard.press("Enter")
    page.wait_for_load_state("load")
    expect(box).to_have_value("Stone")
    assert "Stone" not in page.url
    audit.check()
    assert _listed(page) == [stone.request_id]
    page.get_by_role("button", name="Clear search").click()
    expect(page.get_by_role("status")).to_have_text(re.compile(r"^3 requests under All Statuses\.$"))
    audit.check()
    assert _fits(page)
