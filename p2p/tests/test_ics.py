"""The invitation (P2P-7): one UID for the appointment's whole life, SEQUENCE rising on each change, METHOD CANCEL
on the cancellation, times in UTC, and no member name or date of birth in it; parsed back with icalendar."""

import datetime

import pytest
from icalendar import Calendar

from cases.tests.factories import submitted_case
from p2p import ics
from p2p.tests.notify_world import cancel, move, scheduled_request

pytestmark = pytest.mark.django_db

MAY_18_630_PM_EDT = datetime.datetime(2026, 5, 18, 22, 30, tzinfo=datetime.UTC)


def event_of(data: bytes):
    calendar = Calendar.from_ical(data)
    [event] = calendar.walk("VEVENT")
    return calendar, event


@pytest.fixture
def p2p_request(catalog, settings):
    settings.PORTAL_URL = "https://portal.example.org"
    return scheduled_request(cases=[submitted_case()], starts_at=MAY_18_630_PM_EDT)


def test_the_invitation_is_a_request_for_the_booked_time_in_utc(p2p_request):
    calendar, event = event_of(ics.invitation(p2p_request))
    assert calendar["METHOD"] == "REQUEST"
    assert calendar["PRODID"] == ics.PRODID
    assert str(event["UID"]) == f"{p2p_request.uid}@portal.example.org"
    assert event["SEQUENCE"] == 0
    assert event.decoded("DTSTART") == MAY_18_630_PM_EDT
    assert event.decoded("DTEND") == MAY_18_630_PM_EDT + datetime.timedelta(minutes=15)
    assert event.decoded("DTSTART").tzinfo.utcoffset(None) == datetime.timedelta(0)
    assert str(event["SUMMARY"]) == f"Peer-to-Peer consultation {p2p_request.number}"
    assert str(event["STATUS"]) == "CONFIRMED"
    assert str(event["ORGANIZER"]) == "mailto:no-reply@portal.example"
    assert "DTSTAMP" in event


def test_the_description_has_the_contact_details_and_case_numbers_and_no_member_details(p2p_request):
    _, event = event_of(ics.invitation(p2p_request))
    text = str(event["DESCRIPTION"])
    case = p2p_request.request_cases.get().case
    assert "Phone Number for P2P: (555) 555-5555 ext. 12345" in text
    assert "Contact Instructions: Select option 4, ask for Dr. Doe" in text
    assert f"Case numbers: {case.case_number}" in text
    assert p2p_request.reviewer.display_name in text
    member = case.member
    for secret in (member.first_name, member.last_name, member.date_of_birth.strftime("%m/%d/%Y")):
        assert secret not in text


def test_booking_rescheduling_and_cancelling_keep_the_uid_and_raise_the_sequence(p2p_request):
    booked = event_of(ics.invitation(p2p_request))
    later = MAY_18_630_PM_EDT + datetime.timedelta(days=1, hours=1)
    moved = event_of(ics.invitation(move(p2p_request, later)))
    cancelled = event_of(ics.invitation(cancel(p2p_request), method=ics.CANCEL))

    assert {str(event["UID"]) for _, event in (booked, moved, cancelled)} == {str(booked[1]["UID"])}
    sequences = [event["SEQUENCE"] for _, event in (booked, moved, cancelled)]
    assert sequences == sorted(set(sequences)) == [0, 1, 2]
    assert moved[1].decoded("DTSTART") == later
    assert [calendar["METHOD"] for calendar, _ in (booked, moved, cancelled)] == ["REQUEST", "REQUEST", "CANCEL"]
    assert str(cancelled[1]["STATUS"]) == "CANCELLED"


def test_an_invitation_keeps_the_sequence_and_times_it_is_given(p2p_request):
    then = MAY_18_630_PM_EDT - datetime.timedelta(hours=3)
    _, event = event_of(
        ics.invitation(p2p_request, sequence=7, starts_at=then, ends_at=then + datetime.timedelta(minutes=30))
    )
    assert event["SEQUENCE"] == 7
    assert event.decoded("DTSTART") == then
    assert event.decoded("DTEND") - event.decoded("DTSTART") == datetime.timedelta(minutes=30)


def test_only_request_and_cancel_are_methods(p2p_request):
    with pytest.raises(ValueError, match="Not an invitation method"):
        ics.invitation(p2p_request, method="PUBLISH")
