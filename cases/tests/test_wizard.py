"""The case build through the Django test client, step by step, for each branch (CASE-1 to CASE-17)."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import UserFactory
from audit.models import AuditEvent
from cases.models import Case, CaseStatus
from cases.tests.factories import diagnosis, draft_case, submitter
from practices.models import AccountProvider, WorklistAccess
from reference.models import HealthPlan, Site
from reference.tests.factories import EligibilityFactory, MemberFactory, ProviderFactory, SiteFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(catalog):
    plan = HealthPlan.objects.get(code="cigna-commercial")
    member = MemberFactory(member_id="U1234567801", last_name="Rivera", date_of_birth=datetime.date(1950, 4, 2))
    EligibilityFactory(member=member, health_plan=plan, coverage_start=datetime.date(2020, 1, 1))
    provider = ProviderFactory(last_name="Okafor", first_name="Ada")
    agency = SiteFactory(kind=Site.Kind.HOME_HEALTH_AGENCY, name="Hartford Visiting Nurses", zip_code="06103")
    supplier = SiteFactory(kind=Site.Kind.DME_SUPPLIER, name="Hartford Medical Supply", zip_code="06103")
    diagnosis()
    diagnosis("Z89.512", "Acquired absence of left leg below knee")
    return {"plan": plan, "member": member, "provider": provider, "agency": agency, "supplier": supplier}


@pytest.fixture
def office(world, signed_in_client):
    user = submitter(first_name="Maria", last_name="Johnson", email="maria@office.example")
    AccountProvider.objects.create(user=user, provider=world["provider"])
    return user, signed_in_client(user)


def step_url(case, slug):
    return reverse("cases:step", args=[case.request_id, slug])


def start(client, program="home-health", role="referring_physician"):
    field = "dme_role" if program == "dme" else "hh_role"
    response = client.post(reverse("cases:request_authorization"), {"program": program, field: role})
    assert response.status_code == 302, response.content.decode()[:2000]
    return Case.objects.latest("created_at")


def fill_first_steps(client, world, program="home-health"):
    """Program, requesting provider, insurer and contact info, as a physician office fills them."""
    case = start(client, program)
    provider = world["provider"]
    assert client.post(step_url(case, "provider"), {"action": "select", "provider": provider.pk}).status_code == 302
    response = client.post(
        step_url(case, "insurer"), {"health_plan": world["plan"].pk, "provider_address": provider.address_display}
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    response = client.post(
        step_url(case, "contact"),
        {
            "contact_provider_name": provider.display_name,
            "contact_name": "Maria Johnson",
            "contact_fax": "(860) 666-4321",
            "contact_phone": "860-666-1234",
            "contact_email": "maria@office.example",
            "notify_by_email": "on",
        },
    )
    assert response.status_code == 302
    return case


def walk_to_attestation(client, world, *, program="home-health", start_of_care=None, delivered=None):
    """Steps 1 to 8 as a physician office would fill them; returns the case, ready for "Confirm and continue"."""
    case = fill_first_steps(client, world, program)
    if program == "home-health":
        day = start_of_care or timezone.localdate() + datetime.timedelta(days=3)
        data = {"start_of_care": f"{day.month}/{day.day}/{day.year}"}
    else:
        data = (
            {"delivered": "no"}
            if delivered is None
            else {"delivered": "yes", "delivered_on": delivered.strftime("%m/%d/%Y")}
        )
    response = client.post(step_url(case, "date"), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    member = world["member"]
    lookup = {"member_id": member.member_id, "date_of_birth": "04/02/1950", "last_name": "rivera"}
    response = client.post(step_url(case, "patient"), {**lookup, "action": "select", "member": member.pk})
    assert response.status_code == 302, response.content.decode()[-3000:]
    assert (
        client.post(step_url(case, "patient-contact"), {"patient_cell_phone": "", "patient_email": ""}).status_code
        == 302
    )
    code = "S92.151A" if program == "home-health" else "Z89.512"
    assert client.post(step_url(case, "service"), {"primary_query": code, "action": "continue"}).status_code == 302
    site = world["agency"] if program == "home-health" else world["supplier"]
    response = client.post(
        step_url(case, "site"),
        {"action": "continue", "site": site.pk, "site_fax": site.fax, "site_phone": site.phone, "site_email": ""},
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    case.refresh_from_db()
    return case


def clinical(client, case, key, data):
    response = client.post(reverse("cases:clinical_page", args=[case.request_id, key]), data)
    assert response.status_code == 302, response.content.decode()[:4000]
    return response


def test_home_health_bundle_accepted_is_approved_with_an_authorization_number(office, world):
    _user, client = office
    case = walk_to_attestation(client, world)
    assert client.post(step_url(case, "attest"), {"attest": "on"}).status_code == 302
    clinical(client, case, "homebound", {"homebound": "yes"})
    clinical(client, case, "admitting-diagnosis", {"admitting_diagnosis": "orthopedic"})
    page = client.get(reverse("cases:clinical_page", args=[case.request_id, "bundle-offer"]))
    assert "Registered/Skilled Nurse - 6 visits" in page.content.decode()
    clinical(client, case, "bundle-offer", {"bundle": "yes"})
    response = client.post(step_url(case, "clinical-summary"), {"action": "continue"})
    # The bundle is approved without clinical review: no urgency or upload step.
    assert response["Location"] == step_url(case, "review")
    response = client.post(step_url(case, "review"), {"action": "submit"})
    assert response["Location"] == reverse("cases:summary", args=[case.request_id])
    case.refresh_from_db()
    assert case.status == CaseStatus.APPROVED
    assert case.authorization_number and case.case_number and case.episode_id
    assert case.valid_to - case.valid_from == datetime.timedelta(days=29)
    assert case.service_lines.count() == 6
    summary = client.get(response["Location"]).content.decode()
    assert "Your case has been Approved." in summary
    assert case.authorization_number in summary


def test_home_health_manual_visits_go_to_medical_review_with_their_codes(office, world):
    _user, client = office
    case = walk_to_attestation(client, world)
    client.post(step_url(case, "attest"), {"attest": "on"})
    clinical(client, case, "homebound", {"homebound": "no-unknown"})
    clinical(
        client,
        case,
        "manual-services",
        {
            "skilled_nurse_visits": "2",
            "physical_therapy_visits": "2",
            "occupational_therapy_visits": "0",
            "speech_therapy_visits": "0",
            "social_worker_visits": "1",
            "home_health_aide_visits": "3",
            "dietitian_visits": "0",
            "timeframe_days": "45",
        },
    )
    page = client.get(step_url(case, "clinical-summary")).content.decode()
    assert "Registered/Skilled Nurse (G0299) - 2 Visits" in page
    assert "Registered/Skilled Nurse (G0300) - 2 Visits" in page
    assert "This request will be sent to clinical review." in page
    client.post(step_url(case, "clinical-summary"), {"action": "continue"})
    assert client.post(step_url(case, "urgency"), {"is_routine": "yes"}).status_code == 302
    assert client.post(step_url(case, "upload"), {"action": "continue", "additional_notes": ""}).status_code == 302
    client.post(step_url(case, "review"), {"action": "submit"})
    case.refresh_from_db()
    assert case.status == CaseStatus.PENDING_REVIEW
    assert case.authorization_number is None
    assert not case.is_urgent
    assert case.decision_due_at - case.submitted_at == datetime.timedelta(days=7)
    assert (
        "Your case has been sent to Medical Review."
        in client.get(reverse("cases:summary", args=[case.request_id])).content.decode()
    )


def test_same_day_start_of_care_is_refused_with_the_cigna_number(office, world):
    _user, client = office
    case = fill_first_steps(client, world)
    today = timezone.localdate()
    response = client.post(step_url(case, "date"), {"start_of_care": today.strftime("%m/%d/%Y")})
    assert response.status_code == 200
    page = response.content.decode()
    assert "1.800.88Cigna (800.882.4462)" in page
    assert "error-summary" in page
    assert today.strftime("%m/%d/%Y") in page  # the typed value is kept


def test_steps_cannot_be_skipped_by_url(office, world):
    _user, client = office
    case = start(client)
    response = client.get(step_url(case, "service"))
    assert response["Location"] == step_url(case, "provider")


def test_after_confirm_and_continue_the_patient_step_is_closed(office, world):
    _user, client = office
    case = walk_to_attestation(client, world)
    client.post(step_url(case, "attest"), {"attest": "on"})
    response = client.post(step_url(case, "patient"), {"action": "select", "member": world["member"].pk})
    assert response.status_code == 302
    case.refresh_from_db()
    assert response["Location"] != step_url(case, "patient")


def test_attestation_checkbox_is_required(office, world):
    _user, client = office
    case = walk_to_attestation(client, world)
    response = client.post(step_url(case, "attest"), {})
    assert response.status_code == 200
    assert "Check the box to acknowledge the attestation" in response.content.decode()
    case.refresh_from_db()
    assert case.attested_at is None


def test_unknown_patient_gets_a_clear_message(office, world):
    _user, client = office
    case = walk_to_attestation(client, world)
    Case.objects.filter(pk=case.pk).update(completed_steps=["provider", "insurer", "contact", "date"], member=None)
    response = client.post(
        step_url(case, "patient"),
        {"member_id": "NOPE", "date_of_birth": "1/1/1950", "last_name": "X", "action": "lookup"},
    )
    assert "No patient was found" in response.content.decode()


def test_patient_of_a_non_delegating_plan_is_told_so(office, world):
    _user, client = office
    keystone = HealthPlan.objects.get(code="keystone-community")
    member = MemberFactory(member_id="K1", last_name="Stone", date_of_birth=datetime.date(1960, 1, 1))
    EligibilityFactory(member=member, health_plan=keystone, coverage_start=datetime.date(2020, 1, 1))
    case = walk_to_attestation(client, world)
    Case.objects.filter(pk=case.pk).update(
        health_plan=keystone, completed_steps=["provider", "insurer", "contact", "date"], member=None
    )
    response = client.post(
        step_url(case, "patient"),
        {"member_id": "K1", "date_of_birth": "1/1/1960", "last_name": "stone", "action": "lookup"},
    )
    assert "does not use EviCore for Home Health requests" in response.content.decode()


def test_patient_not_covered_on_the_date_of_service_is_told_so(office, world):
    _user, client = office
    member = MemberFactory(member_id="L1", last_name="Lapse", date_of_birth=datetime.date(1960, 1, 1))
    EligibilityFactory(
        member=member,
        health_plan=world["plan"],
        coverage_start=datetime.date(2019, 1, 1),
        coverage_end=datetime.date(2020, 1, 1),
    )
    case = walk_to_attestation(client, world)
    Case.objects.filter(pk=case.pk).update(completed_steps=["provider", "insurer", "contact", "date"], member=None)
    response = client.post(
        step_url(case, "patient"),
        {
            "member_id": "L1",
            "date_of_birth": "01/01/1960",
            "last_name": "Lapse",
            "action": "select",
            "member": member.pk,
        },
    )
    assert "is not eligible with Cigna Healthcare Commercial" in response.content.decode()
    case.refresh_from_db()
    assert case.member is None


def test_dme_with_two_codes_urgent_with_an_upload_is_due_in_72_hours(office, world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from cases.tests.files import pdf_bytes

    _user, client = office
    case = walk_to_attestation(client, world, program="dme")
    client.post(step_url(case, "attest"), {"attest": "on"})
    clinical(client, case, "hcpcs-line.0", {"hcpcs_code": "e0260", "hcpcs_units": "2"})
    clinical(client, case, "hcpcs-line.0.more", {"hcpcs_more": "yes"})
    clinical(client, case, "hcpcs-line.1", {"hcpcs_code": "K0005", "hcpcs_units": "1"})
    clinical(client, case, "hcpcs-line.1.more", {"hcpcs_more": "no"})
    client.post(step_url(case, "clinical-summary"), {"action": "continue"})
    client.post(step_url(case, "urgency"), {"is_routine": "no", "urgency_criterion": "jeopardy"})
    upload = SimpleUploadedFile("office-notes.pdf", pdf_bytes(), content_type="application/pdf")
    response = client.post(step_url(case, "upload"), {"action": "upload", "files": [upload]})
    assert response.status_code == 302
    assert case.documents.count() == 1
    client.post(step_url(case, "upload"), {"action": "continue"})
    client.post(step_url(case, "review"), {"action": "submit"})
    case.refresh_from_db()
    assert case.status == CaseStatus.PENDING_REVIEW
    assert [line.hcpcs.code for line in case.service_lines.all()] == ["E0260", "K0005"]
    assert case.is_urgent
    assert case.decision_due_at - case.submitted_at == datetime.timedelta(hours=72)


def test_urgent_without_an_upload_is_processed_as_standard(office, world):
    _user, client = office
    case = walk_to_attestation(client, world, program="dme")
    client.post(step_url(case, "attest"), {"attest": "on"})
    clinical(client, case, "hcpcs-line.0", {"hcpcs_code": "E0260", "hcpcs_units": "1"})
    clinical(client, case, "hcpcs-line.0.more", {"hcpcs_more": "no"})
    client.post(step_url(case, "clinical-summary"), {"action": "continue"})
    client.post(step_url(case, "urgency"), {"is_routine": "no", "urgency_criterion": "severe_pain"})
    page = client.get(step_url(case, "upload")).content.decode()
    assert "this case will be processed as standard" in page
    client.post(step_url(case, "upload"), {"action": "continue"})
    client.post(step_url(case, "review"), {"action": "submit"})
    case.refresh_from_db()
    assert not case.is_urgent
    assert case.decision_due_at - case.submitted_at == datetime.timedelta(days=7)


def test_a_refused_file_is_named_and_accepted_files_stay(office, world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from cases.tests.files import pdf_bytes

    _user, client = office
    case = walk_to_attestation(client, world, program="dme")
    client.post(step_url(case, "attest"), {"attest": "on"})
    clinical(client, case, "hcpcs-line.0", {"hcpcs_code": "E0260", "hcpcs_units": "1"})
    clinical(client, case, "hcpcs-line.0.more", {"hcpcs_more": "no"})
    client.post(step_url(case, "clinical-summary"), {"action": "continue"})
    client.post(step_url(case, "urgency"), {"is_routine": "yes"})
    good = SimpleUploadedFile("notes.pdf", pdf_bytes(), content_type="application/pdf")
    fake = SimpleUploadedFile("virus.pdf", b"MZ\x90\x00" + b"\x00" * 200, content_type="application/pdf")
    response = client.post(step_url(case, "upload"), {"action": "upload", "files": [good, fake]})
    assert response.status_code == 200
    page = response.content.decode()
    assert "virus.pdf is not a real PDF file" in page
    assert case.documents.get().original_name == "notes.pdf"


def test_double_submit_creates_one_case(office, world):
    _user, client = office
    case = walk_to_attestation(client, world)
    client.post(step_url(case, "attest"), {"attest": "on"})
    clinical(client, case, "homebound", {"homebound": "yes"})
    clinical(client, case, "admitting-diagnosis", {"admitting_diagnosis": "cardiac"})
    clinical(client, case, "bundle-offer", {"bundle": "yes"})
    client.post(step_url(case, "clinical-summary"), {"action": "continue"})
    first = client.post(step_url(case, "review"), {"action": "submit"})
    second = client.post(step_url(case, "review"), {"action": "submit"})
    assert first["Location"] == second["Location"] == reverse("cases:summary", args=[case.request_id])
    case.refresh_from_db()
    assert case.status_changes.filter(to_status=CaseStatus.SUBMITTED).count() == 1
    assert case.service_lines.count() == 6


def test_finish_later_lists_the_request_and_resume_returns_to_the_same_question(office, world):
    _user, client = office
    case = walk_to_attestation(client, world)
    client.post(step_url(case, "attest"), {"attest": "on"})
    clinical(client, case, "homebound", {"homebound": "yes"})
    response = client.post(
        reverse("cases:clinical_page", args=[case.request_id, "admitting-diagnosis"]), {"action": "finish_later"}
    )
    assert response["Location"] == reverse("cases:in_progress")
    listing = client.get(reverse("cases:in_progress")).content.decode()
    assert case.request_id in listing
    resumed = client.get(reverse("cases:resume", args=[case.request_id]), follow=True)
    assert "If applicable, please select the admitting diagnosis" in resumed.content.decode()


def test_in_progress_lists_the_practices_drafts_but_not_to_a_worklist_delegate(office, world, signed_in_client):
    user, client = office
    case = walk_to_attestation(client, world)
    colleague = submitter(practice=case.practice)
    delegate = UserFactory()
    WorklistAccess.objects.create(owner=user, grantee=delegate)
    assert case.request_id in signed_in_client(colleague).get(reverse("cases:in_progress")).content.decode()
    delegate_client = signed_in_client(delegate)
    assert case.request_id not in delegate_client.get(reverse("cases:in_progress")).content.decode()
    assert delegate_client.get(reverse("cases:resume", args=[case.request_id])).status_code == 404


def test_another_users_request_is_not_found(office, world, signed_in_client):
    _user, client = office
    case = walk_to_attestation(client, world)
    stranger = signed_in_client(UserFactory())
    assert stranger.get(step_url(case, "insurer")).status_code == 404
    assert stranger.get(reverse("cases:resume", args=[case.request_id])).status_code == 404


def test_a_conflicting_open_request_is_shown(office, world):
    user, client = office
    earlier = draft_case(user=user, member=world["member"])
    Case.objects.filter(pk=earlier.pk).update(
        status=CaseStatus.PENDING_REVIEW,
        submitted_at=timezone.now(),
        case_number="A000000001",
        decision_due_at=timezone.now(),
        date_of_service=timezone.localdate() + datetime.timedelta(days=5),
    )
    case = walk_to_attestation(client, world)
    client.post(step_url(case, "attest"), {"attest": "on"})
    page = client.get(reverse("cases:clinical_page", args=[case.request_id, "homebound"])).content.decode()
    assert "There is a possible request conflict on file." in page
    assert "A000000001" in page


def test_the_summary_prints_as_a_pdf_and_the_read_is_audited(office, world):
    _user, client = office
    case = walk_to_attestation(client, world)
    client.post(step_url(case, "attest"), {"attest": "on"})
    clinical(client, case, "homebound", {"homebound": "yes"})
    clinical(client, case, "admitting-diagnosis", {"admitting_diagnosis": "cardiac"})
    clinical(client, case, "bundle-offer", {"bundle": "yes"})
    client.post(step_url(case, "clinical-summary"), {"action": "continue"})
    client.post(step_url(case, "review"), {"action": "submit"})
    response = client.get(reverse("cases:summary_pdf", args=[case.request_id]))
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    assert AuditEvent.objects.filter(action="case.printed", target_id=str(case.pk)).exists()


def test_diagnosis_lookup_by_word_finds_the_talus_code(office, world, icd10cm):
    _user, client = office
    case = walk_to_attestation(client, world)
    Case.objects.filter(pk=case.pk).update(completed_steps=case.completed_steps[:-2])
    response = client.post(step_url(case, "service"), {"primary_query": "talus", "action": "lookup_primary"})
    assert "S92.151A" in response.content.decode()
    response = client.post(step_url(case, "service"), {"primary_query": "S92.15", "action": "lookup_primary"})
    assert "S92.151A" in response.content.decode()


def test_a_category_code_cannot_be_the_diagnosis(office, world):
    _user, client = office
    diagnosis("S92", "Fracture of foot and toe")
    from reference.models import DiagnosisCode

    DiagnosisCode.objects.filter(code="S92").update(is_billable=False)
    case = walk_to_attestation(client, world)
    Case.objects.filter(pk=case.pk).update(completed_steps=case.completed_steps[:-2])
    response = client.post(step_url(case, "service"), {"primary_code": "S92", "action": "continue"})
    assert "not a billable code" in response.content.decode()


def test_dme_delivered_within_the_window_is_retrospective_and_starts_on_the_request_date(office, world):
    from cases import rules, selectors

    _user, client = office
    today = timezone.localdate()
    delivered = today - datetime.timedelta(days=1)
    while not rules.is_business_day(delivered):
        delivered -= datetime.timedelta(days=1)
    case = walk_to_attestation(client, world, program="dme", delivered=delivered)
    assert case.is_retrospective and case.date_of_service == delivered
    assert selectors.requested_period(case)[0] == today
    # The dispensed pop-up is asked before the attestation.
    assert client.get(step_url(case, "attest"))["Location"] == step_url(case, "site-dispensed")
    client.post(step_url(case, "site-dispensed"), {"urgent_basis": "no", "after_hours": "yes"})
    case.refresh_from_db()
    assert (case.dispensed_on_urgent_basis, case.dispensed_after_hours) == (False, True)


def test_dme_delivered_more_than_fifteen_business_days_ago_is_refused(office, world):
    _user, client = office
    case = fill_first_steps(client, world, "dme")
    long_ago = timezone.localdate() - datetime.timedelta(days=40)
    response = client.post(step_url(case, "date"), {"delivered": "yes", "delivered_on": long_ago.strftime("%m/%d/%Y")})
    assert response.status_code == 200
    assert "within 15 business days" in response.content.decode()


def test_continuing_from_the_site_step_without_a_site_asks_for_the_lookup(office, world):
    _user, client = office
    case = walk_to_attestation(client, world)
    Case.objects.filter(pk=case.pk).update(site=None, completed_steps=case.completed_steps[:-1])
    data = {"action": "continue", "site": "", "site_fax": "8605551234", "site_phone": "8605551234"}
    response = client.post(step_url(case, "site"), data, follow=True)
    assert response.status_code == 200
    assert "Look up the site of service and select it." in response.content.decode()
    response = client.post(step_url(case, "site"), {**data, "site": str(world["supplier"].pk)}, follow=True)
    assert "Look up the site of service and select it." in response.content.decode()  # a DME site for a HH case


def test_cancelling_before_submission_ends_the_request(office, world):
    _user, client = office
    case = walk_to_attestation(client, world)
    client.post(step_url(case, "attest"), {"attest": "on"})
    clinical(client, case, "homebound", {"homebound": "yes"})
    clinical(client, case, "admitting-diagnosis", {"admitting_diagnosis": "cardiac"})
    clinical(client, case, "bundle-offer", {"bundle": "yes"})
    client.post(step_url(case, "clinical-summary"), {"action": "continue"})
    assert "Yes, cancel request" in client.get(step_url(case, "review")).content.decode()
    response = client.post(step_url(case, "review"), {"action": "cancel"})
    assert response["Location"] == reverse("cases:in_progress")
    case.refresh_from_db()
    assert case.status == CaseStatus.CANCELLED
    assert (
        reverse("cases:resume", args=[case.request_id]) not in client.get(reverse("cases:in_progress")).content.decode()
    )


def test_a_pending_case_can_be_withdrawn_from_its_summary(office, world):
    _user, client = office
    case = walk_to_attestation(client, world)
    client.post(step_url(case, "attest"), {"attest": "on"})
    clinical(client, case, "homebound", {"homebound": "no-unknown"})
    visits = dict.fromkeys(
        [
            "physical_therapy_visits",
            "occupational_therapy_visits",
            "speech_therapy_visits",
            "social_worker_visits",
            "home_health_aide_visits",
            "dietitian_visits",
        ],
        "0",
    )
    clinical(client, case, "manual-services", {**visits, "skilled_nurse_visits": "4", "timeframe_days": "30"})
    client.post(step_url(case, "clinical-summary"), {"action": "continue"})
    client.post(step_url(case, "urgency"), {"is_routine": "yes"})
    client.post(step_url(case, "upload"), {"action": "continue"})
    client.post(step_url(case, "review"), {"action": "submit"})
    response = client.post(reverse("cases:cancel", args=[case.request_id]))
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.CANCELLED
    assert case.status_changes.last().changed_by == _user


def test_in_progress_shows_twenty_five_requests_a_page_newest_first(office, world):
    from cases.views.entry import IN_PROGRESS_PAGE_SIZE

    user, client = office
    drafts = [draft_case(user=user) for _ in range(IN_PROGRESS_PAGE_SIZE + 2)]
    first = client.get(reverse("cases:in_progress")).content.decode()
    assert drafts[-1].request_id in first and drafts[0].request_id not in first
    assert "Page 1 of 2" in first
    second = client.get(reverse("cases:in_progress"), {"page": "2"}).content.decode()
    assert drafts[0].request_id in second and drafts[-1].request_id not in second
    for hostile in ("²", "0", "-1", "999", "abc"):
        assert client.get(reverse("cases:in_progress"), {"page": hostile}).status_code == 200


def test_in_progress_runs_the_same_queries_for_five_or_fifty_drafts(office, world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    user, client = office
    counts = []
    for total in (5, 50):
        while Case.objects.filter(created_by=user, status=CaseStatus.DRAFT).count() < total:
            draft_case(user=user)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("cases:in_progress")).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_place_of_service_twelve_home_is_set_for_dme_requests_only(office, world):
    _user, client = office
    home_health = walk_to_attestation(client, world)
    dme = walk_to_attestation(client, world, program="dme")
    home_health.refresh_from_db()
    dme.refresh_from_db()
    # Seed 002: "For DME authorization requests, place of service will be selected as 12 - Home."
    assert (home_health.place_of_service, dme.place_of_service) == ("", "12 - Home")
