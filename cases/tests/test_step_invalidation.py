"""Changing an earlier answer reopens the steps that depended on it (issue 9 item 6), and the attestation
refuses a draft whose steps or fields are not all there.

Dependencies (``services.STEP_FIELDS_CLEARED_BY`` and ``services.STEPS_REOPENED_BY``):

- ordering provider -> provider address cleared; insurer and contact steps reopened
- insurer -> patient cleared; insurer (its provider address), date, patient and patient contact steps reopened
- date of service -> patient cleared; patient, patient contact and "Attention!" (DME dispensed) reopened
- patient -> patient phone and email cleared; patient contact and "Attention!" reopened
- DME delivered yes/no -> the "Attention!" answers cleared and the step reopened
"""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.tests.factories import UserFactory
from cases import rules, services, wizard
from cases.models import BuilderRole, Case
from cases.tests.factories import attested_case, diagnosis, draft_case, submitter
from cases.tests.test_wizard import fill_first_steps, step_url, walk_to_attestation
from practices.models import AccountProvider
from reference.models import Eligibility, HealthPlan, Site
from reference.tests.factories import EligibilityFactory, MemberFactory, ProviderFactory, SiteFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(catalog):
    plan = HealthPlan.objects.get(code="cigna-commercial")
    member = MemberFactory(member_id="U1234567801", last_name="Rivera", date_of_birth=datetime.date(1950, 4, 2))
    EligibilityFactory(member=member, health_plan=plan, coverage_start=datetime.date(2020, 1, 1))
    other = MemberFactory(member_id="U7654321002", last_name="Chen", date_of_birth=datetime.date(1944, 11, 9))
    EligibilityFactory(member=other, health_plan=plan, coverage_start=datetime.date(2020, 1, 1))
    provider = ProviderFactory(last_name="Okafor", first_name="Ada")
    agency = SiteFactory(kind=Site.Kind.HOME_HEALTH_AGENCY, name="Hartford Visiting Nurses", zip_code="06103")
    supplier = SiteFactory(kind=Site.Kind.DME_SUPPLIER, name="Hartford Medical Supply", zip_code="06103")
    diagnosis()
    diagnosis("Z89.512", "Acquired absence of left leg below knee")
    return {
        "plan": plan,
        "member": member,
        "other_member": other,
        "provider": provider,
        "agency": agency,
        "supplier": supplier,
    }


@pytest.fixture
def client(world, signed_in_client):
    """A physician office's signed-in client, allowed to build cases (in place of pytest-django's ``client``)."""
    user = submitter(UserFactory(first_name="Maria", last_name="Johnson"))
    AccountProvider.objects.create(user=user, provider=world["provider"])
    return signed_in_client(user)


def last_business_day_before(day):
    day -= datetime.timedelta(days=1)
    while not rules.is_business_day(day):
        day -= datetime.timedelta(days=1)
    return day


def select_patient(client, case, member):
    lookup = {
        "member_id": member.member_id,
        "date_of_birth": member.date_of_birth.strftime("%m/%d/%Y"),
        "last_name": member.last_name,
    }
    response = client.post(step_url(case, "patient"), {**lookup, "action": "select", "member": member.pk})
    assert response.status_code == 302, response.content.decode()[-2000:]


def opens(client, case, slug) -> bool:
    """Whether the step's page opens (200), rather than sending the provider to an earlier step (302)."""
    response = client.get(step_url(case, slug))
    assert response.status_code in (200, 302)
    return response.status_code == 200


# --- Insurer ---------------------------------------------------------------------------------------


def test_another_insurer_reopens_the_patient_steps_and_back_to_patient_contact_does_not_fail(client, world):
    case = walk_to_attestation(client, world)
    medicare = HealthPlan.objects.get(code="cigna-medicare")
    address = world["provider"].address_display
    client.post(step_url(case, "insurer"), {"health_plan": medicare.pk, "provider_address": address})
    case.refresh_from_db()
    assert case.member is None
    assert {"date", "patient", "patient-contact"}.isdisjoint(case.completed_steps)
    # Back to the patient contact step used to fail with no patient (case.member.phone).
    response = client.get(step_url(case, "patient-contact"))
    assert response["Location"] == step_url(case, "date")
    assert client.get(step_url(case, "attest"))["Location"] == step_url(case, "date")


