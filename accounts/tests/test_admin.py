import pytest

from accounts.models import User
from accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_admin_refuses_a_password_that_breaks_the_policy(signed_in_client):
    admin = UserFactory(username="portaladmin", is_staff=True, is_superuser=True)
    client = signed_in_client(admin)
    user = UserFactory(username="kporter", first_name="Keisha", last_name="Porter")
    url = f"/admin/accounts/user/{user.pk}/password/"
    response = client.post(url, {"password1": "Keisha!Porter9x", "password2": "Keisha!Porter9x"})
    assert response.status_code == 200
    assert "must not contain your first name" in response.content.decode()
    assert not User.objects.get(pk=user.pk).check_password("Keisha!Porter9x")
