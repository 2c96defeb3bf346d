"""My Worklist reads the visible cases as disjoint parts (``permissions.submitted_visible_parts``): the user's own,
their practices' less their own, the shared worklists' less both. The page's counts and ids must be exactly
what the single OR of ``cases_visible_to`` gives, for every tab, sort, term and page, on a world where the
grants overlap (an own case that is also the practice's, a shared owner's case that is also the practice's)."""

import importlib
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.tests.factories import UserFactory
from cases import permissions, worklist
from cases.models import Case, CaseStatus
from cases.tests.factories import draft_case, submitted_case, submitter
from cases.tests.test_worklist import _set_status
from practices.models import PracticeMembership, WorklistAccess
from practices.tests.factories import PracticeFactory
from reference.models import Provider

pytestmark = pytest.mark.django_db

WORKLIST = reverse("cases:worklist")
SORTS = [f"{way}{column.key}" for column in worklist.COLUMNS for way in ("", "-")]


@pytest.fixture
def overlapping(catalog):
    """The user U: case submission in P, precertification/appeals only in Q, a former member of R (their own case
    there stays theirs to view), and O's worklist shared with them; O is also a submitter of P."""
    practice, appeals_practice, former, shared_only, stranger_practice = (PracticeFactory() for _ in range(5))
    user = submitter(UserFactory(), practice=practice)
    colleague = submitter(UserFactory(), practice=practice)
    owner = submitter(UserFactory(), practice=practice)
    appeals_colleague = submitter(UserFactory(), practice=appeals_practice)
    stranger = submitter(UserFactory(), practice=stranger_practice)
    PracticeMembership.objects.create(user=user, practice=appeals_practice, precertification_appeals=True)
    WorklistAccess.objects.create(owner=owner, grantee=user)

    cases = {
        "own in P": submitted_case(user=user, practice=practice),
        "own in P, approved": submitted_case(user=user, practice=practice, approved=True),
        "own in R": submitted_case(user=user, practice=former),
        "colleague in P": _set_status(submitted_case(user=colleague, practice=practice), CaseStatus.DENIED),
        "shared owner in P": submitted_case(user=owner, practice=practice, approved=True),
        "shared owner in S": _set_status(
            submitted_case(user=owner, practice=shared_only), CaseStatus.PARTIALLY_APPROVED
        ),
        "shared owner in S, cancelled": _set_status(
            submitted_case(user=owner, practice=shared_only), CaseStatus.CANCELLED
        ),
        "appeals practice": _set_status(
            submitted_case(user=appeals_colleague, practice=appeals_practice), CaseStatus.DENIED
        ),
    }
    PracticeMembership.objects.filter(user=user, practice=former).delete()
    # Never listed: drafts (the practice's one is visible to U in cases_visible_to) and another practice's.
    draft_case(user=colleague, practice=practice)
    draft_case(user=owner, practice=shared_only)
    draft_case(user=appeals_colleague, practice=appeals_practice)
    submitted_case(user=stranger, practice=stranger_practice)
    return user, cases


def _expected_ids(user, grants, term, tab, sort) -> list[int]:
    found = worklist.search(worklist.submitted_cases(user, grants=grants), term)
    return list(worklist.ordered(worklist.in_tab(found, tab), sort).values_list("pk", flat=True))


def test_the_parts_are_disjoint_and_their_union_is_the_submitted_visible_cases(overlapping):
    user, cases = overlapping
    grants = permissions.grants_of(user)
    parts = permissions.submitted_visible_parts(user, grants=grants)
    assert len(parts) == 3
    ids = [pk for part in parts for pk in part.values_list("pk", flat=True)]
    assert len(ids) == len(set(ids)), "a case in two parts"
    visible = permissions.cases_visible_to(user, grants=grants).filter(submitted_at__isnull=False)
    assert set(ids) == set(visible.values_list("pk", flat=True)) == {case.pk for case in cases.values()}


def test_no_parts_for_a_visitor_and_one_for_a_user_without_grants(catalog):
    from django.contrib.auth.models import AnonymousUser

    assert permissions.submitted_visible_parts(AnonymousUser()) == []
    loner = UserFactory()
    (own,) = permissions.submitted_visible_parts(loner)
    assert not own.exists()
    assert worklist.parts_counts([]) == dict.fromkeys(worklist.TABS_BY_KEY, 0)


@pytest.mark.parametrize("term", ["", "G0", "E0", "nothing-matches"])
def test_every_tab_sort_and_page_lists_what_the_or_query_lists(overlapping, term):
    user, cases = overlapping
    grants = permissions.grants_of(user)
    parts = worklist.visible_parts(user, grants=grants, term=term)
    found = worklist.search(worklist.submitted_cases(user, grants=grants), term)
    counts = worklist.parts_counts(parts)
    assert counts == worklist.tab_counts(found)
    if term == "":
        assert counts["all"] == len(cases)
    for tab in worklist.TABS_BY_KEY:
        for sort in SORTS:
            expected = _expected_ids(user, grants, term, tab, sort)
            whole = worklist.page_ids(parts, tab, sort, offset=0, limit=100, total=counts[tab])
            assert whole.ids == expected, (tab, sort)
            assert whole.total == counts[tab] == len(expected)
            for offset, limit in ((0, 3), (2, 3), (5, 25)):
                window = worklist.page_ids(parts, tab, sort, offset=offset, limit=limit, total=counts[tab])
                assert window.ids == expected[offset : offset + limit], (tab, sort, offset, limit)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the one-scan searched page is PostgreSQL's")
