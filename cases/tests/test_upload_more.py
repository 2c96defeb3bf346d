"""Upload Additional Clinical Information (WL-4) through the client: the hold shown, an upload answering it, and
who may not upload (issue 11, items 8 and 14)."""

import datetime
import re
from html import unescape

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import UserFactory
from audit.models import AuditEvent
from cases import holds, services
from cases.models import Case, CaseEvent, CaseStatus, ClinicalDocument, Hold, HoldItem
from cases.tests import files
from cases.tests.factories import draft_case, submitted_case, submitter
from cases.views.common import VIEW_ONLY
from practices.tests.factories import WorklistAccessFactory
from reference.models import Program

pytestmark = pytest.mark.django_db

S = CaseStatus


@pytest.fixture(autouse=True)
def upload_root(settings, tmp_path):
    settings.CLINICAL_UPLOAD_ROOT = tmp_path / "clinical-uploads"


@pytest.fixture
def reviewer(db):
    user = UserFactory(is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="review_case"))
    return user


@pytest.fixture
def pending(catalog):
    return submitted_case()


@pytest.fixture
def held(pending, reviewer):
    due = timezone.localdate() + datetime.timedelta(days=6)
    holds.hold_place(
        case=pending,
        items=[HoldItem.PHYSICIAN_ORDER, HoldItem.THERAPY_GOALS],
        note="The plan of care signed by the physician.",
        due_on=due,
        by=reviewer,
    )
    return pending


def url(case) -> str:
    return reverse("cases:upload_more", kwargs={"request_id": case.request_id})


def field_errors(page: str) -> list[str]:
    shown = re.search(r'<p class="error-message" id="id_document_error">(.*?)</p>', page, re.S)
    assert shown, "the file field shows no errors"
    return [
        unescape(re.sub(r"<[^>]+>", "", line)).replace("Error:", "", 1).strip() for line in shown.group(1).split("<br>")
    ]


def test_the_page_shows_the_hold_what_is_needed_and_the_ways_to_supply_it(held, signed_in_client):
    client = signed_in_client(held.created_by)
    response = client.get(url(held))
    assert response.status_code == 200
    page = unescape(response.content.decode())
    due = holds.hold_open(held).due_on
    for text in (
        "Upload Additional Clinical Information",
        "Current physicians order/script",
        "Therapy goals and level of functioning",
        "The plan of care signed by the physician.",
        f"Due by {due:%m/%d/%Y}",
        "Fax to 866-663-7740",
        "Peer to peer",
        "All Clinical Information pages must include the patient/member's name and at least one additional "
        "identifiers.",
        "(max size 5MB, allowable extensions .DOC,.DOCX,.PDF,.PNG)",
    ):
        assert text in page, text
    assert AuditEvent.objects.filter(action="case.viewed", target_id=str(held.pk)).exists()


def test_an_upload_answers_the_hold_and_the_case_returns_to_review(held, signed_in_client):
    client = signed_in_client(held.created_by)
    response = client.post(url(held), {"document": files.upload("plan.pdf", files.pdf_bytes())}, follow=True)

    held.refresh_from_db()
    assert held.status == S.PENDING_REVIEW
    assert Hold.objects.get(case=held).status == Hold.Status.ANSWERED
    document = ClinicalDocument.objects.get(case=held)
    assert document.original_name == "plan.pdf" and document.uploaded_by == held.created_by
    assert response.redirect_chain[0][1] == 302
    assert "Your clinical information was uploaded. The case has returned to review." in unescape(
        response.content.decode()
    )
    assert list(held.status_changes.values_list("to_status", flat=True))[-2:] == [S.ON_HOLD, S.PENDING_REVIEW]
    assert CaseEvent.objects.filter(case=held, kind=CaseEvent.Kind.HOLD_ANSWERED).exists()
    assert AuditEvent.objects.filter(action="case.document_added", target_id=str(held.pk)).exists()


def test_an_upload_without_a_hold_says_only_that_it_was_uploaded(pending, signed_in_client):
    client = signed_in_client(pending.created_by)
    response = client.post(url(pending), {"document": files.upload("notes.png", files.png_bytes())}, follow=True)
    page = unescape(response.content.decode())
    assert "Your clinical information was uploaded." in page
    assert "The case has returned to review." not in page
    assert ClinicalDocument.objects.filter(case=pending).count() == 1


