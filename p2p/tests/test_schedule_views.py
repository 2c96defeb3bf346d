"""The P2P tool's pages after Case Info (P2P-4 to P2P-6): Questions, Schedule, P2P Contact Details, Confirmation,
My P2P Requests and a request's Reschedule and Cancel, through the real services and database."""

import datetime
import zoneinfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import UserFactory
from audit.models import AuditEvent
from cases import services
from cases.models import CaseStatus
from cases.tests.factories import submitted_case, submitter
from p2p import booking
from p2p.draft import SESSION_KEY, Draft, draft_get
from p2p.forms_schedule import hour_label
from p2p.models import P2PRequest, Reservation
from p2p.tests.factories import ReviewerFactory, ReviewerSkillFactory, WorkingHoursFactory
from p2p.tests.notify_world import scheduled_request
from p2p.timefmt import appointment as when
from p2p.timefmt import clock
from p2p.views.requests import REQUESTS_PAGE_SIZE
from p2p.views.schedule import (
    REVIEWERS_SHOWN,
    SLOTS_SHOWN,
    WEEKS_AHEAD,
    chosen_week,
    this_monday,
)
from practices.tests.factories import WorklistAccessFactory

NEW_YORK = "America/New_York"
NY = zoneinfo.ZoneInfo(NEW_YORK)
QUARTER = datetime.timedelta(minutes=15)


def denied(case):
    services.case_transition(case=case, to=CaseStatus.DENIED, reason="Not medically necessary.")
    case.decided_at = timezone.now() - datetime.timedelta(days=1)
    case.save(update_fields=["decided_at"])
    return case


def reviewer_for(program, *, priority=1, name=None, starts=datetime.time(9), ends=datetime.time(17)):
    """A reviewer trained for ``program`` who works every day of the week, ``starts`` to ``ends`` New York time."""
    reviewer = ReviewerFactory(time_zone=NEW_YORK, **({"display_name": name} if name else {}))
    ReviewerSkillFactory(reviewer=reviewer, program=program, priority=priority)
    for weekday in range(7):
        WorkingHoursFactory(reviewer=reviewer, weekday=weekday, starts=starts, ends=ends)
    return reviewer


class World:
    def __init__(self):
        self.user = submitter(UserFactory(time_zone=NEW_YORK, first_name="Maria", last_name="Johnson"))
        self.case = denied(submitted_case(user=self.user))
        self.first = reviewer_for(self.case.program, name="Dr. Rosa Diaz, MD")
        self.other = reviewer_for(self.case.program, priority=2, name="Dr. Sam Okafor, DO")
        self.next_monday = this_monday(NEW_YORK) + datetime.timedelta(weeks=1)

    def at(self, day_offset: int, hour: int, minute: int = 0) -> datetime.datetime:
        """An instant of next week in New York: day 0 is Monday."""
        day = self.next_monday + datetime.timedelta(days=day_offset)
        return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=NY).astimezone(datetime.UTC)


@pytest.fixture
def world(catalog):
    return World()


@pytest.fixture
def client_of(signed_in_client):
    return signed_in_client


def with_draft(client, **fields) -> None:
    session = client.session
    session[SESSION_KEY] = Draft(**fields).__dict__
    session.save()


def in_tool(client_of, world, **fields):
    client = client_of(world.user)
    with_draft(client, case_ids=[world.case.pk], **fields)
    return client


def pick(client, world, *, reviewer=None, starts_at=None):
    reviewer = reviewer or world.first
    starts_at = starts_at or world.at(0, 10)
    return client.post(
        reverse("p2p:schedule"),
        {"reviewer": reviewer.pk, "starts_at": starts_at.isoformat(), "week": world.next_monday.isoformat()},
    )


CONTACT = {
    "requesting_provider_name": "Dr. Jane Doe",
    "contact_person_name": "Office Manager John Doe",
    "contact_person_location": "Provider Office",
    "phone": "(860) 555-0199",
    "phone_ext": "12345",
    "alternate_phone": "",
    "alternate_phone_ext": "",
    "requesting_provider_email": "droffice@example.com",
    "contact_instructions": "Select option 4, ask for Dr. Doe",
}


