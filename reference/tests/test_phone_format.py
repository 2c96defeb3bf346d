"""Phone and fax numbers are stored as 10 digits and shown one way everywhere: (860) 666-4321."""

import pytest
from django.template import Context, Template
from django.urls import reverse

from cases.tests.factories import draft_case, submitted_case
from correspondence.tests.test_pdf import pdf_text
from reference.forms import USPhoneField
from reference.validators import format_us_phone

STORED = "8606664321"
SHOWN = "(860) 666-4321"


def test_ten_digits_are_formatted_with_the_area_code_in_parentheses():
    assert format_us_phone(STORED) == SHOWN


@pytest.mark.parametrize("value", ["", "860666432", "86066643210", "860-666-4321", "8606664321x7"])
def test_anything_but_ten_digits_is_shown_as_it_is(value):
    assert format_us_phone(value) == value


def test_none_is_shown_as_nothing():
    assert format_us_phone(None) == ""


def test_the_template_filter_gives_the_same_format():
    rendered = Template("{% load reference_format %}{{ number|us_phone }}").render(Context({"number": STORED}))
    assert rendered == SHOWN


def test_a_phone_field_shows_a_stored_number_formatted_and_keeps_what_was_typed():
    field = USPhoneField()
    assert field.prepare_value(STORED) == SHOWN
    assert field.prepare_value("860.666.4321") == "860.666.4321"
    assert field.clean(SHOWN) == STORED


@pytest.mark.django_db
def test_the_contact_step_shows_the_stored_fax_formatted(signed_in_client, catalog):
    case = draft_case(contact_fax=STORED)
    page = signed_in_client(case.created_by).get(reverse("cases:step", args=[case.request_id, "contact"]))
    assert f'value="{SHOWN}"' in page.content.decode()


@pytest.mark.django_db
def test_the_site_step_shows_the_sites_phone_and_fax_formatted(signed_in_client, catalog):
    case = draft_case()
    case.site.phone, case.site.fax = STORED, "8606665556"
    case.site.save()
    client = signed_in_client(case.created_by)
    page = client.post(
        reverse("cases:step", args=[case.request_id, "site"]), {"action": "lookup", "npi": case.site.npi}
    ).content.decode()
    assert f'<td data-label="Phone">{SHOWN}</td>' in page


@pytest.mark.django_db
def test_the_summary_and_its_pdf_show_the_contact_fax_formatted(signed_in_client, catalog):
    case = submitted_case(contact_fax=STORED)
    client = signed_in_client(case.created_by)
    page = client.get(reverse("cases:summary", args=[case.request_id])).content.decode()
    assert SHOWN in page
    document = client.get(reverse("cases:summary_pdf", args=[case.request_id])).content
    # The fax column is narrow: the number may wrap at its space, so the drawn lines are joined with one.
    assert SHOWN in " ".join(pdf_text(document).splitlines())


@pytest.mark.django_db
def test_the_profile_shows_the_users_phone_formatted(signed_in_client):
    from accounts.tests.factories import UserFactory

    user = UserFactory(phone=STORED)
    page = signed_in_client(user).get(reverse("accounts:profile")).content.decode()
    assert f"<dd>{SHOWN}" in page
