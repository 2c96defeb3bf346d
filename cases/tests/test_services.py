import datetime
import itertools

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from audit.models import AuditEvent
from cases import services
from cases.identifiers import new_identifier
from cases.models import Case, CaseStatus, CaseStatusChange
from cases.tasks import expire_stale_drafts
from cases.tests.factories import attested_case, draft_case
from reference.models import Member

pytestmark = pytest.mark.django_db


def test_a_new_request_gets_a_ten_digit_request_id_and_an_expiry(catalog, settings):
    settings.CASE_DRAFT_EXPIRY_DAYS = 2
    case = draft_case()
    assert case.request_id.isdigit() and len(case.request_id) == 10
    assert case.status == CaseStatus.DRAFT
    assert case.expires_at - case.created_at == datetime.timedelta(days=2)


def test_identifiers_are_unique_and_not_sequential(catalog):
    request_ids = [new_identifier(Case, "request_id") for _ in range(200)]
    assert len(set(request_ids)) == 200
    differences = {int(b) - int(a) for a, b in itertools.pairwise(request_ids)}
    assert len(differences) > 150  # no fixed step from one to the next


def test_each_identifier_kind_has_its_own_shape():
    assert new_identifier(Case, "case_number").startswith("A")
    assert len(new_identifier(Case, "episode_id")) == 11
    assert new_identifier(Case, "authorization_number").startswith("AU")


def test_transitions_outside_the_map_are_refused(catalog):
    case = draft_case()
    with pytest.raises(ValidationError, match="cannot become Approved"):
        services.case_transition(case=case, to=CaseStatus.APPROVED)
    case.refresh_from_db()
    assert case.status == CaseStatus.DRAFT


def test_every_transition_is_recorded_with_who_and_why(catalog):
    case = draft_case()
    services.case_cancel_draft(case=case, user=case.created_by)
    change = CaseStatusChange.objects.get(case=case)
    assert (change.from_status, change.to_status, change.changed_by) == ("draft", "cancelled", case.created_by)
    assert "Cancelled by the provider" in change.reason


def test_after_attestation_the_patient_cannot_be_changed(catalog):
    case = attested_case()
    other = Member.objects.exclude(pk=case.member_id).first() or case.member
    with pytest.raises(services.CaseLocked):
        services.case_step_save(
            case=case, user=case.created_by, step="patient", changes={"member": None}, next_step="clinical"
        )
    case.refresh_from_db()
    assert case.member_id is not None and other is not None


def test_after_attestation_the_provider_contact_cannot_be_changed(catalog):
    case = attested_case()
    with pytest.raises(services.CaseLocked):
        services.case_step_save(
            case=case, user=case.created_by, step="contact", changes={"contact_fax": "8605550000"}, next_step="x"
        )


def test_saving_the_same_values_after_attestation_is_harmless(catalog):
    case = attested_case()
    services.case_step_save(
        case=case, user=case.created_by, step="contact", changes={"contact_fax": case.contact_fax}, next_step="clinical"
    )


def test_changing_the_insurer_asks_for_the_patient_again(catalog):
    from reference.models import HealthPlan

    case = draft_case()
    other_plan = HealthPlan.objects.get(code="cigna-medicare")
    case = services.case_step_save(
        case=case, user=case.created_by, step="insurer", changes={"health_plan": other_plan}, next_step="contact"
    )
    assert case.member is None


def test_the_expiry_job_expires_stale_drafts_only(catalog):
    stale, fresh = draft_case(), draft_case()
    Case.objects.filter(pk=stale.pk).update(expires_at=timezone.now() - datetime.timedelta(minutes=1))
    assert expire_stale_drafts.apply().get() == 1
    stale.refresh_from_db()
    fresh.refresh_from_db()
    assert stale.status == CaseStatus.EXPIRED and fresh.status == CaseStatus.DRAFT
    assert CaseStatusChange.objects.get(case=stale).reason.startswith("Not submitted in time")
    # Idempotent: a second run finds nothing more to do.
    assert expire_stale_drafts.apply().get() == 0


def test_an_expired_request_can_no_longer_be_changed(catalog):
    case = draft_case()
    Case.objects.filter(pk=case.pk).update(expires_at=timezone.now() - datetime.timedelta(minutes=1))
    services.drafts_expire()
    with pytest.raises(ValidationError, match="Expired"):
        services.case_progress_save(case=case, next_step="insurer")


def test_starting_a_request_is_audited(catalog):
    case = draft_case()
    assert AuditEvent.objects.filter(action="case.started", target_id=str(case.pk)).exists()


def test_a_case_without_a_case_number_cannot_be_stored_as_submitted(catalog):
    from django.db import IntegrityError, transaction

    case = draft_case()
    with pytest.raises(IntegrityError), transaction.atomic():
        Case.objects.filter(pk=case.pk).update(status=CaseStatus.PENDING_REVIEW)


def test_beat_schedules_the_expiry_job_by_a_registered_task_name(settings):
    from portal.celery import app

    app.loader.import_default_modules()
    assert settings.CELERY_BEAT_SCHEDULE["expire-stale-case-drafts"]["task"] in app.tasks


def test_a_submitted_case_exports_its_answers_as_a_valid_questionnaire_response(catalog):
    from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse

    from cases.selectors import case_questionnaire_response

    case = attested_case()
    services.case_answers_save(
        case=case, answers={"homebound": "yes", "admitting-diagnosis": "cardiac", "bundle": "yes"}, next_step="review"
    )
    case = services.case_submit(case=case, user=case.created_by)
    exported = case_questionnaire_response(case)
    response = QuestionnaireResponse.model_validate(exported)
    assert response.status == "completed"
    assert response.identifier.value == case.request_id
    assert [item.linkId for item in response.item][:2] == ["homebound", "admitting-diagnosis"]


def test_an_open_dme_rental_conflicts_only_while_its_units_last(catalog):
    from cases.models import ServiceLine
    from cases.selectors import conflicting_cases
    from reference.models import HcpcsCode

    start = timezone.localdate() + datetime.timedelta(days=3)
    earlier = draft_case(program="dme", date_of_service=start)
    Case.objects.filter(pk=earlier.pk).update(
        status=CaseStatus.PENDING_REVIEW,
        submitted_at=timezone.now(),
        case_number="A000000002",
        decision_due_at=timezone.now(),
    )
    # A one-month rental (E0260): held from the date of service for one month.
    ServiceLine.objects.create(
        case=earlier,
        hcpcs=HcpcsCode.objects.get(code="E0260"),
        label="bed",
        quantity=1,
        billing_basis="monthly_rental",
        unit="Months",
        line_number=1,
    )
    inside = draft_case(program="dme", member=earlier.member, date_of_service=start + datetime.timedelta(days=20))
    after = draft_case(program="dme", member=earlier.member, date_of_service=start + datetime.timedelta(days=400))
    assert conflicting_cases(inside) == [earlier]
    assert conflicting_cases(after) == []
