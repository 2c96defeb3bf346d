import re

import pytest
from django.core import mail
from django.test import Client

from accounts.models import User
from accounts.tests.factories import UserFactory
from audit.models import AuditEvent
from reference.tests.digits import arabic_indic

pytestmark = pytest.mark.django_db
NEW_PASSWORD = "Rv9?Lp2+Wd7.Hs4"


@pytest.fixture
def sign_in(signed_in_client, settings):
    """Log in with the password form, then pass MFA: the profile holds account settings."""

    def log_in(user):
        client = Client()
        client.post("/accounts/login/", {"username": user.username, "password": settings.DEMO_PASSWORD})
        return signed_in_client(user, client=client)

    return log_in


@pytest.fixture
def user():
    return UserFactory(username="mjohnson", first_name="Maria", last_name="Johnson", email="mjohnson@office.example")


def test_profile_needs_a_signed_in_user(client):
    assert client.get("/accounts/profile/").url.startswith("/accounts/login/")


def test_changing_the_password_needs_the_current_one(user, settings, sign_in):
    client = sign_in(user)
    response = client.post(
        "/accounts/profile/",
        {"action": "password", "old_password": "not-it", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 400
    assert 'id="id_old_password_error"' in response.content.decode()
    assert "Your current password is not correct." in response.content.decode()


def test_a_new_password_keeps_this_session_and_ends_the_others(
    user, settings, sign_in, django_capture_on_commit_callbacks
):
    here, elsewhere = sign_in(user), sign_in(user)
    with django_capture_on_commit_callbacks(execute=True):
        response = here.post(
            "/accounts/profile/",
            {
                "action": "password",
                "old_password": settings.DEMO_PASSWORD,
                "new_password1": NEW_PASSWORD,
                "new_password2": NEW_PASSWORD,
            },
        )
    assert response.url == "/accounts/profile/"
    assert here.get("/accounts/profile/").status_code == 200
    assert elsewhere.get("/accounts/profile/").status_code == 302
    assert mail.outbox[-1].subject == "Your password was changed"
    assert AuditEvent.objects.filter(action="account.password_changed", actor=user).exists()


def test_a_weak_new_password_is_refused_by_the_same_policy(user, settings, sign_in):
    client = sign_in(user)
    response = client.post(
        "/accounts/profile/",
        {
            "action": "password",
            "old_password": settings.DEMO_PASSWORD,
            "new_password1": "Johnson!2024xy",
            "new_password2": "Johnson!2024xy",
        },
    )
    assert "must not contain your first name" in response.content.decode()


def test_sign_out_other_sessions_keeps_only_this_one(user, settings, sign_in):
    here, elsewhere = sign_in(user), sign_in(user)
    here.post("/accounts/profile/", {"action": "sessions"})
    assert here.get("/accounts/profile/").status_code == 200
    assert elsewhere.get("/accounts/profile/").status_code == 302
    assert User.objects.get(pk=user.pk).check_password(settings.DEMO_PASSWORD)


def test_a_new_email_is_used_only_once_its_link_is_followed(user, settings, sign_in):
    client = sign_in(user)
    client.post(
        "/accounts/profile/",
        {"action": "email", "email-new_email": "maria@new.example", "email-confirm_email": "Maria@new.example"},
    )
    user.refresh_from_db()
    assert user.email == "mjohnson@office.example"
    to_new = next(m for m in mail.outbox if m.to == ["maria@new.example"])
    assert any(m.to == ["mjohnson@office.example"] and "maria@new.example" in m.body for m in mail.outbox)
    link = re.search(r"http://testserver(/accounts/profile/email/\S+/)", to_new.body).group(1)
    assert client.get(link).url == "/accounts/profile/"
    user.refresh_from_db()
    assert user.email == "maria@new.example"
    again = client.get(link)
    assert again.status_code == 400 and "already been used" in again.content.decode()


def test_an_email_taken_meanwhile_is_not_applied(user, settings, sign_in):
    client = sign_in(user)
    client.post(
        "/accounts/profile/",
        {"action": "email", "email-new_email": "taken@new.example", "email-confirm_email": "taken@new.example"},
    )
    UserFactory(username="other", email="taken@new.example")
    link = re.search(r"http://testserver(/accounts/profile/email/\S+/)", mail.outbox[0].body).group(1)
    assert client.get(link).status_code == 400
    user.refresh_from_db()
    assert user.email == "mjohnson@office.example"


def test_a_tampered_email_link_changes_nothing(user, settings, sign_in):
    client = sign_in(user)
    assert client.get("/accounts/profile/email/not-a-token/").status_code == 400


def test_phone_is_validated_and_saved(user, settings, sign_in):
    client = sign_in(user)
    bad = client.post("/accounts/profile/", {"action": "phone", "phone-phone": "12345", "phone-phone_ext": ""})
    assert bad.status_code == 400 and 'id="id_phone-phone_error"' in bad.content.decode()
    client.post("/accounts/profile/", {"action": "phone", "phone-phone": "860-555-0199", "phone-phone_ext": "7"})
    user.refresh_from_db()
    assert (user.phone, user.phone_ext) == ("8605550199", "7")


def test_the_profile_asks_for_mfa_after_the_password(user, settings):
    client = Client()
    client.post("/accounts/login/", {"username": user.username, "password": settings.DEMO_PASSWORD})
    response = client.get("/accounts/profile/")
    assert response.status_code == 302 and response.url.startswith("/mfa/")


def test_a_phone_in_arabic_indic_digits_is_refused_next_to_the_field(user, settings, sign_in):
    client = sign_in(user)
    response = client.post(
        "/accounts/profile/",
        {"action": "phone", "phone-phone": arabic_indic("860-555-0199"), "phone-phone_ext": arabic_indic("7")},
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert 'id="id_phone-phone_error"' in html and "digits 0-9 only" in html
    assert 'id="id_phone-phone_ext_error"' in html
    user.refresh_from_db()
    assert (user.phone, user.phone_ext) == ("", "")
