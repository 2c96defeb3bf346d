"""Upload Additional Clinical Information in the browser (WL-4, REV-3; issue 11 items 8 and 14): a provider answers
a reviewer's hold from the keyboard alone, and the case returns to review."""

import datetime
import re

import pytest
from django.contrib.auth.models import Permission
from django.utils import timezone
from playwright.sync_api import expect

from accounts.tests.factories import UserFactory
from cases import holds
from cases.models import Case, CaseStatus, Hold, HoldItem
from cases.tests.factories import submitted_case, submitter
from cases.tests.files import pdf_bytes
from reference.services import catalog_load
from tests.browser.test_case_build import focused, heading, tab_to

pytestmark = pytest.mark.django_db(transaction=True)


def held_case(provider) -> Case:
    """A Home Health request of ``provider``'s, put on hold by a reviewer through the service."""
    catalog_load()
    case = submitted_case(user=provider)
    reviewer = UserFactory(is_staff=True)
    reviewer.user_permissions.add(Permission.objects.get(codename="review_case"))
    holds.hold_place(
        case=case,
        items=[HoldItem.PROGRESS_NOTES, HoldItem.MEDICATION_LIST],
        note="Notes of the last two visits.",
        due_on=timezone.localdate() + datetime.timedelta(days=4),
        by=reviewer,
    )
    return case


def test_a_provider_answers_a_hold_with_the_keyboard_only(page, live_url, audit, sign_in, tmp_path, settings):
    settings.CLINICAL_UPLOAD_ROOT = tmp_path / "clinical-uploads"
    provider = submitter(UserFactory())
    case = held_case(provider)
    due = Hold.objects.get(case=case).due_on
    sign_in(provider)
    audit.check()

    page.goto(f"{live_url}/cases/{case.request_id}/upload/")
    expect(heading(page, "Upload Additional Clinical Information")).to_be_visible()
    audit.check()
    main = page.get_by_role("main")
    expect(main).to_contain_text("Clinical and/or therapy progress notes")
    expect(main).to_contain_text("Medication list")
    expect(main).to_contain_text("Notes of the last two visits.")
    expect(main).to_contain_text(f"Due by {due:%m/%d/%Y}")
    expect(main).to_contain_text("Fax to 866-663-7740")

    # Upload with nothing chosen: the error summary and the message next to the field, from the keyboard.
    tab_to(page, "Upload", tag="button", presses=80)
    page.keyboard.press("Enter")
    expect(page.get_by_role("alert")).to_contain_text("Choose a file to upload.")
    audit.check()

    # The file input is reached with Tab and opened with Space; the file is chosen in the browser's dialog.
    notes = tmp_path / "visit-notes.pdf"
    notes.write_bytes(pdf_bytes())
    element = tab_to(page, re.compile("Browse for file to upload"), tag="input", presses=80)
    assert element["tag"] == "input"
    with page.expect_file_chooser() as chooser:
        page.keyboard.press("Space")
    chooser.value.set_files(notes)
    page.keyboard.press("Tab")
    assert focused(page)["name"].startswith("Upload")
    page.keyboard.press("Enter")

    expect(page.get_by_text("Your clinical information was uploaded. The case has returned to review.")).to_be_visible()
    audit.check()
    case.refresh_from_db()
    assert case.status == CaseStatus.PENDING_REVIEW
    assert Hold.objects.get(case=case).status == Hold.Status.ANSWERED
    assert case.documents.get().original_name == "visit-notes.pdf"
