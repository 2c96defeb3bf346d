"""The P2P scheduling tool end to end in the browser (P2P-1 to P2P-6, issue 14): from a denied case's page the provider
checks P2P AVAILABILITY, requests a consultation, confirms a time zone, adds a second case, deselects a day, picks a
slot, enters the contact details and sees SCHEDULED; then reschedules it (through "Show more...") and cancels it from
My P2P Requests. My P2P Requests also at a 390 px phone width. axe on every page."""

import datetime
import re
import zoneinfo

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.tests.factories import UserFactory
from cases import services
from cases.models import CaseStatus
from cases.tests.factories import submitted_case, submitter
from p2p.models import P2PRequest
from p2p.slots import week_start
from p2p.tests.factories import ReviewerFactory, ReviewerSkillFactory, WorkingHoursFactory
from p2p.timefmt import appointment
from reference.services import catalog_load
from tests.browser.test_case_build import heading

pytestmark = pytest.mark.django_db(transaction=True)

EASTERN = "America/New_York"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 720}


def denied_case(provider):
    case = submitted_case(user=provider)
    services.case_transition(case=case, to=CaseStatus.DENIED, reason="Homebound status is not documented.")
    case.decided_at = timezone.now() - datetime.timedelta(days=1)
    case.save(update_fields=["decided_at"])
    return case


def reviewers_for(program):
    """Two reviewers trained for ``program`` (the 1st priority and another) who work 9 to 5 Eastern every day."""
    first = ReviewerFactory(display_name="Dr. Rosa Diaz, MD", time_zone=EASTERN)
    other = ReviewerFactory(display_name="Dr. Sam Okafor, DO", time_zone=EASTERN)
    for reviewer, priority in ((first, 1), (other, 2)):
        ReviewerSkillFactory(reviewer=reviewer, program=program, priority=priority)
        for weekday in range(7):
            WorkingHoursFactory(reviewer=reviewer, weekday=weekday, starts=datetime.time(9), ends=datetime.time(17))
    return first, other


def next_week_at(day_offset: int, hour: int, minute: int) -> datetime.datetime:
    tz = zoneinfo.ZoneInfo(EASTERN)
    monday = week_start(timezone.now().astimezone(tz).date()) + datetime.timedelta(weeks=1)
    day = monday + datetime.timedelta(days=day_offset)
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=tz)


