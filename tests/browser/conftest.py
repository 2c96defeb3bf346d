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
