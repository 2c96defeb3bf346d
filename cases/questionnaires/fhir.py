"""HL7 FHIR export: a question set as a Questionnaire, a case's answers as a QuestionnaireResponse (Da Vinci DTR).

fhir.resources 8.x models FHIR R5 at its top level and ships no R4 package, only R4B (4.3.0). R4B left
Questionnaire and QuestionnaireResponse as R4 defined them, so the R4B models check the R4 shape.
"""

from __future__ import annotations

import copy
from datetime import datetime
from typing import Any

from django.utils import timezone
from fhir.resources.R4B.questionnaire import Questionnaire
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse

from cases.questionnaires import engine

PORTAL_KEY = "_portal"
RESPONSE_STATUSES = ("in-progress", "completed")


def questionnaire_json(question_set: engine.QuestionSet) -> dict:
    """The definition as a plain FHIR Questionnaire: every portal-only "_portal" key removed."""
    return _without_portal_keys(copy.deepcopy(question_set.definition))


def _without_portal_keys(value: Any) -> Any:
    # In FHIR JSON a leading underscore marks a primitive's extensions, so "_portal" would not validate.
    if isinstance(value, dict):
        return {key: _without_portal_keys(child) for key, child in value.items() if key != PORTAL_KEY}
    if isinstance(value, list):
        return [_without_portal_keys(child) for child in value]
    return value


def questionnaire_resource(question_set: engine.QuestionSet) -> Questionnaire:
    """The question set as a validated R4 (R4B model) Questionnaire."""
    return Questionnaire.model_validate(questionnaire_json(question_set))


def questionnaire_response_json(
    question_set: engine.QuestionSet,
    answers: dict,
    *,
    status: str = "in-progress",
    authored: datetime | None = None,
    subject_display: str | None = None,
    identifier: str | dict | None = None,
) -> dict:
    """The answers as a FHIR QuestionnaireResponse mirroring the questionnaire's item tree.

    ``identifier`` is a plain value (e.g. the case number) or a full Identifier dict; "completed" needs a
    complete answer set.
    """
    if status not in RESPONSE_STATUSES:
        raise ValueError(f"status must be one of {RESPONSE_STATUSES}.")
    if status == "completed" and not engine.is_complete(question_set, answers):
        raise ValueError("Only a complete answer set can be a completed QuestionnaireResponse.")
    resource: dict[str, Any] = {
        "resourceType": "QuestionnaireResponse",
        "questionnaire": question_set.canonical,
        "status": status,
    }
    if identifier:
        resource["identifier"] = identifier if isinstance(identifier, dict) else {"value": str(identifier)}
    if subject_display:
        resource["subject"] = {"display": subject_display}
    if authored is not None:
        # FHIR dateTime with a time of day must carry its offset.
        resource["authored"] = (authored if timezone.is_aware(authored) else timezone.make_aware(authored)).isoformat()
    items = _response_items(question_set.items, engine.effective_answers(question_set, answers))
    if items:
        resource["item"] = items
    return resource


def _response_items(items: tuple[engine.Item, ...], answers: dict) -> list[dict]:
    """Answered items in questionnaire order; a repeating group gives one item per repetition."""
    result = []
    for item in items:
        if item.type == "group" and item.repeats:
            for repetition in answers.get(item.link_id, []):
                children = _response_items(item.children, repetition)
                if children:
                    result.append(_response_item(item, item=children))
        elif item.type == "group":
            children = _response_items(item.children, answers)
            if children:
                result.append(_response_item(item, item=children))
        elif item.is_question and item.link_id in answers:
            result.append(_response_item(item, answer=[_answer(item, answers[item.link_id])]))
    return result


def _response_item(question: engine.Item, **content) -> dict:
    node = {"linkId": question.link_id}
    if question.text:
        node["text"] = question.text
    node.update(content)
    return node


def _answer(item: engine.Item, value: Any) -> dict:
    if item.type == "choice":
        return {"valueCoding": {"code": value, "display": item.option_display(value)}}
    if item.type == "integer":
        return {"valueInteger": value}
    return {"valueString": value}


def questionnaire_response_resource(
    question_set: engine.QuestionSet,
    answers: dict,
    *,
    status: str = "in-progress",
    authored: datetime | None = None,
    subject_display: str | None = None,
    identifier: str | dict | None = None,
) -> QuestionnaireResponse:
    """The answers as a validated R4 (R4B model) QuestionnaireResponse."""
    return QuestionnaireResponse.model_validate(
        questionnaire_response_json(
            question_set,
            answers,
            status=status,
            authored=authored,
            subject_display=subject_display,
            identifier=identifier,
        )
    )
