"""The agents' ticket list in the admin: a search by EC number is an exact, indexed match."""

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.tests.factories import UserFactory
from ecrm import tickets
from ecrm.models import RequestForm
from ecrm.tests.factories import ecrm_user

pytestmark = pytest.mark.django_db


def ticket_of(form, description):
    return tickets.ticket_submit(
        request=None,
        user=ecrm_user(),
        request_form=form,
        data={
            "short_description": description,
            "carrier_scope": "all",
            "health_plans": [],
            "request_type": form.request_types.first(),
        },
        files=[SimpleUploadedFile("fax.txt", b"fax")],
    )


@pytest.fixture
def agent(signed_in_client):
    user = UserFactory(is_staff=True)
    user.user_permissions.add(Permission.objects.get(content_type__app_label="ecrm", codename="view_ticket"))
    return signed_in_client(user)


def listed(response) -> list[str]:
    return [str(ticket) for ticket in response.context["cl"].result_list]


def test_a_search_by_ec_number_finds_that_ticket_typed_in_any_case_and_nothing_for_part_of_one(ecrm_catalog, agent):
    form = RequestForm.objects.get(slug="provider-services")
    first, second = ticket_of(form, "Fax number"), ticket_of(form, "Claim status")
    url = reverse("admin:ecrm_ticket_changelist")
    assert listed(agent.get(url)) == [second.number, first.number]
    assert listed(agent.get(url, {"q": f"  {first.number.lower()} "})) == [first.number]
    assert listed(agent.get(url, {"q": first.number[:-1]})) == []
    assert listed(agent.get(url, {"q": "Fax number"})) == []
