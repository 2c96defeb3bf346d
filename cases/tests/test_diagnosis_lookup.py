"""The diagnosis lookup on "Requested Service + Diagnosis" (issue 10, item 14): at most 20 matches, an exact code
chosen without a click, a message for an empty search, and the suggestions the lookup box fetches as one types."""

import pytest
from django.urls import reverse

from cases.models import Case
from cases.tests.factories import draft_case, submitter
from cases.views.steps_service import DIAGNOSIS_RESULTS

pytestmark = pytest.mark.django_db


@pytest.fixture
def office(catalog, icd10cm, signed_in_client):
    """A submitter with a draft whose steps before the attestation are filled in, and the full code set."""
    user = submitter()
    case = draft_case(user=user)
    return case, signed_in_client(user)


def service_url(case):
    return reverse("cases:step", args=[case.request_id, "service"])


def suggestions_url(case):
    return reverse("cases:diagnoses", args=[case.request_id])


def lookup(client, case, query, which="primary"):
    return client.post(service_url(case), {f"{which}_query": query, "action": f"lookup_{which}"})


def radio_count(response, which="primary"):
    return response.content.decode().count(f'name="{which}_code" id="{which}-code-')


def test_a_lookup_matching_more_than_twenty_codes_lists_twenty_and_asks_to_refine(office):
    case, client = office
    response = lookup(client, case, "fracture")
    assert response.status_code == 200
    assert radio_count(response) == DIAGNOSIS_RESULTS == 20
    assert "More than 20 codes match: refine your search." in response.content.decode()


def test_a_lookup_matching_twenty_codes_or_fewer_lists_them_without_asking_to_refine(office):
    case, client = office
    response = lookup(client, case, "talus displaced avulsion right")
    assert 0 < radio_count(response) <= 20
    assert "S92.151A" in response.content.decode()
    assert "refine your search" not in response.content.decode()


@pytest.mark.parametrize("typed", ["S92.151A", "s92151a", " s92.151a "])
def test_an_exact_billable_code_is_chosen_on_lookup_without_a_click(office, typed):
    case, client = office
    response = lookup(client, case, typed, which="secondary")
    page = response.content.decode()
    assert radio_count(response, "secondary") == 0
    assert "Secondary Diagnosis Code: <strong>S92.151A</strong>" in page
    assert '<input type="hidden" name="secondary_code" value="S92.151A">' in page


def test_an_exact_billable_code_typed_in_the_box_is_saved_on_continue(office):
    case, client = office
    response = client.post(service_url(case), {"primary_query": "z89512", "action": "continue"})
    assert response.status_code == 302
    assert Case.objects.get(pk=case.pk).primary_diagnosis.code == "Z89.512"


def test_an_exact_code_in_the_box_replaces_the_code_chosen_before(office):
    case, client = office
    response = client.post(
        service_url(case), {"primary_query": "Z89.512", "primary_code": "S92.151A", "action": "continue"}
    )
    assert response.status_code == 302
    assert Case.objects.get(pk=case.pk).primary_diagnosis.code == "Z89.512"


def test_the_start_of_a_code_is_looked_up_not_chosen(office):
    case, client = office
    response = lookup(client, case, "S92.15")
    assert radio_count(response) > 1
    assert "S92.151A" in response.content.decode()


def test_an_empty_lookup_asks_for_a_code_or_words_next_to_the_field(office):
    case, client = office
    response = lookup(client, case, "   ")
    page = response.content.decode()
    assert response.context["form"].errors == {"primary_query": ["Enter a code or words to look up."]}
    assert radio_count(response) == 0
    assert "No billable ICD-10-CM code matches" not in page
    assert page.count("Enter a code or words to look up.") == 2  # the error summary and the field


def test_suggestions_are_codes_and_descriptions_only(office):
    case, client = office
    response = client.get(suggestions_url(case), {"q": "talus displaced avulsion right"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    suggestions = response.json()
    assert {"code": "S92.151A", "description": suggestions[0]["description"]} in suggestions
    assert all(set(suggestion) == {"code", "description"} for suggestion in suggestions)


def test_suggestions_stop_at_twenty(office):
    case, client = office
    assert len(client.get(suggestions_url(case), {"q": "fracture"}).json()) == 20
    assert len(client.get(suggestions_url(case), {"q": "s9"}).json()) == 20


@pytest.mark.parametrize("query", ["", "a", " t ", None])
def test_suggestions_start_at_the_second_character(office, query):
    case, client = office
    params = {} if query is None else {"q": query}
    response = client.get(suggestions_url(case), params)
    assert response.status_code == 200
    assert response.json() == []


@pytest.mark.parametrize(
    "query", ["\x00\x00", "' OR '1'='1", "<script>", "\u00b2\u0663", "!!", "a & b | c:*", "x" * 5000, "S9%_", "Z.."]
)
def test_a_hostile_query_gets_a_list_not_an_error(office, query):
    case, client = office
    response = client.get(suggestions_url(case), {"q": query})
    assert response.status_code == 200
    assert isinstance(response.json(), list)


def test_suggestions_for_another_practices_case_are_not_found(office, signed_in_client):
    case, _client = office
    stranger = signed_in_client(submitter())
    assert stranger.get(suggestions_url(case), {"q": "talus"}).status_code == 404


def test_suggestions_refuse_a_post(office):
    case, client = office
    assert client.post(suggestions_url(case), {"q": "talus"}).status_code == 405