def book_through_pages(client, world, *, starts_at=None) -> P2PRequest:
    assert pick(client, world, starts_at=starts_at).status_code == 302
    response = client.post(reverse("p2p:contact"), CONTACT)
    assert response.status_code == 302, response.content.decode()[:2000]
    return P2PRequest.objects.get(pk=int(response.url.rstrip("/").split("/")[-2]))


# --- Formats ------------------------------------------------------------------------------------------------------


def test_hours_and_times_read_as_the_seed_prints_them():
    assert [hour_label(hour) for hour in (7, 11, 12, 18)] == [
        "7:00 to 8:00",
        "11:00 to 12:00",
        "12:00 to 1:00",
        "6:00 to 7:00",
    ]
    moment = datetime.datetime(2020, 5, 18, 22, 30, tzinfo=datetime.UTC)
    assert clock(moment, NEW_YORK) == "6:30 pm EDT"
    assert when(moment, NEW_YORK) == "Mon 5/18/20 - 6:30 pm EDT"
    assert (
        when(datetime.datetime(2020, 12, 7, 17, 0, tzinfo=datetime.UTC), "America/Phoenix")
        == "Mon 12/7/20 - 10:00 am MST"
    )


@pytest.mark.parametrize(
    "value",
    ["", "garbage", "2020-01-01", "9999-12-31", "2026-13-45", "0001-01-01", "1" * 500, "2026-02-30", "\x00", None],
)
def test_a_week_that_cannot_be_read_or_is_past_or_too_far_is_this_week(value):
    now = datetime.datetime(2026, 12, 2, 15, 0, tzinfo=datetime.UTC)
    assert chosen_week(value, zone_name=NEW_YORK, now=now) == datetime.date(2026, 11, 30)


def test_a_week_is_its_monday_up_to_the_cap():
    now = datetime.datetime(2026, 12, 2, 15, 0, tzinfo=datetime.UTC)
    assert chosen_week("2026-12-10", zone_name=NEW_YORK, now=now) == datetime.date(2026, 12, 7)
    last = datetime.date(2026, 11, 30) + datetime.timedelta(weeks=WEEKS_AHEAD)
    assert chosen_week(last.isoformat(), zone_name=NEW_YORK, now=now) == last
    beyond = last + datetime.timedelta(weeks=1)
    assert chosen_week(beyond.isoformat(), zone_name=NEW_YORK, now=now) == datetime.date(2026, 11, 30)


# --- Gates --------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["p2p:questions", "p2p:schedule", "p2p:contact"])
def test_without_a_draft_each_step_goes_back_to_new_p2p_request(client_of, world, name):
    response = client_of(world.user).get(reverse(name))
    assert response.status_code == 302 and response.url == reverse("p2p:cases")


@pytest.mark.parametrize("name", ["p2p:questions", "p2p:schedule", "p2p:contact", "p2p:my_requests"])
def test_without_a_time_zone_each_page_asks_for_it_first(client_of, world, name):
    world.user.time_zone = ""
    world.user.save(update_fields=["time_zone"])
    client = in_tool(client_of, world, questions_done=True)
    response = client.get(reverse(name))
    assert response.status_code == 302 and response.url.startswith(reverse("p2p:time_zone"))


def test_the_steps_are_for_signed_in_users(client, world):
    response = client.get(reverse("p2p:questions"))
    assert response.status_code == 302 and reverse("accounts:login") in response.url


def test_a_draft_case_the_user_can_no_longer_view_sends_them_back(client_of, world):
    stranger = submitter(UserFactory(time_zone=NEW_YORK))
    client = client_of(stranger)
    with_draft(client, case_ids=[world.case.pk], questions_done=True)
    for name in ("p2p:questions", "p2p:schedule"):
        response = client.get(reverse(name))
        assert response.status_code == 302 and response.url == reverse("p2p:cases")


def test_an_approved_case_in_the_draft_sends_the_user_back_to_see_why(client_of, world):
    approved = submitted_case(user=world.user, approved=True)
    client = client_of(world.user)
    with_draft(client, case_ids=[world.case.pk, approved.pk])
    response = client.get(reverse("p2p:questions"))
    assert response.status_code == 302 and response.url == reverse("p2p:cases")


