"""The reviewers' queue in the admin at scale: the default list (awaiting a decision, unfiltered) takes its count
from the queue counts the page shows above it, and every other list is ordered newest first (the index
``case_submitted_newest_idx`` reads it in that order)."""

import pytest
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases.models import Case, CaseStatus
from cases.tests.factories import submitted_case
from cases.tests.test_admin import changelist_url, reviewer_user
from cases.tests.test_worklist import _set_status
from portal.pagination import CountedPaginator

pytestmark = pytest.mark.django_db


@pytest.fixture
def queue_world(catalog):
    """Three cases awaiting a decision and two decided ones, submitted one after another."""
    awaiting = [submitted_case() for _ in range(3)]
    decided = [submitted_case(approved=True), _set_status(submitted_case(), CaseStatus.DENIED)]
    return awaiting, decided


@pytest.fixture
def reviewer_client(signed_in_client):
    client = signed_in_client(reviewer_user(username="queue.reviewer"))
    client.get(changelist_url())  # Django's caches (content types, permissions) fill on the first request
    return client


def _counts(captured) -> list[str]:
    return [q["sql"] for q in captured.captured_queries if "COUNT(*)" in q["sql"].upper()]


def test_the_default_list_is_counted_by_the_queue_counts_not_a_second_count(queue_world, reviewer_client):
    awaiting, _decided = queue_world
    with CaptureQueriesContext(connection) as captured:
        response = reviewer_client.get(changelist_url())
    changelist = response.context["cl"]
    assert isinstance(changelist.paginator, CountedPaginator)
    assert changelist.result_count == len(awaiting) == sum(c.total for c in response.context["queue_counts"])
    assert {case.pk for case in changelist.result_list} == {case.pk for case in awaiting}
    assert _counts(captured) == []


@pytest.mark.parametrize(
    "params",
    [
        {"status": "pending_review"},
        {"status": "awaiting"},
        {"status": "on_hold"},
        {"program": "home-health"},
        {"program": "dme"},
        {"program": "home-health", "status": "pending_review", "p": "1"},
    ],
)
def test_a_list_of_one_queue_or_one_awaiting_status_is_counted_by_the_queue_counts(
    queue_world, reviewer_client, params
):
    from reference.models import Program

    if "program" in params:
        params = {**params, "program": str(Program.objects.get(code=params["program"]).pk)}
    with CaptureQueriesContext(connection) as captured:
        response = reviewer_client.get(changelist_url(), params)
    changelist = response.context["cl"]
    assert isinstance(changelist.paginator, CountedPaginator)
    assert _counts(captured) == []
    assert changelist.result_count == len(changelist.result_list)
    assert changelist.result_count == changelist.queryset.count()


@pytest.mark.parametrize(
    "params",
    [
        {"status": "all"},
        {"status": "approved"},
        {"urgency": "standard"},
        {"q": "A"},
        {"due": "later"},
        {"program": "x"},
    ],
)
def test_a_filtered_or_searched_list_is_counted_by_the_database(queue_world, reviewer_client, params):
    with CaptureQueriesContext(connection) as captured:
        response = reviewer_client.get(changelist_url(), params)
    changelist = response.context["cl"]
    assert not isinstance(changelist.paginator, CountedPaginator)
    assert changelist.result_count == len(changelist.result_list)
    assert _counts(captured)


def test_pages_of_the_default_list_follow_the_queue_counts(queue_world, reviewer_client, monkeypatch):
    awaiting, _decided = queue_world
    monkeypatch.setattr(admin.site._registry[Case], "list_per_page", 2)
    first = reviewer_client.get(changelist_url())
    second = reviewer_client.get(changelist_url(), {"p": 2})
    assert first.context["cl"].paginator.num_pages == 2
    listed = [case.pk for case in first.context["cl"].result_list] + [
        case.pk for case in second.context["cl"].result_list
    ]
    assert sorted(listed) == sorted(case.pk for case in awaiting)
    assert listed == list(
        Case.objects.filter(pk__in=listed).order_by("decision_due_at", "pk").values_list("pk", flat=True)
    )


@pytest.mark.parametrize("params", [{"status": "all"}, {"status": CaseStatus.APPROVED}, {"status": "pending_review"}])
def test_lists_other_than_awaiting_are_newest_first(queue_world, reviewer_client, params):
    response = reviewer_client.get(changelist_url(), params)
    listed = list(response.context["cl"].result_list)
    assert listed
    if params["status"] == "pending_review":  # awaiting a decision: by due time, overdue first
        assert listed == sorted(listed, key=lambda case: (case.decision_due_at, case.pk))
    else:
        assert listed == sorted(listed, key=lambda case: (case.submitted_at, case.pk), reverse=True)


@pytest.mark.parametrize("params", [{}, {"status": "pending_review", "urgency": "standard"}])
def test_each_row_has_the_checkbox_and_link_django_would_render(queue_world, reviewer_client, params):
    """``QuickRowsAdminMixin`` writes each row's checkbox and link without a template or a URL resolve per row:
    the same HTML as Django's widget and ``add_preserved_filters``, the list's filters carried to the case page."""
    from django.contrib.admin.templatetags.admin_urls import add_preserved_filters
    from django.contrib.admin.views.main import ChangeList

    response = reviewer_client.get(changelist_url(), params)
    page = response.content.decode()
    changelist = response.context["cl"]
    case_admin = admin.site._registry[Case]
    for case in changelist.result_list:
        assert case_admin.action_checkbox(case) == admin.ModelAdmin.action_checkbox(case_admin, case)
        assert case_admin.action_checkbox(case) in page
        django_url = add_preserved_filters(
            {"preserved_filters": changelist.row_filters, "opts": changelist.opts},
            ChangeList.url_for_result(changelist, case),
        )
        assert changelist.url_for_result(case) == django_url
        assert f'<a href="{django_url.replace("&", "&amp;")}">{case.case_number}</a>' in page
    assert ("_changelist_filters" in changelist.row_filters) == bool(params)


@pytest.mark.parametrize("params", [{}, {"status": "all", "o": "2"}, {"q": "A"}])
def test_the_list_reads_only_the_columns_it_shows_and_nothing_row_by_row(queue_world, reviewer_client, params):
    """No clinical answers nor the scope's other joins for 50 rows a page; every column, link and checkbox from the
    page's one query (a deferred field read per row would be a query per row)."""
    with CaptureQueriesContext(connection) as captured:
        response = reviewer_client.get(changelist_url(), params)
    rows = [q["sql"] for q in captured.captured_queries if 'FROM "cases_case"' in q["sql"] and "LIMIT" in q["sql"]]
    assert len(rows) == 1
    assert "clinical_answers" not in rows[0] and "reference_healthplan" not in rows[0]
    assert "practices_practice" not in rows[0]
    html = response.content.decode()
    for case in response.context["cl"].result_list:
        assert case.case_number in html and case.member.last_name in html and case.program.name in html
    assert not [q for q in captured.captured_queries if 'WHERE "cases_case"."id" =' in q["sql"]]
