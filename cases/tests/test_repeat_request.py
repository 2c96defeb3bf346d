"""A repeat request (issue 10, item 15): "Start from a previous request" copies the office's side of a submitted
request (provider, insurer and address, contact, site), never the patient, dates, diagnoses or clinical answers;
and a new request remembers the user's last provider, insurer and contact as defaults."""

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from cases import selectors
from cases.models import Case
from cases.tests import test_wizard
from cases.tests.factories import submitted_case, submitter
from cases.tests.test_wizard import fill_first_steps, start, step_url
from practices.models import AccountProvider
from reference.models import Site
from reference.tests.factories import ProviderFactory
from reference.validators import format_us_phone

pytestmark = pytest.mark.django_db

office, world = test_wizard.office, test_wizard.world
REQUEST_PAGE = reverse("cases:request_authorization")


@pytest.fixture
def previous(office, world):
    """A submitted Home Health request of the office's, for Ada Okafor at Hartford Visiting Nurses."""
    user, _client = office
    user_practice = user.practice_memberships.get().practice
    provider = world["provider"]
    return submitted_case(
        user=user,
        practice=user_practice,
        ordering_provider=provider,
        provider_address=provider.address_display,
        contact_provider_name="Dr. Ada Okafor (Hartford)",
        contact_name="Jo Bloggs",
        contact_fax="8605550111",
        contact_phone="8605550122",
        contact_phone_ext="42",
        contact_email="jo@office.example",
        notify_by_email=False,
        site=world["agency"],
        site_fax="8605550133",
        site_phone="8605550144",
        site_email="intake@agency.example",
    )


def repeat(client, source):
    return client.post(REQUEST_PAGE, {"action": "repeat", "source": source.pk})


def test_the_request_page_lists_the_users_submitted_requests_without_the_patient(office, previous):
    _user, client = office
    page = client.get(REQUEST_PAGE).content.decode()
    assert "Start from a previous request" in page
    assert previous.request_id in page
    assert "Ada" in page and "Hartford Visiting Nurses" in page
    # The list never shows the patient (the ID: a random last name may be the signed-in user's own).
    section = page.split('id="previous-requests-title"', 1)[1].split("</section>", 1)[0]
    assert previous.member.member_id not in page and previous.member.last_name not in section


def test_starting_from_a_previous_request_copies_the_office_side_only(office, world, previous):
    user, client = office
    response = repeat(client, previous)
    case = Case.objects.exclude(pk=previous.pk).get(created_by=user)
    assert response["Location"] == step_url(case, "provider")
    for name in selectors.REPEATED_FIELDS:
        assert getattr(case, name) == getattr(previous, name), name
    assert case.program == previous.program and case.builder_role == previous.builder_role
    assert case.practice == previous.practice
    # Never the patient, dates, diagnoses or clinical answers; no step counts as done until confirmed.
    assert case.member is None and case.date_of_service is None and case.primary_diagnosis is None
    assert case.clinical_answers == {} and case.completed_steps == [] and case.attested_at is None
    assert case.is_draft and case.request_id != previous.request_id
    event = AuditEvent.objects.get(action="case.repeated")
    assert event.details == {"from": previous.request_id}


def test_each_copied_step_is_confirmed_with_one_click(office, world, previous):
    user, client = office
    repeat(client, previous)
    case = Case.objects.exclude(pk=previous.pk).get(created_by=user)
    provider_page = client.get(step_url(case, "provider")).content.decode()
    assert "Continue with Ada Okafor" in provider_page
    assert client.post(step_url(case, "provider"), {"action": "select", "provider": world["provider"].pk})[
        "Location"
    ] == step_url(case, "insurer")
    insurer = client.get(step_url(case, "insurer")).context["form"]
    data = {name: insurer[name].value() for name in insurer.fields}
    assert client.post(step_url(case, "insurer"), data)["Location"] == step_url(case, "contact")
    contact = client.get(step_url(case, "contact"))
    form = contact.context["form"]
    assert "You chose another provider" not in contact.content.decode()
    data = {name: form[name].value() for name in form.fields}
    data = {name: value for name, value in data.items() if value not in (None, False)}
    assert client.post(step_url(case, "contact"), data)["Location"] == step_url(case, "date")
    case.refresh_from_db()
    assert case.contact_fax == "8605550111" and case.contact_name == "Jo Bloggs" and case.notify_by_email is False
    assert case.completed_steps == ["provider", "insurer", "contact"]


def test_the_copied_site_is_shown_selected_with_its_edited_numbers(office, world, previous):
    user, client = office
    repeat(client, previous)
    case = Case.objects.exclude(pk=previous.pk).get(created_by=user)
    case.completed_steps = ["provider", "insurer", "contact", "date", "patient", "patient-contact", "service"]
    case.date_of_service = previous.date_of_service
    case.member = previous.member
    case.primary_diagnosis = previous.primary_diagnosis
    case.save()
    response = client.get(step_url(case, "site"))
    assert response.context["selected"] == world["agency"]
    assert response.context["contact_form"]["site_fax"].value() == "(860) 555-0133"


def test_a_provider_no_longer_on_the_account_is_not_copied(office, world, previous):
    user, client = office
    AccountProvider.objects.filter(user=user).delete()
    repeat(client, previous)
    case = Case.objects.exclude(pk=previous.pk).get(created_by=user)
    assert case.ordering_provider is None and case.contact_fax == "" and case.contact_provider_name == ""
    assert case.health_plan == previous.health_plan and case.contact_name == "Jo Bloggs"