def test_the_schedule_waits_for_the_questions(client_of, world):
    response = in_tool(client_of, world).get(reverse("p2p:schedule"))
    assert response.status_code == 302 and response.url == reverse("p2p:questions")


def test_the_contact_details_wait_for_a_held_slot(client_of, world):
    response = in_tool(client_of, world, questions_done=True).get(reverse("p2p:contact"))
    assert response.status_code == 302 and response.url == reverse("p2p:schedule")


# --- Questions ----------------------------------------------------------------------------------------------------


def test_questions_preselect_every_day_and_hour_and_show_the_case_info(client_of, world):
    client = in_tool(client_of, world)
    response = client.get(reverse("p2p:questions"))
    page = response.content.decode()
    assert response.status_code == 200
    for text in (
        "Questions",
        "Please indicate your availability",
        "Preferred Days",
        "Preferred Times",
        "Morning",
        "Afternoon",
        "Time Zone",
        "US/Eastern",
        "Continue &gt;",
        "1st Case",
        "Case #",
        "Episode ID",
        "Member Name",
        "Member DOB",
        "Member State",
        "Health Plan",
        "Member ID",
        "Case Type",
        "Level of Review",
        "Reconsideration P2P",
        world.case.member.full_name,
        world.case.case_number,
    ):
        assert text in page, text
    for day in ("Mon", "Tues", "Wed", "Thurs", "Fri"):
        assert f">{day}</label>" in page
    assert page.count('name="preferred_days"') == 5 and page.count('name="preferred_hours"') == 12
    assert page.count("checked") == 17
    assert "7:00 to 8:00" in page and "6:00 to 7:00" in page
    assert f'href="{reverse("p2p:time_zone")}?next=/p2p/questions/"' in page  # Change, then back here
    assert AuditEvent.objects.filter(action="p2p.cases_viewed", actor=world.user).exists()


def test_questions_need_a_day_and_a_time(client_of, world):
    client = in_tool(client_of, world)
    response = client.post(reverse("p2p:questions"), {})
    page = response.content.decode()
    assert response.status_code == 400
    assert "There is a problem" in page
    assert "Select at least one preferred day." in page and "Select at least one preferred time." in page
    assert not draft_get_of(client).questions_done


def test_questions_refuse_a_day_or_hour_that_is_not_offered(client_of, world):
    client = in_tool(client_of, world)
    response = client.post(reverse("p2p:questions"), {"preferred_days": ["5"], "preferred_hours": ["3"]})
    assert response.status_code == 400
    assert not draft_get_of(client).questions_done


def draft_get_of(client) -> Draft:
    return Draft(**client.session[SESSION_KEY])


def test_a_deselected_day_is_kept_and_leads_to_the_schedule(client_of, world):
    client = in_tool(client_of, world)
    days, hours = ["0", "1", "2", "3"], [str(hour) for hour in range(7, 19)]
    response = client.post(reverse("p2p:questions"), {"preferred_days": days, "preferred_hours": hours})
    assert response.status_code == 302 and response.url == reverse("p2p:schedule")
    draft = draft_get_of(client)
    assert draft.preferred_days == [0, 1, 2, 3] and draft.questions_done
    again = client.get(reverse("p2p:questions")).content.decode()
    assert again.count("checked") == 16


# --- Schedule -----------------------------------------------------------------------------------------------------


