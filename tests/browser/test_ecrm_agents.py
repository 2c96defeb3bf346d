"""ECRM agents in the admin, in Chromium (issue 13, item 7): an agent opens the queue filtered to their own
tickets, opens one, picks a canned reply (it fills the message box), posts it as an additional comment with a
file, adds a work note with a file, changes the priority and resolves the ticket; the reporter then sees the
comment and its file and neither the note nor its file, and accepts the resolution, which closes the ticket.
Every page is checked with axe-core."""

import re

import pytest
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.urls import reverse
from playwright.sync_api import expect

from ecrm.models import CannedReply, Ticket, TicketCopy, TicketState
from ecrm.tests.factories import ecrm_agent, ecrm_user, ticket_submitted
from reference.services import catalog_load

pytestmark = pytest.mark.django_db(transaction=True)

CANNED = "Your fax number is updated in our records."


def test_an_agent_answers_and_resolves_a_ticket_the_reporter_then_accepts(
    page, live_url, audit, sign_in, settings, tmp_path
):
    settings.ECRM_ATTACHMENT_ROOT = tmp_path / "attachments"
    catalog_load()
    call_command("loaddata", "ecrm_catalog", verbosity=0)
    reporter = ecrm_user(user__first_name="Maria", user__last_name="Johnson")
    ticket = ticket_submitted(reporter, short_description="Wrong fax number populates during case build.")
    for colleague in (ecrm_user(), ecrm_user()):  # copied on the ticket (ECRM-8): the comment is emailed to them too
        TicketCopy.objects.create(ticket=ticket, user=colleague)
    agent = ecrm_agent(username="wendy.agent")
    agent.user_permissions.add(Permission.objects.get(content_type__app_label="ecrm", codename="change_ticket"))
    Ticket.objects.filter(pk=ticket.pk).update(assigned_to=agent)
    CannedReply.objects.create(title="Fax updated", body=CANNED)

    sign_in(agent)
    audit.check()
    page.goto(live_url + reverse("admin:ecrm_ticket_changelist") + "?assigned=me")
    audit.check()
    page.get_by_role("link", name=ticket.number).click()
    expect(page.get_by_role("heading", name="Work this ticket")).to_be_visible()
    audit.check()

    page.get_by_label("Canned reply").select_option(label="Fax updated")
    expect(page.get_by_label("Message")).to_have_value(CANNED)
    page.get_by_label("Add Attachments").set_input_files(
        [{"name": "fax-confirmation.txt", "mimeType": "text/plain", "buffer": b"Fax 860-555-0199 on file"}]
    )
    page.get_by_role("button", name="Post").click()
    expect(page.get_by_text("Comment posted and emailed to the reporter and 2 copied colleagues.")).to_be_visible()
    audit.check()
    page.get_by_label("Work note (internal: never shown to the reporter)").check()
    page.get_by_label("Message").fill("Called the provider: the fax line was down.")
    page.get_by_label("Add Attachments").set_input_files(
        [{"name": "call-log.txt", "mimeType": "text/plain", "buffer": b"internal"}]
    )
    page.get_by_role("button", name="Post").click()
    expect(page.get_by_text("Work note added (internal).")).to_be_visible()
    audit.check()
    page.get_by_role("combobox", name=re.compile(r"^Priority")).select_option(label="2 - High")
    page.get_by_role("button", name="Change priority").click()
    audit.check()
    page.get_by_label("New state").select_option(label="Resolved")
    page.get_by_role("button", name="Change state").click()
    expect(page.get_by_text(f"{ticket.number} is Resolved.")).to_be_visible()
    audit.check()

    page.context.clear_cookies()
    sign_in(reporter)
    audit.check()
    page.goto(live_url + reverse("ecrm:ticket_activity", kwargs={"number": ticket.number}))
    audit.check()
    timeline = page.get_by_role("list", name=re.compile(r"^Activity of"))
    expect(timeline).to_contain_text(CANNED)
    expect(timeline).not_to_contain_text("fax line was down")
    expect(timeline.get_by_role("link", name="fax-confirmation.txt")).to_be_visible()
    expect(timeline).not_to_contain_text("call-log.txt")
    expect(timeline).to_contain_text("Priority: 3 - Moderate to 2 - High")
    page.get_by_role("button", name="Accept").click()
    expect(page.get_by_text(f"Thank you: {ticket.number} is Closed.")).to_be_visible()
    audit.check()
    ticket.refresh_from_db()
    assert ticket.state == TicketState.CLOSED
