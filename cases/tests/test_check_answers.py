"""Check your answers before the lock (issue 10, item 12): the attest page shows everything entered so far, a
Change link per section, and saving a changed step comes back to it unless the change reopened an earlier step."""

import datetime
import re

import pytest
from django.utils import timezone

from cases.tests import test_wizard
from cases.tests.test_wizard import step_url, walk_to_attestation
from reference.models import HealthPlan

pytestmark = pytest.mark.django_db

# The wizard tests' fixtures: a signed-in office with Ada Okafor, MD on its account, a plan and a patient.
office, world = test_wizard.office, test_wizard.world

SECTIONS = {
    "provider": "requesting provider",
    "insurer": "insurer and address",
    "contact": "contact",
    "date": "date of service",
    "patient": "patient",
    "patient-contact": "patient cell phone and email",
    "service": "service and diagnoses",
    "site": "site of service",
}


def change_url(case, slug):
    return f"{step_url(case, slug)}?return=attest"


def change_link(case, slug, section):
    return f'<a href="{change_url(case, slug)}">Change<span class="visually-hidden"> {section}</span></a>'


def contact_data(provider, **changed):
    return {
        "contact_provider_name": provider.display_name,
        "contact_name": "Maria Johnson",
        "contact_fax": "8606664321",
        "contact_phone": "8606661234",
        "contact_email": "maria@office.example",
        "notify_by_email": "on",
        **changed,
    }


def test_the_attest_page_shows_each_sections_answers_and_a_change_link(office, world):
    _, client = office
    case = walk_to_attestation(client, world)
    page = client.get(step_url(case, "attest")).content.decode()

    provider, member, site = world["provider"], world["member"], world["agency"]
    for value in (
        provider.display_name,
        provider.npi,
        provider.address_display,
        world["plan"].name,
        "<dd>Maria Johnson</dd>",
        "(860) 666-4321",
        "(860) 666-1234",
        "maria@office.example",
        case.date_of_service.strftime("%m/%d/%Y"),
        member.full_name,
        member.member_id,
        "04/02/1950",
        case.header_code,
        "S92.151A",
        site.name,
        site.npi,
        site.address_display,
    ):
        assert value in page, value
    assert "(860) 666-4321" in page and "8606664321" not in page  # shown with us_phone, never as bare digits
    for slug, section in SECTIONS.items():
        assert change_link(case, slug, section) in page
    # The answers come before the attestation checkbox.
    assert page.index("Check your answers") < page.index('name="attest"')


def test_a_delivered_dme_request_shows_its_place_of_service_and_attention_answers(office, world):
    _, client = office
    delivered = timezone.localdate() - datetime.timedelta(days=1)
    case = walk_to_attestation(client, world, program="dme", delivered=delivered)
    response = client.post(step_url(case, "site-dispensed"), {"urgent_basis": "yes", "after_hours": "no"})
    assert response["Location"] == step_url(case, "attest")
    page = client.get(step_url(case, "attest")).content.decode()

    assert "Has the DME been delivered or dispensed?" in page
    assert delivered.strftime("%m/%d/%Y") in page
    assert "12 - Home" in page
    assert re.search(r"performed on an urgent basis\?</dt><dd>Yes</dd>", page)
    assert re.search(r"after normal working hours \(7am-7pm\)\?</dt><dd>No</dd>", page)
    assert change_link(case, "site-dispensed", "Attention! answers") in page


def test_change_on_the_contact_step_comes_back_to_attest_with_the_new_value(office, world):
    _, client = office
    case = walk_to_attestation(client, world)
    assert client.get(change_url(case, "contact")).status_code == 200

    response = client.post(change_url(case, "contact"), contact_data(world["provider"], contact_name="Jo Bloggs"))

    assert response["Location"] == step_url(case, "attest")
    page = client.get(response["Location"]).content.decode()
    assert "<dd>Jo Bloggs</dd>" in page
    assert "<dd>Maria Johnson</dd>" not in page


def test_a_contact_change_with_errors_stays_on_the_step_and_still_comes_back_after(office, world):
    _, client = office
    case = walk_to_attestation(client, world)

    refused = client.post(change_url(case, "contact"), contact_data(world["provider"], contact_name=""))
    assert refused.status_code == 200
    response = client.post(change_url(case, "contact"), contact_data(world["provider"], contact_name="Jo Bloggs"))
    assert response["Location"] == step_url(case, "attest")


def test_change_to_another_insurer_clears_the_patient_and_walks_on_instead_of_back_to_attest(office, world):
    _, client = office
    case = walk_to_attestation(client, world)
    medicare = HealthPlan.objects.get(code="cigna-medicare")

    response = client.post(
        change_url(case, "insurer"),
        {"health_plan": medicare.pk, "provider_address": world["provider"].address_display},
    )

    case.refresh_from_db()
    assert case.member is None
    # The ordinary next-step rule: the steps after the insurer, on to the date and the patient again.
    assert response["Location"] == step_url(case, "contact")
    assert client.get(step_url(case, "attest"))["Location"] == step_url(case, "date")


@pytest.mark.parametrize(
    "hostile", ["https://evil.example/", "//evil.example", "/accounts/logout/", "review", "attest/../x", ""]
)
def test_a_return_value_not_on_the_allow_list_is_ignored(office, world, hostile):
    _, client = office
    case = walk_to_attestation(client, world)

    response = client.post(
        f"{step_url(case, 'contact')}?return={hostile}", contact_data(world["provider"], contact_name="Jo Bloggs")
    )

    assert response["Location"] == step_url(case, "date")


def test_without_return_saving_a_step_walks_to_the_next_one(office, world):
    _, client = office
    case = walk_to_attestation(client, world)

    response = client.post(step_url(case, "contact"), contact_data(world["provider"]))

    assert response["Location"] == step_url(case, "date")


def test_the_provider_filter_keeps_the_way_back_to_check_your_answers(office, world):
    _, client = office
    case = walk_to_attestation(client, world)
    page = client.get(f"{change_url(case, 'provider')}&filter=Oka").content.decode()
    assert '<input type="hidden" name="return" value="attest">' in page
    assert f'href="{change_url(case, "provider")}">Clear Search' in page
    response = client.post(
        f"{change_url(case, 'provider')}&filter=Oka", {"action": "select", "provider": world["provider"].pk}
    )
    assert response["Location"] == step_url(case, "attest")
    # Anything but the allowed value is dropped, never echoed.
    page = client.get(step_url(case, "provider"), {"filter": "Oka", "return": '"><script>'}).content.decode()
    assert 'name="return"' not in page and "<script>" not in page.split("<main", 1)[1].split("</main>")[0]