@pytest.mark.parametrize("term", ["G0", "E0", "nothing-matches"])
def test_a_searched_page_read_with_its_counts_is_what_the_two_queries_read(overlapping, term):
    user, _ = overlapping
    parts = worklist.visible_parts(user, grants=permissions.grants_of(user), term=term)
    counts = worklist.parts_counts(parts)
    for tab in worklist.TABS_BY_KEY:
        for sort in SORTS:
            for offset, limit in ((0, 3), (2, 3), (5, 25), (0, 100)):
                expected = worklist.page_ids(parts, tab, sort, offset=offset, limit=limit, total=counts[tab]).ids
                with CaptureQueriesContext(connection) as queries:
                    found = worklist.searched_page(parts, tab, sort, offset=offset, limit=limit)
                assert len(queries) == 1
                if not expected:  # an empty tab, or past its last case: the caller counts on its own
                    assert found is None, (tab, sort, offset)
                    continue
                assert (found.counts, found.offset, found.ids) == (counts, offset, expected), (tab, sort, offset)


def test_a_searched_page_past_the_last_one_is_the_last_page_with_its_counts(overlapping, signed_in_client):
    user, _ = overlapping
    client = signed_in_client(user)
    client.post(WORKLIST, {"q": "E0"})
    whole = client.get(WORKLIST, {"tab": "all", "sort": "request_id"}).context
    for page in ("1", "999", "0", "x"):
        context = client.get(WORKLIST, {"tab": "all", "sort": "request_id", "page": page}).context
        assert [tab["count"] for tab in context["tabs"]] == [tab["count"] for tab in whole["tabs"]]
        assert [row["pk"] for row in context["rows"]] == [row["pk"] for row in whole["rows"]], page


def test_a_page_reads_its_rows_in_the_page_order_without_the_clinical_answers(overlapping):
    user, cases = overlapping
    parts = worklist.visible_parts(user, grants=permissions.grants_of(user))
    ids = worklist.page_ids(parts, "all", "request_id", offset=0, limit=4, total=len(cases)).ids
    rows = worklist.page_rows(ids)
    assert [row["pk"] for row in rows] == ids
    assert all(set(row) == {*worklist.ROW_FIELDS, "procedure_codes"} for row in rows)


def test_the_page_lists_the_overlapping_grants_once_and_marks_the_shared_cases(overlapping, signed_in_client):
    user, cases = overlapping
    response = signed_in_client(user).get(WORKLIST, {"tab": "all", "sort": "request_id"})
    rows = response.context["rows"]
    assert sorted(row["pk"] for row in rows) == sorted(case.pk for case in cases.values())
    shared = {row["pk"] for row in rows if row["shared_by"]}
    assert shared == {cases["shared owner in S"].pk, cases["shared owner in S, cancelled"].pk}


@pytest.mark.parametrize("term", ["", "G0"])
def test_the_query_count_does_not_grow_with_the_list_when_every_part_has_cases(
    overlapping, signed_in_client, term, catalog
):
    user, cases = overlapping
    client = signed_in_client(user)
    client.get(WORKLIST)  # the session's first reads
    assert client.post(WORKLIST, {"q": term} if term else {"clear": "1"}).status_code == 302

    def statements() -> dict[tuple[str, str], int]:
        counted = {}
        for tab, sort in [("all", sort) for sort in SORTS] + [(tab, "-submitted") for tab in worklist.TABS_BY_KEY]:
            with CaptureQueriesContext(connection) as captured:
                response = client.get(WORKLIST, {"tab": tab, "sort": sort})
            if response.context["rows"]:
                counted[(tab, sort)] = len(captured)
        return counted

    before = statements()
    for name in ("own in P", "colleague in P", "shared owner in S"):  # more rows in each of the three parts
        for _ in range(2):
            submitted_case(user=cases[name].created_by, practice=cases[name].practice)
    after = statements()
    assert after == before
    assert len(set(after.values())) == 1, after


# --- The sort keys copied at submission ------------------------------------------------------------------------


def test_submitting_copies_the_patients_sort_name_and_the_first_procedure_code(catalog):
    case = submitted_case()
    first_line = case.service_lines.order_by("line_number").first()
    assert case.patient_sort_name == f"{case.member.last_name}, {case.member.first_name}"
    assert case.first_procedure_code == first_line.hcpcs.code
    assert case.provider_sort_name == f"{case.ordering_provider.last_name}, {case.ordering_provider.first_name}"
    draft = draft_case()
    assert draft.patient_sort_name is None
    assert draft.first_procedure_code is None
    assert draft.provider_sort_name is None


