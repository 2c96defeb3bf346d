"""The provider pages ask cases.permissions before every action: the holes a security probe found, closed.

Before the access model, a reviewer could withdraw any provider's pending case, a worklist delegate could
cancel, resume, edit and submit the owner's cases, a practice member without the case-submission entitlement
could submit, and a user with no practice got an approved authorization.
"""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from accounts.tests.factories import UserFactory
from cases.models import Case, CaseStatus
from cases.tests.factories import draft_case, home_health_answers, submitted_case, submitter
from cases.tests.test_wizard import step_url
from practices.models import WorklistAccess
from practices.tests.factories import PracticeFactory, PracticeMembershipFactory

pytestmark = pytest.mark.django_db


def reviewer():
    user = UserFactory(is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="review_case"))
    return user


def ready_to_submit(**kwargs) -> Case:
    """A draft with every step done and its clinical answers given: one click from submission."""
    from cases import services
    from cases.tests.factories import attested_case

    case = attested_case(**kwargs)
    case = services.case_answers_save(case=case, answers=home_health_answers(bundle=True), next_step="review")
    return services.case_progress_save(case=case, next_step="review", completed="clinical-summary")


def test_a_reviewer_cannot_withdraw_a_providers_pending_case(catalog, signed_in_client):
    case = submitted_case()
    client = signed_in_client(reviewer())
    assert client.post(reverse("cases:cancel", args=[case.request_id])).status_code == 404
    case.refresh_from_db()
    assert case.status == CaseStatus.PENDING_REVIEW
    assert not case.status_changes.filter(reason="Withdrawn by the provider.").exists()


def test_a_worklist_delegate_views_the_owners_submitted_case_and_cannot_withdraw_it(catalog, signed_in_client):
    case = submitted_case()
    delegate = UserFactory()
    WorklistAccess.objects.create(owner=case.created_by, grantee=delegate)
    client = signed_in_client(delegate)
    page = client.get(reverse("cases:summary", args=[case.request_id]))
    assert page.status_code == 200
    assert reverse("cases:cancel", args=[case.request_id]) not in page.content.decode()
    for method in (client.get, client.post):
        response = method(reverse("cases:cancel", args=[case.request_id]))
        assert response.status_code == 403
        assert "can only view" in response.content.decode()
    case.refresh_from_db()
    assert case.status == CaseStatus.PENDING_REVIEW


def test_a_worklist_delegate_cannot_resume_edit_cancel_or_submit_the_owners_draft(catalog, signed_in_client):
    case = ready_to_submit()
    delegate = UserFactory()
    WorklistAccess.objects.create(owner=case.created_by, grantee=delegate)
    client = signed_in_client(delegate)
    assert client.get(reverse("cases:resume", args=[case.request_id])).status_code == 404
    assert client.post(step_url(case, "review"), {"action": "submit"}).status_code == 404
    assert client.post(step_url(case, "review"), {"action": "cancel"}).status_code == 404
    assert client.post(reverse("cases:finish_later", args=[case.request_id])).status_code == 404
    case.refresh_from_db()
    assert case.status == CaseStatus.DRAFT and case.submitted_at is None


def test_a_practice_member_without_the_entitlement_cannot_start_or_submit(catalog, signed_in_client):
    case = ready_to_submit()
    member = PracticeMembershipFactory(practice=case.practice).user
    client = signed_in_client(member)
    assert client.post(step_url(case, "review"), {"action": "submit"}).status_code == 404
    response = client.post(
        reverse("cases:request_authorization"), {"program": "home-health", "hh_role": "referring_physician"}
    )
    assert response.status_code == 403
    assert "You do not have the Case submission entitlement" in response.content.decode()
    case.refresh_from_db()
    assert case.submitted_at is None
    assert not Case.objects.filter(created_by=member).exists()


def test_a_user_with_no_practice_is_told_why_and_gets_no_authorization(catalog, signed_in_client):
    user = UserFactory()
    client = signed_in_client(user)
    page = client.get(reverse("cases:request_authorization")).content.decode()
    assert "not linked to a practice" in page
    assert 'name="program"' not in page
    response = client.post(
        reverse("cases:request_authorization"), {"program": "home-health", "hh_role": "referring_physician"}
    )
    assert response.status_code == 403
    assert not Case.objects.filter(created_by=user).exists()