def test_the_schedule_lists_first_priority_then_other_reviewers_with_their_times(client_of, world):
    client = in_tool(client_of, world, questions_done=True, preferred_days=[0, 1, 2, 3])
    response = client.get(reverse("p2p:schedule"), {"week": world.next_monday.isoformat()})
    page = response.content.decode()
    assert response.status_code == 200
    assert "The list of physicians returned are all trained and prepared to have a Peer to Peer discussion" in page
    assert "(Upcoming week)" in page and "Prev Week" in page and "Next Week" in page
    assert "on your preferred days (Mon, Tues, Wed, Thurs) and times (7:00 am to 7:00 pm)" in page
    monday = world.next_monday
    sunday = monday + datetime.timedelta(days=6)
    assert f"{monday.month}/{monday.day}/{monday.year} - {sunday.month}/{sunday.day}/{sunday.year}" in page
    assert page.index("1st Priority by Skill") < page.index("Other reviewers")
    assert page.index("Dr. Rosa Diaz, MD") < page.index("Dr. Sam Okafor, DO")
    assert f"Mon {monday.month}/{monday.day}/{monday:%y}" in page
    assert ">9:00 am E" in page  # 9:00 am EDT or EST, whichever is in force that week
    # Four times a day are shown, then "Show more..."; Friday was deselected, so it has none.
    assert page.count('name="starts_at"') == 2 * 4 * SLOTS_SHOWN
    assert "Show more..." in page
    friday = monday + datetime.timedelta(days=4)
    assert world.at(4, 9).isoformat() not in page
    assert f"more={world.first.pk}-{friday.isoformat()}" not in page


def test_the_first_reviewers_are_listed_then_show_more_reviewers_adds_the_next(client_of, world):
    extra = [
        reviewer_for(world.case.program, priority=2, name=f"Dr. Zed {number:02d}, MD", starts=datetime.time(13))
        for number in range(REVIEWERS_SHOWN)
    ]
    client = in_tool(client_of, world, questions_done=True)
    week = world.next_monday.isoformat()
    listed = client.get(reverse("p2p:schedule"), {"week": week}).content.decode()
    assert listed.count('name="reviewer"') == REVIEWERS_SHOWN
    # Dr. Rosa Diaz first (1st priority), then the others by name: Dr. Sam Okafor, Dr. Zed 00 to 07.
    assert "Dr. Zed 07, MD" in listed and "Dr. Zed 08, MD" not in listed
    assert f'href="?week={week}&amp;reviewers={2 * REVIEWERS_SHOWN}#reviewer-{extra[8].pk}"' in listed
    assert "Show more reviewers" in listed and "with open times this week" in listed

    everyone = client.get(reverse("p2p:schedule"), {"week": week, "reviewers": 2 * REVIEWERS_SHOWN}).content.decode()
    assert everyone.count('name="reviewer"') == REVIEWERS_SHOWN + 2 and "Show more reviewers" not in everyone
    # Show more... on the last reviewer's day keeps them listed; a bad count is the first page.
    day = f"{extra[-1].pk}-{world.next_monday}"
    expanded = client.get(reverse("p2p:schedule"), {"week": week, "more": day}).content.decode()
    assert "Dr. Zed 09, MD" in expanded
    huge = client.get(reverse("p2p:schedule"), {"week": week, "reviewers": "99999999999999999999"})
    assert huge.content.decode().count('name="reviewer"') == REVIEWERS_SHOWN + 2  # every reviewer, no more
    for bad in ("abc", "-5", "1e3", ""):
        page = client.get(reverse("p2p:schedule"), {"week": week, "reviewers": bad})
        assert page.status_code == 200 and page.content.decode().count('name="reviewer"') == REVIEWERS_SHOWN
    # A reviewer further down the list can still be picked.
    assert pick(client, world, reviewer=extra[-1], starts_at=world.at(0, 13)).status_code == 302


def test_show_more_lists_every_time_of_that_day_without_javascript(client_of, world):
    client = in_tool(client_of, world, questions_done=True)
    day = world.next_monday
    response = client.get(reverse("p2p:schedule"), {"week": day.isoformat(), "more": f"{world.first.pk}-{day}"})
    page = response.content.decode()
    assert response.status_code == 200
    assert world.at(0, 16, 45).isoformat() in page  # the last slot of Monday, 4:45 pm
    assert world.at(1, 16, 45).isoformat() not in page  # Tuesday keeps its first four


@pytest.mark.parametrize(
    "params",
    [
        {"week": "garbage"},
        {"week": "1999-01-01"},
        {"week": "9999-99-99"},
        {"more": "x-y"},
        {"more": "1-2026-99-99"},
        {"more": "99999999999999999999-2026-01-01"},
        {"week": "2026-12-07", "more": ""},
    ],
)
def test_fuzzed_week_and_more_parameters_show_a_week_never_an_error(client_of, world, params):
    client = in_tool(client_of, world, questions_done=True)
    response = client.get(reverse("p2p:schedule"), params)
    assert response.status_code == 200
    assert "(Current week)" in response.content.decode() or "(Upcoming week)" in response.content.decode()


