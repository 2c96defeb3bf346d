"""My Worklist runs the same SQL statements for every tab, every sort (either way) and with or without a search
term, however many cases it lists (issue 11's performance requirement: a constant number of queries).

test_worklist.py checks one view (All Statuses, a search term) as the list grows; this checks them all, and that
they agree with each other: a tab, a sort or a term adds no query of its own."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.tests.factories import UserFactory
from cases import worklist
from cases.models import CaseStatus
from cases.tests.factories import submitted_case, submitter
from cases.tests.test_worklist import _set_status

pytestmark = pytest.mark.django_db

WORKLIST = reverse("cases:worklist")
SORTS = [f"{way}{column.key}" for column in worklist.COLUMNS for way in ("", "-")]
# Every tab in the default order, and every sort either way under All Statuses (which lists every case).
VIEWS = [(tab.key, worklist.DEFAULT_SORT) for tab in worklist.TABS] + [("all", sort) for sort in SORTS]
# "G0": every Home Health line's code, so that a searched page lists a case under every tab, and the search's
# service-line subquery runs in each count.
TERMS = ["", "G0"]


def _one_case_in_each_tab(owner) -> None:
    submitted_case(user=owner)  # pending medical review
    submitted_case(user=owner, approved=True)
    for status in (CaseStatus.PARTIALLY_APPROVED, CaseStatus.DENIED, CaseStatus.CANCELLED):
        _set_status(submitted_case(user=owner), status)


def _statements_of_every_view(client, term: str) -> dict[tuple[str, str], int]:
    """The SQL statements of each view, with ``term`` kept in the session (or none)."""
    assert client.post(WORKLIST, {"q": term} if term else {"clear": "1"}).status_code == 302
    counts = {}
    for tab, sort in VIEWS:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(WORKLIST, {"tab": tab, "sort": sort})
        assert response.status_code == 200
        assert response.context["rows"], (tab, sort)  # a page with rows: its columns are read
        counts[(tab, sort)] = len(captured)
    return counts


@pytest.mark.parametrize("term", TERMS, ids=["no term", "a term"])
def test_every_tab_and_every_sort_runs_the_same_statements_whatever_the_list_holds(catalog, signed_in_client, term):
    owner = submitter(UserFactory())
    _one_case_in_each_tab(owner)
    client = signed_in_client(owner)
    client.get(WORKLIST)  # the session's first reads
    few = _statements_of_every_view(client, term)

    for _ in range(2):  # more rows under every tab, each with its own patient, provider and site
        _one_case_in_each_tab(owner)

    assert _statements_of_every_view(client, term) == few
    assert len(set(few.values())) == 1, few
