"""My Worklist as each role of the world (SEC-1, ACC-9): each user sees the submitted cases they may view and
nothing else, on the page, in a search and in the CSV; another practice's cases and drafts never appear."""

import re

import pytest
from django.db import transaction
from django.urls import reverse

from tests.security.routes import send
from tests.security.world import (
    ANONYMOUS,
    COLLEAGUE,
    DELEGATE,
    MEMBER,
    OWNER,
    REVIEWER,
    REVOKED_DELEGATE,
    SUPERUSER,
    UNRELATED,
)

pytestmark = pytest.mark.django_db

WORKLIST = reverse("cases:worklist")
CSV = reverse("cases:worklist_csv")
# The owner's submitted cases (pending, approved, held, denied, appealed): their creator, the colleague with case
# submission and the delegate.
SEES_THE_OWNERS = (OWNER, COLLEAGUE, DELEGATE)
SEES_NOTHING = (MEMBER, REVOKED_DELEGATE, UNRELATED, REVIEWER, SUPERUSER)


def _request_ids(world) -> dict[str, str]:
    return {
        name: case.request_id
        for name, case in (
            ("draft", world.draft),
            ("pending", world.pending),
            ("approved", world.approved),
            ("other_draft", world.other_draft),
            ("held", world.held),
            ("denied", world.denied),
            ("appealed", world.appealed),
        )
    }


def _shown(world, role, *, url=WORKLIST, data=None, search=None) -> set[str]:
    """The world's cases listed to ``role``: the page's links to a case, or the CSV's first column. One savepoint
    rolled back after it, as ``routes.send`` does, with the search's POST first when there is one."""
    client = world.clients[role]
    with transaction.atomic():
        if search is not None:
            assert client.post(WORKLIST, {"q": search, "tab": "all"}).status_code == 302
        response = client.get(url, data)
        assert response.status_code == 200
        if response.streaming:
            listed = [line.split(",")[0] for line in b"".join(response.streaming_content).decode().splitlines()[1:]]
        else:
            listed = re.findall(r'href="/cases/([0-9]{10})/case/"', response.content.decode())
        transaction.set_rollback(True)
    names = {request_id: name for name, request_id in _request_ids(world).items()}
    assert set(listed) <= set(names), "a case from outside the world"
    return {names[request_id] for request_id in listed}


@pytest.mark.parametrize("role", SEES_THE_OWNERS + SEES_NOTHING)
def test_each_role_sees_exactly_the_submitted_cases_it_may_view(world, role):
    expected = {"pending", "approved", "held", "denied", "appealed"} if role in SEES_THE_OWNERS else set()
    assert _shown(world, role, data={"tab": "all"}) == expected
    assert _shown(world, role, url=CSV, data={"tab": "all"}) == expected


def test_the_unrelated_user_finds_nothing_of_the_owners_practice_by_searching(world):
    pending = world.pending
    for term in (pending.request_id, pending.case_number, pending.member.member_id, pending.member.last_name):
        assert _shown(world, UNRELATED, data={"tab": "all"}, search=term) == set()
        assert _shown(world, UNRELATED, url=CSV, data={"tab": "all"}, search=term) == set()
    assert _shown(world, OWNER, data={"tab": "all"}, search=pending.member.member_id) == {"pending"}


def test_a_visitor_is_sent_to_log_in(world):
    for url in (WORKLIST, CSV):
        response = send(world.clients[ANONYMOUS], "GET", url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))