@pytest.mark.parametrize(
    ("kind", "first", "last", "organization", "expected"),
    [
        ("practitioner", "Ada", "Stone", "", "Stone, Ada"),
        ("practitioner", "", "Stone", "", "Stone"),
        ("group", "", "", "Harbor Orthopedics", "Harbor Orthopedics"),
    ],
)
def test_the_backfill_of_the_providers_sort_key_writes_what_submission_writes(
    catalog, kind, first, last, organization, expected
):
    from django.apps import apps as django_apps

    backfill = importlib.import_module("cases.migrations.0020_case_provider_sort_name").backfill
    case, draft = submitted_case(), draft_case()
    provider = case.ordering_provider
    Provider.objects.filter(pk=provider.pk).update(
        kind=kind, first_name=first, last_name=last, organization_name=organization
    )
    provider.refresh_from_db()
    assert provider.sort_name == expected
    Case.objects.filter(pk__in=[case.pk, draft.pk]).update(provider_sort_name=None)
    backfill(django_apps, SimpleNamespace(connection=connection))
    assert Case.objects.get(pk=case.pk).provider_sort_name == expected
    assert Case.objects.get(pk=draft.pk).provider_sort_name is None


def test_the_backfill_migration_sets_the_sort_keys_of_submitted_cases_only(catalog):
    from django.apps import apps as django_apps

    backfill = importlib.import_module("cases.migrations.0013_worklist_sort_keys_backfill").backfill
    case = submitted_case()
    draft = draft_case()
    expected = (case.patient_sort_name, case.first_procedure_code)
    Case.objects.filter(pk__in=[case.pk, draft.pk]).update(patient_sort_name=None, first_procedure_code=None)
    backfill(django_apps, SimpleNamespace(connection=connection))
    case.refresh_from_db()
    draft.refresh_from_db()
    assert (case.patient_sort_name, case.first_procedure_code) == expected
    assert (draft.patient_sort_name, draft.first_procedure_code) == (None, None)


# --- The search: every word, long or short, on the case's own search text -------------------------------------


@pytest.fixture
def searchable(catalog):
    """Two cases of one user: one with a distinctive patient, provider and site, the other plain."""
    from cases.tests.test_worklist import _member, _site
    from reference.tests.factories import ProviderFactory

    user = submitter(UserFactory())
    member = _member(first_name="Qy", last_name="Vontrapp", member_id="QY11223344")
    provider = ProviderFactory(first_name="Xu", last_name="Wexford", organization_name="")
    case = submitted_case(user=user, member=member, ordering_provider=provider, site=_site("Juniperhaus Care"))
    other = submitted_case(user=user, site=_site("Plain Site"))
    return user, case, other


def _found(user, term) -> set[int]:
    parts = worklist.visible_parts(user, grants=permissions.grants_of(user), term=term)
    return set(worklist.page_ids(parts, "all", "-submitted", offset=0, limit=100, total=0).ids)


@pytest.mark.parametrize(
    "term",
    [
        "Vontrapp",  # a patient's last name
        "vontr",
        "QY1122",  # a Patient ID
        "Wexford",  # the ordering provider
        "Juniperhaus",  # the site
        "Vontrapp Wexford",  # two words, each must match
    ],
)
def test_a_word_of_three_characters_or_more_finds_the_case(searchable, term):
    user, case, _other = searchable
    assert _found(user, term) == {case.pk}


@pytest.mark.parametrize("term", ["Qy", "XU", "qy Vontrapp"])
def test_a_shorter_word_finds_the_case(searchable, term):
    user, case, other = searchable
    found = _found(user, term)
    assert case.pk in found
    assert found <= {case.pk, other.pk}
    if other.member.first_name[:2].lower() != "qy" and "xu" not in other.ordering_provider.display_name.lower():
        assert found == {case.pk}


def test_a_lines_label_or_code_finds_the_case_and_a_word_in_no_label_finds_nothing(searchable):
    user, case, other = searchable
    line = case.service_lines.order_by("line_number").first()
    with_the_label = {c.pk for c in (case, other) if c.service_lines.filter(label=line.label).exists()}
    assert _found(user, line.label.split()[0]) >= with_the_label
    with_the_code = {c.pk for c in (case, other) if c.service_lines.filter(hcpcs=line.hcpcs).exists()}
    assert _found(user, line.hcpcs.code) == with_the_code
    assert _found(user, "zzqqxx") == set()
    assert _found(user, "zq") == set()


def test_another_users_cases_are_never_found_by_a_long_or_short_word(searchable):
    _user, case, _other = searchable
    stranger = submitter(UserFactory())
    assert _found(stranger, "Vontrapp") == set()
    assert _found(stranger, "Qy") == set()
    assert _found(stranger, case.request_id) == set()
