"""The summary PDF fits a typical request on one page, with the status and the case's numbers at the top."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from pypdf import PdfReader

from cases import services
from cases.questionnaires import engine
from cases.tests.factories import attested_case, submitted_case
from cases.tests.files import pdf_bytes

pytestmark = pytest.mark.django_db

SEVEN_DISCIPLINES = {
    "skilled_nurse_visits": "8",
    "physical_therapy_visits": "12",
    "occupational_therapy_visits": "6",
    "speech_therapy_visits": "4",
    "social_worker_visits": "2",
    "home_health_aide_visits": "10",
    "dietitian_visits": "2",
    "timeframe_days": "60",
}
# Long descriptions that wrap in the table (K0823, L5973).
THREE_HCPCS_LINES = [("E0260", "1"), ("K0823", "1"), ("L5973", "2")]


def answered(program: str, pages: list[dict]) -> dict:
    """Clinical answers as the pages store them, each page answered in turn as the wizard does."""
    question_set = engine.question_set_for(program)
    answers = {}
    for data in pages:
        page = engine.next_page(question_set, answers)
        form = engine.page_form(question_set, answers, page, data=data)
        assert form.is_valid(), form.errors
        answers = engine.apply_answer(question_set, answers, page, form.cleaned_data)
    assert engine.is_complete(question_set, answers)
    return answers


def submitted(case, answers: dict, *, document: bool = False):
    """Answer, choose standard urgency, upload a document if asked, then submit, as the wizard's last steps do."""
    case = services.case_answers_save(case=case, answers=answers, next_step="clinical-summary")
    case = services.case_step_save(
        case=case,
        user=case.created_by,
        step="urgency",
        changes={"is_routine": True, "urgency_criterion": ""},
        next_step="upload",
    )
    if document:
        uploaded = SimpleUploadedFile("office-notes.pdf", pdf_bytes(), content_type="application/pdf")
        services.clinical_document_add(case=case, uploaded_file=uploaded, user=case.created_by)
    case = services.case_progress_save(case=case, next_step="review", completed="clinical-summary")
    return services.case_submit(case=case, user=case.created_by)


def home_health_manual_case():
    pages = [{"homebound": "yes"}, {"admitting_diagnosis": "orthopedic"}, {"bundle": "no"}, SEVEN_DISCIPLINES]
    return submitted(attested_case(), answered("home-health", pages))


def dme_case():
    pages = []
    for index, (code, units) in enumerate(THREE_HCPCS_LINES):
        more = "yes" if index < len(THREE_HCPCS_LINES) - 1 else "no"
        pages += [{"hcpcs_code": code, "hcpcs_units": units}, {"hcpcs_more": more}]
    return submitted(attested_case(program="dme"), answered("dme", pages), document=True)


def summary_pdf(client, case) -> PdfReader:
    response = client.get(reverse("cases:summary_pdf", args=[case.request_id]))
    assert response["Content-Type"] == "application/pdf"
    return PdfReader(io.BytesIO(response.content))


def first_page_text(document: PdfReader) -> str:
    """Page 1's text with line breaks as spaces: a value may wrap, the words stay in order."""
    return " ".join(document.pages[0].extract_text().split())


def test_the_test_requests_are_the_typical_ones(catalog):
    assert submitted_case(approved=True).service_lines.count() == 6
    # Seven disciplines, eight lines: skilled nurse visits are split between G0299 and G0300.
    assert home_health_manual_case().service_lines.count() == 8
    case = dme_case()
    assert [line.hcpcs.code for line in case.service_lines.all()] == [code for code, _ in THREE_HCPCS_LINES]
    assert case.documents.count() == 1


def test_a_home_health_bundle_summary_is_one_page_with_the_authorization_number_and_status(signed_in_client, catalog):
    case = submitted_case(approved=True)
    document = summary_pdf(signed_in_client(case.created_by), case)
    assert len(document.pages) == 1
    text = first_page_text(document)
    assert case.authorization_number in text
    assert "Your case has been Approved." in text


def test_a_home_health_manual_summary_with_seven_disciplines_is_one_page_with_the_case_number_and_status(
    signed_in_client, catalog
):
    case = home_health_manual_case()
    document = summary_pdf(signed_in_client(case.created_by), case)
    assert len(document.pages) == 1
    text = first_page_text(document)
    assert case.case_number in text
    assert "Your case has been sent to Medical Review." in text


def test_a_dme_summary_with_three_codes_and_a_document_is_one_page_with_the_case_number_and_status(
    signed_in_client, catalog
):
    case = dme_case()
    document = summary_pdf(signed_in_client(case.created_by), case)
    assert len(document.pages) == 1
    text = first_page_text(document)
    assert case.case_number in text
    assert "Your case has been sent to Medical Review." in text


def test_the_status_and_the_numbers_come_before_the_patient_and_provider(signed_in_client, catalog):
    case = submitted_case(approved=True)
    text = first_page_text(summary_pdf(signed_in_client(case.created_by), case))
    status = text.index("Your case has been Approved.")
    for number in (case.authorization_number, case.request_id, case.episode_id):
        assert text.index(str(number)) < text.index(case.member.full_name)
    assert status < text.index(case.member.full_name)
    assert status < text.index("Provider Name")


def test_the_contact_phone_and_fax_are_not_broken_across_lines(signed_in_client, catalog):
    case = home_health_manual_case()
    lines = summary_pdf(signed_in_client(case.created_by), case).pages[0].extract_text().splitlines()
    assert any("(860) 666-4321" in line for line in lines)
    assert any("(860) 666-1234" in line for line in lines)


def test_a_dme_request_for_the_code_with_the_longest_description_is_submitted(catalog):
    """CaseService.label (now ServiceLine.label) held 120 characters; the catalog's longest DME description
    (L0631) has more, and PostgreSQL refused the submission (DataError), a 500 on the review step."""
    from reference.models import HcpcsCode

    longest = max(HcpcsCode.objects.filter(program__code="dme"), key=lambda code: len(code.description))
    assert len(longest.description) > 120
    pages = [{"hcpcs_code": longest.code, "hcpcs_units": "1"}, {"hcpcs_more": "no"}]
    case = submitted(attested_case(program="dme"), answered("dme", pages))
    assert case.service_lines.get().label == longest.description
