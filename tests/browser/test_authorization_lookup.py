"""Authorization Lookup and the case page in the browser (WL-2, WL-4, issue 11 item 6): a provider finds a held case
by member information from the header, opens its case page, answers the hold with a PDF, and finds the case again by
case number and ordering NPI; on a desktop and on a 390 px phone, no sideways scrolling, axe on every page."""

import datetime

import pytest
from django.contrib.auth.models import Permission
from django.utils import timezone
from playwright.sync_api import expect

from accounts.tests.factories import UserFactory
from cases import holds
from cases.models import HoldItem
from cases.tests.factories import submitted_case, submitter
from cases.tests.files import pdf_bytes
from reference.models import HealthPlan
from reference.services import catalog_load
from reference.tests.factories import EligibilityFactory, MemberFactory
from tests.browser.test_case_build import heading

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}


def _fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def _held_case(user):
    catalog_load()
    member = MemberFactory(
        member_id="K7734521", first_name="Ada", last_name="Stone", date_of_birth=datetime.date(1950, 4, 2)
    )
    plan = HealthPlan.objects.get(code="cigna-commercial")
    EligibilityFactory(member=member, health_plan=plan, coverage_start=datetime.date(2020, 1, 1))
    case = submitted_case(user=user, member=member)
    reviewer = UserFactory(is_staff=True)
    reviewer.user_permissions.add(Permission.objects.get(codename="review_case"))
    holds.hold_place(
        case=case,
        items=[HoldItem.PROGRESS_NOTES],
        note="",
        due_on=timezone.localdate() + datetime.timedelta(days=5),
        by=reviewer,
    )
    return case


def _open_lookup_from_the_header(page, live_url, audit, viewport):
    page.goto(live_url + "/")
    expect(page.get_by_role("heading", name="My Worklist")).to_be_visible()
    audit.check()
    assert _fits(page)
    main = page.get_by_role("navigation", name="Main")
    if viewport is PHONE:
        main.get_by_role("button", name="Menu").click()
    main.get_by_role("link", name="Authorization Lookup").click()
    expect(heading(page, "Authorization Lookup")).to_be_visible()
    audit.check()
    assert _fits(page)


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_a_provider_finds_a_held_case_answers_the_hold_and_finds_it_by_case_number(
    page, live_url, audit, sign_in, viewport, tmp_path
):
    user = submitter(UserFactory())
    case = _held_case(user)
    page.set_viewport_size(viewport)
    sign_in(user)
    audit.check()
    _open_lookup_from_the_header(page, live_url, audit, viewport)

    # By member information; a wrong date first gets the one neutral message.
    member_search = page.get_by_role("region", name="Search by member information")
    member_search.get_by_label("Member ID").fill("k7734521")
    member_search.get_by_label("Date of Birth").fill("04/03/1950")
    member_search.get_by_label("Last Name").fill("stone")
    member_search.get_by_role("button", name="Search by member").click()
    expect(page.get_by_role("alert")).to_contain_text("No authorization matches these details.")
    audit.check()
    assert "K7734521" not in page.url.upper()
    member_search.get_by_label("Date of Birth").fill("4/2/1950")
    member_search.get_by_role("button", name="Search by member").click()
    results = page.get_by_role("region", name="1 authorization found")
    expect(results.get_by_role("cell", name="On Hold")).to_be_visible()
    audit.check()
    assert _fits(page)

    # The case page: the hold, what is needed, and the action that answers it.
    results.get_by_role("link", name=case.request_id).click()
    expect(heading(page, f"Request {case.request_id}")).to_be_visible()
    expect(page.get_by_text("Status: On Hold")).to_be_visible()
    expect(page.get_by_role("heading", name="Additional clinical information needed by")).to_be_visible()
    expect(page.get_by_text(HoldItem.PROGRESS_NOTES.label).first).to_be_visible()
    audit.check()
    assert _fits(page)

    page.get_by_role("link", name="Upload Additional Clinical Information").click()
    expect(heading(page, "Upload Additional Clinical Information")).to_be_visible()
    audit.check()
    assert _fits(page)
    notes = tmp_path / "progress-notes.pdf"
    notes.write_bytes(pdf_bytes())
    page.get_by_label("Browse for file to upload").set_input_files(notes)
    page.get_by_role("button", name="Upload", exact=True).click()

    expect(heading(page, f"Request {case.request_id}")).to_be_visible()
    expect(page.get_by_text("Status: Pending Medical Review")).to_be_visible()
    expect(page.get_by_role("link", name="progress-notes.pdf")).to_be_visible()
    timeline = page.locator("ol.timeline")
    expect(timeline).to_contain_text("Hold answered: the clinical information requested was received.")
    expect(timeline).to_contain_text("Status changed from On Hold to Pending Medical Review.")
    expect(page.get_by_role("heading", name="Additional clinical information needed by")).to_have_count(0)
    audit.check()
    assert _fits(page)

    # By case number and the ordering provider's NPI, from the CareCore bar.
    page.get_by_role("navigation", name="CareCore").get_by_role("link", name="Authorization Lookup").click()
    expect(heading(page, "Authorization Lookup")).to_be_visible()
    audit.check()
    by_case = page.get_by_role("region", name="Search by case number and ordering provider NPI")
    by_case.get_by_label("Case Number").fill(case.case_number)
    by_case.get_by_label("Ordering Provider NPI").fill("12345")
    by_case.get_by_role("button", name="Search by case number").click()
    expect(page.get_by_role("alert")).to_contain_text("Ordering provider NPI:")
    audit.check()
    by_case.get_by_label("Ordering Provider NPI").fill(case.ordering_provider.npi)
    by_case.get_by_role("button", name="Search by case number").click()
    results = page.get_by_role("region", name="1 authorization found")
    expect(results.get_by_role("link", name=case.request_id)).to_be_visible()
    expect(results.get_by_role("cell", name="Pending Medical Review")).to_be_visible()
    audit.check()
    assert _fits(page)
