"""The questionnaire engine: Home Health branching and bundle, the DME HCPCS loop, definition checks."""

import copy
import re

import pytest

from cases.questionnaires import engine

BUNDLE_LINES = [
    "Registered/Skilled Nurse (G0299) - 6 Visits",
    "Physical Therapy (G0151) - 12 Visits",
    "Occupational Therapy (G0152) - 4 Visits",
    "Speech Therapy (G0153) - 1 Visits",
    "Home Health Aide (G0156) - 6 Visits",
    "Social Worker (G0155) - 1 Visits",
]


@pytest.fixture
def hh():
    return engine.question_set_for("home-health")


@pytest.fixture
def dme():
    return engine.question_set_for("dme")


def answer(question_set, answers, data, *, key=None):
    """Submit ``data`` on the next page (or the page ``key``) as a browser would, and return the new answers."""
    page = engine.page_for_key(question_set, answers, key) if key else engine.next_page(question_set, answers)
    form = engine.page_form(question_set, answers, page, data=data)
    assert form.is_valid(), form.errors
    return engine.apply_answer(question_set, answers, page, form.cleaned_data)


def errors_on(question_set, answers, data):
    """The field errors the next page's form reports for ``data``."""
    form = engine.page_form(question_set, answers, engine.next_page(question_set, answers), data=data)
    assert not form.is_valid()
    return form.errors


def manual_data(**visits):
    data = dict.fromkeys(
        [
            "skilled_nurse_visits",
            "physical_therapy_visits",
            "occupational_therapy_visits",
            "speech_therapy_visits",
            "social_worker_visits",
            "home_health_aide_visits",
            "dietitian_visits",
        ],
        "0",
    )
    data["timeframe_days"] = "30"
    data.update({name: str(value) for name, value in visits.items()})
    return data


@pytest.fixture
def homebound_orthopedic(hh):
    answers = answer(hh, {}, {"homebound": "yes"})
    return answer(hh, answers, {"admitting_diagnosis": "orthopedic"})


@pytest.fixture
def manual_page_answers(hh, homebound_orthopedic):
    return answer(hh, homebound_orthopedic, {"bundle": "no"})


# --- Home Health ----------------------------------------------------------------------------------------


def test_home_health_starts_with_the_homebound_question(hh):
    page = engine.next_page(hh, {})

    assert page.key == "homebound"
    assert page.title == "Is the patient homebound?"
    assert page.items[0].options == (("yes", "Yes"), ("no-unknown", "No/Unknown"))


def test_homebound_asks_the_admitting_diagnosis_next(hh):
    page = engine.next_page(hh, answer(hh, {}, {"homebound": "yes"}))

    assert page.key == "admitting-diagnosis"
    assert [display for _code, display in page.items[0].options] == [
        "Orthopedic",
        "Cardiac",
        "Neurological",
        "Pulmonary",
        "Oncology",
        "Wound Care",
        "Post-Surgical",
        "None Of The Above",
    ]


def test_homebound_with_a_category_offers_the_bundle(hh, homebound_orthopedic):
    page = engine.next_page(hh, homebound_orthopedic)

    assert page.title == "Do you want to proceed with the presented bundle?"
    assert page.intro[0].startswith("The following bundle of Home Health services will be approved")
    assert page.intro[1:] == (
        "Registered/Skilled Nurse - 6 visits",
        "Physical Therapy - 12 visits",
        "Occupational Therapy - 4 visits",
        "Speech Therapy - 1 visit",
        "Home Health Aide - 6 visits",
        "Social Worker - 1 visit",
    )
    assert page.items[0].options == (("no", "No (I want to manually request services)"), ("yes", "Yes"))


def test_the_bundle_question_carries_the_disclaimer(hh, homebound_orthopedic):
    page = engine.next_page(hh, homebound_orthopedic)
    form = engine.page_form(hh, homebound_orthopedic, page)

    assert form.fields["bundle"].help_text == (
        "Disclaimer: I understand if I do not select the bundle, the request will move forward for a full "
        "medical necessity review."
    )


def test_accepting_the_bundle_approves_six_services_for_30_days(hh, homebound_orthopedic):
    answers = answer(hh, homebound_orthopedic, {"bundle": "yes"})

    result = engine.outcome(hh, answers)

    assert engine.is_complete(hh, answers)
    assert result.result == "approve_bundle"
    assert [line.display for line in result.service_lines] == BUNDLE_LINES
    assert result.period_days == 30


