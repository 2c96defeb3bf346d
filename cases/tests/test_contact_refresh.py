"""Another requesting provider chosen after the contact step (issue 10 item 1): the contact step follows it.

The rule: the provider's name always comes from the provider chosen now; a fax or phone that was the
previous provider's own number on file is replaced by the new provider's; a number typed for this request
(not the previous provider's) is kept and the page says so; who to contact, ext., cell phone, email and
the email notification choice are the office's own and are kept.
"""

import re

import pytest

from cases import services
from cases.tests import test_wizard
from cases.tests.test_wizard import start, step_url
from reference.tests.factories import ProviderFactory
from reference.validators import format_us_phone

pytestmark = pytest.mark.django_db

# The wizard tests' fixtures: a signed-in office with Ada Okafor, MD on its account, a plan and a patient.
office, world = test_wizard.office, test_wizard.world


@pytest.fixture
def newcomer():
    return ProviderFactory(
        first_name="Ken", last_name="Nakamura", credentials="DO", fax="8605559999", phone="8605558888"
    )


def contact_for_first_provider(client, world, **typed):
    """Provider A (Ada Okafor, MD), the insurer and the contact step, with the contact values in ``typed``."""
    case = start(client)
    provider = world["provider"]
    client.post(step_url(case, "provider"), {"action": "select", "provider": provider.pk})
    client.post(
        step_url(case, "insurer"), {"health_plan": world["plan"].pk, "provider_address": provider.address_display}
    )
    data = {
        "contact_provider_name": provider.display_name,
        "contact_name": "Jo Bloggs",
        "contact_fax": provider.fax,
        "contact_phone": provider.phone,
        "contact_phone_ext": "42",
        "contact_cell_phone": "860-555-0142",
        "contact_email": "jo@office.example",
        # notify_by_email unticked: faxed notices
        **typed,
    }
    response = client.post(step_url(case, "contact"), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    return case


def choose_another_provider(client, world, case, provider):
    response = client.post(step_url(case, "provider"), {"action": "add_select", "provider": provider.pk})
    assert response.status_code == 302
    insurer = {"health_plan": world["plan"].pk, "provider_address": provider.address_display}
    assert client.post(step_url(case, "insurer"), insurer)["Location"] == step_url(case, "contact")
    return client.get(step_url(case, "contact"))


def field_value(response, name):
    return response.context["form"][name].value()


def digits(value):
    """A phone or fax as shown in the form, back to the stored digits."""
    return re.sub(r"[^0-9]", "", value)


def test_another_provider_puts_its_name_fax_and_phone_on_the_contact_step(office, world, newcomer):
    _user, client = office
    case = contact_for_first_provider(client, world)
    response = choose_another_provider(client, world, case, newcomer)
    page = response.content.decode()
    assert field_value(response, "contact_provider_name") == "Ken Nakamura, DO"
    assert digits(field_value(response, "contact_fax")) == "8605559999"
    assert digits(field_value(response, "contact_phone")) == "8605558888"
    assert "Ada Okafor" not in page
    assert format_us_phone(world["provider"].fax) not in page
    assert format_us_phone(world["provider"].phone) not in page
    assert (
        "You chose another provider: the provider&#x27;s name, fax and phone were updated to Ken Nakamura, DO&#x27;s. "
        "Check them before you continue." in page
    )


def test_another_provider_keeps_who_to_contact_and_the_offices_own_details(office, world, newcomer):
    _user, client = office
    case = contact_for_first_provider(client, world)
    response = choose_another_provider(client, world, case, newcomer)
    assert field_value(response, "contact_name") == "Jo Bloggs"
    assert field_value(response, "contact_phone_ext") == "42"
    assert digits(field_value(response, "contact_cell_phone")) == "8605550142"
    assert field_value(response, "contact_email") == "jo@office.example"
    assert field_value(response, "notify_by_email") is False


def test_a_fax_typed_for_this_request_is_kept_and_the_page_says_so(office, world, newcomer):
    _user, client = office
    case = contact_for_first_provider(client, world, contact_fax="860-555-0100")
    response = choose_another_provider(client, world, case, newcomer)
    page = response.content.decode()
    assert digits(field_value(response, "contact_fax")) == "8605550100"
    assert digits(field_value(response, "contact_phone")) == "8605558888"
    assert "the provider&#x27;s name and phone were updated to Ken Nakamura, DO&#x27;s." in page
    assert f"The fax typed for this request, {format_us_phone('8605550100')}, was kept" in page


def test_the_saved_contact_step_shows_no_notice_and_the_new_providers_details(office, world, newcomer):
    _user, client = office
    case = contact_for_first_provider(client, world)
    response = choose_another_provider(client, world, case, newcomer)
    data = {
        name: value
        for name in response.context["form"].fields
        if (value := field_value(response, name)) not in (None, False)
    }
    assert client.post(step_url(case, "contact"), data).status_code == 302
    case.refresh_from_db()
    assert (case.contact_provider_name, case.contact_fax, case.contact_phone) == (
        "Ken Nakamura, DO",
        "8605559999",
        "8605558888",
    )
    assert case.contact_name == "Jo Bloggs"
    assert "You chose another provider" not in client.get(step_url(case, "contact")).content.decode()


def test_choosing_the_same_provider_again_changes_nothing_on_the_contact_step(office, world):
    _user, client = office
    case = contact_for_first_provider(client, world, contact_fax="860-555-0100")
    client.post(step_url(case, "provider"), {"action": "select", "provider": world["provider"].pk})
    case.refresh_from_db()
    assert "contact" in case.completed_steps
    assert (case.contact_provider_name, case.contact_fax) == ("Ada Okafor, MD", "8605550100")


def test_the_service_drops_the_previous_providers_own_contact_values(office, world, newcomer):
    """The supplier and agency path saves the provider through the same service."""
    user, client = office
    case = contact_for_first_provider(client, world, contact_phone="860-555-0177")
    case = services.case_step_save(
        case=case, user=user, step="provider", changes={"ordering_provider": newcomer}, next_step="insurer"
    )
    assert case.contact_provider_name == ""
    assert case.contact_fax == ""  # Ada Okafor's own fax
    assert case.contact_phone == "8605550177"  # typed for this request
    assert case.contact_name == "Jo Bloggs"


def test_both_numbers_typed_for_this_request_are_kept_and_only_the_name_is_updated(office, world, newcomer):
    _user, client = office
    case = contact_for_first_provider(client, world, contact_fax="860-555-0100", contact_phone="860-555-0177")
    response = choose_another_provider(client, world, case, newcomer)
    page = response.content.decode()
    assert field_value(response, "contact_provider_name") == "Ken Nakamura, DO"
    assert (digits(field_value(response, "contact_fax")), digits(field_value(response, "contact_phone"))) == (
        "8605550100",
        "8605550177",
    )
    assert "the provider&#x27;s name was updated to Ken Nakamura, DO&#x27;s." in page
    assert f"The phone typed for this request, {format_us_phone('8605550177')}, was kept" in page