def _fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_a_provider_books_reschedules_and_cancels_a_p2p_for_two_denied_cases(page, live_url, audit, sign_in):
    catalog_load()
    provider = submitter(UserFactory(first_name="Maria", last_name="Johnson"))
    case, second = denied_case(provider), denied_case(provider)
    reviewers_for(case.program)
    sign_in(provider)
    audit.check()

    # The denied case's page: P2P AVAILABILITY, then "Request Peer to Peer Consultation".
    page.goto(f"{live_url}/cases/{case.request_id}/case/")
    audit.check()
    page.get_by_role("button", name="P2P AVAILABILITY").click()
    section = page.locator("#p2p-availability")
    expect(section).to_contain_text("Reconsideration P2P")
    audit.check()
    section.get_by_role("link", name="Request Peer to Peer Consultation", exact=True).click()

    # First visit: confirm the default time zone.
    expect(page.get_by_role("heading", name="Confirm your default time zone")).to_be_visible()
    audit.check()
    page.get_by_label("US/Eastern").check()
    page.get_by_role("button", name="Confirm").click()

    # New P2P Request: the case is there; add the second one by its number and the member's date of birth.
    expect(heading(page, "New P2P Request")).to_be_visible()
    audit.check()
    page.get_by_role("button", name="+ Add Another Case").click()
    audit.check()
    page.get_by_label("Case Reference Number").fill(second.case_number)
    page.get_by_label("Member Date of Birth").fill(second.member.date_of_birth.strftime("%m/%d/%Y"))
    page.get_by_role("button", name="Lookup Cases >").click()
    expect(page.get_by_role("heading", name=f"Case Ref #: {second.case_number}")).to_be_visible()
    audit.check()
    page.set_viewport_size(PHONE)  # the cases' key/value tables fit a phone
    assert _fits(page)
    page.set_viewport_size(DESKTOP)
    page.get_by_role("button", name="Continue", exact=True).click()

    # Questions: every day and hour selected; Friday deselected.
    expect(heading(page, "Questions")).to_be_visible()
    expect(page.get_by_text("Please indicate your availability")).to_be_visible()
    main = page.get_by_role("main")
    expect(main).to_contain_text("1st Case")
    expect(main).to_contain_text("2nd Case")
    expect(main).to_contain_text(second.member.full_name)
    audit.check()
    expect(page.get_by_label("Fri", exact=True)).to_be_checked()
    expect(page.get_by_label("6:00 to 7:00 (afternoon)")).to_be_checked()
    page.get_by_label("Fri", exact=True).press("Space")  # the keyboard deselects as a click does
    expect(page.get_by_label("Fri", exact=True)).not_to_be_checked()
    page.get_by_role("button", name="Continue >").click()

    # Schedule: next week, the 1st priority reviewer first; Friday has no times.
    expect(heading(page, "Schedule")).to_be_visible()
    expect(page.get_by_text("The list of physicians returned are all trained and prepared")).to_be_visible()
    audit.check()
    page.get_by_role("link", name="Next Week →").click()
    expect(page.get_by_role("heading", name=re.compile(r"\(Upcoming week\)"))).to_be_visible()
    audit.check()
    first_table = page.locator("section.p2p-reviewer").first
    expect(first_table).to_contain_text("1st Priority by Skill")
    expect(first_table).to_contain_text("Dr. Rosa Diaz, MD")
    expect(page.get_by_role("heading", name=re.compile("Other reviewers"))).to_be_visible()
    expect(first_table.get_by_role("button", name=re.compile(r"^Fri "))).to_have_count(0)
    booked_at = next_week_at(1, 9, 30)
    first_table.get_by_role("button", name=re.compile(r"^Tue .*, 9:30 am E[SD]T$")).click()

    # P2P Contact Details: prefilled from the case; the held time is shown.
    expect(heading(page, "P2P Contact Details")).to_be_visible()
    expect(page.get_by_text(appointment(booked_at, EASTERN))).to_be_visible()
    expect(page.get_by_text(re.compile(r"held for you until \d{1,2}:\d\d [ap]m"))).to_be_visible()
    audit.check()
    page.get_by_label("Name of Provider Requesting P2P").fill("Dr. Jane Doe")
    page.get_by_label("Contact Person Name").fill("Office Manager John Doe")
    page.get_by_label("Contact Person Location").fill("Provider Office")
    page.get_by_label("Phone Number for P2P").fill("555-55")
    page.get_by_role("button", name="Submit >").click()
    expect(page.get_by_role("alert")).to_contain_text("Enter a 10-digit US number")
    audit.check()
    page.get_by_label("Phone Number for P2P").fill("(555) 555-5555")
    page.get_by_label("Phone Ext.").first.fill("12345")
    page.get_by_label("Contact Instructions").fill("Select option 4, ask for Dr. Doe")
    page.get_by_role("button", name="Submit >").click()

    # Scheduling: SCHEDULED and the time in the user's zone.
    expect(heading(page, "Scheduling")).to_be_visible()
    expect(page.get_by_text("SCHEDULED", exact=True)).to_be_visible()
    expect(page.get_by_text(appointment(booked_at, EASTERN))).to_be_visible()
    audit.check()
    p2p_request = P2PRequest.objects.get()
    assert [row.case for row in p2p_request.request_cases.all()] == [case, second]
    assert p2p_request.preferred_days == [0, 1, 2, 3] and p2p_request.phone == "5555555555"

    # My P2P Requests -> the request -> Actions -> Reschedule, to Monday 4:00 pm (under "Show more...").
    tool_menu = page.get_by_role("navigation", name="Peer-to-Peer (P2P) Scheduling Tool")
    tool_menu.get_by_role("link", name="My P2P Requests").click()
    expect(heading(page, "My P2P Requests")).to_be_visible()
    audit.check()
    page.get_by_role("link", name=p2p_request.number).click()
    expect(heading(page, f"P2P Request {p2p_request.number}")).to_be_visible()
    audit.check()
    page.get_by_text("Actions", exact=True).click()
    page.get_by_role("button", name="Reschedule").click()
    expect(heading(page, "Reschedule: pick a new time")).to_be_visible()
    audit.check()
    page.set_viewport_size(PHONE)  # the week's table scrolls in its own box, the page does not widen
    assert _fits(page)
    audit.check()
    page.set_viewport_size(DESKTOP)
    page.get_by_role("link", name="Next Week →").click()
    audit.check()
    first_table = page.locator("section.p2p-reviewer").first
    first_table.get_by_role("link", name=re.compile(r"^Show more\.\.\. \d+ more on Mon ")).click()
    audit.check()
    moved_at = next_week_at(0, 16, 0)
    page.locator("section.p2p-reviewer").first.get_by_role(
        "button", name=re.compile(r"^Mon .*, 4:00 pm E[SD]T$")
    ).click()
    expect(heading(page, "P2P Contact Details")).to_be_visible()
    expect(page.get_by_text(appointment(moved_at, EASTERN))).to_be_visible()
    audit.check()
    page.get_by_role("button", name="Submit >").click()
    expect(heading(page, "Scheduling")).to_be_visible()
    expect(page.get_by_text(appointment(moved_at, EASTERN))).to_be_visible()
    audit.check()
    p2p_request.refresh_from_db()
    assert p2p_request.sequence == 1 and p2p_request.status == P2PRequest.Status.SCHEDULED

    # Then cancel it from My P2P Requests, with a reason (at a phone's width).
    page.set_viewport_size(PHONE)
    tool_menu.get_by_role("link", name="My P2P Requests").click()
    expect(heading(page, "My P2P Requests")).to_be_visible()
    audit.check()
    assert _fits(page)
    page.get_by_role("link", name=p2p_request.number).click()
    audit.check()
    page.get_by_text("Actions", exact=True).click()
    page.get_by_role("link", name="Cancel this P2P").click()
    expect(heading(page, f"Cancel P2P Request {p2p_request.number}")).to_be_visible()
    audit.check()
    assert _fits(page)
    page.get_by_role("button", name="Cancel the P2P").click()
    expect(page.get_by_role("alert")).to_contain_text("Enter the reason for cancelling the P2P.")
    audit.check()
    page.get_by_label("Cancellation reason").fill("The member chose another treatment.")
    page.get_by_role("button", name="Cancel the P2P").click()
    expect(page.get_by_text(f"P2P request {p2p_request.number} was cancelled.")).to_be_visible()
    expect(page.get_by_text("CANCELLED", exact=True)).to_be_visible()
    expect(page.get_by_text("Actions", exact=True)).to_have_count(0)
    audit.check()
    assert _fits(page)
    p2p_request.refresh_from_db()
    assert p2p_request.status == P2PRequest.Status.CANCELLED
