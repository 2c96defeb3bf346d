"""The Message Center in the browser (COR-3, issue 12 item 5): a reviewer holds a case; the provider finds the hold
letter in the Message Center with its unread marker, reviews its PDF, flags it, archives it, finds it under Archive,
and answers the hold by upload from the case page. On a desktop and on a 390 px phone, axe on every page."""

import datetime

import pytest
from django.contrib.auth.models import Permission
from django.utils import timezone
from playwright.sync_api import expect

from accounts.tests.factories import UserFactory
from cases import holds
from cases.models import Case, CaseStatus, HoldItem
from cases.tests.factories import submitted_case, submitter
from cases.tests.files import pdf_bytes
from correspondence import letters
from correspondence.models import Letter, LetterReceipt
from practices.tests.factories import PracticeMembershipFactory
from reference.services import catalog_load
from tests.browser.test_case_build import heading

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}


def _fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def held_case_with_its_letter(provider) -> tuple[Case, Letter]:
    """A Home Health request of ``provider``'s put on hold by a reviewer through the service, and its hold letter
    rendered as the delivery task renders it."""
    catalog_load()
    case = submitted_case(user=provider)
    reviewer = UserFactory(is_staff=True)
    reviewer.user_permissions.add(Permission.objects.get(codename="review_case"))
    holds.hold_place(
        case=case,
        items=[HoldItem.PROGRESS_NOTES],
        note="Notes of the last two visits.",
        due_on=timezone.localdate() + datetime.timedelta(days=4),
        by=reviewer,
    )
    return case, letters.letter_render(letter=Letter.objects.get(case=case))


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_a_provider_reviews_flags_and_archives_a_hold_letter_then_answers_the_hold(
    page, live_url, audit, sign_in, viewport, tmp_path, settings
):
    settings.CLINICAL_UPLOAD_ROOT = tmp_path / "clinical-uploads"
    provider = submitter(UserFactory())
    case, letter = held_case_with_its_letter(provider)
    page.set_viewport_size(viewport)
    sign_in(provider)
    audit.check()

    # From the header to the Message Center: the hold letter, unread.
    main_nav = page.get_by_role("navigation", name="Main")
    if viewport is PHONE:
        main_nav.get_by_role("button", name="Menu").click()
    main_nav.get_by_role("link", name="Message Center").click()
    expect(heading(page, "Message Center")).to_be_visible()
    expect(page.get_by_role("link", name="Inbox (1 unread)")).to_be_visible()
    row = page.get_by_role("row").filter(has_text="Hold Letter")
    expect(row).to_contain_text("Unread")
    expect(row.locator(".unread-dot")).to_be_visible()
    expect(row).to_contain_text("Precertification")
    audit.check()
    assert _fits(page)

    # Review opens the letter's PDF in a new tab and marks it read (the PDF is fetched again here with the page's
    # cookies: axe cannot check a PDF).
    about = f"Hold Letter of {case.case_number}"
    review = row.get_by_role("button", name=f"Review: {about} (opens in a new tab)")
    with page.context.expect_page() as opened:
        review.click()
    letter_tab = opened.value
    receipt = LetterReceipt.objects.filter(letter=letter, user=provider, read_at__isnull=False)
    for _ in range(100):
        if receipt.exists():
            break
        page.wait_for_timeout(100)
    assert receipt.exists()
    pdf = page.request.get(live_url + f"/correspondence/letters/{letter.pk}/pdf/")
    assert pdf.ok and pdf.headers["content-type"] == "application/pdf" and pdf.body() == bytes(letter.pdf)
    letter_tab.close()
    page.reload()
    row = page.get_by_role("row").filter(has_text="Hold Letter")
    expect(row).to_contain_text("Read")
    expect(row.locator(".unread-dot")).to_have_count(0)
    expect(page.get_by_role("link", name="Inbox", exact=True)).to_be_visible()
    audit.check()

    # Flag it: it stays in the inbox and is listed under Flagged.
    row.get_by_role("button", name=f"Flag: {about}").click()
    expect(page.get_by_text("The message was flagged.")).to_be_visible()
    audit.check()
    page.get_by_role("link", name="Flagged").click()
    expect(page.get_by_role("caption")).to_have_text("Flagged")
    row = page.get_by_role("row").filter(has_text="Hold Letter")
    expect(row).to_contain_text("Flagged")
    audit.check()
    assert _fits(page)

    # Archive it: gone from the inbox, found under Archive.
    row.get_by_role("button", name=f"Archive: {about}").click()
    expect(page.get_by_text("The message was moved to the Archive.")).to_be_visible()
    audit.check()
    page.get_by_role("link", name="Inbox").click()
    expect(page.get_by_text("No messages. Letters about your requests appear here when they are sent.")).to_be_visible()
    audit.check()
    page.get_by_role("link", name="Archive").click()
    row = page.get_by_role("row").filter(has_text="Hold Letter")
    expect(row.get_by_role("button", name=f"Move to inbox: {about}")).to_be_visible()
    audit.check()
    assert _fits(page)

    # Filtered to Appeals, the archive is empty and says so; the filter is a plain GET form.
    page.get_by_label("Category").select_option("Appeals")
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_role("status")).to_have_text("0 messages under Archive with these filters.")
    audit.check()
    page.get_by_role("link", name="Show every category and type").click()
    row = page.get_by_role("row").filter(has_text="Hold Letter")
    audit.check()

    # The request's page, from the message: answer the hold by upload.
    row.get_by_role("link", name=case.case_number or case.request_id).click()
    expect(heading(page, f"Request {case.request_id}")).to_be_visible()
    expect(page.get_by_text("Status: On Hold")).to_be_visible()
    audit.check()
    page.get_by_role("link", name="Upload Additional Clinical Information").click()
    expect(heading(page, "Upload Additional Clinical Information")).to_be_visible()
    audit.check()
    notes = tmp_path / "progress-notes.pdf"
    notes.write_bytes(pdf_bytes())
    page.get_by_label("Browse for file to upload").set_input_files(notes)
    page.get_by_role("button", name="Upload", exact=True).click()
    expect(heading(page, f"Request {case.request_id}")).to_be_visible()
    expect(page.get_by_text("Status: Pending Medical Review")).to_be_visible()
    audit.check()
    assert _fits(page)
    case.refresh_from_db()
    assert case.status == CaseStatus.PENDING_REVIEW