def test_the_refusal_names_the_access_manager(catalog, signed_in_client):
    membership = PracticeMembershipFactory()
    PracticeMembershipFactory(
        practice=membership.practice, manager=True, user__first_name="Wanda", user__last_name="Ames"
    )
    page = signed_in_client(membership.user).get(reverse("cases:request_authorization")).content.decode()
    assert "Wanda Ames" in page


def test_a_colleague_with_the_entitlement_resumes_and_submits_the_practices_draft(catalog, signed_in_client):
    case = ready_to_submit()
    colleague = submitter(practice=case.practice)
    client = signed_in_client(colleague)
    assert client.get(reverse("cases:resume", args=[case.request_id])).status_code == 302
    response = client.post(step_url(case, "review"), {"action": "submit"})
    assert response.status_code == 302, response.content.decode()[-2000:]
    case.refresh_from_db()
    assert case.status == CaseStatus.APPROVED
    assert case.status_changes.filter(to_status=CaseStatus.SUBMITTED, changed_by=colleague).exists()


def test_a_creator_whose_entitlement_was_removed_keeps_the_view_but_cannot_act(catalog, signed_in_client):
    case = submitted_case()
    case.created_by.practice_memberships.update(case_submission=False)
    client = signed_in_client(case.created_by)
    assert client.get(reverse("cases:summary", args=[case.request_id])).status_code == 200
    assert client.post(reverse("cases:cancel", args=[case.request_id])).status_code == 403


def test_a_user_in_two_practices_chooses_the_practice_on_the_first_step(catalog, signed_in_client):
    first, second = PracticeFactory(name="Elm Street Clinic"), PracticeFactory(name="Oak Family Medicine")
    user = submitter(practice=first)
    submitter(user, practice=second)
    client = signed_in_client(user)
    page = client.get(reverse("cases:request_authorization")).content.decode()
    assert "Which practice (TIN) is this request for?" in page and "Oak Family Medicine" in page
    data = {"program": "home-health", "hh_role": "referring_physician"}
    response = client.post(reverse("cases:request_authorization"), data)
    assert response.status_code == 200
    assert "Select the practice (TIN) this request is for." in response.content.decode()
    response = client.post(reverse("cases:request_authorization"), {**data, "practice": second.pk})
    assert response.status_code == 302
    assert Case.objects.get(created_by=user).practice == second


def test_a_practice_that_is_not_the_users_cannot_be_posted_on_the_first_step(catalog, signed_in_client):
    user = submitter()
    client = signed_in_client(user)
    data = {"program": "home-health", "hh_role": "referring_physician", "practice": PracticeFactory().pk}
    response = client.post(reverse("cases:request_authorization"), data)
    assert response.status_code == 200
    assert "Select one of your practices from the list." in response.content.decode()
    assert not Case.objects.filter(created_by=user).exists()


# --- Conflicts do not identify other practices' requests (issue 9 item 5) ---------------------------------------


def test_a_conflict_with_another_practices_request_does_not_identify_it(catalog, signed_in_client):
    other = submitted_case()
    case = draft_case(member=other.member)
    from cases import services

    services.case_attest(case=case, user=case.created_by)
    page = signed_in_client(case.created_by).get(step_url(case, "clinical"), follow=True).content.decode()
    assert "There is a possible request conflict on file." in page
    assert "Another request on file covers" in page
    assert other.request_id not in page and other.case_number not in page


def test_a_conflict_with_the_practices_own_request_shows_its_review_history(catalog, signed_in_client):
    own = submitted_case()
    case = draft_case(user=own.created_by, member=own.member)
    from cases import services

    services.case_attest(case=case, user=case.created_by)
    page = signed_in_client(case.created_by).get(step_url(case, "clinical"), follow=True).content.decode()
    assert own.request_id in page and "Show Review History" in page
    assert "Another request on file" not in page


# --- Bad input never gives a 500 (issue 9 item 7) ----------------------------------------------------------------


@pytest.mark.parametrize("value", ["²", "٣", "\uff11", "abc", "-1", "9" * 30, ""])
def test_ids_made_of_anything_but_ascii_digits_are_refused_without_a_500(catalog, signed_in_client, value):
    case = draft_case()
    client = signed_in_client(case.created_by)
    assert client.post(step_url(case, "provider"), {"action": "select", "provider": value}).status_code == 404
    assert client.post(step_url(case, "site"), {"action": "select", "site": value}).status_code == 404
    response = client.post(step_url(case, "site"), {"action": "continue", "site": value})
    assert response.status_code == 302


