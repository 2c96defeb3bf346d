"""On a Resolved ticket the reporter Accepts (it closes) or Rejects with a reason (it reopens to In Progress),
through ticket_transition; nobody else can (issue 13 item 7)."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from ecrm import tickets
from ecrm.models import TicketChange, TicketState
from ecrm.tests.factories import ecrm_agent, ecrm_user, ticket_submitted

pytestmark = pytest.mark.django_db


@pytest.fixture
def resolved(ecrm_catalog):
    ticket = ticket_submitted()
    tickets.ticket_transition(ticket=ticket, to=TicketState.RESOLVED, by=ecrm_agent())
    return ticket


def urls(ticket):
    return {name: reverse(f"ecrm:ticket_{name}", kwargs={"number": ticket.number}) for name in ("accept", "reject")}


def test_the_reporter_sees_accept_and_reject_on_a_resolved_ticket_only(resolved, signed_in_client):
    client = signed_in_client(resolved.reporter)
    activity = reverse("ecrm:ticket_activity", kwargs={"number": resolved.number})
    assert "Is your request resolved?" in client.get(activity).content.decode()
    tickets.ticket_transition(ticket=resolved, to=TicketState.IN_PROGRESS)
    assert "Is your request resolved?" not in client.get(activity).content.decode()


def test_accept_closes_the_ticket_with_a_history_row_by_the_reporter(resolved, signed_in_client):
    response = signed_in_client(resolved.reporter).post(urls(resolved)["accept"])
    assert response.status_code == 302
    resolved.refresh_from_db()
    assert resolved.state == TicketState.CLOSED
    change = resolved.changes.filter(kind=TicketChange.Kind.STATE).last()
    assert (change.from_state, change.to_state, change.changed_by) == ("resolved", "closed", resolved.reporter)


def test_reject_needs_a_reason_and_reopens_to_in_progress_with_it(resolved, signed_in_client):
    client = signed_in_client(resolved.reporter)
    refused = client.post(urls(resolved)["reject"], {"reject-reason": "   "})
    assert refused.status_code == 400
    assert "There is a problem" in refused.content.decode()
    resolved.refresh_from_db()
    assert resolved.state == TicketState.RESOLVED
    client.post(urls(resolved)["reject"], {"reject-reason": "The fax number is still wrong."})
    resolved.refresh_from_db()
    assert resolved.state == TicketState.IN_PROGRESS
    change = resolved.changes.filter(kind=TicketChange.Kind.STATE).last()
    assert (change.to_state, change.reason) == ("in_progress", "The fax number is still wrong.")
    page = client.get(reverse("ecrm:ticket_activity", kwargs={"number": resolved.number})).content.decode()
    assert "State: Resolved to In Progress: The fax number is still wrong." in page


def test_nobody_but_the_reporter_may_answer_a_resolution(resolved, signed_in_client):
    agent = ecrm_agent(is_superuser=True, username="boss")
    for user in (ecrm_user(), agent):
        client = signed_in_client(user)
        assert client.post(urls(resolved)["accept"]).status_code == 404
        assert client.post(urls(resolved)["reject"], {"reject-reason": "No"}).status_code == 404
        with pytest.raises(ValidationError):
            tickets.ticket_resolution_accept(ticket=resolved, user=user)
        with pytest.raises(ValidationError):
            tickets.ticket_resolution_reject(ticket=resolved, user=user, reason="No")
    resolved.refresh_from_db()
    assert resolved.state == TicketState.RESOLVED


def test_a_ticket_that_is_not_resolved_cannot_be_accepted_or_rejected(ecrm_catalog, signed_in_client):
    ticket = ticket_submitted()
    client = signed_in_client(ticket.reporter)
    client.post(urls(ticket)["accept"])
    client.post(urls(ticket)["reject"], {"reject-reason": "No"})
    ticket.refresh_from_db()
    assert ticket.state == TicketState.NEW
    assert not ticket.changes.exists()
    assert client.get(urls(ticket)["accept"]).status_code == 405
