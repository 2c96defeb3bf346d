import pytest
from django.utils import timezone

from accounts.demo import demo_users_ensure
from practices.demo import practices_demo_ensure
from practices.models import AccountProvider, PracticeMembership, WorklistAccess
from practices.selectors import providers_on_account, worklist_owners_visible_to
from reference.models import Provider
from reference.tests.factories import ProviderFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_users(db):
    demo_users_ensure()
    ProviderFactory.create_batch(5)


def test_mjohnson_manages_a_practice_where_frontdesk_only_receives_correspondence(demo_users):
    practices_demo_ensure()
    manager = PracticeMembership.objects.get(user__username="mjohnson")
    assert manager.is_access_manager and manager.case_submission
    frontdesk = PracticeMembership.objects.get(user__username="frontdesk")
    assert frontdesk.practice == manager.practice
    assert not frontdesk.is_access_manager
    assert frontdesk.entitlement_labels == ["Correspondence"]


def test_mjohnson_has_the_first_providers_by_npi_and_shares_her_worklist_with_hhagency(demo_users):
    practices_demo_ensure()
    mjohnson = PracticeMembership.objects.get(user__username="mjohnson").user
    assert set(providers_on_account(user=mjohnson)) == set(Provider.objects.order_by("npi")[:3])
    hhagency = PracticeMembership.objects.get(user__username="hhagency").user
    assert mjohnson in worklist_owners_visible_to(hhagency)


def test_running_the_demo_twice_adds_nothing_and_keeps_a_revocation(demo_users):
    assert practices_demo_ensure() > 0
    WorklistAccess.objects.update(revoked_at=timezone.now())
    counts = (PracticeMembership.objects.count(), AccountProvider.objects.count(), WorklistAccess.objects.count())
    assert practices_demo_ensure() == 0
    assert counts == (
        PracticeMembership.objects.count(),
        AccountProvider.objects.count(),
        WorklistAccess.objects.count(),
    )
    assert not WorklistAccess.objects.filter(revoked_at__isnull=True).exists()


def test_without_the_demo_logins_nothing_is_created():
    assert practices_demo_ensure() == 0
    assert not PracticeMembership.objects.exists()
