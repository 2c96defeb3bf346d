"""The signed-in dashboard (issue 11 item 5, seeds 001 and 002): My Worklist is its main content for users who can
have cases, with the same list, tabs and search as /cases/worklist/, and its links and cards below."""

import pytest
from django.urls import reverse

from accounts.tests.factories import UserFactory
from audit.models import AuditEvent
from cases.tests.factories import draft_case, submitted_case
from practices.models import WorklistAccess
from practices.tests.test_views import assert_same_queries_as_the_list_grows

pytestmark = pytest.mark.django_db

HOME = reverse("portal:home")
WORKLIST = reverse("cases:worklist")


def test_a_submitter_sees_my_worklist_with_the_pending_requests_under_the_greeting(catalog, signed_in_client):
    case = submitted_case()
    draft = draft_case(user=case.created_by)
    response = signed_in_client(case.created_by).get(HOME)
    assert response.status_code == 200
    text = response.content.decode()
    assert (
        text.index("Welcome, ") < text.index('<h2 id="my-worklist-title">My Worklist</h2>') < text.index("Start here")
    )
    assert f'<a href="{reverse("cases:case_detail", args=[case.request_id])}">{case.request_id}</a>' in text
    assert draft.request_id not in text
    assert [row["pk"] for row in response.context["rows"]] == [case.pk]
    # Without JavaScript the tabs, the sort and the search lead to the worklist's own page.
    assert f'href="{WORKLIST}?tab=approved&amp;sort=-submitted"' in text
    assert f'action="{WORKLIST}"' in text
    assert "js/worklist-search.js" in text
    assert reverse("resources:index") in text  # the existing cards stay, below
    assert AuditEvent.objects.get(action="worklist.viewed").details["cases"] == [case.pk]


def test_a_delegate_sees_the_shared_worklist_on_the_dashboard(catalog, signed_in_client):
    case = submitted_case()
    delegate = UserFactory()
    WorklistAccess.objects.create(owner=case.created_by, grantee=delegate)
    text = signed_in_client(delegate).get(HOME).content.decode()
    assert case.request_id in text and "Shared by" in text


def test_a_user_who_can_have_no_case_sees_no_worklist(catalog, signed_in_client):
    response = signed_in_client(UserFactory()).get(HOME)
    text = response.content.decode()
    assert response.status_code == 200
    assert "My Worklist</h2>" not in text and "worklist-search.js" not in text
    assert not AuditEvent.objects.filter(action="worklist.viewed").exists()


def test_the_worklist_search_term_applies_on_the_dashboard_too(catalog, signed_in_client):
    case = submitted_case()
    other = submitted_case(user=case.created_by)
    client = signed_in_client(case.created_by)
    assert client.post(WORKLIST, {"q": case.request_id}).status_code == 302
    response = client.get(HOME)
    assert [row["pk"] for row in response.context["rows"]] == [case.pk]
    assert other.request_id not in response.content.decode()


def test_the_dashboards_query_count_does_not_grow_with_the_worklist(
    catalog, client, signed_in_client, django_assert_num_queries
):
    case = submitted_case()
    signed_in_client(case.created_by, client)

    def more_rows():
        for _ in range(3):
            submitted_case(user=case.created_by)

    assert_same_queries_as_the_list_grows(client, django_assert_num_queries, HOME, more_rows)
