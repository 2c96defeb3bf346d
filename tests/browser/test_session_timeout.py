"""The idle-timeout warning (ACC-11): shown before the server ends the session, and it can be extended."""

import datetime
import re

import pytest
from playwright.sync_api import expect

from accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_warning_lets_the_user_stay_and_otherwise_the_session_ends(page, live_url, audit, sign_in, settings):
    settings.SESSION_IDLE_TIMEOUT = datetime.timedelta(seconds=8)
    settings.SESSION_WARNING_SECONDS = 4
    user = UserFactory(username="mjohnson", first_name="Maria", last_name="Johnson")
    sign_in(user)
    audit.check()
    page.goto(live_url + "/resources/")
    audit.check()

    dialog = page.get_by_role("dialog", name="You will be signed out soon")
    expect(dialog).to_be_visible(timeout=10_000)
    expect(dialog.get_by_role("button", name="Stay signed in")).to_be_focused()
    audit.check()
    page.keyboard.press("Enter")
    expect(dialog).to_be_hidden()

    # Untouched, the warning comes back and the session ends on the server.
    expect(dialog).to_be_visible(timeout=10_000)
    expect(page.get_by_role("heading", name="Log in")).to_be_visible(timeout=15_000)
    expect(page.get_by_text(re.compile("You were signed out after .* without activity"))).to_be_visible()
    audit.check()


def test_stay_signed_in_from_a_stale_tab_asks_the_server_instead_of_hanging(page, live_url, audit, sign_in, settings):
    """Signed out and in again in another tab, this tab's CSRF token is old and "Stay signed in" is refused (403).
    The warning must not stay open counting down: the page asks how much time the session really has left."""
    settings.SESSION_IDLE_TIMEOUT = datetime.timedelta(seconds=10)
    settings.SESSION_WARNING_SECONDS = 6
    user = UserFactory(username="mjohnson", first_name="Maria", last_name="Johnson")
    sign_in(user)
    audit.check()
    page.goto(live_url + "/resources/")
    audit.check()

    dialog = page.get_by_role("dialog", name="You will be signed out soon")
    expect(dialog).to_be_visible(timeout=10_000)
    # Activity in another tab of the same browser, and a CSRF cookie this page's token no longer matches.
    assert page.request.get(live_url + "/resources/").ok
    page.context.add_cookies([{"name": "csrftoken", "value": "x" * 32, "url": live_url}])
    page.keyboard.press("Enter")

    expect(dialog).to_be_hidden()
    page.wait_for_timeout(2_000)
    expect(dialog).to_be_hidden()
    expect(page.get_by_role("heading", name="Log in")).to_be_hidden()
    assert page.url == live_url + "/resources/"
