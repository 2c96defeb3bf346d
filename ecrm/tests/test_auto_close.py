"""A Resolved ticket the reporter does not answer closes by itself after ECRM_AUTO_CLOSE_DAYS days (a beat job,
ecrm.tasks.auto_close_resolved), with a history row; running the job twice closes it once."""

import datetime

import pytest
from django.conf import settings
from django.utils import timezone

from ecrm import tasks, tickets
from ecrm.models import TicketChange, TicketState
from ecrm.tests.factories import ticket_submitted

pytestmark = pytest.mark.django_db


def resolved_days_ago(days: float):
    ticket = ticket_submitted()
    change = tickets.ticket_transition(ticket=ticket, to=TicketState.RESOLVED)
    TicketChange.objects.filter(pk=change.pk).update(changed_at=timezone.now() - datetime.timedelta(days=days))
    return ticket


def state_of(ticket) -> str:
    ticket.refresh_from_db()
    return ticket.state


def test_the_setting_defaults_to_seven_days():
    assert settings.ECRM_AUTO_CLOSE_DAYS == 7


def test_resolved_tickets_close_after_the_configured_days_once_with_a_history_row(ecrm_catalog, settings):
    settings.ECRM_AUTO_CLOSE_DAYS = 3
    old, recent, open_ = resolved_days_ago(3.1), resolved_days_ago(2.9), ticket_submitted()
    assert tasks.auto_close_resolved() == 1
    assert (state_of(old), state_of(recent), state_of(open_)) == ("closed", "resolved", "new")
    change = old.changes.get(to_state=TicketState.CLOSED)
    assert (change.from_state, change.changed_by) == ("resolved", None)
    assert "Closed automatically" in change.reason
    assert tasks.auto_close_resolved() == 0
    assert old.changes.filter(to_state=TicketState.CLOSED).count() == 1


def test_the_days_count_from_the_latest_resolution(ecrm_catalog):
    ticket = resolved_days_ago(30)
    tickets.ticket_transition(ticket=ticket, to=TicketState.IN_PROGRESS, by=ticket.reporter, reason="Not fixed")
    tickets.ticket_transition(ticket=ticket, to=TicketState.RESOLVED)
    assert tickets.tickets_auto_close() == 0
    assert state_of(ticket) == TicketState.RESOLVED
    assert tickets.tickets_auto_close(now=timezone.now() + datetime.timedelta(days=7, minutes=1)) == 1
    assert state_of(ticket) == TicketState.CLOSED