def test_the_current_week_offers_no_previous_week(client_of, world):
    client = in_tool(client_of, world, questions_done=True)
    page = client.get(reverse("p2p:schedule")).content.decode()
    assert "(Current week)" in page
    assert "?week=" + (world.next_monday - datetime.timedelta(weeks=2)).isoformat() not in page
    assert f'href="?week={world.next_monday.isoformat()}"' in page


def test_picking_a_time_holds_it_and_opens_the_contact_details(client_of, world):
    client = in_tool(client_of, world, questions_done=True)
    response = pick(client, world)
    assert response.status_code == 302 and response.url == reverse("p2p:contact")
    hold = Reservation.objects.get(held_by=world.user)
    assert hold.state == Reservation.State.HELD and hold.starts_at == world.at(0, 10)
    assert draft_get_of(client).reservation_id == hold.pk


def test_a_time_someone_else_holds_is_refused_with_fresh_times(client_of, world):
    other = submitter(UserFactory(time_zone=NEW_YORK))
    taken = world.at(0, 9, 15)
    booking.hold_slot(user=other, reviewer=world.first, starts_at=taken)
    client = in_tool(client_of, world, questions_done=True)
    response = pick(client, world, starts_at=taken)
    page = response.content.decode()
    assert response.status_code == 409
    assert "There is a problem" in page and booking.TAKEN in page
    assert page.index("There is a problem") < page.index("1st Priority by Skill")
    # The fresh times of that week: 9:15 is gone, Monday's first four are now 9:00, 9:30, 9:45, 10:00.
    first_reviewer = page[page.index("1st Priority by Skill") : page.index("Other reviewers")]
    assert taken.isoformat() not in first_reviewer
    assert world.at(0, 10).isoformat() in first_reviewer
    assert not Reservation.objects.filter(held_by=world.user).exists()


@pytest.mark.parametrize(
    "data",
    [
        {"reviewer": "abc", "starts_at": "2026-01-01T10:00:00+00:00"},
        {"reviewer": "1", "starts_at": "not a time"},
        {"reviewer": "1", "starts_at": "2030-01-01T10:00:00"},  # no zone
        {},
    ],
)
def test_a_garbled_pick_is_not_open(client_of, world, data):
    client = in_tool(client_of, world, questions_done=True)
    response = client.post(reverse("p2p:schedule"), data)
    assert response.status_code == 400 and "That time is not open any more." in response.content.decode()


def test_a_time_that_is_no_slot_is_not_open(client_of, world):
    client = in_tool(client_of, world, questions_done=True)
    assert "That time is not open any more." in pick(client, world, starts_at=world.at(0, 10, 7)).content.decode()
    assert "That time is not open any more." in pick(client, world, starts_at=world.at(0, 20)).content.decode()
    untrained = ReviewerFactory()
    response = pick(client, world, reviewer=untrained)
    assert response.status_code == 409 and "That time is not open any more." in response.content.decode()
    assert not Reservation.objects.filter(held_by=world.user).exists()


# --- P2P Contact Details, Confirmation ------------------------------------------------------------------------------


def test_contact_details_are_prefilled_and_show_the_held_time(client_of, world):
    client = in_tool(client_of, world, questions_done=True)
    pick(client, world)
    response = client.get(reverse("p2p:contact"))
    page = response.content.decode()
    assert response.status_code == 200
    for label in (
        "P2P Info",
        "P2P Contact Details",
        "Name of Provider Requesting P2P",
        "Contact Person Name",
        "Contact Person Location",
        "Phone Number for P2P",
        "Phone Ext.",
        "Alternate Phone",
        "Requesting Provider Email",
        "Contact Instructions",
        "Submit &gt;",
    ):
        assert label in page, label
    assert world.case.contact_provider_name in page and "(860) 666-1234" in page and "office@example.com" in page
    assert "Maria Johnson" in page
    assert when(world.at(0, 10), NEW_YORK) in page
    hold = Reservation.objects.get(held_by=world.user)
    assert f"held for you until {clock(hold.held_until, NEW_YORK)}" in page


