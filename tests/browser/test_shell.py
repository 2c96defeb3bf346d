"""The page shell a visitor and a provider walk through: home, Resources, contacts, log in, dashboard."""

import re

import pytest
from django.conf import settings
from playwright.sync_api import expect

from accounts.tests.factories import UserFactory
from resources.services import guidelines_load
from tests.browser.conftest import AccessibilityAudit

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def reference(transactional_db):
    from reference.services import catalog_load

    catalog_load()
    guidelines_load()


def test_visitor_browses_the_shell_and_finds_a_guideline_with_the_keyboard(page, live_url, audit, reference):
    page.goto(live_url + "/")
    expect(page.get_by_role("heading", name="Provider's Hub")).to_be_visible()
    audit.check()

    # The first Tab reaches the skip link, which moves focus to the main content.
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to main content")).to_be_focused()

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Resources").click()
    expect(page.get_by_role("heading", name="Resources", exact=True)).to_be_visible()
    audit.check()

    page.get_by_role("link", name="Clinical Guidelines").first.click()
    expect(page).to_have_url(re.compile(r"/resources/clinical-guidelines/$"))
    audit.check()
    page.get_by_label("Search by Health Plan").fill("Cigna Healthcare Commercial")
    page.get_by_label("Search by Health Plan").press("Enter")
    expect(page.get_by_role("cell", name=re.compile("Oxygen for Home Use"))).to_be_visible()
    audit.check()

    page.get_by_role("link", name="Help / Contact").first.click()
    expect(page.get_by_role("cell", name="(855) 826-3724").first).to_be_visible()
    audit.check()


def test_a_bad_login_is_summarised_and_a_good_one_reaches_the_dashboard(page, live_url, audit, reference, complete_mfa):
    user = UserFactory(username="mjohnson", first_name="Maria", last_name="Johnson")
    page.goto(live_url + "/")
    audit.check()
    page.get_by_role("link", name="Log in").first.click()
    audit.check()

    page.get_by_label("User name").fill("mjohnson")
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Log in").click()
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("The user name or password is not correct.")
    expect(summary).to_be_focused()
    audit.check()

    page.get_by_label("Password").fill(settings.DEMO_PASSWORD)
    page.get_by_label("Password").press("Enter")
    complete_mfa(user)
    expect(page.get_by_role("heading", name="Welcome, Maria Johnson")).to_be_visible()
    audit.check()

    # The user menu opens from the keyboard and closes with Escape.
    menu_button = page.get_by_role("button", name="Maria Johnson")
    menu_button.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.get_by_role("button", name="Log out")).to_be_hidden()
    expect(menu_button).to_be_focused()

    page.get_by_role("navigation", name="Main").get_by_role("button", name="Maria Johnson").click()
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("heading", name="Provider's Hub")).to_be_visible()
    audit.check()


def test_on_a_phone_the_menu_opens_from_the_keyboard_and_wide_tables_stack(browser, live_url, reference):
    context = browser.new_context(viewport={"width": 390, "height": 800})
    page = context.new_page()
    audit = AccessibilityAudit(page)
    try:
        page.goto(live_url + "/resources/contact/")
        menu = page.get_by_role("button", name="Menu")
        expect(menu).to_have_attribute("aria-expanded", "false")
        expect(page.get_by_role("navigation", name="Main").get_by_role("link", name="Resources")).to_be_hidden()
        audit.check()

        menu.focus()
        page.keyboard.press("Enter")
        expect(menu).to_have_attribute("aria-expanded", "true")
        expect(page.get_by_role("navigation", name="Main").get_by_role("link", name="Resources")).to_be_visible()
        audit.check()

        # The table turns into label/value rows (issue 10, item 7): nothing scrolls sideways, the page included.
        table_region = page.get_by_role("region", name="Phone and fax by health plan and program")
        assert table_region.evaluate("el => el.scrollWidth <= el.clientWidth"), "the table should fit the screen"
        assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
        first_cell = table_region.locator("tbody td[data-label]").first
        assert first_cell.evaluate("el => getComputedStyle(el).display") != "table-cell"
        audit.finish()
    finally:
        context.close()
