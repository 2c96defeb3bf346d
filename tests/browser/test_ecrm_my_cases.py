"""ECRM My Cases and a ticket's two views in Chromium, on a desktop and on a 390 px phone (issue 13, item 5):
find the request under My Cases (Open / Closed, a sorted column, the search), open it by its number, read the
agent's comment (never the work note), post a message with an attachment, read Submitted Details and edit the
request while it is New, copying a colleague on it (ECRM-8). Every page is checked with axe and, on both widths,
must not scroll sideways."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from playwright.sync_api import expect

from ecrm import tickets
from ecrm.models import TicketComment, TicketState
from ecrm.tests.factories import ecrm_agent, ecrm_user, ticket_submitted
from reference.services import catalog_load
from tests.browser.test_phone_width import DESKTOP, MEASURE, PHONE

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def checked(page, audit):
    """``checked()``: the page fits its viewport's width, then axe finds nothing."""

    def check():
        page.wait_for_load_state("load")
        found = page.evaluate(MEASURE)
        assert found["scrollWidth"] <= found["innerWidth"], f"{page.url} is too wide: {found}"
        audit.check()

    return check


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_a_reporter_finds_the_request_under_my_cases_and_posts_a_message(
    page, live_url, sign_in, checked, viewport, tmp_path, settings
):
    settings.ECRM_ATTACHMENT_ROOT = tmp_path / "attachments"
    catalog_load()
    call_command("loaddata", "ecrm_catalog", verbosity=0)
    reporter = ecrm_user(user__first_name="Maria", user__last_name="Johnson")
    colleague = ecrm_user(
        organization_name=reporter.ecrm_profile.organization_name, user__first_name="Cora", user__last_name="Pike"
    )
    ticket = ticket_submitted(reporter, short_description="Wrong fax number populates during case build.")
    closed = ticket_submitted(reporter, short_description="Login problem solved")
    tickets.ticket_transition(ticket=closed, to=TicketState.CLOSED)
    agent = ecrm_agent()
    tickets.ticket_comment_add(ticket=ticket, author=agent, body="Provider Please Send the fax cover sheet")
    tickets.ticket_comment_add(ticket=ticket, author=agent, body="Internal: called the provider", work_note=True)
    page.set_viewport_size(viewport)

    sign_in(reporter)
    expect(page).to_have_url(re.compile(r"/ecrm/$"))
    checked()
    page.get_by_role("link", name="My Cases").click()
    expect(page.get_by_role("heading", name="My Cases")).to_be_visible()
    checked()
    table = page.get_by_role("table")
    expect(table).to_contain_text(ticket.number)
    expect(table).not_to_contain_text(closed.number)
    page.get_by_role("link", name=re.compile(r"^Closed \(1\)")).click()
    expect(page.get_by_role("table")).to_contain_text(closed.number)
    checked()
    page.get_by_role("link", name=re.compile(r"^Open \(1\)")).click()
    checked()
    if viewport == DESKTOP:
        page.get_by_role("link", name=re.compile("^Short description")).click()
    else:  # a phone stacks the table and hides its header row: the "Sort by" form does the same
        page.get_by_label("Sort by").select_option(label="Short description, ascending")
        page.get_by_role("button", name="Sort", exact=True).click()
    expect(page).to_have_url(re.compile(r"sort=short_description"))
    expect(page.get_by_role("columnheader", name=re.compile("^Short description"))).to_have_attribute(
        "aria-sort", "ascending"
    )
    checked()
    page.get_by_label("Search within My Cases").fill("fax")
    page.get_by_role("button", name="Search", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("1 case open matching the search")
    checked()

    page.get_by_role("link", name=ticket.number).click()
    expect(page.get_by_role("link", name="Activity")).to_have_attribute("aria-current", "page")
    main = page.get_by_role("main")
    expect(main).to_contain_text("Provider Please Send the fax cover sheet")
    expect(main).not_to_contain_text("called the provider")
    expect(main).to_contain_text(f"{ticket.number} Created")
    checked()
    message = page.get_by_label("Message")
    expect(message).to_have_attribute("placeholder", "Type your message here...")
    message.fill("The fax cover sheet is attached.")
    page.get_by_label("Add Attachments").set_input_files(
        [{"name": "cover-sheet.txt", "mimeType": "text/plain", "buffer": b"Fax 555-555-5555"}]
    )
    page.get_by_role("button", name="Post").click()
    expect(page.get_by_text("Your message has been posted.")).to_be_visible()
    timeline = page.get_by_role("list", name=re.compile("^Activity of"))
    expect(timeline.get_by_role("listitem").first).to_contain_text("The fax cover sheet is attached.")
    expect(timeline.get_by_role("listitem").first).to_contain_text("cover-sheet.txt")
    checked()
    posted = TicketComment.objects.filter(author=reporter).get()
    assert posted.attachments.get().original_name == "cover-sheet.txt"

    page.get_by_role("link", name="Submitted Details").click()
    expect(page.get_by_text("Description of Issue")).to_be_visible()
    expect(page.get_by_text("Are You Contacting Us On Behalf Of An EviCore Contracted Provider")).to_be_visible()
    checked()
    page.get_by_role("link", name=re.compile("^Edit request")).click()
    expect(page.get_by_role("heading", name=f"Edit {ticket.number}")).to_be_visible()
    checked()
    page.get_by_label("Short Description").fill("Wrong fax number for our Hartford office")
    page.get_by_label("Reporter Type").select_option(label="Referring Provider")
    page.get_by_role("radio", name="Yes").check()
    page.get_by_role("group", name=re.compile("^Copy colleagues on this case")).get_by_label("Cora Pike").check()
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_text("Your request has been updated.")).to_be_visible()
    expect(page.get_by_role("main")).to_contain_text("Referring Provider")
    expect(page.get_by_role("main")).to_contain_text("Cora Pike")
    assert list(ticket.copied_colleagues.all()) == [colleague]
    checked()
    page.get_by_role("link", name="Activity").click()
    expect(page.get_by_role("main")).to_contain_text("Changed: Short Description, Reporter Type")
    checked()


def test_a_closed_request_says_it_takes_no_more_messages(page, live_url, sign_in, checked, tmp_path, settings):
    settings.ECRM_ATTACHMENT_ROOT = tmp_path / "attachments"
    catalog_load()
    call_command("loaddata", "ecrm_catalog", verbosity=0)
    reporter = ecrm_user()
    ticket = ticket_submitted(reporter, files=[SimpleUploadedFile("a.txt", b"a")])
    tickets.ticket_transition(ticket=ticket, to=TicketState.CLOSED)
    sign_in(reporter)
    checked()
    page.goto(f"{live_url}/ecrm/tickets/{ticket.number}/activity/")
    expect(page.get_by_text("it takes no more messages")).to_be_visible()
    expect(page.get_by_role("button", name="Post")).to_have_count(0)
    expect(page.get_by_role("link", name=re.compile("^Edit request"))).to_have_count(0)
    checked()