def test_contact_details_need_a_name_and_a_us_phone(client_of, world):
    client = in_tool(client_of, world, questions_done=True)
    pick(client, world)
    data = {**CONTACT, "requesting_provider_name": "", "phone": "123", "phone_ext": "12a", "alternate_phone_ext": "9"}
    response = client.post(reverse("p2p:contact"), data)
    page = response.content.decode()
    assert response.status_code == 400 and "There is a problem" in page
    assert "Enter the name of the provider requesting the P2P." in page
    assert "Enter a 10-digit US number" in page
    assert "Enter the extension as digits" in page
    assert "Enter the alternate phone number, or clear its extension." in page
    assert not P2PRequest.objects.exists()


def test_submit_books_the_time_and_shows_it_scheduled(client_of, world):
    client = in_tool(client_of, world, questions_done=True, preferred_days=[0, 1, 2, 3])
    p2p_request = book_through_pages(client, world)
    assert p2p_request.status == P2PRequest.Status.SCHEDULED and p2p_request.requested_by == world.user
    assert p2p_request.starts_at == world.at(0, 10) and p2p_request.reviewer == world.first
    assert p2p_request.phone == "8605550199" and p2p_request.preferred_days == [0, 1, 2, 3]
    assert [row.case for row in p2p_request.request_cases.all()] == [world.case]
    assert p2p_request.request_cases.get().level_of_review == "Reconsideration P2P"
    assert SESSION_KEY not in client.session
    page = client.get(reverse("p2p:confirmation", args=[p2p_request.pk])).content.decode()
    assert "Scheduling" in page and "SCHEDULED" in page
    assert when(world.at(0, 10), NEW_YORK) in page and "Dr. Rosa Diaz, MD" in page and "Dr. Jane Doe" in page
    assert world.case.case_number in page and "My P2P Requests" in page


def test_a_hold_that_lapsed_while_someone_else_took_the_time_sends_the_user_back(client_of, world):
    client = in_tool(client_of, world, questions_done=True)
    pick(client, world)
    Reservation.objects.filter(held_by=world.user).update(
        state=Reservation.State.RELEASED, held_until=timezone.now() - datetime.timedelta(minutes=1)
    )
    other = submitter(UserFactory(time_zone=NEW_YORK))
    booking.hold_slot(user=other, reviewer=world.first, starts_at=world.at(0, 10))
    response = client.post(reverse("p2p:contact"), CONTACT)
    assert response.status_code == 302 and response.url == reverse("p2p:schedule")
    page = client.get(reverse("p2p:schedule"), {"week": world.next_monday.isoformat()}).content.decode()
    assert booking.TAKEN in page and "There is a problem" in page
    assert not P2PRequest.objects.exists()
    assert draft_get_of(client).reservation_id is None


def test_a_lapsed_hold_whose_time_is_free_is_booked_all_the_same(client_of, world):
    client = in_tool(client_of, world, questions_done=True)
    pick(client, world)
    Reservation.objects.filter(held_by=world.user).update(held_until=timezone.now() - datetime.timedelta(minutes=1))
    response = client.post(reverse("p2p:contact"), CONTACT)
    assert response.status_code == 302
    assert P2PRequest.objects.get().starts_at == world.at(0, 10)


def test_a_request_is_not_found_for_a_user_who_may_not_view_it(client_of, world):
    p2p_request = book_through_pages(in_tool(client_of, world, questions_done=True), world)
    stranger = client_of(submitter(UserFactory(time_zone=NEW_YORK)))
    for name in ("p2p:confirmation", "p2p:request_detail", "p2p:cancel"):
        assert stranger.get(reverse(name, args=[p2p_request.pk])).status_code == 404
    assert stranger.post(reverse("p2p:reschedule", args=[p2p_request.pk])).status_code == 404
    assert stranger.get(reverse("p2p:request_detail", args=[999999])).status_code == 404


# --- My P2P Requests, Reschedule, Cancel -------------------------------------------------------------------------


