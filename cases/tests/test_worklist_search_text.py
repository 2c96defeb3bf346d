"""My Worklist's search text (``Case.search_text``, ``worklist.search_text``): written at submission, written again
when a value it copies changes (an authorization number assigned by a decision, an accepted alternative's line),
filled for earlier cases by migrations 0017/0018, and what ``worklist.search`` matches."""

import importlib
import random
import string
from types import SimpleNamespace

import pytest
from django.apps import apps as django_apps
from django.contrib import admin
from django.db import IntegrityError, OperationalError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.test import RequestFactory
from django.urls import reverse

from accounts.tests.factories import UserFactory
from cases import alternatives, permissions, renames, tasks, worklist
from cases.models import Case, CaseStatus, SearchTextRewrite, ServiceLine
from cases.tests.factories import draft_case, submitted_case
from cases.tests.post_decision_world import decided_case, reviewer  # noqa: F401 (a fixture)
from cases.tests.test_alternative_item import offer, single_line_offer
from reference.models import HcpcsCode, Provider

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


def long_lines(case: Case, number: int = 20) -> list[str]:
    """``number`` more lines on ``case``, each with a 300-character description (the longest a line holds) of its own:
    the text grows past ``worklist.SEARCH_TEXT_MAX_BYTES``. Their codes, in line order."""
    codes = list(HcpcsCode.objects.order_by("code").values_list("code", flat=True)[:number])
    first = case.service_lines.order_by("line_number").first()
    for offset, code in enumerate(codes, start=10):
        ServiceLine.objects.create(
            case=case,
            hcpcs=HcpcsCode.objects.get(code=code),
            label=f"description{offset} " + "é" * 286,  # two bytes a character in UTF-8
            quantity=1,
            billing_basis=first.billing_basis,
            unit=first.unit,
            line_number=offset,
        )
    return codes


def test_a_long_text_keeps_every_identifier_name_and_code_and_the_descriptions_that_fit(catalog):
    case = submitted_case()
    codes = long_lines(case)
    text = worklist.search_text_save(case)  # an UPDATE of the column the covering indexes include
    assert len(expected_text(case).encode()) > worklist.SEARCH_TEXT_MAX_BYTES
    assert len(text.encode()) <= worklist.SEARCH_TEXT_MAX_BYTES
    values = text.split("\n")
    member, provider = case.member, case.ordering_provider
    identifiers = [case.request_id, case.case_number, member.first_name, member.last_name, member.member_id]
    identifiers += [provider.last_name, provider.npi, case.site.name]
    assert {value.lower() for value in identifiers} <= set(values)
    assert {code.lower() for code in codes} <= set(values)
    labels = [value for value in values if value.startswith("description")]
    assert labels and labels == [f"description{n} " + "é" * 286 for n in range(10, 10 + len(labels))]
    assert len(labels) < len(codes)  # the later descriptions did not fit
    assert found(case, codes[-1]) and found(case, "description10") and not found(case, f"description{9 + len(codes)}")


def test_migration_0019_caps_the_texts_written_before_the_cap(catalog):
    cap_long_texts = importlib.import_module("cases.migrations.0019_case_worklist_search_indexes").cap_long_texts
    long_case, short_case = submitted_case(), submitted_case()
    long_lines(long_case)
    capped = worklist.search_text_save(long_case)
    short_text = short_case.search_text
    if connection.vendor == "sqlite":  # PostgreSQL's index refuses such an entry: only SQLite can hold one to cap
        Case.objects.filter(pk=long_case.pk).update(search_text=expected_text(long_case))
    cap_long_texts(django_apps, SimpleNamespace(connection=connection))
    assert dict(Case.objects.filter(pk__in=[long_case.pk, short_case.pk]).values_list("pk", "search_text")) == {
        long_case.pk: capped,
        short_case.pk: short_text,
    }


@pytest.mark.skipif(connection.vendor != "postgresql", reason="INCLUDE and the 2,704-byte entry are PostgreSQL's")
def test_the_search_indexes_include_the_text_the_narrow_ones_not_and_an_uncapped_text_is_refused(catalog):
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE indexname LIKE 'case_%%_idx'")
        definitions = dict(cursor.fetchall())
    for part in ("practice", "owner"):
        assert "search_text" in definitions[f"case_{part}_search_idx"]
        assert "search_text" not in definitions[f"case_{part}_submitted_idx"]
    case = submitted_case()
    # Why the cap: PostgreSQL compresses a long entry, but 40 descriptions of 300 random letters do not compress.
    text = "\n".join("".join(random.choices(string.ascii_lowercase, k=300)) for _ in range(40))
    with pytest.raises(OperationalError), transaction.atomic():
        Case.objects.filter(pk=case.pk).update(search_text=text)


# --- A provider or site renamed in the admin ---------------------------------------------------------------------


def admin_change(client, obj, **changes):
    """POST the admin's change form of ``obj`` as a staff member would, with ``changes`` over its current values."""
    model_admin = admin.site._registry[type(obj)]
    request = RequestFactory().get("/")
    request.user = UserFactory(is_superuser=True)
    form = model_admin.get_form(request, obj)(instance=obj)
    data = {name: value for name, value in form.initial.items() if value is not None}
    data.update(changes)
    url = reverse(f"admin:reference_{type(obj)._meta.model_name}_change", args=[obj.pk])
    return client.post(url, data)


def pending_rewrites(**of) -> list[SearchTextRewrite]:
    return list(SearchTextRewrite.objects.filter(done_at__isnull=True, **of))