def test_the_bundle_offer_text_matches_the_approved_services(hh, homebound_orthopedic):
    offered = engine.next_page(hh, homebound_orthopedic).intro[1:]
    approved = engine.outcome(hh, answer(hh, homebound_orthopedic, {"bundle": "yes"})).service_lines

    assert [text.split(" - ")[0] for text in offered] == [line.label for line in approved]
    assert [int(re.search(r"(\d+) visit", text)[1]) for text in offered] == [line.quantity for line in approved]


def test_declining_the_bundle_leads_to_the_manual_request(hh, manual_page_answers):
    page = engine.next_page(hh, manual_page_answers)

    assert page.key == "manual-services"
    assert page.title == "Home Health Services"
    assert [item.text for item in page.items] == [
        "Skilled Nurse Visits Requested:",
        "Physical Therapy Visits Requested:",
        "Occupational Therapy Visits Requested:",
        "Speech Therapy Visits Requested:",
        "Social Worker Visits Requested:",
        "Home Health Aide Visits Requested:",
        "Dietitian Visits Requested:",
        "Timeframe for visits (Days):*",
    ]


def test_visits_default_to_zero_on_the_manual_page(hh, manual_page_answers):
    form = engine.page_form(hh, manual_page_answers, engine.next_page(hh, manual_page_answers))

    assert form["skilled_nurse_visits"].value() == 0
    assert form["timeframe_days"].value() is None


def test_the_timeframe_label_leaves_the_required_marker_to_the_template(hh, manual_page_answers):
    form = engine.page_form(hh, manual_page_answers, engine.next_page(hh, manual_page_answers))

    assert form.fields["timeframe_days"].label == "Timeframe for visits (Days):"
    assert form.fields["timeframe_days"].required


def test_not_homebound_goes_straight_to_the_manual_request_without_the_bundle(hh):
    answers = answer(hh, {}, {"homebound": "no-unknown"})

    assert engine.next_page(hh, answers).key == "manual-services"
    assert engine.page_for_key(hh, answers, "bundle-offer") is None


def test_none_of_the_above_goes_to_the_manual_request(hh):
    answers = answer(hh, {}, {"homebound": "yes"})
    answers = answer(hh, answers, {"admitting_diagnosis": "none-of-the-above"})

    assert engine.next_page(hh, answers).key == "manual-services"


def test_a_manual_request_without_any_visits_is_refused(hh, manual_page_answers):
    errors = errors_on(hh, manual_page_answers, manual_data())

    assert errors["skilled_nurse_visits"] == ["Request at least one visit: enter visits for one or more disciplines."]


def test_the_timeframe_is_required(hh, manual_page_answers):
    errors = errors_on(hh, manual_page_answers, manual_data(skilled_nurse_visits=2, timeframe_days=""))

    assert errors["timeframe_days"] == ["Enter the timeframe for the visits in days."]


@pytest.mark.parametrize("days", ["0", "366"])
def test_the_timeframe_is_between_1_and_365_days(hh, manual_page_answers, days):
    errors = errors_on(hh, manual_page_answers, manual_data(skilled_nurse_visits=2, timeframe_days=days))

    assert list(errors) == ["timeframe_days"]


@pytest.mark.parametrize("visits", ["-1", "1000", "2.5"])
def test_visits_are_whole_numbers_from_0_to_999(hh, manual_page_answers, visits):
    errors = errors_on(hh, manual_page_answers, manual_data(physical_therapy_visits=visits))

    assert list(errors) == ["physical_therapy_visits"]


def test_the_manual_request_goes_to_medical_review_with_each_code(hh, manual_page_answers):
    data = manual_data(
        skilled_nurse_visits=2,
        physical_therapy_visits=2,
        home_health_aide_visits=3,
        social_worker_visits=1,
        dietitian_visits=4,
        timeframe_days=45,
    )
    result = engine.outcome(hh, answer(hh, manual_page_answers, data))

    assert result.result == "medical_review"
    assert [line.display for line in result.service_lines] == [
        "Registered/Skilled Nurse (G0299) - 2 Visits",
        "Registered/Skilled Nurse (G0300) - 2 Visits",
        "Physical Therapy (G0151) - 2 Visits",
        "Home Health Aide (G0156) - 3 Visits",
        "Social Worker (G0155) - 1 Visits",
        "Dietitian (S9470) - 4 Visits",
    ]
    assert result.period_days == 45


