"""Authorization Lookup (WL-2, seed 002; issue 11 item 6): by member information or by case number with the ordering
provider's NPI, POST only, only the requests the user may view, one neutral message, field errors for bad input."""

import html

import pytest
from django.urls import reverse

from accounts.tests.factories import UserFactory
from audit.models import AuditEvent
from cases.lookup import NOT_FOUND
from cases.tests.factories import draft_case, submitted_case
from practices.models import PracticeMembership, WorklistAccess

pytestmark = pytest.mark.django_db

LOOKUP = reverse("cases:authorization_lookup")


def by_member(case, **changes):
    member = case.member
    data = {
        "search": "member",
        "member-member_id": member.member_id,
        "member-date_of_birth": member.date_of_birth.strftime("%m/%d/%Y"),
        "member-last_name": member.last_name,
    }
    data.update({f"member-{key}": value for key, value in changes.items()})
    return data


def by_case_number(case, **changes):
    data = {"search": "case_number", "case-case_number": case.case_number, "case-npi": case.ordering_provider.npi}
    data.update({f"case-{key}": value for key, value in changes.items()})
    return data


def found(response) -> list[str]:
    return [case.request_id for case in response.context["results"] or []]


def text_of(response) -> str:
    return html.unescape(response.content.decode())


def test_the_page_shows_both_searches_and_finds_nothing_on_get(catalog, signed_in_client):
    case = submitted_case()
    response = signed_in_client(case.created_by).get(LOOKUP)
    assert response.status_code == 200
    text = text_of(response)
    assert "Search by member information" in text and "Search by case number and ordering provider NPI" in text
    assert response.context["results"] is None
    assert not AuditEvent.objects.filter(action="case.looked_up").exists()


def test_a_visitor_is_sent_to_log_in(client):
    response = client.get(LOOKUP)
    assert response.status_code == 302 and response.url.startswith(reverse("accounts:login"))


def test_by_member_finds_the_members_submitted_requests_ignoring_case(catalog, signed_in_client):
    first = submitted_case()
    second = submitted_case(user=first.created_by, member=first.member)
    draft_case(user=first.created_by, member=first.member)
    client = signed_in_client(first.created_by)
    response = client.post(
        LOOKUP,
        by_member(first, member_id=f" {first.member.member_id.lower()} ", last_name=first.member.last_name.upper()),
    )
    assert response.status_code == 200
    assert sorted(found(response)) == sorted([first.request_id, second.request_id])
    text = text_of(response)
    assert f'<a href="{reverse("cases:case_detail", args=[first.request_id])}">{first.request_id}</a>' in text
    assert "Pending Medical Review" in text and first.case_number in text
    audit = AuditEvent.objects.get(action="case.looked_up")
    assert audit.details == {"by": "member", "cases": [second.pk, first.pk]}
    assert first.member.member_id not in str(audit.details) and first.member.last_name not in str(audit.details)


def test_by_case_number_needs_the_ordering_providers_npi(catalog, signed_in_client):
    case = submitted_case(approved=True)
    other = submitted_case(user=case.created_by)
    client = signed_in_client(case.created_by)
    response = client.post(LOOKUP, by_case_number(case, case_number=case.case_number.lower()))
    assert found(response) == [case.request_id]
    text = text_of(response)
    assert case.authorization_number in text and case.valid_from.strftime("%m/%d/%Y") in text
    response = client.post(LOOKUP, by_case_number(case, npi=other.ordering_provider.npi))
    assert found(response) == []
    assert NOT_FOUND in text_of(response)
    latest = AuditEvent.objects.filter(action="case.looked_up").order_by("pk").last()
    assert latest.details == {"by": "case_number", "cases": []}


def test_another_practices_request_is_answered_like_a_missing_one(catalog, signed_in_client):
    theirs = submitted_case()
    outsider = submitted_case().created_by
    client = signed_in_client(outsider)
    for data in (by_member(theirs), by_case_number(theirs)):
        response = client.post(LOOKUP, data)
        assert response.status_code == 200
        assert found(response) == []
        text = text_of(response)
        assert NOT_FOUND in text and theirs.request_id not in text


def test_a_delegate_and_an_appeals_colleague_find_what_they_may_view(catalog, signed_in_client):
    case = submitted_case()
    delegate = UserFactory()
    WorklistAccess.objects.create(owner=case.created_by, grantee=delegate)
    colleague = UserFactory()
    PracticeMembership.objects.create(user=colleague, practice=case.practice, precertification_appeals=True)
    for user in (delegate, colleague):
        assert found(signed_in_client(user).post(LOOKUP, by_case_number(case))) == [case.request_id]


def test_a_draft_is_never_found(catalog, signed_in_client):
    draft = draft_case()
    response = signed_in_client(draft.created_by).post(LOOKUP, by_member(draft))
    assert found(response) == [] and NOT_FOUND in text_of(response)


@pytest.mark.parametrize(
    ("data", "messages"),
    [
        ({"search": "member"}, ["Member ID: Enter the Member ID.", "Date of birth: Enter the date of birth."]),
        (
            {
                "search": "member",
                "member-member_id": "X1",
                "member-date_of_birth": "1950-04-02",
                "member-last_name": "A",
            },
            ["Date of birth: Enter the date of birth as MM/DD/YYYY"],
        ),
        (
            {
                "search": "member",
                "member-member_id": "X1",
                "member-date_of_birth": "02/30/1950",
                "member-last_name": "A",
            },
            ["02/30/1950 is not a real date."],
        ),
        ({"search": "case_number"}, ["Case number: Enter the case number.", "Ordering provider NPI: Enter"]),
        (
            {"search": "case_number", "case-case_number": "A12345678", "case-npi": "12345abcde"},
            ["Ordering provider NPI: Enter the 10-digit NPI"],
        ),
        ({"search": "case_number", "case-case_number": "A1\x00", "case-npi": "1234567893"}, ["Case number: "]),
        ({"search": "case_number", "case-case_number": "Á12", "case-npi": "١٢٣٤٥٦٧٨٩٣"}, ["Case number: ", "NPI"]),
    ],
)
def test_bad_input_gives_field_errors_with_the_summary(catalog, signed_in_client, data, messages):
    user = submitted_case().created_by
    response = signed_in_client(user).post(LOOKUP, data)
    assert response.status_code == 200
    text = text_of(response)
    assert "There is a problem" in text
    for message in messages:
        assert message in text, message
    assert response.context["results"] is None
    assert not AuditEvent.objects.filter(action="case.looked_up").exists()


def test_an_unknown_search_shows_the_empty_page(catalog, signed_in_client):
    user = submitted_case().created_by
    response = signed_in_client(user).post(LOOKUP, {"search": "everything"})
    assert response.status_code == 200 and response.context["results"] is None
