import datetime

import pytest
from django.contrib.auth.models import Group

from ecrm.demo import AGENT_GROUP, ecrm_demo_ensure
from ecrm.models import Category, RequestForm, Subrequest
from ecrm.views import created_words

pytestmark = pytest.mark.django_db


def test_the_catalog_loads_once_and_lets_ecrm_agents_read_tickets():
    assert ecrm_demo_ensure() == 10
    assert ecrm_demo_ensure() == 0
    assert list(Category.objects.values_list("name", flat=True)) == [
        "Appeals",
        "Claims",
        "Client & Provider Services",
        "Credentialing & Accuracy Management",
        "Eligibility",
    ]
    assert Subrequest.objects.filter(
        request_type__name="Provider Info Change", name="Phone & FAX Update EviCore PAR"
    ).exists()
    provider_services = RequestForm.objects.get(slug="provider-services")
    assert provider_services.allows_all_carriers and provider_services.allows_multiple_carriers
    assert set(Group.objects.get(name=AGENT_GROUP).permissions.values_list("codename", flat=True)) >= {"view_ticket"}


def test_created_reads_just_now_for_a_minute_then_relative():
    created = datetime.datetime(2026, 11, 30, 12, 0, tzinfo=datetime.UTC)
    assert created_words(created, created + datetime.timedelta(seconds=59)) == "just now"
    assert created_words(created, created + datetime.timedelta(minutes=5, seconds=10)) == "5\xa0minutes ago"
    assert created_words(created, created + datetime.timedelta(days=2, hours=3)) == "2\xa0days ago"


def test_the_demo_tickets_are_one_in_each_state_with_their_threads_and_built_once():
    from accounts.demo import demo_users_ensure
    from ecrm import selectors
    from ecrm.demo import DEMO_TICKETS, ecrm_demo_tickets_ensure
    from ecrm.models import Ticket, TicketChange, TicketComment, TicketState

    assert ecrm_demo_tickets_ensure() == 0  # no demo logins yet (as in production): nothing
    demo_users_ensure()
    ecrm_demo_ensure()
    assert ecrm_demo_tickets_ensure() == len(DEMO_TICKETS)
    counts = (Ticket.objects.count(), TicketComment.objects.count(), TicketChange.objects.count())
    assert ecrm_demo_tickets_ensure() == 0
    assert (Ticket.objects.count(), TicketComment.objects.count(), TicketChange.objects.count()) == counts
    demo = Ticket.objects.filter(reporter__username="frontdesk")
    assert sorted(demo.values_list("state", flat=True)) == sorted(TicketState.values)
    # Numbered in the order submitted (oldest first), each dated as lived.
    by_age = list(demo.order_by("created_at").values_list("sequence", flat=True))
    assert by_age == sorted(by_age)
    resolved = demo.get(state=TicketState.RESOLVED)
    assert [entry.kind for entry in selectors.ticket_timeline(resolved)][-1] == "created"
    assert resolved.comments.filter(author__username="frontdesk").exists()
    assert TicketComment.objects.filter(ticket__in=demo, kind=TicketComment.Kind.WORK_NOTE).count() == 1
    closed = demo.get(state=TicketState.CLOSED)
    assert closed.changes.filter(to_state=TicketState.CLOSED, changed_by__username="frontdesk").exists()
    copied = demo.get(state=TicketState.NEW)
    assert list(copied.copied_colleagues.values_list("username", flat=True)) == ["mjohnson"]
    assert copied.comments.get().author.username == "mjohnson"
    assert set(selectors.tickets_visible_to(copied.copied_colleagues.get())) == {copied}