def test_changing_homebound_to_no_prunes_the_category_and_the_bundle(hh, homebound_orthopedic):
    answers = answer(hh, homebound_orthopedic, {"bundle": "yes"})

    answers = answer(hh, answers, {"homebound": "no-unknown"}, key="homebound")

    assert answers == {"homebound": "no-unknown"}
    assert engine.next_page(hh, answers).key == "manual-services"


def test_accepting_the_bundle_after_all_prunes_the_manual_visits(hh, manual_page_answers):
    answers = answer(hh, manual_page_answers, manual_data(skilled_nurse_visits=2))

    answers = answer(hh, answers, {"bundle": "yes"}, key="bundle-offer")

    assert "skilled-nurse-visits" not in answers
    assert engine.outcome(hh, answers).result == "approve_bundle"


def test_page_for_key_refuses_a_page_not_yet_reachable(hh):
    answers = answer(hh, {}, {"homebound": "yes"})

    assert engine.page_for_key(hh, answers, "bundle-offer") is None
    assert engine.page_for_key(hh, answers, "no-such-page") is None


def test_page_for_key_reopens_an_answered_page_with_its_answer(hh, homebound_orthopedic):
    page = engine.page_for_key(hh, homebound_orthopedic, "homebound")

    assert engine.page_form(hh, homebound_orthopedic, page)["homebound"].value() == "yes"


def test_answered_pages_list_each_question_with_its_answer(hh, manual_page_answers):
    answers = answer(hh, manual_page_answers, manual_data(skilled_nurse_visits=2))

    assert [(page.key, page.answer_display) for page in engine.answered_pages(hh, answers)] == [
        ("homebound", "Yes"),
        ("admitting-diagnosis", "Orthopedic"),
        ("bundle-offer", "No (I want to manually request services)"),
        ("manual-services", "Skilled Nurse: 2 visits, Timeframe: 30 days"),
    ]


def test_the_outcome_of_an_incomplete_questionnaire_is_refused(hh, homebound_orthopedic):
    with pytest.raises(ValueError, match="not complete"):
        engine.outcome(hh, homebound_orthopedic)


