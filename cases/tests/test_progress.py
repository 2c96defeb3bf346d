"""'Where am I': the step indicator counts only the steps that apply to the program (issue 10, item 13)."""

import re

import pytest
from django.urls import reverse

from accounts.tests.factories import UserFactory
from cases import services, wizard
from cases.tests.factories import attested_case, draft_case, home_health_answers

pytestmark = pytest.mark.django_db

BEFORE_ATTESTATION = [
    "Requesting Provider Information",
    "Choose Your Insurer",
    "Add Your Contact Info",
    "Date of Service",
    "Patient Eligibility Lookup",
    "Patient Contact Information",
    "Requested Service + Diagnosis",
    "Add Site of Service",
]


def answered(case, *, bundle):
    """The clinical questions answered and "Requested Services" continued from, as the wizard leaves them."""
    case = services.case_answers_save(case=case, answers=home_health_answers(bundle=bundle), next_step="review")
    case.completed_steps = [*case.completed_steps, "clinical-summary"]
    case.save(update_fields=["completed_steps"])
    return case


def states(found):
    return [(item.step.title, item.state) for item in found.steps]


def test_home_health_with_the_bundle_accepted_has_twelve_steps_without_urgency_or_upload(catalog):
    case = answered(attested_case(), bundle=True)

    found = wizard.progress(case, "clinical-summary")

    assert (found.position, found.total, found.current.title) == (11, 12, "Requested Services")
    assert states(found) == [
        *[(title, "done") for title in BEFORE_ATTESTATION],
        ("Proceed to Clinical Information", "done"),
        ("Clinical Questions", "done"),
        ("Requested Services", "current"),
        ("Summary of Your Request", "to do"),
    ]


def test_home_health_with_manual_visits_counts_urgency_and_upload(catalog):
    case = answered(attested_case(), bundle=False)

    found = wizard.progress(case, "urgency")

    assert (found.position, found.total, found.current.title) == (12, 14, "Urgency Indicator")
    assert states(found)[-4:] == [
        ("Requested Services", "done"),
        ("Urgency Indicator", "current"),
        ("Clinical Upload", "to do"),
        ("Summary of Your Request", "to do"),
    ]


def test_every_clinical_question_page_is_the_one_clinical_questions_step(catalog):
    case = attested_case()

    found = wizard.progress(case, "clinical")

    assert (found.position, found.total, found.current.title) == (10, 14, "Clinical Questions")
    assert [item.step.title for item in found.steps].count("Clinical Questions") == 1


def test_dme_not_yet_dispensed_skips_the_attention_step(catalog):
    case = draft_case(program="dme")

    found = wizard.progress(case, "attest")

    assert (found.position, found.total) == (9, 14)
    assert "Attention!" not in [item.step.title for item in found.steps]
    assert [title for title, state in states(found) if state == "done"] == BEFORE_ATTESTATION


def test_dme_already_dispensed_counts_the_attention_step(catalog):
    case = draft_case(program="dme", dme_already_dispensed=True)

    found = wizard.progress(case, "site-dispensed")

    assert (found.position, found.total, found.current.title) == (9, 15, "Attention!")
    assert states(found)[8:10] == [("Attention!", "current"), ("Proceed to Clinical Information", "to do")]


def test_going_back_keeps_the_later_finished_steps_done(catalog):
    case = draft_case()

    found = wizard.progress(case, "date")

    assert (found.position, found.total) == (4, 14)
    assert states(found)[2:6] == [
        ("Add Your Contact Info", "done"),
        ("Date of Service", "current"),
        ("Patient Eligibility Lookup", "done"),
        ("Patient Contact Information", "done"),
    ]


def test_a_step_that_does_not_apply_to_the_program_has_no_position(catalog):
    assert wizard.progress(draft_case(), "site-dispensed") is None


# --- The pages ---------------------------------------------------------------------------------------

POSITION = re.compile(r'<p class="wizard-progress__position">(.*?)</p>')


def indicator(client, url):
    response = client.get(url)
    assert response.status_code == 200, response.content.decode()[:2000]
    html = response.content.decode()
    current = re.findall(r'<li class="[^"]*" aria-current="step">(.*?)</li>', html)
    return POSITION.findall(html), current, html.count("(completed)")


@pytest.fixture
def owner_client(signed_in_client):
    user = UserFactory()
    return user, signed_in_client(user)


def step_url(case, slug):
    return reverse("cases:step", args=[case.request_id, slug])


def test_a_new_home_health_request_starts_at_step_1_of_14(catalog, owner_client):
    user, client = owner_client
    case = draft_case(user=user)
    case.completed_steps = []
    case.save(update_fields=["completed_steps"])

    assert indicator(client, step_url(case, "provider")) == (
        ["Step 1 of 14: Requesting Provider Information"],
        ["Requesting Provider Information"],
        0,
    )


def test_home_health_bundle_pages_count_twelve_steps(catalog, owner_client):
    user, client = owner_client
    case = answered(attested_case(user=user), bundle=True)

    assert indicator(client, step_url(case, "clinical-summary")) == (
        ["Step 11 of 12: Requested Services"],
        ["Requested Services"],
        10,
    )
    assert indicator(client, step_url(case, "review"))[0] == ["Step 12 of 12: Summary of Your Request"]


def test_home_health_manual_pages_count_the_upload_step(catalog, owner_client):
    user, client = owner_client
    case = answered(attested_case(user=user), bundle=False)

    assert indicator(client, step_url(case, "urgency"))[0] == ["Step 12 of 14: Urgency Indicator"]


def test_a_clinical_question_page_shows_the_clinical_questions_step(catalog, owner_client):
    user, client = owner_client
    case = attested_case(user=user)

    response = client.get(step_url(case, "clinical"))
    assert response.status_code == 302

    assert indicator(client, response.url) == (["Step 10 of 14: Clinical Questions"], ["Clinical Questions"], 9)


def test_dme_pages_count_fourteen_steps(catalog, owner_client):
    user, client = owner_client
    case = draft_case(program="dme", user=user)

    assert indicator(client, step_url(case, "attest")) == (
        ["Step 9 of 14: Proceed to Clinical Information"],
        ["Proceed to Clinical Information"],
        8,
    )


def test_dme_already_dispensed_pages_count_the_attention_step(catalog, owner_client):
    user, client = owner_client
    case = draft_case(program="dme", user=user, dme_already_dispensed=True)

    assert indicator(client, step_url(case, "site-dispensed")) == (["Step 9 of 15: Attention!"], ["Attention!"], 8)
