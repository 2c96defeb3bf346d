"""ECRM-5, My Cases: the reporter's own tickets, Open / Closed, "Search within My Cases", each column sortable
through an allow-list, pages of 25, and a constant number of queries whatever the number of tickets."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from audit.models import AuditEvent
from ecrm import tickets
from ecrm.models import Ticket, TicketPriority, TicketState
from ecrm.tests.factories import ecrm_user, ticket_submitted

pytestmark = pytest.mark.django_db
NUMBER_LINK = re.compile(r'href="/ecrm/tickets/(EC\d{8})/activity/"')


@pytest.fixture
def reporter(ecrm_catalog):
    return ecrm_user()


@pytest.fixture
def client(reporter, signed_in_client):
    return signed_in_client(reporter)


def listed_numbers(response) -> list[str]:
    return NUMBER_LINK.findall(response.content.decode())


def test_my_cases_lists_the_reporters_own_tickets_with_the_seed_columns(reporter, client):
    mine = ticket_submitted(reporter, short_description="CBU")
    ticket_submitted(ecrm_user(), short_description="Someone else's request")
    Ticket.objects.filter(pk=mine.pk).update(
        created_at=datetime.datetime(2025, 9, 29, 20, 22, 40, tzinfo=datetime.UTC),
        updated_at=datetime.datetime(2025, 9, 29, 20, 22, 41, tzinfo=datetime.UTC),
    )
    response = client.get("/ecrm/my-cases/")
    page = response.content.decode()
    assert response.status_code == 200 and response["Cache-Control"].startswith("max-age=0")
    for words in ("My Cases", "Search within My Cases", "Open (1)", "Closed (0)", "Number", "Short description"):
        assert words in page, words
    for words in ("State", "Priority", "Created", "Updated", "CBU", "New", "3 - Moderate"):
        assert words in page, words
    # MM-DD-YYYY HH:MM:SS in the portal's time zone (the seed: "09-29-2025 16:22:40").
    assert "09-29-2025 16:22:40" in page and "09-29-2025 16:22:41" in page
    assert listed_numbers(response) == [mine.number]
    assert "Someone else" not in page


def test_the_my_cases_link_is_on_every_ecrm_page(client):
    assert 'href="/ecrm/my-cases/"' in client.get("/ecrm/").content.decode()


def test_open_and_closed_split_the_tickets(reporter, client):
    open_ticket = ticket_submitted(reporter)
    closed = ticket_submitted(reporter)
    tickets.ticket_transition(ticket=closed, to=TicketState.CLOSED)
    assert listed_numbers(client.get("/ecrm/my-cases/")) == [open_ticket.number]
    response = client.get("/ecrm/my-cases/?tab=closed")
    assert listed_numbers(response) == [closed.number]
    assert "Open (1)" in response.content.decode() and "Closed (1)" in response.content.decode()


@pytest.fixture
def three_tickets(reporter):
    """Three tickets whose every column orders them differently from their numbers."""
    first = ticket_submitted(reporter, short_description="Bravo")
    second = ticket_submitted(reporter, short_description="Charlie")
    third = ticket_submitted(reporter, short_description="Alpha")
    now = timezone.now()
    values = {
        first: (TicketState.AWAITING_INFO, TicketPriority.LOW, now - datetime.timedelta(days=2), now),
        second: (
            TicketState.NEW,
            TicketPriority.CRITICAL,
            now - datetime.timedelta(days=3),
            now - datetime.timedelta(1),
        ),
        third: (
            TicketState.IN_PROGRESS,
            TicketPriority.HIGH,
            now - datetime.timedelta(days=1),
            now - datetime.timedelta(2),
        ),
    }
    for ticket, (state, priority, created, updated) in values.items():
        Ticket.objects.filter(pk=ticket.pk).update(
            state=state, priority=priority, created_at=created, updated_at=updated
        )
    return first.number, second.number, third.number


@pytest.mark.parametrize(
    ("sort", "order"),
    [
        ("number", (0, 1, 2)),
        ("-number", (2, 1, 0)),
        ("short_description", (2, 0, 1)),
        ("-short_description", (1, 0, 2)),
        ("state", (1, 2, 0)),  # the workflow's order: New, In Progress, Awaiting Info
        ("-state", (0, 2, 1)),
        ("priority", (1, 2, 0)),
        ("-priority", (0, 2, 1)),
        ("created", (1, 0, 2)),
        ("-created", (2, 0, 1)),
        ("updated", (2, 1, 0)),
        ("-updated", (0, 1, 2)),
    ],
)
def test_each_column_sorts_both_ways(three_tickets, client, sort, order):
    response = client.get(f"/ecrm/my-cases/?sort={sort}")
    assert listed_numbers(response) == [three_tickets[index] for index in order]


def test_a_column_header_sorts_it_and_a_second_click_turns_it_around(three_tickets, client):
    page = client.get("/ecrm/my-cases/").content.decode()
    assert 'aria-sort="descending"' in page and 'href="/ecrm/my-cases/?tab=open&amp;sort=number"' in page
    page = client.get("/ecrm/my-cases/?sort=priority").content.decode()
    assert 'aria-sort="ascending"' in page and "sort=-priority" in page
    # The "Sort by" form (a phone hides the headers) offers each column both ways, the current one chosen.
    assert page.count("<option value=") == 12 and '<option value="priority" selected>' in page


@pytest.mark.parametrize(
    "query",
    [
        "sort=reporter__password",
        "sort=-",
        "sort=created_at",
        "sort=number;DROP",
        "sort=%00",
        "tab=all",
        "tab[]=x",
        "page=abc",
        "page=-3",
        "page=999999999999999999999",
    ],
)
def test_sorts_tabs_and_pages_outside_the_allow_list_fall_back_to_the_default(three_tickets, client, query):
    response = client.get(f"/ecrm/my-cases/?{query}")
    assert response.status_code == 200
    assert set(listed_numbers(response)) <= set(three_tickets)


def test_the_search_is_posted_kept_in_the_session_and_never_in_the_address(reporter, client):
    wanted = ticket_submitted(reporter, short_description="Wrong fax number for Ada Stone")
    other = ticket_submitted(reporter, short_description="Login problem")
    response = client.post("/ecrm/my-cases/", {"q": "  ada   STONE ", "tab": "open", "sort": "-number"})
    assert response.status_code == 302 and "ada" not in response.url.lower()
    response = client.get(response.url)
    assert listed_numbers(response) == [wanted.number]
    assert 'value="ada STONE"' in response.content.decode()
    assert listed_numbers(client.get("/ecrm/my-cases/?sort=number")) == [wanted.number]
    client.post("/ecrm/my-cases/", {"q": other.number.lower()})
    assert listed_numbers(client.get("/ecrm/my-cases/")) == [other.number]
    client.post("/ecrm/my-cases/", {"q": "x", "clear": "1"})
    assert set(listed_numbers(client.get("/ecrm/my-cases/"))) == {wanted.number, other.number}
    assert not AuditEvent.objects.filter(details__icontains="stone").exists()


def test_a_search_matching_nothing_says_so(reporter, client):
    ticket_submitted(reporter)
    client.post("/ecrm/my-cases/", {"q": "\x00" + "z" * 500})
    response = client.get("/ecrm/my-cases/")
    assert response.status_code == 200 and "No cases open match the search" in response.content.decode()


def test_pages_of_25(reporter, client):
    for _ in range(27):
        ticket_submitted(reporter)
    first = client.get("/ecrm/my-cases/")
    assert len(listed_numbers(first)) == 25 and "Page 1 of 2" in first.content.decode()
    second = client.get("/ecrm/my-cases/?tab=open&sort=-number&page=2")
    assert listed_numbers(second) == ["EC00000002", "EC00000001"]


def test_my_cases_costs_the_same_queries_for_3_or_30_tickets(reporter, client):
    def queries() -> int:
        client.get("/ecrm/my-cases/?sort=updated")  # warm the session and Django's caches
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/ecrm/my-cases/?sort=updated").status_code == 200
        return len(captured.captured_queries)

    for _ in range(3):
        ticket_submitted(reporter)
    few = queries()
    for _ in range(27):
        ticket_submitted(reporter)
    assert queries() == few
    assert few <= 12, few


def test_reading_my_cases_is_audited_with_ids_only(reporter, client):
    ticket = ticket_submitted(reporter, short_description="Ada Stone")
    client.get("/ecrm/my-cases/")
    event = AuditEvent.objects.get(action="ecrm.my_cases_viewed")
    assert event.details["tickets"] == [ticket.pk] and "Ada" not in str(event.details)


def test_my_cases_needs_a_login(client, ecrm_catalog):
    from django.test import Client

    response = Client().get("/ecrm/my-cases/")
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")