def test_renaming_a_provider_in_the_admin_rewrites_its_cases_search_text_and_sort_key(
    catalog, signed_in_client, django_capture_on_commit_callbacks
):
    case, other = submitted_case(), submitted_case()
    provider = case.ordering_provider
    old_name = provider.last_name
    client = signed_in_client(UserFactory(username="admin", is_staff=True, is_superuser=True))
    with django_capture_on_commit_callbacks() as callbacks:
        response = admin_change(client, provider, last_name="Quillfeather")
    assert response.status_code == 302, response.content.decode()[:2000]
    # The outbox row, written with the rename; its task queued once the rename is committed.
    [rewrite] = pending_rewrites(provider=provider)
    assert len(callbacks) == 1
    assert tasks.rewrite_search_texts(rewrite.pk) == 1
    assert found(case, "quillfeather") and not found(case, old_name)
    assert Case.objects.get(pk=case.pk).provider_sort_name == f"Quillfeather, {provider.first_name}"
    rewrite.refresh_from_db()
    assert rewrite.done_at is not None and rewrite.cases_written == 1
    assert tasks.rewrite_search_texts(rewrite.pk) == 0  # done: a second run (a redelivered task) writes nothing
    other_text = other.search_text
    other.refresh_from_db()
    assert other.search_text == other_text


def test_renaming_a_site_rewrites_its_cases_and_a_change_of_another_field_does_not(
    catalog, signed_in_client, django_capture_on_commit_callbacks
):
    case = submitted_case()
    site = case.site
    client = signed_in_client(UserFactory(username="admin", is_staff=True, is_superuser=True))
    with django_capture_on_commit_callbacks() as callbacks:
        assert admin_change(client, site, city="Stamford").status_code == 302
    assert callbacks == [] and not SearchTextRewrite.objects.exists()
    with django_capture_on_commit_callbacks() as callbacks:
        assert admin_change(client, site, name="Harbor Light Home Care").status_code == 302
    [rewrite] = pending_rewrites(site=site)
    assert rewrite.provider_id is None and len(callbacks) == 1
    tasks.rewrite_search_texts(rewrite.pk)
    assert found(case, "harbor light") and Case.objects.get(pk=case.pk).search_text == expected_text(case)


def test_a_broker_down_at_the_rename_leaves_the_rewrite_for_the_sweep(
    catalog, signed_in_client, monkeypatch, django_capture_on_commit_callbacks
):
    """The admin's save stands and the outbox row stays pending; the sweep queues it ``SWEEP_AFTER`` later."""
    case = submitted_case()
    queued = []

    def broker_down(*args, **kwargs):
        raise ConnectionError("broker down")

    monkeypatch.setattr(tasks.rewrite_search_texts, "apply_async", broker_down)
    client = signed_in_client(UserFactory(username="admin", is_staff=True, is_superuser=True))
    with django_capture_on_commit_callbacks(execute=True):
        assert admin_change(client, case.ordering_provider, last_name="Quillfeather").status_code == 302
    [rewrite] = pending_rewrites()
    assert Provider.objects.get(pk=case.ordering_provider_id).last_name == "Quillfeather"
    assert not found(case, "quillfeather")  # not yet: its task was never queued

    monkeypatch.setattr(tasks.rewrite_search_texts, "apply_async", lambda args, **kwargs: queued.append(args))
    assert renames.rewrites_sweep() == 0  # too soon: its own task may still come
    later = rewrite.requested_at + renames.SWEEP_AFTER
    assert renames.rewrites_sweep(now=later) == 1 and queued == [(rewrite.pk,)]
    tasks.rewrite_search_texts(*queued[0])
    assert found(case, "quillfeather") and not pending_rewrites()
    assert renames.rewrites_sweep(now=later) == 0  # caught up


def test_a_rewrite_names_a_provider_or_a_site_never_both_nor_neither(catalog):
    case = submitted_case()
    for of in ({}, {"provider": case.ordering_provider, "site": case.site}):
        with pytest.raises(IntegrityError), transaction.atomic():
            SearchTextRewrite.objects.create(**of)


def test_the_rewrite_leaves_drafts_and_runs_twice_the_same(catalog):
    case = submitted_case()
    draft = draft_case()
    draft.ordering_provider = case.ordering_provider
    draft.save(update_fields=["ordering_provider"])
    Provider.objects.filter(pk=case.ordering_provider_id).update(last_name="Quillfeather")
    assert worklist.search_texts_rewrite(provider_id=case.ordering_provider_id) == 1
    text = Case.objects.get(pk=case.pk).search_text
    assert "quillfeather" in text.split("\n") and text == expected_text(case)
    assert worklist.search_texts_rewrite(provider_id=case.ordering_provider_id) == 1
    assert Case.objects.get(pk=case.pk).search_text == text
    assert Case.objects.get(pk=draft.pk).search_text is None
    assert worklist.search_texts_rewrite() == 0


def test_staff_read_the_rewrites_left_pending_in_the_admin_and_change_none(catalog, signed_in_client):
    case = submitted_case()
    pending = SearchTextRewrite.objects.create(provider=case.ordering_provider)
    done = SearchTextRewrite.objects.create(site=case.site)
    renames.rewrite_run(done.pk)
    client = signed_in_client(UserFactory(username="admin", is_staff=True, is_superuser=True))
    url = reverse("admin:cases_searchtextrewrite_changelist")
    response = client.get(url, {"done_at__isempty": "1"})
    assert response.status_code == 200
    shown = [row.pk for row in response.context["cl"].result_list]
    assert shown == [pending.pk]
    change = reverse("admin:cases_searchtextrewrite_change", args=[pending.pk])
    assert client.post(change, {"done_at": "2026-01-01 00:00"}).status_code == 403
    assert SearchTextRewrite.objects.get(pk=pending.pk).done_at is None
