"""Eligibility Lookup (WL-3, issue 11 item 7): who may use it, the form, the result, the audit and the cache."""

import datetime

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import UserFactory
from audit.models import AuditEvent
from portal.middleware import is_no_store
from practices.selectors import entitlement_refusal
from practices.tests.factories import PracticeFactory, PracticeMembershipFactory
from reference import selectors
from reference.forms import EligibilityLookupForm
from reference.models import HealthPlan, PlanProgram, Program
from reference.tests.factories import EligibilityFactory, HealthPlanFactory, MemberFactory
from reference.views import NO_MATCH

pytestmark = pytest.mark.django_db

URL = "/eligibility/"
BORN = datetime.date(1950, 4, 2)
TODAY = timezone.localdate()


def _submitter(**membership):
    user = UserFactory()
    PracticeMembershipFactory(user=user, case_submission=True, **membership)
    return user


def _lookup(client, member_id="K1234", date_of_birth="04/02/1950", last_name="Stone"):
    return client.post(URL, {"member_id": member_id, "date_of_birth": date_of_birth, "last_name": last_name})


@pytest.fixture
def member(catalog):
    """Covered by Cigna Commercial since 2024 (ongoing), and by Keystone until last year."""
    member = MemberFactory(member_id="K1234", first_name="Adaqzine", last_name="Stone", date_of_birth=BORN)
    EligibilityFactory(
        member=member,
        health_plan=HealthPlan.objects.get(code="cigna-commercial"),
        coverage_start=datetime.date(2024, 1, 1),
    )
    EligibilityFactory(
        member=member,
        health_plan=HealthPlan.objects.get(code="keystone-community"),
        coverage_start=datetime.date(2020, 1, 1),
        coverage_end=datetime.date(2023, 12, 31),
    )
    return member


@pytest.fixture
def client(signed_in_client):
    return signed_in_client(_submitter())


# --- Who may use it ------------------------------------------------------------------------------


def test_the_page_is_the_carecore_bars_eligibility_lookup():
    assert reverse("reference:eligibility_lookup") == URL


