"""A DME alternative in the browser (issue 11 item 10, seed 002): the reviewer offers it in the admin, naming the
item by its HCPCS code and quantity (a wrong code is refused next to its field); the provider opens the line's
alternative from the case page, reads what accepting authorizes, accepts with the keyboard, and finds the
alternative item approved as a line of its own on the case page. Every page is checked with axe-core."""

import datetime
import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from cases.models import Case, CaseStatus
from cases.tests.post_decision_world import appeals_user, decided_case, make_reviewer
from cases.tests.test_service_lines import dme_case
from reference.models import Program
from reference.services import catalog_load
from resources.models import ClinicalGuideline

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_provider_accepts_the_alternative_and_sees_it_approved(page, live_url, audit, sign_in):
    catalog_load()
    case = decided_case("xda", by=make_reviewer())  # line 1 (K0005): a standard wheelchair (K0001) offered
    user = appeals_user(case, case_submission=True, user=case.created_by)
    main = page.get_by_role("main")

    sign_in(user)
    audit.check()
    page.goto(f"{live_url}/cases/{case.request_id}/case/")
    expect(main).to_contain_text("Status: Partially Approved")
    expect(main).to_contain_text("A standard wheelchair (K0001).")
    audit.check()
    page.get_by_role("link", name="Accept the alternative for line 1").click()

    expect(page.get_by_role("heading", level=1, name="Alternative Recommendation")).to_be_visible()
    expect(page.get_by_role("heading", name="What accepting authorizes")).to_be_visible()
    expect(main).to_contain_text("Standard wheelchair")
    expect(main).to_contain_text("1 Months")
    audit.check()
    button = page.get_by_role("button", name="Accept the alternative")
    button.focus()
    page.keyboard.press("Enter")

    expect(
        page.get_by_text("You accepted the alternative recommended for line 1: K0001 Standard wheelchair")
    ).to_be_visible()
    alternative_line = page.get_by_role("heading", name="Line 4: K0001 Standard wheelchair (alternative to line 1)")
    expect(alternative_line).to_be_visible()
    section = page.locator("section", has=alternative_line)
    expect(section).to_contain_text("Initial review: Approved")
    expect(section).to_contain_text("1 Months")
    expect(main).to_contain_text("authorized as line 4")
    expect(main).to_contain_text("Alternative accepted for line 1.")
    expect(page.get_by_role("link", name="Accept the alternative for line 1")).to_have_count(0)
    audit.check()

    page.goto(f"{live_url}/cases/{case.request_id}/alternative/1/")
    expect(main).to_contain_text("Approved as line 4: K0001 Standard wheelchair, 1 Months")
    audit.check()


def test_the_reviewer_offers_an_item_the_provider_accepts_and_the_request_is_approved(page, live_url, audit, sign_in):
    catalog_load()
    case = dme_case([("K0005", "1")])  # one ultralightweight wheelchair, pending medical review
    guideline = ClinicalGuideline.objects.create(
        program=Program.objects.get(code="dme"),
        title="Manual wheelchairs",
        version="2.0",
        effective_date=datetime.date(2026, 1, 1),
        summary="Criteria.",
    )
    reviewer = make_reviewer()
    provider = appeals_user(case, case_submission=True, user=case.created_by)
    main = page.get_by_role("main")

    sign_in(reviewer)
    audit.check()
    page.goto(live_url + reverse("admin:cases_case_change", args=[case.pk]))
    expect(page.get_by_role("heading", name=f"Case {case.case_number}")).to_be_visible()
    audit.check()
    line = page.locator("div.review-action").filter(has=page.get_by_role("heading", name=re.compile("^Line 1:")))
    line.get_by_label("Recommend an alternative").check()
    line.get_by_label("Criterion not met").fill("Daily self-propulsion is not documented.")
    line.get_by_label("Guideline relied on").select_option(label=str(guideline))
    line.get_by_label("Documentation that would change the outcome").fill("Therapy notes of the trial.")
    line.get_by_label("Alternative HCPCS code").fill("Z9999")
    line.get_by_label("Alternative quantity").fill("0")
    line.get_by_role("button", name="Save line 1").click()
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    expect(page.get_by_text("HCPCS code Z9999 is not in the code catalog.").first).to_be_visible()
    expect(page.get_by_text("The alternative quantity must be 1 or more.").first).to_be_visible()
    audit.check()
    line = page.locator("div.review-action").filter(has=page.get_by_role("heading", name=re.compile("^Line 1:")))
    line.get_by_label("Alternative HCPCS code").fill("K0001")
    line.get_by_label("Alternative quantity").fill("1")
    line.get_by_role("button", name="Save line 1").click()
    expect(page.get_by_text("Line 1 (K0005): Alternative Offered.")).to_be_visible()
    audit.check()
    page.get_by_role("button", name="Decide the case").click()
    expect(page.get_by_text(f"Case {case.case_number} is decided: Denied.")).to_be_visible()
    audit.check()

    page.context.clear_cookies()
    sign_in(provider)
    audit.check()
    page.goto(f"{live_url}/cases/{case.request_id}/alternative/1/")
    expect(page.get_by_role("heading", name="What accepting authorizes")).to_be_visible()
    expect(main).to_contain_text("K0001 Standard wheelchair")
    audit.check()
    page.get_by_role("button", name="Accept the alternative").click()
    expect(main).to_contain_text("Status: Approved")
    expect(
        page.get_by_role("heading", name="Line 2: K0001 Standard wheelchair (alternative to line 1)")
    ).to_be_visible()
    case = Case.objects.get(pk=case.pk)
    assert case.status == CaseStatus.APPROVED
    expect(main).to_contain_text(case.authorization_number)
    audit.check()
    page.goto(live_url + reverse("cases:worklist"))
    audit.check()
    page.get_by_role("navigation", name="Status").get_by_role("link", name=re.compile(r"^Approved")).click()
    expect(page.get_by_role("link", name=case.request_id)).to_be_visible()
    audit.check()
