"""The diagnosis type-ahead on "Requested Service + Diagnosis", with the keyboard only (issue 10, item 14)."""

import pytest
from playwright.sync_api import expect

from cases.models import Case
from cases.tests.factories import diagnosis
from reference.services import diagnosis_word_index_rebuild
from tests.browser.test_case_build import (  # noqa: F401 (world is a fixture)
    heading,
    patient_step,
    walk_home_health_to_the_patient_step,
    world,
)

pytestmark = pytest.mark.django_db(transaction=True)

PRIMARY = "Primary Diagnosis Code (Lookup by Code or Description)"


def walk_to_the_service_step(page, live_url, audit, sign_in, world):  # noqa: F811
    walk_home_health_to_the_patient_step(page, live_url, audit, sign_in, world)
    patient_step(page, audit, world)


def test_a_diagnosis_is_found_and_chosen_by_typing_and_the_arrow_keys(
    page,
    live_url,
    audit,
    sign_in,
    world,  # noqa: F811
):
    # Three more talus codes beside the world's S92.151A: the suggestions come in code order.
    diagnosis("S92.111A", "Displaced fracture of neck of right talus, initial encounter for closed fracture")
    diagnosis("S92.112A", "Displaced fracture of neck of left talus, initial encounter for closed fracture")
    diagnosis(
        "S92.152A", "Displaced avulsion fracture (chip fracture) of left talus, initial encounter for closed fracture"
    )
    diagnosis_word_index_rebuild()  # SQLite's word index is rebuilt by the loader, not by each insert
    walk_to_the_service_step(page, live_url, audit, sign_in, world)

    box = page.get_by_role("combobox", name=PRIMARY)
    expect(box).to_have_attribute("aria-expanded", "false")
    box.focus()
    page.keyboard.type("talus")
    suggestions = page.get_by_role("listbox", name="Matching primary diagnosis codes")
    expect(suggestions.get_by_role("option")).to_have_count(4)
    expect(box).to_have_attribute("aria-expanded", "true")
    expect(page.locator("#primary-lookup-status")).to_have_text("4 codes found")
    audit.check()

    # Escape closes the list; ArrowDown opens it again on its first option.
    page.keyboard.press("Escape")
    expect(suggestions).to_be_hidden()
    expect(box).to_have_attribute("aria-expanded", "false")
    page.keyboard.press("ArrowDown")
    first = suggestions.get_by_role("option", name="S92.111A", exact=False).first
    expect(first).to_have_attribute("aria-selected", "true")
    expect(box).to_have_attribute("aria-activedescendant", first.get_attribute("id"))

    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowUp")
    chosen = suggestions.get_by_role("option").nth(2)
    expect(chosen).to_contain_text("S92.151A")
    expect(chosen).to_have_attribute("aria-selected", "true")
    audit.check()

    page.keyboard.press("Enter")
    expect(box).to_have_value("S92.151A")
    expect(box).to_have_attribute("aria-expanded", "false")
    expect(suggestions).to_be_hidden()
    expect(heading(page, "Requested Service + Diagnosis")).to_be_visible()  # Enter chose; it did not submit

    page.get_by_role("button", name="Continue").focus()
    page.keyboard.press("Enter")
    expect(heading(page, "Add Site of Service")).to_be_visible()
    audit.check()
    assert Case.objects.get(member=world["member"]).primary_diagnosis.code == "S92.151A"
