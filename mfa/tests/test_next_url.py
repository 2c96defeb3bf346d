"""A ``next`` that is not a path on this site (a typo, a view name, junk) is ignored, never a server error."""

import pytest

pytestmark = pytest.mark.django_db

NOT_A_PATH = ["²", "resources", "' OR '1'='1", "y" * 300]


@pytest.mark.parametrize("next_url", NOT_A_PATH)
def test_forgetting_all_devices_with_a_next_that_is_not_a_path_goes_back_to_the_devices_page(
    signed_in_client, user, next_url
):
    response = signed_in_client(user).post("/mfa/remembered/forget-all/", {"next": next_url})
    assert response.status_code == 302 and response.url == "/mfa/devices/"


@pytest.mark.parametrize("next_url", NOT_A_PATH)
def test_after_verification_a_next_that_is_not_a_path_opens_the_dashboard(signed_in_client, user, next_url):
    client = signed_in_client(user)
    assert client.get("/mfa/", {"next": next_url}).url == "/"