def test_the_front_desk_reads_the_practices_letters_and_a_member_without_correspondence_reads_why(
    page, live_url, audit, sign_in
):
    """A member with the Correspondence entitlement only lists the practice's hold letter, the request named without a
    link (its page is not theirs); a member with no entitlement and no request reads whom to ask."""
    provider = submitter(UserFactory())
    case, _ = held_case_with_its_letter(provider)
    manager = PracticeMembershipFactory(practice=case.practice, manager=True).user
    front_desk = PracticeMembershipFactory(practice=case.practice, correspondence=True).user
    page.set_viewport_size(DESKTOP)
    sign_in(front_desk)
    audit.check()
    page.goto(live_url + "/correspondence/messages/")
    row = page.get_by_role("row").filter(has_text="Hold Letter")
    expect(row).to_contain_text(case.case_number)
    expect(row.get_by_role("link")).to_have_count(0)
    expect(
        row.get_by_role("button", name=f"Review: Hold Letter of {case.case_number} (opens in a new tab)")
    ).to_be_visible()
    audit.check()

    page.context.clear_cookies()
    sign_in(PracticeMembershipFactory(practice=case.practice).user)
    audit.check()
    page.goto(live_url + "/correspondence/messages/")
    expect(page.get_by_text("You do not have the Correspondence entitlement for your practice")).to_be_visible()
    expect(page.get_by_role("link", name=manager.email)).to_be_visible()
    audit.check()
