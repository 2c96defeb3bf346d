import pytest

from accounts.tests.factories import UserFactory
from portal import navigation

pytestmark = pytest.mark.django_db


def test_visitor_home_offers_log_in(client):
    html = client.get("/").content.decode()
    assert "Provider&#x27;s Hub" in html or "Provider's Hub" in html
    assert 'href="/accounts/login/"' in html


def test_navigation_links_only_to_pages_that_exist(client):
    for links in (navigation.UPX_LINKS, navigation.CARECORE_LINKS, navigation.VISITOR_LINKS):
        for _label, url in navigation.resolved(links):
            assert client.get(url).status_code in (200, 302), url


def test_signed_in_user_sees_their_name_and_the_carecore_bar_on_resources(client, settings):
    user = UserFactory(first_name="Maria", last_name="Johnson")
    client.force_login(user)
    html = client.get("/resources/").content.decode()
    assert "Maria Johnson" in html
    assert 'aria-label="CareCore"' in html


def test_wrong_password_gets_one_message_that_does_not_say_which_field_was_wrong(client):
    UserFactory(username="mjohnson")
    for username, password in (("mjohnson", "wrong"), ("nobody", "wrong")):
        html = client.post("/accounts/login/", {"username": username, "password": password}).content.decode()
        assert "The user name or password is not correct." in html


def test_login_form_ties_labels_to_inputs(client):
    html = client.get("/accounts/login/").content.decode()
    assert '<label class="label" for="id_username">User name' in html
    assert '<label class="label" for="id_password">Password' in html


def test_logging_in_lands_on_the_dashboard(client, settings, signed_in_client):
    user = UserFactory(username="mjohnson", first_name="Maria", last_name="Johnson")
    response = client.post("/accounts/login/", {"username": "mjohnson", "password": settings.DEMO_PASSWORD})
    assert response.status_code == 302
    signed_in_client(user, client=client)  # MFA (ACC-5) comes between the password and the dashboard
    assert "Welcome, Maria Johnson" in client.get(response.url).content.decode()
