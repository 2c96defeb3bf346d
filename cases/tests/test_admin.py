"""The reviewers' case queue in the admin: it opens, it lists submitted requests only, it changes nothing,
and every read of a case is audited."""

import datetime

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.tests.factories import UserFactory
from audit.models import AuditEvent
from cases import services
from cases.models import Case, CaseStatus, ClinicalDocument
from cases.tests import files
from cases.tests.factories import attested_case, draft_case

pytestmark = pytest.mark.django_db

BUNDLE_ANSWERS = {"homebound": "yes", "admitting-diagnosis": "cardiac", "bundle": "yes"}
REVIEWER_PERMISSIONS = [
    "review_case",
    "view_case",
    "view_serviceline",
    "view_clinicaldocument",
    "view_casestatuschange",
]


@pytest.fixture
def upload_root(settings, tmp_path):
    settings.CLINICAL_UPLOAD_ROOT = tmp_path / "clinical-uploads"
    return settings.CLINICAL_UPLOAD_ROOT


@pytest.fixture
def submitted_case(catalog, upload_root):
    """A Home Health bundle submitted with one clinical document: services, a document and status history."""
    case = attested_case()
    services.case_answers_save(case=case, answers=BUNDLE_ANSWERS, next_step="review")
    services.clinical_document_add(
        case=case, uploaded_file=files.upload("visit-notes.pdf", files.pdf_bytes()), user=case.created_by
    )
    return services.case_submit(case=case, user=case.created_by)


def reviewer_user(**fields):
    user = UserFactory(is_staff=True, **fields)
    user.user_permissions.add(
        *Permission.objects.filter(content_type__app_label="cases", codename__in=REVIEWER_PERMISSIONS)
    )
    return user


@pytest.fixture
def superuser_client(signed_in_client):
    return signed_in_client(UserFactory(username="admin", is_staff=True, is_superuser=True))


@pytest.fixture
def reviewer(signed_in_client):
    user = reviewer_user(username="reviewer")
    return user, signed_in_client(user)


def change_url(case):
    return reverse("admin:cases_case_change", args=[case.pk])


def changelist_url():
    return reverse("admin:cases_case_changelist")


# --- The change page -----------------------------------------------------------------------------------


def assert_shows_services_documents_and_history(response, case):
    assert response.status_code == 200
    page = response.content.decode()
    assert case.request_id in page
    for heading in ("Service lines", "Clinical documents", "Case status changes"):
        assert heading in page, heading
    assert "visit-notes.pdf" in page
    assert case.service_lines.first().label in page
    assert "Submitted on the provider portal." in page


def test_the_case_change_page_opens_with_its_inlines_for_the_superuser(superuser_client, submitted_case):
    assert_shows_services_documents_and_history(superuser_client.get(change_url(submitted_case)), submitted_case)


def test_the_case_change_page_opens_with_its_inlines_for_a_reviewer(reviewer, submitted_case):
    _user, client = reviewer
    assert_shows_services_documents_and_history(client.get(change_url(submitted_case)), submitted_case)


def test_nobody_can_change_a_case_status_in_the_admin(superuser_client, submitted_case):
    page = superuser_client.get(change_url(submitted_case)).content.decode()
    assert 'name="_save"' not in page
    assert 'name="status"' not in page
    response = superuser_client.post(change_url(submitted_case), {"status": CaseStatus.DENIED})
    assert response.status_code == 403
    submitted_case.refresh_from_db()
    assert submitted_case.status == CaseStatus.APPROVED
    assert superuser_client.get(reverse("admin:cases_case_add")).status_code == 403
    assert superuser_client.get(reverse("admin:cases_case_delete", args=[submitted_case.pk])).status_code == 403


# --- The queue's scope -----------------------------------------------------------------------------------


@pytest.fixture
def unsubmitted_cases(catalog):
    """A draft, a draft that expired and a request cancelled before submission: none is the reviewers' work."""
    expired = draft_case()
    services.drafts_expire(now=expired.expires_at + datetime.timedelta(seconds=1))
    draft = draft_case()
    cancelled = draft_case()
    services.case_cancel_draft(case=cancelled, user=cancelled.created_by)
    statuses = dict(Case.objects.filter(pk__in=[draft.pk, expired.pk, cancelled.pk]).values_list("pk", "status"))
    assert statuses == {draft.pk: "draft", expired.pk: "expired", cancelled.pk: "cancelled"}
    return [draft, expired, cancelled]


def test_the_queue_lists_submitted_requests_only(reviewer, submitted_case, unsubmitted_cases):
    _user, client = reviewer
    response = client.get(changelist_url(), {"status": "all"})
    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [submitted_case]
    page = response.content.decode()
    for case in unsubmitted_cases:
        assert case.request_id not in page