def test_another_insurer_asks_for_the_date_again_under_that_plans_rules(client, world):
    """Keystone has no same-day rule for Home Health; Cigna takes same-day requests by phone only."""
    keystone = HealthPlan.objects.get(code="keystone-community")
    case = fill_first_steps(client, world)
    address = world["provider"].address_display
    client.post(step_url(case, "insurer"), {"health_plan": keystone.pk, "provider_address": address})
    today = timezone.localdate()
    response = client.post(step_url(case, "date"), {"start_of_care": today.strftime("%m/%d/%Y")})
    assert response.status_code == 302
    client.post(step_url(case, "insurer"), {"health_plan": world["plan"].pk, "provider_address": address})
    case.refresh_from_db()
    assert "date" not in case.completed_steps
    assert not opens(client, case, "patient")
    response = client.post(step_url(case, "date"), {"start_of_care": today.strftime("%m/%d/%Y")})
    assert response.status_code == 200
    assert "1.800.88Cigna (800.882.4462)" in response.content.decode()


def test_an_agency_choosing_another_plan_with_the_physician_confirms_the_insurer_step_again(catalog):
    """On the supplier path the plan is picked with the ordering provider, before the insurer step."""
    case = draft_case(role=BuilderRole.HOME_HEALTH_AGENCY)
    medicare = HealthPlan.objects.get(code="cigna-medicare")
    changes = {"ordering_provider": case.ordering_provider, "health_plan": medicare}
    case = services.case_step_save(case=case, user=case.created_by, step="provider", changes=changes, next_step="x")
    assert set(case.completed_steps) == {"provider", "contact", "service", "site"}
    assert wizard.first_incomplete_step(case).slug == "insurer"


def test_the_same_insurer_saved_again_keeps_the_patient(client, world):
    case = walk_to_attestation(client, world)
    address = world["provider"].address_display
    client.post(step_url(case, "insurer"), {"health_plan": world["plan"].pk, "provider_address": address})
    case.refresh_from_db()
    assert case.member == world["member"]
    assert opens(client, case, "attest")


def test_another_insurer_clears_the_patients_phone_and_email_with_the_patient(catalog):
    case = draft_case(patient_cell_phone="8605550101", patient_email="pat@example.com")
    medicare = HealthPlan.objects.get(code="cigna-medicare")
    case = services.case_step_save(
        case=case, user=case.created_by, step="insurer", changes={"health_plan": medicare}, next_step="contact"
    )
    case.refresh_from_db()
    assert (case.member, case.patient_cell_phone, case.patient_email) == (None, "", "")


# --- Date of service -------------------------------------------------------------------------------


def test_another_start_of_care_reopens_the_patient_steps(client, world):
    case = walk_to_attestation(client, world)
    day = timezone.localdate() + datetime.timedelta(days=10)
    assert client.post(step_url(case, "date"), {"start_of_care": day.strftime("%m/%d/%Y")}).status_code == 302
    case.refresh_from_db()
    assert case.member is None
    assert {"patient", "patient-contact"}.isdisjoint(case.completed_steps)
    assert client.get(step_url(case, "patient-contact"))["Location"] == step_url(case, "patient")
    assert client.get(step_url(case, "site"))["Location"] == step_url(case, "patient")
    # The patient, once selected again, leads on to the steps already done.
    select_patient(client, case, world["member"])
    assert not opens(client, case, "service")  # patient contact first
    client.post(step_url(case, "patient-contact"), {"patient_cell_phone": "", "patient_email": ""})
    assert opens(client, case, "attest")


def test_the_same_start_of_care_saved_again_keeps_the_patient(client, world):
    day = timezone.localdate() + datetime.timedelta(days=3)
    case = walk_to_attestation(client, world, start_of_care=day)
    client.post(step_url(case, "date"), {"start_of_care": day.strftime("%m/%d/%Y")})
    case.refresh_from_db()
    assert case.member == world["member"]
    assert opens(client, case, "attest")


# --- Patient ---------------------------------------------------------------------------------------


def test_another_patient_clears_the_first_patients_phone_and_reopens_patient_contact(client, world):
    case = walk_to_attestation(client, world)
    client.post(step_url(case, "patient-contact"), {"patient_cell_phone": "8605550101", "patient_email": ""})
    select_patient(client, case, world["other_member"])
    case.refresh_from_db()
    assert case.member == world["other_member"]
    assert case.patient_cell_phone == ""
    assert "patient-contact" not in case.completed_steps
    assert client.get(step_url(case, "attest"))["Location"] == step_url(case, "patient-contact")


def test_a_draft_whose_patient_is_gone_reopens_the_patient_step_even_if_marked_complete(client, world):
    """Drafts saved before this fix still list "patient" as complete with no patient."""
    case = walk_to_attestation(client, world)
    Case.objects.filter(pk=case.pk).update(member=None)
    assert client.get(step_url(case, "patient-contact"))["Location"] == step_url(case, "patient")


# --- Ordering provider -----------------------------------------------------------------------------


