"""The case build and the account pages on a 390 px wide phone: no page is wider than the screen (issue 10, item 7).

The three journeys of ``test_case_build`` are walked as they are there, in a 390x844 viewport. This module's
``audit`` wraps the shared one so that every ``audit.check()`` (every page the journeys visit, and the audit
fails a test that leaves a visited page unchecked) first measures the page: ``document.documentElement``
must not scroll sideways. Every page that does is collected with its heading and the elements that stick out,
and the test fails with the whole list at its end.
"""

import pytest
from playwright.sync_api import expect

from accounts.tests.factories import UserFactory
from cases.tests.factories import attested_case, draft_case, submitted_case
from practices.models import WorklistAccess
from reference.tests.factories import ProviderFactory
from tests.browser import test_case_build as case_build

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}

world = case_build.world  # the journeys' office, provider, patient, agency and supplier

# The page's width, and the elements that stick out past its right edge (the outermost few).
MEASURE = """() => {
    const width = window.innerWidth;
    const wide = [];
    for (const el of document.body.querySelectorAll('*')) {
        const box = el.getBoundingClientRect();
        if (box.width && box.right > width + 1 && !wide.some(outer => outer.contains(el))) wide.push(el);
    }
    const describe = el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
        + (el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\\s+/).join('.') : '')
        + ` (${Math.round(el.getBoundingClientRect().right)}px)`;
    return {scrollWidth: document.documentElement.scrollWidth, innerWidth: width, wide: wide.slice(0, 5).map(describe)};
}"""


class PageWidth:
    """Measures pages against the viewport and remembers the ones that scroll sideways."""

    def __init__(self, page):
        self.page = page
        self.too_wide: list[str] = []
        self.measured: list[str] = []

    def check(self) -> None:
        self.page.wait_for_load_state("load")
        name = self.page.title() or self.page.url
        found = self.page.evaluate(MEASURE)
        self.measured.append(name)
        if found["scrollWidth"] > found["innerWidth"]:
            self.too_wide.append(
                f"{name} ({self.page.url}): {found['scrollWidth']}px wide in a {found['innerWidth']}px viewport;"
                f" sticking out: {', '.join(found['wide']) or '-'}"
            )

    def assert_all_fit(self) -> None:
        assert self.measured, "no page was measured"
        assert not self.too_wide, "pages wider than the phone's screen:\n" + "\n".join(self.too_wide)


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": PHONE}


@pytest.fixture
def width(page):
    return PageWidth(page)


@pytest.fixture
def audit(audit, width):
    """The shared axe audit, measuring each page's width before axe checks it."""
    axe_check = audit.check

    def check():
        width.check()
        axe_check()

    audit.check = check
    return audit


def test_home_health_with_the_bundle_fits_a_phone(page, live_url, audit, sign_in, world, width):
    case_build.test_home_health_case_with_the_bundle_accepted_is_approved_with_an_authorization_number(
        page, live_url, audit, sign_in, world
    )
    width.assert_all_fit()


def test_home_health_with_manual_visits_fits_a_phone(page, live_url, audit, sign_in, world, width):
    case_build.test_home_health_case_with_manual_visits_is_sent_to_medical_review(page, live_url, audit, sign_in, world)
    width.assert_all_fit()


def test_dme_with_two_codes_and_an_upload_fits_a_phone(page, live_url, audit, sign_in, world, width, tmp_path):
    case_build.test_dme_case_with_two_codes_urgent_with_an_uploaded_pdf_after_finish_later(
        page, live_url, audit, sign_in, world, tmp_path
    )
    width.assert_all_fit()


