"""The FHIR R4 export of the question sets (Questionnaire) and of a case's answers (QuestionnaireResponse)."""

import json
from datetime import UTC, datetime

import pytest
from fhir.resources.R4B.questionnaire import Questionnaire
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse

from cases.questionnaires import engine, fhir

HH_MANUAL_ANSWERS = {
    "homebound": "yes",
    "admitting-diagnosis": "cardiac",
    "bundle": "no",
    "skilled-nurse-visits": 2,
    "physical-therapy-visits": 0,
    "occupational-therapy-visits": 0,
    "speech-therapy-visits": 0,
    "social-worker-visits": 0,
    "home-health-aide-visits": 3,
    "dietitian-visits": 0,
    "timeframe-days": 30,
}
DME_ANSWERS = {
    "hcpcs-line": [
        {"hcpcs-code": "E0260", "hcpcs-units": 2, "hcpcs-more": "yes"},
        {"hcpcs-code": "K0005", "hcpcs-units": 1, "hcpcs-more": "no"},
    ]
}


def items_by_link_id(items):
    """Every item of a FHIR item tree (as dicts) by linkId."""
    found = {}
    for item in items:
        found[item["linkId"]] = item
        found.update(items_by_link_id(item.get("item", [])))
    return found


def exported(program):
    """The Questionnaire JSON of a program, parsed back through fhir.resources."""
    text = fhir.questionnaire_resource(engine.question_set_for(program)).model_dump_json()
    return Questionnaire.model_validate(json.loads(text)).model_dump(mode="json", exclude_none=True)


@pytest.mark.parametrize("program", ["home-health", "dme"])
def test_each_question_set_exports_as_a_valid_questionnaire(program):
    questionnaire = exported(program)

    assert questionnaire["resourceType"] == "Questionnaire"
    assert questionnaire["status"] == "active"
    assert questionnaire["url"].endswith(program)


@pytest.mark.parametrize("program", ["home-health", "dme"])
def test_the_export_carries_no_portal_keys(program):
    text = json.dumps(fhir.questionnaire_json(engine.question_set_for(program)))

    assert "_portal" not in text


def test_the_bundle_and_manual_items_carry_their_enable_when():
    items = items_by_link_id(exported("home-health")["item"])

    assert items["bundle-offer"]["enableBehavior"] == "all"
    assert {entry["question"] for entry in items["bundle-offer"]["enableWhen"]} == {"homebound", "admitting-diagnosis"}
    assert items["manual-services"]["enableBehavior"] == "any"
    assert [(entry["question"], entry["answerCoding"]["code"]) for entry in items["manual-services"]["enableWhen"]] == [
        ("homebound", "no-unknown"),
        ("admitting-diagnosis", "none-of-the-above"),
        ("bundle", "no"),
    ]


@pytest.mark.parametrize("program", ["home-health", "dme"])
def test_choice_questions_carry_their_answer_options(program):
    items = items_by_link_id(exported(program)["item"])
    choices = [item for item in items.values() if item["type"] == "choice"]

    assert choices
    assert all(item["answerOption"][0]["valueCoding"]["display"] for item in choices)


def test_integer_questions_carry_min_and_max_extensions():
    timeframe = items_by_link_id(exported("home-health")["item"])["timeframe-days"]

    assert {ext["url"].rsplit("/", 1)[1]: ext["valueInteger"] for ext in timeframe["extension"]} == {
        "minValue": 1,
        "maxValue": 365,
    }


def test_a_home_health_manual_answer_set_exports_as_a_completed_response():
    question_set = engine.question_set_for("home-health")
    response = fhir.questionnaire_response_resource(
        question_set,
        HH_MANUAL_ANSWERS,
        status="completed",
        authored=datetime(2025, 4, 2, 23, 22, tzinfo=UTC),
        subject_display="Jane Doe",
        identifier="A123456789",
    )

    parsed = QuestionnaireResponse.model_validate(json.loads(response.model_dump_json()))
    items = items_by_link_id(parsed.model_dump(mode="json", exclude_none=True)["item"])
    assert parsed.questionnaire == "https://carecore.example.org/fhir/Questionnaire/home-health|1.0.0"
    assert parsed.identifier.value == "A123456789"
    assert items["bundle"]["answer"] == [
        {"valueCoding": {"code": "no", "display": "No (I want to manually request services)"}}
    ]
    assert items["skilled-nurse-visits"]["answer"] == [{"valueInteger": 2}]
    assert items["timeframe-days"]["answer"] == [{"valueInteger": 30}]
    assert "skilled-nurse-visits" in {child["linkId"] for child in items["manual-services"]["item"]}


def test_a_dme_answer_set_exports_one_response_item_per_line():
    question_set = engine.question_set_for("dme")

    response = fhir.questionnaire_response_resource(question_set, DME_ANSWERS, status="completed")

    lines = [item for item in response.model_dump(mode="json")["item"] if item["linkId"] == "hcpcs-line"]
    assert [items_by_link_id(line["item"])["hcpcs-code"]["answer"] for line in lines] == [
        [{"valueString": "E0260"}],
        [{"valueString": "K0005"}],
    ]


def test_response_link_ids_are_all_in_the_questionnaire():
    question_set = engine.question_set_for("home-health")
    questionnaire_ids = set(items_by_link_id(fhir.questionnaire_json(question_set)["item"]))

    response = fhir.questionnaire_response_json(question_set, HH_MANUAL_ANSWERS)

    assert set(items_by_link_id(response["item"])) <= questionnaire_ids


def test_an_incomplete_answer_set_cannot_be_a_completed_response():
    question_set = engine.question_set_for("home-health")

    with pytest.raises(ValueError, match="complete"):
        fhir.questionnaire_response_json(question_set, {"homebound": "yes"}, status="completed")


def test_an_in_progress_response_leaves_out_answers_to_disabled_items():
    question_set = engine.question_set_for("home-health")

    response = fhir.questionnaire_response_json(question_set, {"homebound": "no-unknown", "bundle": "yes"})

    assert set(items_by_link_id(response["item"])) == {"homebound"}
