"""The tool's first step: start from a case, the default time zone, New P2P Request (lookup, add, remove, continue),
and P2P AVAILABILITY on the case page. No JavaScript anywhere: every action is a link or a submit button."""

import datetime
import re

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import UserFactory
from audit.models import AuditEvent
from cases.models import Case, CaseStatus
from cases.tests.factories import submitted_case
from p2p import lookup
from p2p.draft import SESSION_KEY
from p2p.eligibility import CONSULTATIVE_MESSAGE
from p2p.tests.test_eligibility import denied, scheduled_p2p
from practices.tests.factories import PracticeMembershipFactory, WorklistAccessFactory

pytestmark = pytest.mark.django_db

CASES_URL = "/p2p/new/"
ZONE_URL = "/p2p/time-zone/"


def text_of(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def plain(response) -> str:
    """The page's words without tags."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode())).replace(" :", ":")


def dob(case) -> str:
    return case.member.date_of_birth.strftime("%m/%d/%Y")


@pytest.fixture
def office(catalog, signed_in_client):
    """A denied case's creator, signed in with a time zone confirmed."""
    case = denied()
    user = case.created_by
    user.time_zone = "America/New_York"
    user.save(update_fields=["time_zone"])
    return case, signed_in_client(user)


def draft_ids(client) -> list[int]:
    return client.session.get(SESSION_KEY, {}).get("case_ids", [])


def lookup_post(client, *rows, action="lookup"):
    data = {"rows": str(len(rows)), action: "1"}
    for index, (number, born) in enumerate(rows, start=1):
        data[f"case_number_{index}"] = number
        data[f"date_of_birth_{index}"] = born
    return client.post(CASES_URL, data)


# --- Time zone ----------------------------------------------------------------------------------------------


def test_every_tool_page_asks_for_the_time_zone_first_then_comes_back(catalog, signed_in_client):
    case = denied()
    client = signed_in_client(case.created_by)
    response = client.get(CASES_URL)
    assert response.status_code == 302 and response["Location"] == f"{ZONE_URL}?next=%2Fp2p%2Fnew%2F"
    page = client.get(response["Location"])
    text = text_of(page)
    assert "Confirm your default time zone" in text and 'type="radio"' in text and "US/Eastern" in text
    assert "<script" not in page.content.decode().split("</head>")[1]
    refused = client.post(ZONE_URL, {"time_zone": "Europe/Paris", "next": "/p2p/new/"})
    assert refused.status_code == 400 and "There is a problem" in text_of(refused)
    saved = client.post(ZONE_URL, {"time_zone": "America/Chicago", "next": "/p2p/new/"})
    assert saved.status_code == 302 and saved["Location"] == "/p2p/new/"
    case.created_by.refresh_from_db()
    assert case.created_by.time_zone == "America/Chicago"
    assert AuditEvent.objects.filter(action="account.time_zone_set", actor=case.created_by).exists()
    page = client.get(CASES_URL)
    assert page.status_code == 200 and "Time Zone: US/Central" in text_of(page)


def test_the_time_zone_page_never_sends_anyone_off_the_tool(office):
    _, client = office
    for evil in ("https://evil.example/", "//evil.example/p2p/", "/admin/"):
        response = client.post(ZONE_URL, {"time_zone": "America/Denver", "next": evil})
        assert response["Location"] == "/p2p/new/", evil


def test_the_time_zone_can_be_changed_later(office):
    _, client = office
    page = text_of(client.get(CASES_URL))
    assert f'href="{ZONE_URL}?change=1"' in page
    change = text_of(client.get(f"{ZONE_URL}?change=1"))
    assert "Change your default time zone" in change
    checked = re.findall(r'<input type="radio"[^>]*checked[^>]*>', change)
    assert len(checked) == 1 and 'value="America/New_York"' in checked[0]


# --- Start -----------------------------------------------------------------------------------------------------


def test_start_fills_the_draft_with_the_case_and_the_page_shows_it(office):
    case, client = office
    response = client.get(reverse("p2p:start", args=[case.request_id]))
    assert response.status_code == 302 and response["Location"] == CASES_URL
    assert draft_ids(client) == [case.pk]
    page = client.get(CASES_URL)
    text = text_of(page)
    assert page.status_code == 200
    assert f"Case Ref #: {case.case_number}" in text and "P2P Eligible" in text
    assert case.member.full_name in text and case.member.member_id in text and dob(case) in text
    for label in ("Episode ID", "P2P Valid Until", "Modality", "Level of Review", "System Name"):
        assert f">{label}<" in text
    assert "Reconsideration P2P" in text and case.program.name in text
    valid = timezone.localdate(case.decided_at) + datetime.timedelta(days=14)
    assert f"Reconsideration allowed through eviCore until {valid:%m/%d/%Y} 11:59:59 PM." in text
    assert 'aria-current="step"' in text and "Case Info" in text and "Confirmation" in text
    assert AuditEvent.objects.filter(action="case.viewed", target_id=str(case.pk), details__page="p2p_cases").exists()


def test_start_answers_404_for_a_case_the_user_may_not_see_and_403_when_they_may_not_request(catalog, signed_in_client):
    case = denied()
    outsider = signed_in_client(UserFactory(time_zone="America/New_York"))
    assert outsider.get(reverse("p2p:start", args=[case.request_id])).status_code == 404
    delegate = WorklistAccessFactory(owner=case.created_by).grantee
    refused = signed_in_client(delegate).get(reverse("p2p:start", args=[case.request_id]))
    assert refused.status_code == 403
    pending = submitted_case()
    refused = signed_in_client(pending.created_by).get(reverse("p2p:start", args=[pending.request_id]))
    assert refused.status_code == 403 and "waiting for its clinical review" in text_of(refused)


def test_a_visitor_is_sent_to_sign_in(catalog, client):
    case = denied()
    for url in (reverse("p2p:start", args=[case.request_id]), CASES_URL, ZONE_URL):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url


# --- Lookup ----------------------------------------------------------------------------------------------------


def test_lookup_by_case_number_and_date_of_birth_adds_the_case(office):
    case, client = office
    page = text_of(client.get(CASES_URL))
    assert "Case Reference Number" in page and "Member Date of Birth" in page and "Lookup Cases &gt;" in page
    response = lookup_post(client, (case.case_number.lower(), dob(case)))
    assert response.status_code == 302 and draft_ids(client) == [case.pk]
    found = AuditEvent.objects.get(action="p2p.case_lookup", target_id=str(case.pk))
    assert found.details == {"found": True}


def test_wrong_number_wrong_birth_date_and_an_invisible_case_get_one_identical_message(office, catalog):
    case, client = office
    hidden = denied()  # another practice's case
    answers = []
    for row in (
        ("A000000000", dob(case)),
        (case.case_number, "01/01/1901"),
        (hidden.case_number, dob(hidden)),
    ):
        response = lookup_post(client, row)
        assert response.status_code == 400
        text = text_of(response)
        assert lookup.NOT_FOUND in text
        answers.append(re.sub(r'value="[^"]*"', "", text.split("<main", 1)[1]))
    assert answers[0] == answers[1] == answers[2]
    assert draft_ids(client) == []
    assert AuditEvent.objects.filter(action="p2p.case_lookup", details__found=False).count() == 3
    assert not AuditEvent.objects.filter(action="p2p.case_lookup", target_id=str(hidden.pk)).exists()


def test_a_half_filled_row_asks_for_the_missing_half_and_a_bad_date_says_the_format(office):
    case, client = office
    response = lookup_post(client, (case.case_number, ""))
    assert response.status_code == 400 and "Enter the member&#x27;s date of birth." in text_of(response)
    response = lookup_post(client, (case.case_number, "13/45/1990"))
    assert response.status_code == 400 and "MM/DD/YYYY" in text_of(response)
    assert not AuditEvent.objects.filter(action="p2p.case_lookup").exists()


@override_settings(P2P_LOOKUP_LIMIT=3, P2P_LOOKUP_WINDOW_MINUTES=10)
def test_lookups_are_rate_limited_per_user(office):
    case, client = office
    for _ in range(3):
        assert lookup_post(client, ("A000000000", "01/01/1990")).status_code == 400
    response = lookup_post(client, (case.case_number, dob(case)))
    assert response.status_code == 400 and lookup.rate_limit_message() in text_of(response)
    assert draft_ids(client) == []
    assert AuditEvent.objects.filter(action="p2p.case_lookup").count() == 3
    AuditEvent.objects.filter(action="p2p.case_lookup").update(at=timezone.now() - datetime.timedelta(minutes=11))
    assert lookup_post(client, (case.case_number, dob(case))).status_code == 302


def test_add_another_case_adds_a_row_without_javascript_and_keeps_what_was_typed(office):
    case, client = office
    response = lookup_post(client, (case.case_number, dob(case)), action="add")
    text = text_of(response)
    assert response.status_code == 200 and 'name="rows" value="2"' in text
    assert f'value="{case.case_number}"' in text and 'name="case_number_2"' in text
    assert draft_ids(client) == []


def test_several_cases_of_one_modality_share_a_request_and_another_modality_is_refused_next_to_its_row(office):
    case, client = office
    second = denied(submitted_case(user=case.created_by, practice=case.practice))
    client.get(reverse("p2p:start", args=[case.request_id]))
    response = lookup_post(client, ("", ""), (second.case_number, dob(second)))
    assert response.status_code == 302 and draft_ids(client) == [case.pk, second.pk]
    third = denied(submitted_case(user=case.created_by, practice=case.practice))
    Case.objects.filter(pk=third.pk).update(program=_other_program(third))
    response = lookup_post(client, (third.case_number, dob(third)))
    assert response.status_code == 400 and "must share the modality" in text_of(response)
    assert draft_ids(client) == [case.pk, second.pk]
    # Remove the first case: the second is the 1st Case now.
    assert client.post(CASES_URL, {"remove": str(case.pk)}).status_code == 302
    assert draft_ids(client) == [second.pk]


def _other_program(case):
    from reference.models import Program

    return Program.objects.exclude(pk=case.program_id).first()


def test_continue_goes_to_questions_only_when_every_case_can_be_discussed(office, catalog):
    case, client = office
    empty = client.post(CASES_URL, {"continue": "1"})
    assert empty.status_code == 400 and "Look up at least one case to continue." in text_of(empty)
    client.get(reverse("p2p:start", args=[case.request_id]))
    ok = client.post(CASES_URL, {"continue": "1"})
    assert ok.status_code == 302 and ok["Location"].endswith("/p2p/questions/")
    # A case looked up and then scheduled elsewhere is shown with why, and blocks Continue until removed.
    scheduled_p2p(case)
    page = text_of(client.get(CASES_URL))
    assert "Not eligible for P2P: A peer-to-peer consultation is already scheduled" in page
    refused = client.post(CASES_URL, {"continue": "1"})
    assert refused.status_code == 400 and "Remove the cases that cannot be part of this P2P request" in text_of(refused)


def test_a_stale_draft_grants_nothing(office, catalog, signed_in_client):
    case, client = office
    client.get(reverse("p2p:start", args=[case.request_id]))
    other = denied()
    session = client.session
    session[SESSION_KEY]["case_ids"] = [case.pk, other.pk]
    session.save()
    text = text_of(client.get(CASES_URL))
    assert other.case_number not in text and other.member.full_name not in text


def test_a_consultative_case_is_shown_with_the_seed_message(catalog, signed_in_client):
    case = denied(days_ago=40)
    appeals = PracticeMembershipFactory(practice=case.practice, precertification_appeals=True).user
    appeals.time_zone = "America/Denver"
    appeals.save(update_fields=["time_zone"])
    client = signed_in_client(appeals)
    client.get(reverse("p2p:start", args=[case.request_id]))
    text = text_of(client.get(CASES_URL))
    assert "P2P Eligible (consultative only)" in text and CONSULTATIVE_MESSAGE in text
    assert "Reconsideration allowed through" not in text


# --- The case page's P2P AVAILABILITY ---------------------------------------------------------------------------


def case_url(case, query=""):
    return reverse("cases:case_detail", args=[case.request_id]) + query


def test_p2p_availability_on_a_denied_case_offers_the_request_link(office):
    case, client = office
    page = text_of(client.get(case_url(case)))
    assert "P2P AVAILABILITY" in page and "P2P Eligibility Result" not in page
    shown = client.get(case_url(case, "?p2p=1"))
    text = text_of(shown)
    start = reverse("p2p:start", args=[case.request_id])
    assert f'<a href="{start}">Request Peer to Peer Consultation</a>' in text
    assert "P2P Status: No peer-to-peer consultation requested." in plain(shown)
    assert "ALL POST DECISION OPTIONS" in text
    assert AuditEvent.objects.filter(action="p2p.availability_checked", target_id=str(case.pk)).exists()


def test_p2p_availability_consultative_and_not_eligible(catalog, signed_in_client):
    late = denied(days_ago=30)
    text = plain(signed_in_client(late.created_by).get(case_url(late, "?p2p=1")))
    assert f"P2P Eligibility Result: {CONSULTATIVE_MESSAGE}" in text and "Request Peer to Peer Consultation" in text
    pending = submitted_case(approved=True)
    assert pending.status == CaseStatus.APPROVED
    response = signed_in_client(pending.created_by).get(case_url(pending, "?p2p=1"))
    assert "P2P Eligibility Result: Not eligible. This request is approved" in plain(response)
    assert "Request Peer to Peer Consultation</a>" not in text_of(response)


def test_all_post_decision_options_lists_what_the_user_may_do(office):
    case, client = office
    text = text_of(client.get(case_url(case, "?p2p=1&options=1")))
    assert 'id="post-decision-options"' in text and "Request Peer to Peer Consultation" in text
    assert "Request a Reconsideration" not in text.split('id="post-decision-options"')[1]  # needs appeals staff


def test_a_delegate_is_not_offered_p2p_availability(catalog, signed_in_client):
    case = denied()
    delegate = WorklistAccessFactory(owner=case.created_by).grantee
    text = text_of(signed_in_client(delegate).get(case_url(case, "?p2p=1")))
    assert "P2P AVAILABILITY" not in text and "P2P Eligibility Result" not in text


def test_the_rows_are_bounded_whatever_is_posted(office):
    from p2p.forms import MAX_ROWS, CaseRowsForm

    assert CaseRowsForm({"rows": "999"}).row_count == MAX_ROWS
    assert not CaseRowsForm({"rows": "999"}, add_row=True).can_add
    assert CaseRowsForm({"rows": "x"}).row_count == 1
    assert CaseRowsForm({"rows": "-4"}).row_count == 0
    _, client = office
    response = client.post(CASES_URL, {"rows": str(MAX_ROWS), "add": "1"})
    assert response.status_code == 200 and "+ Add Another Case" not in text_of(response)
    assert f'name="case_number_{MAX_ROWS + 1}"' not in text_of(response)