def test_another_ordering_provider_asks_for_the_address_and_contact_again(client, world):
    case = walk_to_attestation(client, world)
    newcomer = ProviderFactory(last_name="Nakamura", fax="8605559999")
    response = client.post(step_url(case, "provider"), {"action": "add_select", "provider": newcomer.pk})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.provider_address == ""
    assert {"insurer", "contact"}.isdisjoint(case.completed_steps)
    page = client.get(step_url(case, "insurer")).content.decode()
    assert newcomer.address_display in page
    assert world["provider"].address_display not in page
    insurer = {"health_plan": world["plan"].pk, "provider_address": newcomer.address_display}
    client.post(step_url(case, "insurer"), insurer)
    assert client.get(step_url(case, "attest"))["Location"] == step_url(case, "contact")
    # The contact step is filled in again from the new provider: determinations are faxed there.
    page = client.get(step_url(case, "contact")).content.decode()
    assert "Nakamura" in page
    assert "Okafor" not in page


# --- DME delivered or dispensed --------------------------------------------------------------------


def test_dme_delivered_no_then_yes_asks_the_attention_questions_again(client, world):
    delivered = last_business_day_before(timezone.localdate())
    case = walk_to_attestation(client, world, program="dme", delivered=delivered)
    client.post(step_url(case, "site-dispensed"), {"urgent_basis": "no", "after_hours": "yes"})
    assert opens(client, case, "attest")
    client.post(step_url(case, "date"), {"delivered": "no"})
    client.post(step_url(case, "date"), {"delivered": "yes", "delivered_on": delivered.strftime("%m/%d/%Y")})
    case.refresh_from_db()
    assert (case.dispensed_on_urgent_basis, case.dispensed_after_hours) == (None, None)
    assert "site-dispensed" not in case.completed_steps
    select_patient(client, case, world["member"])
    client.post(step_url(case, "patient-contact"), {"patient_cell_phone": "", "patient_email": ""})
    assert client.get(step_url(case, "attest"))["Location"] == step_url(case, "site-dispensed")


def test_another_dme_delivery_date_asks_the_attention_questions_again(client, world):
    delivered = last_business_day_before(timezone.localdate())
    case = walk_to_attestation(client, world, program="dme", delivered=delivered)
    client.post(step_url(case, "site-dispensed"), {"urgent_basis": "no", "after_hours": "yes"})
    earlier = last_business_day_before(delivered)
    client.post(step_url(case, "date"), {"delivered": "yes", "delivered_on": earlier.strftime("%m/%d/%Y")})
    select_patient(client, case, world["member"])
    client.post(step_url(case, "patient-contact"), {"patient_cell_phone": "", "patient_email": ""})
    case.refresh_from_db()
    assert "site-dispensed" not in case.completed_steps
    assert (case.dispensed_on_urgent_basis, case.dispensed_after_hours) == (False, True)  # offered again
    assert client.get(step_url(case, "attest"))["Location"] == step_url(case, "site-dispensed")


# --- The attestation -------------------------------------------------------------------------------


def test_the_attestation_is_refused_without_a_patient(catalog):
    case = draft_case()
    Case.objects.filter(pk=case.pk).update(member=None)
    with pytest.raises(ValidationError, match="Select the patient"):
        services.case_attest(case=case, user=case.created_by)
    case.refresh_from_db()
    assert case.attested_at is None


def test_the_attestation_is_refused_with_a_step_left_open(catalog):
    case = draft_case()
    Case.objects.filter(pk=case.pk).update(completed_steps=[s for s in case.completed_steps if s != "contact"])
    with pytest.raises(ValidationError, match="Complete these steps first: Add Your Contact Info"):
        services.case_attest(case=case, user=case.created_by)


def test_the_attestation_is_refused_for_a_patient_no_longer_eligible(catalog):
    case = draft_case()
    Eligibility.objects.filter(member=case.member).update(coverage_end=timezone.localdate())
    with pytest.raises(ValidationError, match="is not eligible with Cigna Healthcare Commercial"):
        services.case_attest(case=case, user=case.created_by)


def test_a_complete_draft_is_attested(catalog):
    case = draft_case(program="dme")
    case = services.case_attest(case=case, user=case.created_by)
    assert case.attested_at is not None


def test_a_confirmed_draft_with_no_patient_sends_nobody_back_to_the_locked_steps(catalog):
    """A draft confirmed before this fix with no patient: the wizard goes on to the clinical questions."""
    case = attested_case()
    Case.objects.filter(pk=case.pk).update(member=None)
    case.refresh_from_db()
    assert wizard.first_incomplete_step(case).slug == "clinical"


def test_confirming_a_patient_whose_eligibility_ended_shows_why_instead_of_failing(client, world):
    case = walk_to_attestation(client, world)
    Eligibility.objects.filter(member=world["member"]).update(coverage_end=timezone.localdate())
    response = client.post(step_url(case, "attest"), {"attest": "on"})
    assert response.status_code == 200
    assert "is not eligible with Cigna Healthcare Commercial" in response.content.decode()
    case.refresh_from_db()
    assert case.attested_at is None
