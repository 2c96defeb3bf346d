import pytest

from resources.services import guidelines_load

pytestmark = pytest.mark.django_db


@pytest.fixture
def guidelines(catalog):
    guidelines_load()


def titles(response):
    return [g.title for g in response.context["guidelines"]]


def test_guidelines_are_found_by_part_of_the_health_plan_name(client, guidelines):
    response = client.get("/resources/clinical-guidelines/", {"health_plan": "cigna"})
    assert "Home Health Services" in titles(response)
    assert "Cardiac Imaging" not in titles(response)


def test_evicore_healthcare_as_the_plan_lists_every_guideline(client, guidelines):
    response = client.get("/resources/clinical-guidelines/", {"health_plan": "EviCore healthcare"})
    assert len(titles(response)) == 10


def test_guidelines_narrow_to_one_program(client, guidelines):
    response = client.get("/resources/clinical-guidelines/", {"health_plan": "", "program": "sleep"})
    assert titles(response) == ["Sleep Disorder Management"]


def test_an_unknown_plan_says_nothing_matched(client, guidelines):
    response = client.get("/resources/clinical-guidelines/", {"health_plan": "Acme Mutual"})
    assert titles(response) == []
    assert b"No guidelines match that health plan" in response.content


def test_a_made_up_program_gets_a_message_next_to_the_field_not_an_error_page(client, guidelines):
    response = client.get("/resources/clinical-guidelines/", {"program": "nope"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "There is a problem" in html
    assert 'id="id_program_error"' in html
    assert 'aria-describedby="id_program_error"' in html


def test_contacts_page_shows_the_seed_003_fax_numbers(client, catalog):
    html = client.get("/resources/contact/").content.decode()
    for number in ("(855) 826-3724", "(866) 663-7740", "(866) 999-3510", "(866) 668-9250"):
        assert number in html
