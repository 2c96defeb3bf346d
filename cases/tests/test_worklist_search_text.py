"""My Worklist's search text (``Case.search_text``, ``worklist.search_text``): written at submission, written again
when a value it copies changes (an authorization number assigned by a decision, an accepted alternative's line),
filled for earlier cases by migrations 0017/0018, and what ``worklist.search`` matches."""

import importlib
from types import SimpleNamespace

import pytest
from django.apps import apps as django_apps
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from cases import alternatives, permissions, worklist
from cases.models import Case, CaseStatus
from cases.tests.factories import draft_case, submitted_case
from cases.tests.post_decision_world import decided_case, reviewer  # noqa: F401 (a fixture)
from cases.tests.test_alternative_item import offer, single_line_offer

pytestmark = pytest.mark.django_db


def expected_text(case: Case) -> str:
    """The values the search matches, one a line, lowercased: written out here, not through the code under test."""
    case = Case.objects.select_related("member", "ordering_provider", "site").get(pk=case.pk)
    member, provider = case.member, case.ordering_provider
    values = [
        case.request_id,
        case.authorization_number,
        case.case_number,
        member.first_name,
        member.last_name,
        member.member_id,
        provider.first_name,
        provider.last_name,
        provider.organization_name,
        provider.npi,
        case.site.name,
    ]
    for line in case.service_lines.order_by("line_number").select_related("hcpcs"):
        values += [line.hcpcs.code, line.label]
    return "\n".join(value.lower() for value in values if value)


def found(case: Case, term: str) -> bool:
    cases = worklist.submitted_cases(case.created_by, grants=permissions.grants_of(case.created_by))
    return worklist.search(cases, term).filter(pk=case.pk).exists()


def test_submitting_writes_the_search_text_and_a_draft_has_none(catalog):
    case = submitted_case()
    assert case.search_text == expected_text(case)
    case.refresh_from_db()
    assert case.search_text == expected_text(case)
    assert case.case_number.lower() in case.search_text.split("\n")
    assert case.authorization_number is None
    assert draft_case().search_text is None


def test_a_bundle_approved_at_submission_is_found_by_its_authorization_number(catalog):
    case = submitted_case(approved=True)
    case.refresh_from_db()
    assert case.status == CaseStatus.APPROVED and case.authorization_number
    assert case.search_text == expected_text(case)
    assert found(case, case.authorization_number.lower())


def test_a_decision_that_assigns_the_authorization_number_writes_it_in(catalog, reviewer):  # noqa: F811
    case = decided_case("add", by=reviewer)
    case.refresh_from_db()
    assert case.status == CaseStatus.PARTIALLY_APPROVED and case.authorization_number
    assert case.search_text == expected_text(case)
    assert found(case, case.authorization_number)


def test_a_denial_assigns_no_authorization_number_and_leaves_the_text(catalog, reviewer):  # noqa: F811
    case = decided_case("ddd", by=reviewer)
    case.refresh_from_db()
    assert case.authorization_number is None
    assert case.search_text == expected_text(case)


def test_an_accepted_alternative_adds_its_code_and_label(catalog, reviewer):  # noqa: F811
    case = single_line_offer(reviewer, code="K0001")
    assert not found(case, "K0001")
    alternatives.alternative_accept(determination=offer(case, 1), user=case.created_by)
    case.refresh_from_db()
    assert case.search_text == expected_text(case)  # the alternative line and the authorization number
    assert found(case, "k0001") and found(case, case.authorization_number)
    alternative = case.service_lines.get(alternative_of__isnull=False)
    assert found(case, alternative.label.split()[0].upper())


@pytest.mark.parametrize(
    "term",
    [
        "%",  # LIKE's wildcards are matched as themselves
        "_",
        "\\",
    ],
)
def test_like_wildcards_match_only_themselves(catalog, term):
    case = submitted_case()
    assert not found(case, term)


def test_a_word_matches_inside_one_value_never_across_two(catalog):
    case = submitted_case()
    member = case.member
    assert found(case, f"{member.first_name} {member.last_name}")
    assert not found(case, f"{member.first_name}{member.last_name}")


def test_the_backfill_writes_what_submission_writes_for_submitted_cases_only(catalog, reviewer):  # noqa: F811
    backfill = importlib.import_module("cases.migrations.0018_case_search_text_backfill").backfill
    cases = [submitted_case(), submitted_case(approved=True), decided_case("add", by=reviewer)]
    draft = draft_case()
    expected = {case.pk: expected_text(case) for case in cases}
    Case.objects.update(search_text=None)
    backfill(django_apps, SimpleNamespace(connection=connection))
    assert dict(Case.objects.filter(pk__in=expected).values_list("pk", "search_text")) == expected
    draft.refresh_from_db()
    assert draft.search_text is None


@pytest.mark.django_db(transaction=True)
def test_the_migrations_add_and_fill_the_column_and_go_back(catalog):
    case = submitted_case(approved=True)
    expected = expected_text(case)
    before, after = ("cases", "0016_service_line_case_code_index"), ("cases", "0018_case_search_text_backfill")
    executor = MigrationExecutor(connection)
    leaves = executor.loader.graph.leaf_nodes()
    try:
        executor.migrate([before])
        with connection.cursor() as cursor:
            columns = [column.name for column in connection.introspection.get_table_description(cursor, "cases_case")]
        assert "search_text" not in columns
        executor = MigrationExecutor(connection)
        executor.migrate([after])
        new = executor.loader.project_state([after]).apps.get_model("cases", "Case")
        assert new.objects.get(pk=case.pk).search_text == expected
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(leaves)