def test_in_progress_a_conflict_and_the_account_pages_fit_a_phone(page, live_url, audit, sign_in, world, width):
    """Saved requests, "possible request conflict" with its Review History, and the account and help pages."""
    user, member = world["user"], world["member"]
    # A request pending review for the patient, and a draft of the same program whose period overlaps it.
    submitted_case(user=user, member=member)
    draft = attested_case(user=user, member=member)
    for _ in range(2):
        draft_case(user=user)
    ProviderFactory(last_name="Abernathy-Montgomery-Whitfield", zip_code="06103", state="CT")
    # Long user names and emails must wrap inside their rows.
    colleague = UserFactory(username="colleague.with.a.rather.long.user.name", last_name="Featherstonehaugh-Smythe")
    WorklistAccess.objects.create(owner=user, grantee=colleague)
    WorklistAccess.objects.create(owner=colleague, grantee=user)

    sign_in(user)
    audit.check()
    page.goto(live_url + "/cases/in-progress/")
    expect(case_build.heading(page, "Certification Requests In Progress")).to_be_visible()
    audit.check()
    # Stacked: the column headers are out of sight (not out of the accessibility tree), each cell has its label.
    saved = page.get_by_role("region", name="Saved requests").get_by_role("table")
    assert saved.locator("thead").bounding_box()["height"] <= 1
    expect(saved.get_by_role("columnheader", name="Request ID")).to_have_count(1)
    cell = saved.get_by_role("cell", name=draft.request_id, exact=True)
    assert "Request ID" in cell.evaluate("c => getComputedStyle(c, '::before').content")
    assert cell.evaluate("c => getComputedStyle(c).display") != "table-cell"

    page.get_by_role("link", name=f"Resume request {draft.request_id}").click()
    conflict = page.get_by_text("There is a possible request conflict on file.")
    expect(conflict).to_be_visible()
    page.get_by_text("Show Review History").click()
    expect(page.get_by_role("region", name="Review History")).to_be_visible()
    audit.check()

    nav = page.get_by_role("navigation", name="CareCore")
    nav.get_by_role("link", name="Manage Your Account").click()
    expect(case_build.heading(page, "Manage Your Account")).to_be_visible()
    audit.check()
    page.get_by_label("State", exact=True).select_option("CT")
    page.get_by_label("Zip", exact=True).fill("06103")
    page.get_by_role("button", name="Find matches").click()
    expect(page.get_by_role("heading", name="Matches")).to_be_visible()
    audit.check()

    account = page.get_by_role("navigation", name="Your account")
    for title in ("User Access", "View Access"):
        account.get_by_role("link", name=title).click()
        expect(case_build.heading(page, title)).to_be_visible()
        if title == "User Access":
            page.get_by_text("1 person has access to your worklist. View List").click()
            expect(page.get_by_role("cell", name=colleague.email, exact=True)).to_be_visible()
        audit.check()

    nav.get_by_role("link", name="Help / Contact Us").click()
    expect(case_build.heading(page, "Help / Contact")).to_be_visible()
    audit.check()

    width.assert_all_fit()


def test_tables_are_tables_again_on_a_desktop(page, live_url, audit, sign_in, world, width):
    """At 1280 px the stacked tables are ordinary tables: column headers shown, one row per line."""
    page.set_viewport_size(DESKTOP)
    draft = draft_case(user=world["user"], member=world["member"])
    sign_in(world["user"])
    audit.check()
    page.goto(live_url + "/cases/in-progress/")
    audit.check()
    table = page.get_by_role("region", name="Saved requests").get_by_role("table")
    expect(table.locator("thead")).to_be_visible()
    header = table.get_by_role("columnheader", name="Request ID")
    cell = table.get_by_role("cell", name=draft.request_id, exact=True)
    assert table.evaluate("t => getComputedStyle(t).display") == "table"
    assert cell.evaluate("c => getComputedStyle(c).display") == "table-cell"
    assert cell.evaluate("c => getComputedStyle(c, '::before').content") in ("none", "normal")
    header_box, cell_box = header.bounding_box(), cell.bounding_box()
    assert header_box["height"] > 1
    assert abs(header_box["x"] - cell_box["x"]) < 2, "the cell is not under its column header"
    width.assert_all_fit()
