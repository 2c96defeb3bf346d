"""Browser tests: Debian's Chromium driven by Playwright, with every visited page checked by axe-core.

Use the ``page`` fixture as usual and call ``audit.check()`` after each navigation. At teardown the
``audit`` fixture fails the test if a visited page was never checked, if axe found violations on any
checked page, or if the browser reported a Content-Security-Policy violation.
"""

from pathlib import Path
from urllib.parse import urlsplit

import pytest

BASE_DIR = Path(__file__).resolve().parents[2]
AXE_SOURCE = BASE_DIR / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = "/usr/bin/chromium"

pytestmark = pytest.mark.browser


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    # Playwright cannot download its own browser here: launch Debian's, without background traffic.
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture
def live_url(live_server):
    return live_server.url


class AccessibilityAudit:
    def __init__(self, page):
        self.page = page
        self.visited: list[str] = []
        self.checked: set[str] = set()
        self.violations: dict[str, list] = {}
        self.csp_errors: list[str] = []
        self._axe = AXE_SOURCE.read_text() if AXE_SOURCE.exists() else None
        page.on("framenavigated", self._on_navigation)
        page.on("console", self._on_console)

    @staticmethod
    def _path(url: str) -> str:
        parts = urlsplit(url)
        return parts.path + (f"?{parts.query}" if parts.query else "")

    def _on_navigation(self, frame):
        if frame == self.page.main_frame and not frame.url.startswith("about:"):
            self.visited.append(self._path(frame.url))

    def _on_console(self, message):
        if message.type == "error" and "Content Security Policy" in message.text:
            self.csp_errors.append(message.text)

    def check(self) -> None:
        """Run axe-core on the page as it is now; record the violations against its path."""
        assert self._axe, f"axe-core is missing at {AXE_SOURCE}: run `make test` (npm ci) first"
        self.page.wait_for_load_state("load")
        # evaluate() runs outside the page's CSP, unlike an injected <script> tag.
        if not self.page.evaluate("() => typeof window.axe !== 'undefined'"):
            self.page.evaluate(self._axe)
        found = self.page.evaluate(
            """async () => (await axe.run(document, {resultTypes: ['violations']})).violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 5).map(n => n.target.join(' '))}))"""
        )
        path = self._path(self.page.url)
        self.checked.add(path)
        if found:
            self.violations[path] = found
        assert not found, f"axe-core found accessibility violations on {path}: {found}"

    def finish(self) -> None:
        if self.page.is_closed():
            return
        current = self._path(self.page.url)
        if current not in self.checked and not self.page.url.startswith("about:"):
            self.check()
        unchecked = [path for path in dict.fromkeys(self.visited) if path not in self.checked]
        assert not unchecked, f"pages visited but never checked with axe-core: {unchecked}"
        assert not self.csp_errors, f"Content-Security-Policy violations: {self.csp_errors}"


@pytest.fixture
def audit(page):
    checker = AccessibilityAudit(page)
    yield checker
    checker.finish()


@pytest.fixture
def complete_mfa(page, audit):
    """A function ``(user, remember=False)`` that finishes MFA from the page shown after the password.

    With no device yet it registers the user's email on "Set up multi-factor authentication"; then it
    reads the PIN from the outbox (email or SMS), or computes an authenticator app's code, and enters it
    on "Verify your identity". Every MFA page it passes is checked with axe; the page it lands on is
    the caller's to check.
    """
    import re

    from django.core import mail
    from django_otp.oath import totp
    from playwright.sync_api import expect

    from delivery.sms.backends.locmem import outbox as sms_outbox
    from mfa.models import AuthenticatorAppDevice

    heading = page.get_by_role("heading", level=1)

    def complete(user, *, remember=False):
        expect(heading).to_have_text(re.compile("Set up multi-factor authentication|Verify your identity"))
        audit.check()
        if heading.inner_text() == "Set up multi-factor authentication":
            page.get_by_label("Email", exact=True).check()
            page.get_by_label("Email address").fill(user.email)
            page.get_by_role("button", name="Send PIN").click()
            expect(heading).to_have_text("Verify your identity")
            audit.check()
        main = page.get_by_role("main")
        if "We've sent an email to:" in main.inner_text():
            code = re.search(r"\b(\d{6})\b", mail.outbox[-1].body).group(1)
        elif "We've sent a text message to:" in main.inner_text():
            code = re.search(r"\b(\d{6})\b", sms_outbox[-1].body).group(1)
        else:
            device = AuthenticatorAppDevice.objects.filter(user=user, confirmed=True).latest("pk")
            code = f"{totp(device.bin_key):06d}"
        page.get_by_label("Enter 6-digit code").fill(code)
        if remember:
            page.get_by_label("Remember this device for 30 days").check()
        page.get_by_role("button", name="Continue").click()
        page.wait_for_url(lambda url: "/mfa/" not in url)

    return complete


@pytest.fixture
def sign_in(page, live_url, audit, complete_mfa):
    """A function ``(user, password=DEMO_PASSWORD, remember=False)``: log in on the real login page and pass
    MFA (registering an email device first if the user has none). The caller checks the page it lands on."""
    from django.conf import settings

    def sign_in_as(user, password=None, *, remember=False):
        page.goto(live_url + "/accounts/login/")
        audit.check()
        page.get_by_label("User name").fill(user.username)
        page.get_by_label("Password").fill(password or settings.DEMO_PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url(lambda url: "/accounts/login/" not in url)
        if "/mfa/" in page.url:
            complete_mfa(user, remember=remember)

    return sign_in_as