def test_my_p2p_requests_lists_mine_and_those_of_cases_i_may_view_newest_first(client_of, world):
    client = in_tool(client_of, world, questions_done=True)
    first = book_through_pages(client, world)
    with_draft(client, case_ids=[world.case.pk], questions_done=True)
    # Another P2P about the same case is refused while one is scheduled: book one for a second case instead.
    second_case = denied(submitted_case(user=world.user))
    with_draft(client, case_ids=[second_case.pk], questions_done=True)
    second = book_through_pages(client, world, starts_at=world.at(1, 11))
    stranger = submitter(UserFactory(time_zone=NEW_YORK))
    hidden_case = denied(submitted_case(user=stranger))
    stranger_client = client_of(stranger)
    with_draft(stranger_client, case_ids=[hidden_case.pk], questions_done=True)
    hidden = book_through_pages(stranger_client, world, starts_at=world.at(2, 11))
    page = client.get(reverse("p2p:my_requests")).content.decode()
    assert "My P2P Requests" in page
    assert page.index(second.number) < page.index(first.number)
    assert hidden.number not in page
    assert when(world.at(1, 11), NEW_YORK) in page and "Scheduled" in page and second_case.case_number in page
    # A user given access to the worklist sees the requests about its cases, and may not change them.
    delegate = UserFactory(time_zone=NEW_YORK)
    WorklistAccessFactory(owner=world.user, grantee=delegate)
    delegate_client = client_of(delegate)
    listed = delegate_client.get(reverse("p2p:my_requests")).content.decode()
    assert first.number in listed and second.number in listed and hidden.number not in listed
    detail = delegate_client.get(reverse("p2p:request_detail", args=[first.pk])).content.decode()
    assert "Actions" not in detail
    assert delegate_client.get(reverse("p2p:cancel", args=[first.pk])).status_code == 403
    assert delegate_client.post(reverse("p2p:reschedule", args=[first.pk])).status_code == 403


def test_my_p2p_requests_pages_through_many(client_of, world):
    client = client_of(world.user)
    assert "No P2P requests yet." in client.get(reverse("p2p:my_requests")).content.decode()
    made = [
        scheduled_request(cases=[world.case], reviewer=world.first, starts_at=world.at(0, 9) + index * QUARTER)
        for index in range(REQUESTS_PAGE_SIZE + 1)
    ]
    first_page = client.get(reverse("p2p:my_requests")).content.decode()
    assert made[-1].number in first_page and made[0].number not in first_page
    assert "Page 1 of 2" in first_page
    second_page = client.get(reverse("p2p:my_requests"), {"page": "2"}).content.decode()
    assert made[0].number in second_page and made[-1].number not in second_page
    assert client.get(reverse("p2p:my_requests"), {"page": "garbage"}).status_code == 200


def test_reschedule_moves_the_request_to_a_new_time(client_of, world):
    client = in_tool(client_of, world, questions_done=True)
    p2p_request = book_through_pages(client, world)
    detail = client.get(reverse("p2p:request_detail", args=[p2p_request.pk])).content.decode()
    assert "Actions" in detail and "Reschedule" in detail and "Cancel" in detail
    response = client.post(reverse("p2p:reschedule", args=[p2p_request.pk]))
    assert response.status_code == 302 and response.url == reverse("p2p:schedule")
    draft = draft_get_of(client)
    assert draft.rescheduling_request_id == p2p_request.pk and draft.case_ids == [world.case.pk]
    schedule_page = client.get(reverse("p2p:schedule"), {"week": world.next_monday.isoformat()}).content.decode()
    assert "Reschedule" in schedule_page
    assert pick(client, world, reviewer=world.other, starts_at=world.at(2, 14)).status_code == 302
    contact = client.get(reverse("p2p:contact")).content.decode()
    assert "Dr. Jane Doe" in contact and 'name="phone"' not in contact
    response = client.post(reverse("p2p:contact"), {})
    assert response.status_code == 302 and response.url == reverse("p2p:confirmation", args=[p2p_request.pk])
    p2p_request.refresh_from_db()
    assert p2p_request.starts_at == world.at(2, 14) and p2p_request.reviewer == world.other
    assert p2p_request.sequence == 1 and P2PRequest.objects.count() == 1
    assert SESSION_KEY not in client.session


