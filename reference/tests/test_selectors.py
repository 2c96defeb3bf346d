"""The member, provider and site look-ups and the coverage questions, without a case (issue 11, item 4)."""

import ast
import datetime
import pathlib

import pytest

from reference import selectors
from reference.models import PlanProgram, Site
from reference.tests.factories import (
    EligibilityFactory,
    HealthPlanFactory,
    MemberFactory,
    ProgramFactory,
    ProviderFactory,
    SiteFactory,
)

REFERENCE_DIR = pathlib.Path(selectors.__file__).resolve().parent


def _plan_program(plan, program, *, is_delegated=True):
    return PlanProgram.objects.create(
        health_plan=plan,
        program=program,
        is_delegated=is_delegated,
        clinical_reviewer=PlanProgram.ClinicalReviewer.EVICORE,
        phone="8005551234",
        fax="8005554321",
    )


# --- The import boundary -----------------------------------------------------------------------------


def _reference_modules():
    """Every module of the reference app but its tests (migrations and template tags included)."""
    return sorted(path for path in REFERENCE_DIR.rglob("*.py") if "tests" not in path.relative_to(REFERENCE_DIR).parts)


def _imported_modules(source):
    """The absolute module names a source imports (``from . import x`` stays inside the app)."""
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.module


def _is_case_build(name):
    return name == "cases" or name.startswith("cases.")


def test_the_reference_app_imports_nothing_from_the_case_build():
    modules = _reference_modules()
    assert REFERENCE_DIR / "selectors.py" in modules
    offending = [
        f"{path.relative_to(REFERENCE_DIR)}: {name}"
        for path in modules
        for name in _imported_modules(path.read_text())
        if _is_case_build(name)
    ]
    assert offending == []


def test_the_boundary_check_sees_a_cases_import():
    source = (
        "import cases.models\nfrom cases import selectors\nimport casesx\ndef f():\n    from cases.rules import x\n"
    )
    assert sorted(name for name in _imported_modules(source) if _is_case_build(name)) == [
        "cases",
        "cases.models",
        "cases.rules",
    ]


# --- Members -----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_members_lookup_needs_all_three_and_ignores_case_and_spaces():
    member = MemberFactory(member_id="K1234", last_name="Stone", date_of_birth=datetime.date(1960, 1, 1))
    MemberFactory(member_id="K9999", last_name="Stone", date_of_birth=datetime.date(1960, 1, 1))
    found = selectors.members_lookup(member_id=" k1234 ", date_of_birth=datetime.date(1960, 1, 1), last_name="stone ")
    assert list(found) == [member]
    assert not selectors.members_lookup(member_id="K1234", date_of_birth=datetime.date(1960, 1, 2), last_name="Stone")
    assert not selectors.members_lookup(member_id="K1234", date_of_birth=datetime.date(1960, 1, 1), last_name="Stoner")


@pytest.mark.django_db
def test_a_looked_up_members_coverage_is_answered_without_another_query(django_assert_num_queries):
    member = MemberFactory(member_id="K1", last_name="Stone", date_of_birth=datetime.date(1960, 1, 1))
    span = EligibilityFactory(member=member)
    with django_assert_num_queries(3):  # members, their spans, the spans' plans
        (found,) = selectors.members_lookup(member_id="K1", date_of_birth=datetime.date(1960, 1, 1), last_name="STONE")
    with django_assert_num_queries(0):
        covering = selectors.coverages_on(member=found, day=datetime.date(2025, 6, 1))
        assert [(s.pk, s.health_plan.name) for s in covering] == [(span.pk, span.health_plan.name)]


@pytest.mark.django_db
def test_a_plan_covers_the_member_on_the_first_and_last_day_of_a_span_not_the_day_after():
    span = EligibilityFactory(coverage_start=datetime.date(2025, 1, 1), coverage_end=datetime.date(2025, 12, 31))
    member, plan_id = span.member, span.health_plan_id
    assert selectors.coverage_on(member=member, health_plan_id=plan_id, day=datetime.date(2025, 1, 1)) == span
    assert selectors.coverage_on(member=member, health_plan_id=plan_id, day=datetime.date(2025, 12, 31)) == span
    assert selectors.coverage_on(member=member, health_plan_id=plan_id, day=datetime.date(2026, 1, 1)) is None
    assert selectors.coverage_on(member=member, health_plan_id=plan_id, day=datetime.date(2024, 12, 31)) is None


