import pytest

from reference.models import DiagnosisCode
from reference.selectors import diagnoses_search

pytestmark = pytest.mark.usefixtures("icd10cm")


@pytest.mark.django_db
def test_full_code_set_is_loaded_with_more_than_70000_billable_codes():
    assert DiagnosisCode.objects.filter(is_billable=True).count() > 70_000
    # Categories and subcategories that are not leaves are stored too, but cannot be chosen.
    assert DiagnosisCode.objects.filter(is_billable=False).count() > 20_000


@pytest.mark.django_db
def test_talus_avulsion_fracture_is_billable_with_the_seed_description():
    code = DiagnosisCode.objects.get(code="S92.151A")
    assert code.is_billable
    assert code.description == (
        "Displaced avulsion fracture (chip fracture) of right talus, initial encounter for closed fracture"
    )


@pytest.mark.django_db
def test_headers_and_chapter_blocks_are_not_billable():
    assert not DiagnosisCode.objects.get(code="S92").is_billable
    assert not DiagnosisCode.objects.get(code="S92.15").is_billable
    assert not DiagnosisCode.objects.filter(code="C00-C96").exists()
    # A code that is both a block and a category is stored once, billable.
    assert DiagnosisCode.objects.get(code="Z66").is_billable


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["talus", "S92.15", "s92.151", "avulsion talus", "chip fract right tal"])
def test_code_prefix_and_description_words_both_find_s92_151a(query):
    assert "S92.151A" in [code.code for code in diagnoses_search(query=query, limit=200)]


@pytest.mark.django_db
def test_search_offers_only_billable_codes_unless_asked():
    assert all(code.is_billable for code in diagnoses_search(query="S92", limit=200))
    assert "S92.15" in [code.code for code in diagnoses_search(query="S92.15", billable_only=False)]


@pytest.mark.django_db
def test_every_word_must_match():
    results = list(diagnoses_search(query="talus congenital", limit=200))
    assert results
    assert all("talus" in c.description.lower() and "congenital" in c.description.lower() for c in results)


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["", "   ", "%", "'; DROP TABLE x; --", '"unterminated', "*", "NEAR(a b)"])
def test_empty_or_hostile_queries_return_nothing_or_safe_matches_never_an_error(query):
    list(diagnoses_search(query=query))