def test_cancel_needs_a_reason_and_releases_the_time(client_of, world):
    client = in_tool(client_of, world, questions_done=True)
    p2p_request = book_through_pages(client, world)
    page = client.get(reverse("p2p:cancel", args=[p2p_request.pk])).content.decode()
    assert "Cancellation reason" in page
    response = client.post(reverse("p2p:cancel", args=[p2p_request.pk]), {"reason": "   "})
    assert response.status_code == 400
    assert "Enter the reason for cancelling the P2P." in response.content.decode()
    response = client.post(reverse("p2p:cancel", args=[p2p_request.pk]), {"reason": "The patient chose surgery."})
    assert response.status_code == 302 and response.url == reverse("p2p:request_detail", args=[p2p_request.pk])
    p2p_request.refresh_from_db()
    assert p2p_request.status == P2PRequest.Status.CANCELLED
    assert p2p_request.cancel_reason == "The patient chose surgery." and p2p_request.sequence == 1
    assert not Reservation.objects.filter(request=p2p_request, state=Reservation.State.BOOKED).exists()
    detail = client.get(reverse("p2p:request_detail", args=[p2p_request.pk])).content.decode()
    assert "CANCELLED" in detail and "Actions" not in detail and "The patient chose surgery." in detail
    assert client.get(reverse("p2p:cancel", args=[p2p_request.pk])).status_code == 403
    assert client.post(reverse("p2p:reschedule", args=[p2p_request.pk])).status_code == 403


def test_a_call_that_has_started_offers_no_actions(client_of, world):
    client = in_tool(client_of, world, questions_done=True)
    p2p_request = book_through_pages(client, world)
    P2PRequest.objects.filter(pk=p2p_request.pk).update(
        starts_at=timezone.now() - datetime.timedelta(minutes=5),
        ends_at=timezone.now() + datetime.timedelta(minutes=10),
    )
    detail = client.get(reverse("p2p:request_detail", args=[p2p_request.pk])).content.decode()
    assert "Actions" not in detail
    assert client.get(reverse("p2p:cancel", args=[p2p_request.pk])).status_code == 403


def test_the_draft_keeps_no_phi(client_of, world):
    client = in_tool(client_of, world, questions_done=True)
    pick(client, world)
    stored = str(client.session[SESSION_KEY])
    assert world.case.case_number not in stored and world.case.member.last_name not in stored
    assert draft_get(type("R", (), {"session": client.session})()) is not None


def test_a_lapsed_hold_says_so_on_the_contact_details(client_of, world):
    client = in_tool(client_of, world, questions_done=True)
    pick(client, world)
    Reservation.objects.filter(held_by=world.user).update(held_until=timezone.now() - datetime.timedelta(minutes=1))
    page = client.get(reverse("p2p:contact")).content.decode()
    assert "hold of this time has ended: submit now to book it if it is still free" in page
    assert "held for you until" not in page


def _queries(client, url, params=None) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, params or {}).status_code == 200
    return len(queries)


def test_my_p2p_requests_reads_a_fixed_number_of_queries_whatever_the_rows(client_of, world):
    client = client_of(world.user)
    scheduled_request(cases=[world.case], reviewer=world.first, starts_at=world.at(0, 9))
    few = _queries(client, reverse("p2p:my_requests"))
    for index in range(1, 6):
        other_case = denied(submitted_case(user=world.user))
        scheduled_request(
            cases=[world.case, other_case], reviewer=world.other, starts_at=world.at(1, 9) + index * QUARTER
        )
    assert _queries(client, reverse("p2p:my_requests")) == few


def test_the_schedule_reads_a_fixed_number_of_queries_whatever_the_reviewers(client_of, world):
    client = in_tool(client_of, world, questions_done=True)
    params = {"week": world.next_monday.isoformat()}
    two = _queries(client, reverse("p2p:schedule"), params)
    for _ in range(4):
        reviewer_for(world.case.program, priority=2)
    assert _queries(client, reverse("p2p:schedule"), params) == two