def test_a_visitor_is_sent_to_log_in():
    response = Client().post(URL, {"member_id": "K1234", "date_of_birth": "04/02/1950", "last_name": "Stone"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_a_user_with_case_submission_gets_the_form(client):
    response = client.get(URL)
    assert response.status_code == 200
    assert response.context["refusal"] is None
    assert b'name="member_id"' in response.content


def test_a_member_without_case_submission_is_told_why_and_whom_to_ask(signed_in_client, member):
    practice = PracticeFactory()
    manager = UserFactory(first_name="Mia", last_name="Manager")
    PracticeMembershipFactory(user=manager, practice=practice, manager=True)
    user = UserFactory()
    PracticeMembershipFactory(user=user, practice=practice)
    client = signed_in_client(user)

    page = client.get(URL)
    assert page.status_code == 200
    assert "You do not have the Case submission entitlement" in page.context["refusal"]["reason"]
    assert page.context["refusal"]["managers"] == [manager]
    assert b'name="member_id"' not in page.content
    looked_up = _lookup(client)
    assert looked_up.status_code == 403
    assert b"Adaqzine" not in looked_up.content
    assert not AuditEvent.objects.filter(action="member.eligibility_viewed").exists()


def test_a_user_in_no_practice_is_told_to_ask_for_one():
    refusal = entitlement_refusal(user=UserFactory(), entitlement="case_submission", purpose="look members up")
    assert refusal == {
        "reason": "Your account is not linked to a practice (TIN) yet, so you cannot look members up. Ask your "
        "practice's website access manager to add you to the practice with the Case submission entitlement.",
        "managers": [],
    }


def test_only_the_case_submission_entitlement_opens_the_lookup():
    appeals_only = UserFactory()
    PracticeMembershipFactory(user=appeals_only, precertification_appeals=True, correspondence=True)
    assert entitlement_refusal(user=appeals_only, entitlement="case_submission", purpose="x") is not None
    assert entitlement_refusal(user=_submitter(), entitlement="case_submission", purpose="x") is None


# --- The form ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("date_of_birth", "message"),
    [
        ("", "Enter the date of birth."),
        ("1950-04-02", "Enter the date of birth as MM/DD/YYYY, such as 04/02/1950."),
        ("02/30/1950", "02/30/1950 is not a real date. Enter the date of birth as MM/DD/YYYY, such as 04/02/1950."),
        ("13/01/1950", "13/01/1950 is not a real date. Enter the date of birth as MM/DD/YYYY, such as 04/02/1950."),
        ("04/02/1850", "Enter the date of birth as MM/DD/YYYY, such as 04/02/1950."),
        ("\u0664/02/1950", "Enter the date of birth as MM/DD/YYYY, such as 04/02/1950."),  # Arabic-Indic 4
        ("12/31/2099", "The date of birth cannot be in the future."),
    ],
)
def test_the_date_of_birth_must_be_a_real_past_date_as_mm_dd_yyyy(date_of_birth, message):
    form = EligibilityLookupForm({"member_id": "K1", "date_of_birth": date_of_birth, "last_name": "Stone"})
    assert form.errors == {"date_of_birth": [message]}


def test_a_short_date_is_read_like_the_case_builds():
    form = EligibilityLookupForm({"member_id": " K1 ", "date_of_birth": "4/2/1950", "last_name": "Stone"})
    assert form.is_valid()
    assert form.cleaned_data == {"member_id": "K1", "date_of_birth": BORN, "last_name": "Stone"}


def test_every_field_is_required_with_its_own_message():
    form = EligibilityLookupForm({})
    assert form.errors == {
        "member_id": ["Enter the Patient ID."],
        "date_of_birth": ["Enter the date of birth."],
        "last_name": ["Enter the patient's last name."],
    }


def test_the_errors_are_summarised_at_the_top_and_shown_next_to_each_field(client):
    response = client.post(URL, {"member_id": "x" * 21, "date_of_birth": "1950", "last_name": ""})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="error-summary"' in html
    assert '<a href="#id_member_id">Patient ID: Patient ID must be 20 characters or fewer</a>' in html
    assert 'href="#id_date_of_birth">Date of birth: Enter the date of birth as MM/DD/YYYY' in html
    assert '<a href="#id_last_name">Patient last name: Enter the patient&#x27;s last name.</a>' in html
    assert 'id="id_member_id_error"' in html


@pytest.mark.parametrize(
    "data",
    [
        {"member_id": "K\x001234", "date_of_birth": "04/02/1950", "last_name": "Stone"},
        {"member_id": "K1234", "date_of_birth": "04/02/1950\x00", "last_name": "St\x00one"},
        {"member_id": "x" * 5000, "date_of_birth": "9" * 5000, "last_name": "y" * 5000},
        {"member_id": "\U0001f600", "date_of_birth": "\uff10\uff14/02/1950", "last_name": "\u202eenots"},
        {"member_id": "' OR '1'='1", "date_of_birth": "00/00/0000", "last_name": "<script>alert(1)</script>"},
        {"member_id": ["K1234", "K9"], "date_of_birth": "04/02/1950", "last_name": "Stone"},
        {"member_id": "K1234", "date_of_birth": "99/99/1999", "last_name": "Stone"},
        {"member_id": "K1234", "date_of_birth": "02/29/1951", "last_name": "Stone"},
    ],
)
def test_no_input_is_a_server_error_or_shows_a_member(client, member, data):
    response = client.post(URL, data)
    assert response.status_code == 200
    assert response.context["member"] is None
    assert response.context["form"].errors
    assert b"<script>alert(1)</script>" not in response.content


# --- The result ----------------------------------------------------------------------------------


def test_a_match_shows_the_member_each_span_and_the_plans_delegated_programs(client, member):
    response = _lookup(client, member_id="k1234 ", last_name="STONE")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Eligibility for Adaqzine Stone" in html and "K1234" in html and "04/02/1950" in html
    spans = response.context["spans"]
    assert [(s.span.health_plan.code, s.is_active, s.has_ended) for s in spans] == [
        ("cigna-commercial", True, False),
        ("keystone-community", False, True),
    ]
    assert "01/01/2024 to ongoing" in html and "01/01/2020 to 12/31/2023" in html
    assert "Active today" in html and "Ended" in html
    assert [row.program.code for row in spans[0].delegated] == ["dme", "home-health", "sleep"]
    assert [row.program.code for row in spans[1].delegated] == ["radiology-cardiology", "sleep"]
    assert "(866) 668-9250" in html
    assert (
        "Cigna Healthcare Commercial does not use EviCore for any other program's requests. Please call the number on "
        "the back of the member's card to determine if an authorization is required." in html.replace("&#x27;", "'")
    )
    assert "Gene Therapy" in [p.name for p in spans[0].other_programs]


def test_a_program_the_plan_does_not_delegate_is_not_listed_as_through_this_portal(catalog):
    plan = HealthPlan.objects.get(code="cigna-commercial")
    PlanProgram.objects.filter(health_plan=plan, program__code="sleep").update(is_delegated=False)
    member = MemberFactory()
    EligibilityFactory(member=member, health_plan=plan)
    (item,) = selectors.member_eligibility(member=member, day=TODAY)
    assert [row.program.code for row in item.delegated] == ["dme", "home-health"]
    assert "sleep" in [program.code for program in item.other_programs]
    assert not selectors.plan_delegates(health_plan_id=plan.pk, program_id=Program.objects.get(code="sleep").pk)


def test_a_plan_that_delegates_nothing_says_to_call_for_every_program(client):
    plan = HealthPlanFactory(name="Harbor Health")
    member = MemberFactory(member_id="H1", last_name="Reed", date_of_birth=BORN)
    EligibilityFactory(member=member, health_plan=plan)
    response = _lookup(client, member_id="H1", last_name="Reed")
    (item,) = response.context["spans"]
    assert item.delegated == []
    assert item.phone_in_instruction.startswith("Harbor Health does not use EviCore for any program's requests.")
    assert b"No program of Harbor Health needs prior authorization through this portal." in response.content


def test_a_span_that_starts_later_is_neither_active_nor_ended(catalog):
    member = MemberFactory()
    EligibilityFactory(member=member, coverage_start=TODAY + datetime.timedelta(days=1))
    (item,) = selectors.member_eligibility(member=member, day=TODAY)
    assert (item.is_active, item.has_ended) == (False, False)


def test_the_last_day_of_a_span_is_still_active(catalog):
    member = MemberFactory()
    EligibilityFactory(member=member, coverage_start=datetime.date(2020, 1, 1), coverage_end=TODAY)
    (item,) = selectors.member_eligibility(member=member, day=TODAY)
    assert (item.is_active, item.has_ended) == (True, False)


def test_a_member_with_no_span_is_told_to_call(client):
    MemberFactory(member_id="N1", last_name="Nobody", date_of_birth=BORN)
    response = _lookup(client, member_id="N1", last_name="Nobody")
    assert response.context["spans"] == []
    assert b"No coverage is on record for" in response.content


@pytest.mark.parametrize(
    "wrong",
    [{"member_id": "K1235"}, {"date_of_birth": "04/03/1950"}, {"last_name": "Stones"}],
)
def test_no_match_says_one_thing_whichever_field_was_wrong(client, member, wrong):
    response = _lookup(client, **wrong)
    assert response.status_code == 200
    assert response.context["member"] is None
    assert response.context["form"].non_field_errors() == [NO_MATCH]
    assert list(response.context["form"].errors) == ["__all__"]
    assert b"Adaqzine" not in response.content
    assert not AuditEvent.objects.filter(target_type="reference.member").exists()


def test_a_shown_member_is_audited_without_phi(client, member):
    _lookup(client)
    (event,) = AuditEvent.objects.filter(action="member.eligibility_viewed")
    assert (event.target_type, event.target_id, event.details) == ("reference.member", str(member.pk), {})
    assert event.actor is not None


def test_the_result_is_never_cached_and_the_lookup_is_not_in_the_url(client, member):
    response = _lookup(client)
    assert response.context["member"] == member
    assert is_no_store(response)
    assert response.request["QUERY_STRING"] == ""
    assert b'<form method="post"' in response.content


def test_a_get_with_the_answers_in_the_url_looks_nothing_up(client, member):
    response = client.get(URL, {"member_id": "K1234", "date_of_birth": "04/02/1950", "last_name": "Stone"})
    assert response.context["member"] is None
    assert not response.context["form"].is_bound


def test_the_query_count_does_not_grow_with_the_spans(client, member):
    def queries_for_lookup():
        with CaptureQueriesContext(connection) as captured:
            assert _lookup(client).context["member"] == member
        return len(captured)

    two_spans = queries_for_lookup()
    for year in range(2010, 2020):
        EligibilityFactory(
            member=member,
            health_plan=HealthPlanFactory(),
            coverage_start=datetime.date(year, 1, 1),
            coverage_end=datetime.date(year, 12, 31),
        )
    assert queries_for_lookup() == two_spans