@pytest.mark.django_db
def test_an_open_span_covers_every_day_from_its_start():
    span = EligibilityFactory(coverage_start=datetime.date(2024, 1, 1), coverage_end=None)
    day = datetime.date(2040, 6, 30)
    assert selectors.coverage_on(member=span.member, health_plan_id=span.health_plan_id, day=day) == span


@pytest.mark.django_db
def test_another_plans_coverage_does_not_count_but_is_listed_for_the_day():
    first = EligibilityFactory(coverage_start=datetime.date(2024, 1, 1), coverage_end=datetime.date(2024, 12, 31))
    member = first.member
    second = EligibilityFactory(member=member, coverage_start=datetime.date(2025, 1, 1), coverage_end=None)
    day = datetime.date(2025, 3, 1)
    assert selectors.coverage_on(member=member, health_plan_id=first.health_plan_id, day=day) is None
    assert selectors.coverage_on(member=member, health_plan_id=second.health_plan_id, day=day) == second
    assert selectors.coverages_on(member=member, day=day) == [second]
    assert selectors.coverages_on(member=member, day=datetime.date(2023, 12, 31)) == []


@pytest.mark.django_db
def test_a_plan_delegates_only_the_programs_it_hands_to_the_portal():
    plan, other_plan = HealthPlanFactory(), HealthPlanFactory()
    dme, home_health, sleep = ProgramFactory(), ProgramFactory(), ProgramFactory()
    _plan_program(plan, dme)
    _plan_program(plan, home_health, is_delegated=False)
    assert selectors.plan_delegates(health_plan_id=plan.pk, program_id=dme.pk)
    assert not selectors.plan_delegates(health_plan_id=plan.pk, program_id=home_health.pk)
    assert not selectors.plan_delegates(health_plan_id=plan.pk, program_id=sleep.pk)  # no row at all
    assert not selectors.plan_delegates(health_plan_id=other_plan.pk, program_id=dme.pk)


# --- Providers -----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_ordering_providers_are_found_by_npi_tin_last_name_city_and_zip():
    wanted = ProviderFactory(last_name="Okafor", city="Hartford", zip_code="06103")
    ProviderFactory(last_name="Okafor", city="New Haven", zip_code="06510", tin=wanted.tin)
    ProviderFactory(last_name="Smith", city="Hartford", zip_code="06103")
    assert list(selectors.ordering_providers_search(npi=wanted.npi)) == [wanted]
    assert list(selectors.ordering_providers_search(tin=wanted.tin, last_name=" okafor", city="hartford")) == [wanted]
    assert list(selectors.ordering_providers_search(last_name="OKAFOR", zip_code="06103-1234")) == [wanted]
    assert not selectors.ordering_providers_search(last_name="Okafo")  # the whole last name, not a prefix


@pytest.mark.django_db
def test_an_ordering_provider_search_lists_at_most_the_search_limit_in_name_order():
    ProviderFactory.create_batch(selectors.SEARCH_LIMIT + 2, city="Hartford")
    found = list(selectors.ordering_providers_search(city="Hartford"))
    assert len(found) == selectors.SEARCH_LIMIT
    keys = [(p.last_name, p.first_name, p.organization_name, p.npi) for p in found]
    assert keys == sorted(keys)


# --- Sites -----------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_site_search_keeps_to_the_kind_and_matches_the_name_from_its_start_or_exactly():
    supply = SiteFactory(kind=Site.Kind.DME_SUPPLIER, name="Hartford Medical Supply")
    supply_east = SiteFactory(kind=Site.Kind.DME_SUPPLIER, name="Hartford Medical Supply East")
    other_kind = next(kind for kind in Site.Kind.values if kind != Site.Kind.DME_SUPPLIER)
    SiteFactory(kind=other_kind, name="Hartford Medical Supply")
    dme = Site.Kind.DME_SUPPLIER
    assert list(selectors.sites_search(kind=dme, name="hartford medical")) == [supply, supply_east]
    assert list(selectors.sites_search(kind=dme, name="hartford medical supply", exact=True)) == [supply]
    assert list(selectors.sites_search(kind=dme, npi=supply_east.npi)) == [supply_east]
    assert list(selectors.sites_search(kind=dme, tin=supply.tin, city="HARTFORD", zip_code="06103")) == [supply]


@pytest.mark.django_db
def test_a_site_search_lists_at_most_the_search_limit():
    SiteFactory.create_batch(selectors.SEARCH_LIMIT + 1, kind=Site.Kind.DME_SUPPLIER, zip_code="06103")
    assert len(selectors.sites_search(kind=Site.Kind.DME_SUPPLIER, zip_code="06103")) == selectors.SEARCH_LIMIT
