"""The requesting provider step's NPI search (issue 10 item 9): a format message for what cannot be an NPI,
and "Select" for a provider already on the account."""

import re

import pytest

from cases.tests import test_wizard
from cases.tests.test_wizard import start, step_url
from practices.models import AccountProvider
from reference.tests.factories import ProviderFactory

pytestmark = pytest.mark.django_db

# The wizard tests' fixtures: a signed-in office with Ada Okafor, MD on its account, a plan and a patient.
office, world = test_wizard.office, test_wizard.world

FORMAT_MESSAGE = "Enter the 10-digit NPI, digits only."


def npi_search(client, case, npi):
    return client.post(step_url(case, "provider"), {"action": "npi_search", "npi": npi}).content.decode()


def error_summary(page):
    found = re.search(r'<div class="error-summary".*?</div>', page, re.S)
    return found.group(0) if found else ""


@pytest.mark.parametrize("typed", ["abcdefghij", "12345abcde", "!!!", "---", "(((", "..."])
def test_an_npi_search_with_letters_or_symbols_asks_for_the_ten_digits(office, typed):
    _user, client = office
    case = start(client)
    page = npi_search(client, case, typed)
    assert "No provider has this NPI" not in page
    assert FORMAT_MESSAGE in error_summary(page)
    # Next to the field too, where the screen reader announces it with the input.
    field_error = re.search(r'id="id_npi_error".*?</p>', page, re.S)
    assert field_error and FORMAT_MESSAGE in field_error.group(0)


def test_an_unknown_but_well_formed_npi_says_no_provider_has_it(office):
    _user, client = office
    case = start(client)
    page = npi_search(client, case, "1234567893")
    assert "No provider has this NPI" in page
    assert not error_summary(page)


def test_an_npi_already_on_the_account_offers_select(office, world):
    _user, client = office
    case = start(client)
    provider = world["provider"]
    page = npi_search(client, case, provider.npi)
    result = re.search(r'<form method="post" class="result-row">.*?</form>', page, re.S).group(0)
    assert 'value="select"' in result
    assert "add to my account" not in result
    response = client.post(step_url(case, "provider"), {"action": "select", "provider": provider.pk})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.ordering_provider == provider


def test_an_npi_not_on_the_account_offers_select_and_add(office):
    user, client = office
    case = start(client)
    newcomer = ProviderFactory(last_name="Nakamura")
    page = npi_search(client, case, newcomer.npi)
    result = re.search(r'<form method="post" class="result-row">.*?</form>', page, re.S).group(0)
    assert 'value="add_select"' in result
    assert "and add to my account" in result
    client.post(step_url(case, "provider"), {"action": "add_select", "provider": newcomer.pk})
    assert AccountProvider.objects.filter(user=user, provider=newcomer).exists()
