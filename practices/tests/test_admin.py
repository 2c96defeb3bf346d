import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.tests.factories import UserFactory
from practices.tests.factories import AccountProviderFactory, PracticeMembershipFactory, WorklistAccessFactory

pytestmark = pytest.mark.django_db

CHANGELISTS = {
    "practice": lambda: PracticeMembershipFactory(manager=True),
    "practicemembership": PracticeMembershipFactory,
    "accountprovider": AccountProviderFactory,
    "worklistaccess": WorklistAccessFactory,
}


@pytest.fixture
def staff_client(signed_in_client):
    return signed_in_client(UserFactory(username="admin", is_staff=True, is_superuser=True))


@pytest.mark.parametrize("model", CHANGELISTS)
def test_each_changelist_opens_with_the_same_queries_for_many_rows(staff_client, django_assert_num_queries, model):
    url = reverse(f"admin:practices_{model}_changelist")
    CHANGELISTS[model]()
    with CaptureQueriesContext(connection) as few:
        assert staff_client.get(url).status_code == 200
    for _ in range(5):
        CHANGELISTS[model]()
    with django_assert_num_queries(len(few)):
        assert staff_client.get(url).status_code == 200


def test_worklist_grants_cannot_be_added_or_changed_in_the_admin(staff_client):
    access = WorklistAccessFactory()
    assert staff_client.get(reverse("admin:practices_worklistaccess_add")).status_code == 403
    page = staff_client.get(reverse("admin:practices_worklistaccess_change", args=[access.pk])).content.decode()
    assert 'name="_save"' not in page
