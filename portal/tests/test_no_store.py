"""Cache-Control: no-store on every signed-in page and every download; static files keep their caching."""

import io

import pytest
from django.contrib.auth.models import Permission
from django.http import FileResponse, HttpResponse
from django.test import Client, RequestFactory
from django.urls import reverse

from accounts.tests.factories import UserFactory
from cases import services
from cases.tests import files
from cases.tests.factories import attested_case, draft_case, submitter
from portal.middleware import NoStoreMiddleware, is_no_store

pytestmark = pytest.mark.django_db

BUNDLE_ANSWERS = {"homebound": "yes", "admitting-diagnosis": "cardiac", "bundle": "yes"}


# --- is_no_store, the check the crawler reuses ---------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("max-age=0, no-cache, no-store, must-revalidate, private", True),
        ("no-store", True),
        ("No-Store", True),
        ("private,no-store", True),
        ("no-cache", False),
        ("max-age=0, private", False),
        ('private="no-store"', False),
        (None, False),
    ],
)
def test_is_no_store_reads_the_directive_not_a_substring(header, expected):
    response = HttpResponse()
    if header is not None:
        response["Cache-Control"] = header
    assert is_no_store(response) is expected


# --- Signed in: every page ---------------------------------------------------------------------------


@pytest.fixture
def upload_root(settings, tmp_path):
    settings.CLINICAL_UPLOAD_ROOT = tmp_path / "clinical-uploads"
    return settings.CLINICAL_UPLOAD_ROOT


@pytest.fixture
def reviewer_office(catalog, upload_root, signed_in_client):
    """A staff member of a practice who submitted a case with a document, and also works the review queue."""
    user = submitter(UserFactory(username="office.reviewer", is_staff=True))
    user.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label__in=["cases", "reference"],
            codename__in=["review_case", "view_case", "view_clinicaldocument", "view_member"],
        )
    )
    case = attested_case(user=user)
    services.case_answers_save(case=case, answers=BUNDLE_ANSWERS, next_step="review")
    document = services.clinical_document_add(
        case=case, uploaded_file=files.upload("notes.pdf", files.pdf_bytes()), user=user
    )
    case = services.case_submit(case=case, user=user)
    draft = draft_case(user=user)
    return {"client": signed_in_client(user), "case": case, "document": document, "draft": draft}


def signed_in_pages(world):
    case, draft = world["case"], world["draft"]
    return [
        reverse("portal:home"),
        reverse("cases:carecore_home"),
        reverse("cases:request_authorization"),
        reverse("cases:in_progress"),
        reverse("cases:resume", args=[draft.request_id]),
        reverse("cases:step", args=[draft.request_id, "patient"]),
        reverse("cases:summary", args=[case.request_id]),
        reverse("cases:summary_pdf", args=[case.request_id]),
        reverse("cases:document", args=[case.request_id, world["document"].pk]),
        reverse("cases:cancel", args=[case.request_id]),
        reverse("cases:summary", args=["0000000000"]),  # a 404
        reverse("accounts:profile"),
        reverse("accounts:session_status"),
        reverse("practices:manage_account"),
        reverse("practices:user_access"),
        reverse("mfa:devices"),
        reverse("resources:index"),  # public, but shown to a signed-in user
        reverse("admin:index"),
        reverse("admin:cases_case_changelist"),
        reverse("admin:cases_case_change", args=[case.pk]),
        reverse("admin:reference_member_changelist"),
        reverse("admin:reference_member_change", args=[case.member_id]),
    ]


def test_every_signed_in_page_is_no_store(reviewer_office):
    client = reviewer_office["client"]
    statuses = {}
    for url in signed_in_pages(reviewer_office):
        response = client.get(url)
        statuses[url] = response.status_code
        assert is_no_store(response), f"{url} ({response.status_code}): {response.get('Cache-Control')!r}"
    # The list covers pages, redirects, a not-found and the downloads, not only refusals.
    assert 200 in statuses.values() and 302 in statuses.values() and 404 in statuses.values()


def test_the_pdf_and_the_document_download_are_no_store(reviewer_office):
    client, case = reviewer_office["client"], reviewer_office["case"]
    pdf = client.get(reverse("cases:summary_pdf", args=[case.request_id]))
    document = client.get(reverse("cases:document", args=[case.request_id, reviewer_office["document"].pk]))
    assert (pdf.status_code, pdf["Content-Type"]) == (200, "application/pdf")
    assert (document.status_code, document["Content-Type"]) == (200, "application/pdf")
    assert is_no_store(pdf) and is_no_store(document)
    assert "private" in document["Cache-Control"] and document.has_header("Expires")


def test_a_signed_in_user_before_mfa_gets_no_store(catalog):
    client = Client()
    client.force_login(UserFactory())
    response = client.get(reverse("portal:home"))
    assert response.status_code == 302  # to MFA
    assert is_no_store(response)
    assert is_no_store(client.get(reverse("mfa:start"), follow=True))


def test_signing_out_is_no_store(catalog, signed_in_client):
    client = signed_in_client(UserFactory())
    assert is_no_store(client.post(reverse("accounts:logout")))


# --- Visitors ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["accounts:login", "accounts:register", "accounts:password_reset"])
def test_visitors_pages_with_a_csrf_form_are_no_store(name):
    response = Client().get(reverse(name))
    assert response.status_code == 200
    assert "csrfmiddlewaretoken" in response.content.decode()
    assert is_no_store(response)


def test_public_pages_without_anything_personal_keep_their_caching():
    response = Client().get(reverse("resources:index"))
    assert response.status_code == 200
    assert not response.cookies
    assert not is_no_store(response)


def test_static_files_keep_whitenoises_caching_even_when_signed_in(signed_in_client):
    for client in (Client(), signed_in_client(UserFactory())):
        response = client.get("/static/css/portal.css")
        assert response.status_code == 200
        assert not is_no_store(response)
        assert "max-age" in response["Cache-Control"]


def test_a_visitors_download_is_no_store():
    # No download is public today; the rule holds for any response with Content-Disposition.
    request = RequestFactory().get("/anything/")
    middleware = NoStoreMiddleware(
        lambda request: FileResponse(io.BytesIO(b"%PDF-"), as_attachment=True, filename="a.pdf")
    )
    assert is_no_store(middleware(request))
