"""Count what a journey costs the user: page loads, inputs (a value typed, chosen, ticked or attached) and clicks.

The counts are taken at Playwright's Locator API, so a test counts exactly what it does as a user would:
``fill``, ``check``, ``select_option`` and ``set_input_files`` are inputs, ``click`` is a click, and every
``load`` of the page is a page load. Issue 10 counted the same way by hand: "HH bundle 20 page loads,
14 inputs, 20 clicks" (a pre-selected value left as it is costs nothing).
"""

from dataclasses import dataclass, field

from playwright.sync_api import Locator

INPUT_METHODS = ("fill", "check", "select_option", "set_input_files", "press_sequentially")


@dataclass
class Interactions:
    counting: bool = False
    loads: int = 0
    inputs: list[str] = field(default_factory=list)
    clicks: list[str] = field(default_factory=list)

    def start(self) -> None:
        self.counting, self.loads, self.inputs, self.clicks = True, 0, [], []

    def stop(self) -> dict:
        self.counting = False
        return {"page loads": self.loads, "inputs": len(self.inputs), "clicks": len(self.clicks)}

    def _on_load(self, _page) -> None:
        if self.counting:
            self.loads += 1


def count_interactions(page, monkeypatch) -> Interactions:
    """Wrap the Locator methods for this test (``monkeypatch`` undoes it) and listen to the page's loads.

    The counter is also kept on the page, so that shared journey steps can start and stop it
    (``start_counting``, ``stop_counting``) and do nothing where a test counts nothing."""
    counter = Interactions()
    page.on("load", counter._on_load)
    page._portal_interactions = counter

    def counted(name, into):
        original = getattr(Locator, name)

        def wrapper(locator, *args, **kwargs):
            if counter.counting:
                into(counter).append(f"{name} {locator}")
            return original(locator, *args, **kwargs)

        monkeypatch.setattr(Locator, name, wrapper)

    for name in INPUT_METHODS:
        counted(name, lambda c: c.inputs)
    counted("click", lambda c: c.clicks)
    return counter


def start_counting(page) -> None:
    counter = getattr(page, "_portal_interactions", None)
    if counter is not None:
        counter.start()


def stop_counting(page, journey: str) -> dict | None:
    """The counts since ``start_counting``, printed with the journey's name; None when the test counts nothing."""
    counter = getattr(page, "_portal_interactions", None)
    if counter is None or not counter.counting:
        return None
    counts = counter.stop()
    print(f"\n{journey}: {counts}")
    return counts
