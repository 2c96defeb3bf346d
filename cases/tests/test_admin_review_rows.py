"""After the decision, in the reviewer's admin: the queues of reconsiderations, appeals (never their drafts) and
authorization extension requests, waiting ones first; an appeal upheld and an extension decided from the case page."""

import datetime

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from accounts.tests.factories import UserFactory
from audit.models import AuditEvent
from cases import appeals, decisions, extensions, reconsiderations
from cases.models import Appeal, AuthorizationExtension, Case, CaseStatus
from cases.tests.factories import submitted_case
from cases.tests.test_service_lines import dme_case
from practices.models import PracticeMembership
from reference.models import Program
from resources.models import ClinicalGuideline

pytestmark = pytest.mark.django_db
S = CaseStatus
DENIAL = {"criterion": "No trial.", "documentation": "Trial notes."}


@pytest.fixture
def reviewer(db):
    user = UserFactory(is_staff=True, first_name="Rita", last_name="Reviewer")
    user.user_permissions.add(Permission.objects.get(content_type__app_label="cases", codename="review_case"))
    return user


@pytest.fixture
def reviewer_client(signed_in_client, reviewer):
    return signed_in_client(reviewer)


def denied_case(reviewer, *, approve_first=False):
    """A DME case decided by the reviewer: every line denied, or the first approved (Partially Approved)."""
    case = dme_case()
    guideline = ClinicalGuideline.objects.get_or_create(
        program=Program.objects.get(code="dme"),
        title="Mobility",
        version="1",
        defaults={"effective_date": datetime.date(2026, 1, 1), "summary": "Criteria."},
    )[0]
    for index, line in enumerate(case.service_lines.order_by("line_number")):
        if approve_first and index == 0:
            decisions.line_determine(
                line=line, round="initial", outcome="approved", approved_quantity=line.quantity, by=reviewer
            )
        else:
            decisions.line_determine(
                line=line, round="initial", outcome="denied", guideline=guideline, by=reviewer, **DENIAL
            )
    case = decisions.case_decide(case=case, round="initial", by=reviewer)
    PracticeMembership.objects.filter(user=case.created_by).update(precertification_appeals=True)
    return case, guideline


def submitted_appeal(case, **fields) -> Appeal:
    appeal = appeals.appeal_draft_start(case=case, user=case.created_by)
    appeals.appeal_draft_save(appeal=appeal, user=case.created_by, reason="The trial was done.", **fields)
    return appeals.appeal_submit(appeal=appeal, user=case.created_by)


def listed(response) -> list:
    assert response.status_code == 200
    return list(response.context["cl"].result_list)


def test_the_appeal_queue_lists_submitted_appeals_never_drafts(reviewer, reviewer_client, catalog):
    standard_case, _ = denied_case(reviewer)
    expedited_case, _ = denied_case(reviewer)
    draft_case, _ = denied_case(reviewer)
    standard = submitted_appeal(standard_case)
    expedited = submitted_appeal(expedited_case, is_expedited=True)
    appeals.appeal_draft_start(case=draft_case, user=draft_case.created_by)
    response = reviewer_client.get(reverse("admin:cases_appeal_changelist"))
    assert listed(response) == [expedited, standard]  # the one due first (72 hours) first
    page = response.content.decode()
    assert expedited_case.case_number in page and draft_case.case_number not in page
    assert "Due in 2 days 23 hours" in page or "Due in 3 days" in page


def test_the_reconsideration_and_extension_queues(reviewer, reviewer_client, catalog):
    case, _ = denied_case(reviewer)
    reconsideration = reconsiderations.reconsideration_request(
        case=case, user=case.created_by, reason="Notes attached."
    )
    assert listed(reviewer_client.get(reverse("admin:cases_reconsideration_changelist"))) == [reconsideration]
    approved = submitted_case(approved=True)
    extension = extensions.extension_request(
        case=approved,
        user=approved.created_by,
        reason="Recovery is slower.",
        requested_valid_to=approved.valid_to + datetime.timedelta(days=30),
    )
    assert listed(reviewer_client.get(reverse("admin:cases_authorizationextension_changelist"))) == [extension]


@pytest.mark.parametrize("model", ["appeal", "reconsideration", "authorizationextension"])
def test_the_queues_are_refused_to_staff_who_do_not_review(signed_in_client, model):
    client = signed_in_client(UserFactory(is_staff=True))
    assert client.get(reverse(f"admin:cases_{model}_changelist")).status_code == 403


def test_an_appeal_is_upheld_from_the_case_page(reviewer, reviewer_client, catalog):
    case, guideline = denied_case(reviewer, approve_first=True)
    appeal = submitted_appeal(case)
    page = reviewer_client.get(reverse("admin:cases_case_change", args=[case.pk])).content.decode()
    assert "Determine: Appeal round" in page
    lines = list(case.service_lines.order_by("line_number"))
    for line in lines[1:]:
        response = reviewer_client.post(
            reverse("admin:cases_case_determine", args=[case.pk]),
            {
                "line": line.pk,
                f"line-{line.pk}-outcome": "denied",
                f"line-{line.pk}-criterion_not_met": "Still no trial.",
                f"line-{line.pk}-guideline": guideline.pk,
                f"line-{line.pk}-documentation_needed": "Trial notes.",
            },
        )
        assert response.status_code == 302
    response = reviewer_client.post(reverse("admin:cases_case_decide", args=[case.pk]), follow=True)
    assert "is upheld" in response.content.decode()
    appeal.refresh_from_db()
    assert appeal.status == Appeal.Status.UPHELD
    assert Case.objects.get(pk=case.pk).status == S.PARTIALLY_APPROVED
    assert AuditEvent.objects.filter(action="case.decided", details__round="appeal").exists()


@pytest.mark.parametrize(("grant", "status"), [("yes", "granted"), ("no", "refused")])
def test_an_extension_request_is_decided_from_the_case_page(reviewer_client, catalog, grant, status):
    approved = submitted_case(approved=True)
    requested_to = approved.valid_to + datetime.timedelta(days=30)
    extensions.extension_request(
        case=approved, user=approved.created_by, reason="Recovery is slower.", requested_valid_to=requested_to
    )
    url = reverse("admin:cases_case_extension", args=[approved.pk])
    response = reviewer_client.post(url, {"extension-grant": "", "extension-note": ""})
    assert response.status_code == 200
    assert "There is a problem" in response.content.decode()
    response = reviewer_client.post(url, {"extension-grant": grant, "extension-note": "Per the notes."}, follow=True)
    assert f"The extension request is {status}." in response.content.decode()
    extension = AuthorizationExtension.objects.get(case=approved)
    assert (extension.status, extension.decision_note) == (status, "Per the notes.")
    approved.refresh_from_db()
    assert (approved.valid_to == requested_to) is (grant == "yes")
    response = reviewer_client.post(url, {"extension-grant": grant}, follow=True)
    assert "no extension request waiting" in response.content.decode()
