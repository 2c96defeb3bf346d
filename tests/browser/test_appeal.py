"""An appeal online in the browser (issue 11 item 10, seed 004): provider A starts a draft and saves it; colleague B
of the same practice, with the precertification/appeals entitlement, opens it, completes it and submits it; the
submitted appeal is shown read-only with its due date. Every page is checked with axe-core."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.tests.factories import UserFactory
from cases.models import Appeal
from cases.tests.post_decision_world import appeals_user, decided_case, make_reviewer
from reference.services import catalog_load

pytestmark = pytest.mark.django_db(transaction=True)


def heading(page, text):
    return page.get_by_role("heading", level=1, name=text, exact=True)


def test_a_draft_appeal_is_completed_and_submitted_by_a_colleague(page, live_url, audit, sign_in):
    catalog_load()
    case = decided_case("ddd", by=make_reviewer())
    author = appeals_user(case, user=UserFactory(first_name="Maria", last_name="Johnson"))
    colleague = appeals_user(case, user=UserFactory(first_name="Sam", last_name="Lee"))
    appeals_url = f"{live_url}/cases/{case.request_id}/appeals/"

    sign_in(author)
    audit.check()
    page.goto(appeals_url)
    expect(heading(page, "Appeals")).to_be_visible()
    expect(page.get_by_role("main")).to_contain_text("A request cannot be escalated online.")
    audit.check()
    page.get_by_role("button", name="Start an appeal").click()
    expect(heading(page, "Appeal 1 (draft)")).to_be_visible()
    expect(page.get_by_role("main")).to_contain_text("This draft will be deleted on")
    audit.check()
    page.get_by_label("Reason for appeal").fill("The standard wheelchair trial failed")
    page.get_by_label("Contact name").fill("Maria Johnson")
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_text("Your draft appeal was saved.")).to_be_visible()
    audit.check()

    page.context.clear_cookies()
    sign_in(colleague)
    audit.check()
    page.goto(appeals_url)
    expect(page.get_by_role("cell", name="Open draft", exact=False)).to_be_visible()
    audit.check()
    page.get_by_role("link", name="Appeal 1").click()
    expect(heading(page, "Appeal 1 (draft)")).to_be_visible()
    audit.check()
    reason = page.get_by_label("Reason for appeal")
    expect(reason).to_have_value("The standard wheelchair trial failed")
    reason.fill("The standard wheelchair trial failed twice: notes from 10/01 and 10/15 attached to the case.")
    page.get_by_label("Contact phone").fill("(860) 666-1234")
    page.get_by_label("Expedited appeal").check()
    page.get_by_role("button", name="Submit appeal").click()

    expect(heading(page, "Appeal 1")).to_be_visible()
    appeal = Appeal.objects.get(case=case)
    assert (appeal.status, appeal.created_by, appeal.submitted_by) == ("submitted", author, colleague)
    due = timezone.localtime(appeal.due_at)
    main = page.get_by_role("main")
    expect(main).to_contain_text("This appeal was submitted and can no longer be changed.")
    expect(main).to_contain_text(f"{due:%m/%d/%Y}")
    expect(page.get_by_role("textbox")).to_have_count(0)
    expect(page.get_by_role("button", name="Submit appeal")).to_have_count(0)
    audit.check()