def test_a_site_of_another_kind_is_not_copied(office, world, previous):
    user, client = office
    Site.objects.filter(pk=world["agency"].pk).update(kind=Site.Kind.DME_SUPPLIER)
    repeat(client, previous)
    case = Case.objects.exclude(pk=previous.pk).get(created_by=user)
    assert case.site is None and case.site_fax == ""


def test_search_finds_by_provider_insurer_site_and_number_but_not_by_patient(office, world, previous):
    _user, client = office

    def listed(query):
        return [case.pk for case in client.get(REQUEST_PAGE, {"previous": query}).context["previous_requests"]]

    for query in ("okaf", "Cigna", "visiting", previous.request_id[:6], world["provider"].npi[:5]):
        assert listed(query) == [previous.pk], query
    # A patient's name finds nothing (a fixed one: a random surname may be part of the provider's or site's name).
    type(previous.member).objects.filter(pk=previous.member_id).update(last_name="Quennell")
    assert listed("Quennell") == []
    assert "None of your submitted requests matches" in client.get(REQUEST_PAGE, {"previous": "zzz"}).content.decode()
    assert client.get(REQUEST_PAGE, {"previous": "\x00" * 500}).status_code == 200


def test_only_ten_are_listed_with_a_hint_to_refine(office, world, previous):
    user, client = office
    for _ in range(10):
        submitted_case(user=user, practice=previous.practice)
    response = client.get(REQUEST_PAGE)
    assert len(response.context["previous_requests"]) == 10 and response.context["previous_more"]
    assert "refine your search" in response.content.decode()


@pytest.mark.parametrize("source", ["other_users", "draft", "missing", "not_digits"])
def test_a_request_that_cannot_be_repeated_answers_404(office, world, previous, source):
    _user, client = office
    if source == "other_users":
        colleague = submitter(practice=previous.practice)
        target = submitted_case(user=colleague, practice=previous.practice).pk
    elif source == "draft":
        target = start(client).pk
    elif source == "missing":
        target = 10**9
    else:
        target = "1²"
    before = Case.objects.count()
    assert client.post(REQUEST_PAGE, {"action": "repeat", "source": target}).status_code == 404
    assert Case.objects.count() == before


def test_a_user_without_case_submission_in_the_practice_cannot_repeat_there(office, previous):
    user, client = office
    user.practice_memberships.update(case_submission=False)
    before = Case.objects.count()
    response = repeat(client, previous)
    assert response.status_code in (403, 404)
    assert Case.objects.count() == before


def test_a_new_request_remembers_the_last_provider_insurer_and_contact(office, world):
    _user, client = office
    first = fill_first_steps(client, world)
    first.refresh_from_db()
    case = start(client)
    provider_page = client.get(step_url(case, "provider")).content.decode()
    assert "Your last provider" in provider_page and "Continue with Ada Okafor" in provider_page
    client.post(step_url(case, "provider"), {"action": "select", "provider": world["provider"].pk})
    insurer = client.get(step_url(case, "insurer")).context["form"]
    assert insurer["health_plan"].value() == world["plan"].pk
    insurer_data = {"health_plan": world["plan"].pk, "provider_address": world["provider"].address_display}
    client.post(step_url(case, "insurer"), insurer_data)
    contact = client.get(step_url(case, "contact")).context["form"]
    for name in ("contact_name", "contact_email"):
        assert contact[name].value() == getattr(first, name), name
    for name in ("contact_fax", "contact_phone"):
        assert contact[name].value() == format_us_phone(getattr(first, name)), name


def test_with_another_provider_only_the_offices_own_contact_details_are_remembered(office, world):
    user, client = office
    first = fill_first_steps(client, world)
    first.refresh_from_db()
    other = ProviderFactory(last_name="Nakamura", fax="8605559999", phone="8605558888")
    AccountProvider.objects.create(user=user, provider=other)
    case = start(client)
    client.post(step_url(case, "provider"), {"action": "select", "provider": other.pk})
    insurer = client.get(step_url(case, "insurer")).context["form"]
    assert insurer["health_plan"].value() == world["plan"].pk
    assert insurer["provider_address"].value() == other.address_display  # the last address was Ada Okafor's
    client.post(step_url(case, "insurer"), {"health_plan": world["plan"].pk, "provider_address": other.address_display})
    contact = client.get(step_url(case, "contact")).context["form"]
    assert contact["contact_fax"].value() == "(860) 555-9999"
    assert contact["contact_phone"].value() == "(860) 555-8888"
    assert contact["contact_provider_name"].value() == other.display_name
    assert contact["contact_name"].value() == first.contact_name


def test_defaults_come_from_the_users_own_requests_in_the_same_practice_only(office, world):
    user, client = office
    first = fill_first_steps(client, world)
    practice_id = user.practice_memberships.get().practice_id
    assert selectors.last_request_defaults(user, practice_id=practice_id) == first
    # Another practice of the same user, and a colleague in the same practice: not this request's defaults.
    other_practice = submitter(user).practice_memberships.exclude(practice_id=practice_id).get().practice_id
    assert selectors.last_request_defaults(user, practice_id=other_practice) is None
    colleague = submitter(practice=first.practice)
    assert selectors.last_request_defaults(colleague, practice_id=practice_id) is None
    # The request being built is never its own default.
    assert selectors.last_request_defaults(user, practice_id=practice_id, exclude_pk=first.pk) is None


def test_the_request_page_asks_the_same_queries_however_many_previous_requests(
    office, previous, django_assert_num_queries
):
    from practices.tests.test_views import assert_same_queries_as_the_list_grows

    user, client = office

    def more_requests():
        for _ in range(4):
            submitted_case(user=user, practice=previous.practice, site=previous.site)

    assert_same_queries_as_the_list_grows(client, django_assert_num_queries, REQUEST_PAGE, more_requests)