def test_form_field_names_are_valid_html_ids(hh, manual_page_answers):
    form = engine.page_form(hh, manual_page_answers, engine.next_page(hh, manual_page_answers))

    assert all(re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", name) for name in form.fields)


# --- DME ---------------------------------------------------------------------------------------------------


def add_line(dme, answers, code, units, more):
    answers = answer(dme, answers, {"hcpcs_code": code, "hcpcs_units": str(units)})
    return answer(dme, answers, {"hcpcs_more": more})


def test_dme_asks_the_primary_code_and_its_units_on_one_page(dme):
    page = engine.next_page(dme, {})

    assert page.key == "hcpcs-line.0"
    assert [item.text for item in page.items] == [
        "Please enter the Primary HCPCS code for this DME request:",
        "How many Units of this HCPCS",
    ]


def test_dme_asks_for_another_code_after_each_line(catalog, dme):
    answers = answer(dme, {}, {"hcpcs_code": "E0260", "hcpcs_units": "2"})

    page = engine.next_page(dme, answers)

    assert page.key == "hcpcs-line.0.more"
    assert page.title == "Would you like to enter another HCPCS code?"


def test_two_codes_in_the_loop_give_two_service_lines(catalog, dme):
    answers = add_line(dme, {}, "E0260", 2, "yes")
    answers = add_line(dme, answers, "K0005", 1, "no")

    result = engine.outcome(dme, answers)

    assert [line.display for line in result.service_lines] == [
        "E0260 Hospital bed, semi-electric (head and foot adjustment), with any type side rails, with mattress"
        " - 2 Units",
        "K0005 Ultralightweight wheelchair - 1 Units",
    ]
    assert result.result == "medical_review"
    assert result.period_days is None


def test_an_unknown_code_is_refused_with_a_clear_message(catalog, dme):
    errors = errors_on(dme, {}, {"hcpcs_code": "Z9999", "hcpcs_units": "1"})

    assert errors["hcpcs_code"] == [
        "HCPCS code Z9999 is not on the Durable Medical Equipment code list. Check the code and enter it again."
    ]


def test_a_home_health_code_is_not_on_the_dme_list(catalog, dme):
    errors = errors_on(dme, {}, {"hcpcs_code": "G0299", "hcpcs_units": "1"})

    assert "not on the Durable Medical Equipment code list" in errors["hcpcs_code"][0]


def test_a_code_without_prior_authorization_is_refused_with_a_clear_message(catalog, dme):
    errors = errors_on(dme, {}, {"hcpcs_code": "E0100", "hcpcs_units": "1"})

    assert errors["hcpcs_code"] == [
        "E0100 (Cane, includes canes of all materials, adjustable or fixed, with tip) does not require prior "
        "authorization. Remove it from this request; no authorization is needed."
    ]


def test_codes_are_upper_cased_and_stripped(catalog, dme):
    answers = answer(dme, {}, {"hcpcs_code": "  e0935 ", "hcpcs_units": "10"})

    assert answers["hcpcs-line"][0]["hcpcs-code"] == "E0935"


@pytest.mark.parametrize("units", ["0", "1.5", "two", ""])
def test_units_must_be_a_whole_number_of_at_least_one(catalog, dme, units):
    errors = errors_on(dme, {}, {"hcpcs_code": "E0260", "hcpcs_units": units})

    assert list(errors) == ["hcpcs_units"]


def test_the_same_code_twice_is_refused(catalog, dme):
    answers = add_line(dme, {}, "E0260", 2, "yes")

    errors = errors_on(dme, answers, {"hcpcs_code": "e0260", "hcpcs_units": "1"})

    assert errors["hcpcs_code"] == [
        "HCPCS code E0260 is already on this request. Change the units on that line instead of entering the code again."
    ]


def test_editing_the_first_line_keeps_the_second(catalog, dme):
    answers = add_line(dme, {}, "E0260", 2, "yes")
    answers = add_line(dme, answers, "K0005", 1, "no")

    answers = answer(dme, answers, {"hcpcs_code": "L5301", "hcpcs_units": "3"}, key="hcpcs-line.0")

    assert [(line.hcpcs_code, line.quantity) for line in engine.outcome(dme, answers).service_lines] == [
        ("L5301", 3),
        ("K0005", 1),
    ]


def test_answering_no_to_another_code_ends_the_loop(catalog, dme):
    answers = add_line(dme, {}, "E0260", 2, "yes")
    answers = add_line(dme, answers, "K0005", 1, "no")

    answers = answer(dme, answers, {"hcpcs_more": "no"}, key="hcpcs-line.0.more")

    assert len(answers["hcpcs-line"]) == 1
    assert engine.is_complete(dme, answers)


def test_removing_the_last_line_keeps_the_loop_closed(catalog, dme):
    answers = add_line(dme, {}, "E0260", 2, "yes")
    answers = add_line(dme, answers, "K0005", 1, "no")

    answers = engine.remove_repeat(dme, answers, "hcpcs-line.1")

    assert answers == {"hcpcs-line": [{"hcpcs-code": "E0260", "hcpcs-units": 2, "hcpcs-more": "no"}]}


def test_dme_answered_pages_describe_each_line(catalog, dme):
    answers = add_line(dme, {}, "E0935", 10, "no")

    assert [(page.question, page.answer_display) for page in engine.answered_pages(dme, answers)] == [
        ("HCPCS code 1", "E0935 Continuous passive motion exercise device for use on knee only - 10 units"),
        ("Would you like to enter another HCPCS code?", "No"),
    ]


# --- Definitions -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("program", ["home-health", "dme"])
def test_each_definition_loads_for_its_program(program):
    question_set = engine.question_set_for(program)

    assert question_set.program_code == program
    assert question_set.version


@pytest.mark.parametrize("program", ["p2p", "../dme", ""])
def test_a_program_without_a_definition_has_no_question_set(program):
    assert engine.question_set_for(program) is None


def test_a_duplicate_link_id_is_refused(hh):
    definition = copy.deepcopy(hh.definition)
    definition["item"].append(copy.deepcopy(definition["item"][0]))

    with pytest.raises(ValueError, match="Duplicate linkId 'homebound'"):
        engine.question_set_from_definition(definition)


def test_an_enable_when_on_an_unknown_item_is_refused(hh):
    definition = copy.deepcopy(hh.definition)
    definition["item"][1]["enableWhen"][0]["question"] = "housebound"

    with pytest.raises(ValueError, match="unknown item 'housebound'"):
        engine.question_set_from_definition(definition)