def test_a_colleague_with_case_submission_may_upload(held, signed_in_client):
    colleague = submitter(practice=held.practice)
    response = signed_in_client(colleague).post(url(held), {"document": files.upload("a.pdf", files.pdf_bytes())})
    assert response.status_code == 302
    assert ClinicalDocument.objects.get(case=held).uploaded_by == colleague


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("notes.exe", files.exe_bytes(), "notes.exe"),
        ("notes.txt", files.text_bytes(), "notes.txt"),
        ("empty.pdf", b"", "The file you chose is empty."),
        ("big.pdf", files.pdf_bytes() + b"\0" * (1024 * 1024), "big.pdf is larger than 1 MB."),
    ],
    ids=["exe", "text", "empty", "too-big"],
)
def test_a_refused_file_gets_a_message_next_to_the_field_and_the_hold_stays(
    held, signed_in_client, name, content, message
):
    Program.objects.filter(code="home-health").update(upload_max_megabytes=1)
    client = signed_in_client(held.created_by)
    response = client.post(url(held), {"document": files.upload(name, content)})
    assert response.status_code == 200
    errors = field_errors(response.content.decode())
    assert len(errors) == 1 and message in errors[0]
    assert 'class="error-summary"' in response.content.decode()
    assert "(max size 1MB, allowable extensions .DOC,.DOCX,.PDF,.PNG)" in unescape(response.content.decode())
    assert Case.objects.get(pk=held.pk).status == S.ON_HOLD
    assert not ClinicalDocument.objects.exists()


def test_no_file_chosen_asks_for_one(held, signed_in_client):
    response = signed_in_client(held.created_by).post(url(held), {})
    assert response.status_code == 200
    assert field_errors(response.content.decode()) == ["Choose a file to upload."]


@pytest.mark.parametrize("status", [S.APPROVED, S.DENIED])
def test_after_the_decision_the_page_says_so_and_takes_nothing(pending, signed_in_client, status):
    Case.objects.filter(pk=pending.pk).update(status=status, authorization_number="AU00000001")
    client = signed_in_client(pending.created_by)
    for response in (
        client.get(url(pending)),
        client.post(url(pending), {"document": files.upload("a.pdf", files.pdf_bytes())}),
    ):
        assert response.status_code == 200
        page = unescape(response.content.decode())
        assert "This request has been decided; clinical information can no longer be added." in page
        assert 'type="file"' not in page
    assert not ClinicalDocument.objects.exists()


def test_a_delegate_may_view_the_case_but_not_upload(held, signed_in_client):
    delegate = WorklistAccessFactory(owner=held.created_by).grantee
    client = signed_in_client(delegate)
    for response in (
        client.get(url(held)),
        client.post(url(held), {"document": files.upload("a.pdf", files.pdf_bytes())}),
    ):
        assert response.status_code == 403
        assert VIEW_ONLY in unescape(response.content.decode())
    assert not ClinicalDocument.objects.exists()
    assert Case.objects.get(pk=held.pk).status == S.ON_HOLD


def test_a_user_of_another_practice_gets_not_found(held, signed_in_client):
    client = signed_in_client(submitter())
    assert client.get(url(held)).status_code == 404
    assert client.post(url(held), {"document": files.upload("a.pdf", files.pdf_bytes())}).status_code == 404
    assert not ClinicalDocument.objects.exists()


def test_a_draft_is_sent_back_to_the_wizard(catalog, signed_in_client):
    case = draft_case()
    response = signed_in_client(case.created_by).get(url(case))
    assert response.status_code == 302
    assert response.url == reverse("cases:resume", kwargs={"request_id": case.request_id})


def test_signed_out_users_are_sent_to_sign_in(held, client):
    response = client.get(url(held))
    assert response.status_code == 302 and "login" in response.url


def test_a_withdrawn_request_says_it_is_cancelled(held, signed_in_client):
    services.case_withdraw(case=held, user=held.created_by)
    page = unescape(signed_in_client(held.created_by).get(url(held)).content.decode())
    assert "This request is Cancelled; clinical information can no longer be added." in page
    assert Hold.objects.get(case=held).status == Hold.Status.CLOSED
