import datetime

import pytest
from django.contrib.auth.models import Group

from ecrm.demo import AGENT_GROUP, ecrm_demo_ensure
from ecrm.models import Category, RequestForm, Subrequest
from ecrm.views import created_words

pytestmark = pytest.mark.django_db


def test_the_catalog_loads_once_and_lets_ecrm_agents_read_tickets():
    assert ecrm_demo_ensure() == 10
    assert ecrm_demo_ensure() == 0
    assert list(Category.objects.values_list("name", flat=True)) == [
        "Appeals",
        "Claims",
        "Client & Provider Services",
        "Credentialing & Accuracy Management",
        "Eligibility",
    ]
    assert Subrequest.objects.filter(
        request_type__name="Provider Info Change", name="Phone & FAX Update EviCore PAR"
    ).exists()
    provider_services = RequestForm.objects.get(slug="provider-services")
    assert provider_services.allows_all_carriers and provider_services.allows_multiple_carriers
    assert set(Group.objects.get(name=AGENT_GROUP).permissions.values_list("codename", flat=True)) >= {"view_ticket"}


def test_created_reads_just_now_for_a_minute_then_relative():
    created = datetime.datetime(2026, 11, 30, 12, 0, tzinfo=datetime.UTC)
    assert created_words(created, created + datetime.timedelta(seconds=59)) == "just now"
    assert created_words(created, created + datetime.timedelta(minutes=5, seconds=10)) == "5\xa0minutes ago"
    assert created_words(created, created + datetime.timedelta(days=2, hours=3)) == "2\xa0days ago"