@pytest.mark.parametrize("value", ["²", "abc", ""])
def test_a_supplier_posting_a_non_ascii_health_plan_keeps_the_saved_plan(catalog, signed_in_client, value):
    from cases.models import BuilderRole

    case = draft_case(role=BuilderRole.HOME_HEALTH_AGENCY)
    plan = case.health_plan
    client = signed_in_client(case.created_by)
    response = client.post(
        step_url(case, "provider"), {"action": "select", "provider": case.ordering_provider.pk, "health_plan": value}
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.health_plan == plan


@pytest.mark.parametrize("value", ["abc", "²", "", "999999"])
def test_removing_a_document_that_is_not_there_says_so(catalog, signed_in_client, value):
    from cases import services

    case = draft_case()
    services.case_attest(case=case, user=case.created_by)
    case.refresh_from_db()
    services.case_answers_save(case=case, answers=home_health_answers(bundle=False), next_step="urgency")
    case.completed_steps = [*case.completed_steps, "clinical-summary", "urgency"]
    case.save(update_fields=["completed_steps"])
    client = signed_in_client(case.created_by)
    response = client.post(step_url(case, "upload"), {"action": "remove", "document": value}, follow=True)
    assert response.status_code == 200
    assert "That document is no longer on this request." in response.content.decode()


@pytest.mark.parametrize("ending", ["cancelled", "expired"])
def test_the_summary_and_pdf_of_a_request_that_never_was_submitted_explain_it(catalog, signed_in_client, ending):
    from cases import services

    case = draft_case()
    if ending == "cancelled":
        services.case_cancel_draft(case=case, user=case.created_by)
    else:
        services.case_transition(case=case, to=CaseStatus.EXPIRED, reason="Not submitted in time.")
    client = signed_in_client(case.created_by)
    page = client.get(reverse("cases:summary", args=[case.request_id]))
    assert page.status_code == 200
    assert f"This request was {ending} before it was submitted." in page.content.decode()
    pdf = client.get(reverse("cases:summary_pdf", args=[case.request_id]))
    assert pdf.status_code == 302 and pdf.url == reverse("cases:summary", args=[case.request_id])


def test_the_summary_of_a_draft_that_never_reached_the_provider_step_resumes_it(catalog, signed_in_client):
    from cases import services
    from reference.models import Program

    user = submitter()
    case = services.case_start(user=user, program=Program.objects.get(code="dme"), builder_role="referring_physician")
    client = signed_in_client(user)
    for name in ("cases:summary", "cases:summary_pdf"):
        response = client.get(reverse(name, args=[case.request_id]), follow=True)
        assert response.status_code == 200
        assert response.redirect_chain[-1][0] == step_url(case, "provider")


def test_a_case_the_user_may_not_see_answers_exactly_like_a_missing_one(catalog, signed_in_client):
    import re

    case = submitted_case()
    client = signed_in_client(submitter())
    hidden = client.get(reverse("cases:summary", args=[case.request_id]))
    missing = client.get(reverse("cases:summary", args=["0000000000"]))
    assert hidden.status_code == missing.status_code == 404

    def without_csrf_tokens(response):  # the masked token differs on every render, by design (BREACH)
        body = response.content.decode().replace(case.request_id, "0000000000")
        return re.sub(r'(value|content)="[A-Za-z0-9]{64}"', "", body)

    assert without_csrf_tokens(hidden) == without_csrf_tokens(missing)
    assert sorted(hidden.headers.keys()) == sorted(missing.headers.keys())


def test_a_pdf_uploaded_as_html_downloads_as_a_pdf(catalog, signed_in_client, settings, tmp_path):
    from cases import services
    from cases.tests import files

    settings.CLINICAL_UPLOAD_ROOT = tmp_path / "uploads"
    case = draft_case()
    services.case_attest(case=case, user=case.created_by)
    document = services.clinical_document_add(
        case=case, uploaded_file=files.upload("notes.html", files.pdf_bytes()), user=case.created_by
    )
    response = signed_in_client(case.created_by).get(reverse("cases:document", args=[case.request_id, document.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert 'filename="notes.pdf"' in response["Content-Disposition"]