def test_the_queue_lists_submitted_requests_only_for_the_superuser_too(
    superuser_client, submitted_case, unsubmitted_cases
):
    response = superuser_client.get(changelist_url(), {"status": "all"})
    assert list(response.context["cl"].result_list) == [submitted_case]


@pytest.mark.parametrize("which", ["draft", "expired", "cancelled"])
def test_an_unsubmitted_request_answers_as_a_missing_object(reviewer, unsubmitted_cases, which):
    _user, client = reviewer
    case = unsubmitted_cases[["draft", "expired", "cancelled"].index(which)]
    for url in (change_url(case), reverse("admin:cases_case_history", args=[case.pk])):
        response = client.get(url, follow=True)
        assert response.redirect_chain == [(reverse("admin:index"), 302)]
        assert "doesn\u2019t exist" in response.content.decode()  # Django's "Perhaps it was deleted?"
    assert not AuditEvent.objects.filter(action="case.viewed", target_id=str(case.pk)).exists()


def test_staff_without_the_review_permission_see_no_cases(signed_in_client, submitted_case):
    user = UserFactory(is_staff=True)
    user.user_permissions.add(Permission.objects.get(content_type__app_label="cases", codename="view_case"))
    client = signed_in_client(user)
    assert list(client.get(changelist_url()).context["cl"].result_list) == []
    assert client.get(change_url(submitted_case)).status_code == 302


def test_the_queue_and_a_case_open_with_the_same_queries_however_many_rows(
    reviewer, submitted_case, django_assert_num_queries
):
    _user, client = reviewer
    # Once each first: Django's caches (content types, permissions) fill on a process's first request.
    client.get(changelist_url())
    client.get(change_url(submitted_case))
    with CaptureQueriesContext(connection) as few_cases:
        assert client.get(changelist_url()).status_code == 200
    with CaptureQueriesContext(connection) as one_document:
        assert client.get(change_url(submitted_case)).status_code == 200
    for name in ("labs.pdf", "history.pdf"):  # rows only: the change page never opens the files
        ClinicalDocument.objects.create(
            case=submitted_case,
            original_name=name,
            stored_name=name,
            content_type="application/pdf",
            size=100,
            sha256="0" * 64,
            uploaded_by=submitted_case.created_by,
        )
    for _ in range(3):
        case = attested_case()
        services.case_answers_save(case=case, answers=BUNDLE_ANSWERS, next_step="review")
        services.case_submit(case=case, user=case.created_by)
    with django_assert_num_queries(len(few_cases)):
        assert client.get(changelist_url()).status_code == 200
    with django_assert_num_queries(len(one_document)):
        assert client.get(change_url(submitted_case)).status_code == 200


# --- Audited reads -------------------------------------------------------------------------------------


def test_the_case_list_writes_one_audit_row(reviewer, submitted_case):
    user, client = reviewer
    client.get(changelist_url(), {"status": "all"})
    event = AuditEvent.objects.get(action="case.listed")
    assert event.actor == user
    assert event.details == {
        "via": "admin",
        "model": "cases.case",
        "page": 1,
        "searched": False,
        "filtered": True,
        "rows": 1,
        "ids": [submitted_case.pk],
    }


def test_a_case_search_is_audited_without_its_text(reviewer, submitted_case):
    user, client = reviewer
    client.get(changelist_url(), {"q": submitted_case.case_number})
    event = AuditEvent.objects.get(action="case.listed")
    assert event.actor == user
    assert event.details["searched"] is True
    assert event.details["rows"] == 1
    assert submitted_case.case_number not in str(AuditEvent.objects.filter(pk=event.pk).values().get())


def test_the_case_change_page_writes_one_audit_row_naming_its_documents(reviewer, submitted_case):
    user, client = reviewer
    client.get(change_url(submitted_case))
    event = AuditEvent.objects.get(action="case.viewed")
    assert event.actor == user
    assert (event.target_type, event.target_id) == ("cases.case", str(submitted_case.pk))
    assert event.details["via"] == "admin"
    assert event.details["inlines"]["cases.clinicaldocument"] == [submitted_case.documents.get().pk]
    assert len(event.details["inlines"]["cases.serviceline"]) == submitted_case.service_lines.count()


def test_the_case_history_page_is_audited(reviewer, submitted_case):
    user, client = reviewer
    assert client.get(reverse("admin:cases_case_history", args=[submitted_case.pk])).status_code == 200
    event = AuditEvent.objects.get(action="case.viewed")
    assert (event.actor, event.target_id, event.details["page"]) == (user, str(submitted_case.pk), "history")


def test_a_refused_page_writes_no_audit_row(signed_in_client, submitted_case):
    client = signed_in_client(UserFactory(is_staff=True))  # staff, but no permission on cases
    assert client.get(changelist_url()).status_code == 403
    assert client.get(change_url(submitted_case)).status_code in (302, 403)
    assert not AuditEvent.objects.filter(action__in=["case.listed", "case.viewed"]).exists()
