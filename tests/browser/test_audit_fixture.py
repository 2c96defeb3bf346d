"""The audit fixture itself must be able to fail, or every browser test's accessibility claim is empty."""

import contextlib

import pytest

from tests.browser.conftest import AccessibilityAudit


def test_axe_reports_an_input_without_a_label(page):
    audit = AccessibilityAudit(page)
    page.set_content(
        "<html lang='en'><head><title>t</title></head><body><main><input type='text'></main></body></html>"
    )
    with pytest.raises(AssertionError, match="label"):
        audit.check()


@pytest.mark.django_db(transaction=True)
def test_an_inline_script_is_blocked_by_csp_and_reported(page, live_url):
    audit = AccessibilityAudit(page)
    page.goto(live_url + "/")
    audit.check()
    # Playwright may raise on the blocked tag; the browser's console report is what the audit reads.
    with contextlib.suppress(Exception):
        page.add_script_tag(content="document.title = 'injected'")
    page.wait_for_timeout(200)
    assert page.title() != "injected"
    with pytest.raises(AssertionError, match="Content-Security-Policy"):
        audit.finish()


def test_a_visited_page_that_was_never_checked_fails_the_test(page, live_url, transactional_db):
    audit = AccessibilityAudit(page)
    page.goto(live_url + "/resources/")
    page.goto(live_url + "/resources/contact/")
    with pytest.raises(AssertionError, match="never checked"):
        audit.finish()
