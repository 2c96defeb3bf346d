import re

import pytest
from django.core import mail

from accounts.models import User
from accounts.tests.factories import UserFactory
from audit.models import AuditEvent
from reference.tests.digits import arabic_indic, fullwidth

pytestmark = pytest.mark.django_db

GOOD_PASSWORD = "Tq7!mzPw2=kXv"
FORM = {
    "first_name": "Maria",
    "last_name": "Johnson",
    "username": "mjohnson2",
    "email": "Maria.Johnson@office.example",
    "confirm_email": "maria.johnson@office.example",
    "phone": "(860) 555-0142",
    "phone_ext": "12",
    "npi": "1234567893",
    "tax_id": "06-1234567",
    "organization_name": "Hartford Orthopedics",
}


def register(client, **changes):
    return client.post("/accounts/register/", {**FORM, **changes})


def link_in(message) -> str:
    return re.search(r"http://testserver(/accounts/verify/\S+/)", message.body).group(1)


def test_registering_creates_an_inactive_account_and_emails_a_verification_link(client):
    response = register(client)
    assert response.status_code == 302 and response.url == "/accounts/register/check-your-email/"
    user = User.objects.get(username="mjohnson2")
    assert not user.is_active and not user.has_usable_password()
    assert (user.email, user.phone, user.npi, user.tax_id) == (
        "maria.johnson@office.example",
        "8605550142",
        "1234567893",
        "061234567",
    )
    assert mail.outbox[0].to == ["maria.johnson@office.example"]
    assert link_in(mail.outbox[0])


def test_following_the_link_verifies_then_creating_the_password_opens_the_account(client):
    register(client)
    link = link_in(mail.outbox[0])
    page = client.get(link)
    assert "Your email address has been verified." in page.content.decode()
    assert User.objects.get(username="mjohnson2").email_verified_at is not None
    response = client.post(link, {"new_password1": GOOD_PASSWORD, "new_password2": GOOD_PASSWORD})
    assert response.status_code == 302 and response.url == "/accounts/login/"
    user = User.objects.get(username="mjohnson2")
    assert user.is_active and user.check_password(GOOD_PASSWORD)
    login = client.post("/accounts/login/", {"username": "mjohnson2", "password": GOOD_PASSWORD})
    assert login.status_code == 302


def test_the_link_works_once(client):
    register(client)
    link = link_in(mail.outbox[0])
    client.post(link, {"new_password1": GOOD_PASSWORD, "new_password2": GOOD_PASSWORD})
    again = client.get(link)
    assert again.status_code == 400
    assert "This link has expired or is not valid" in again.content.decode()


def test_an_expired_or_tampered_link_offers_a_new_one(client, settings):
    register(client)
    link = link_in(mail.outbox[0])
    tampered = client.get(link[:-3] + "xx/")
    assert tampered.status_code == 400 and "Send a new link" in tampered.content.decode()
    assert client.get("/accounts/verify/zzz/abc-def/").status_code == 400
    settings.PASSWORD_RESET_TIMEOUT = -1
    assert client.get(link).status_code == 400


def test_asking_for_a_new_link_sends_one_only_to_a_pending_account(client):
    register(client)
    UserFactory(email="active@office.example")
    mail.outbox.clear()
    for email in ("maria.johnson@office.example", "nobody@office.example", "active@office.example"):
        response = client.post("/accounts/register/resend/", {"email": email})
        assert response.status_code == 302 and response.url == "/accounts/register/check-your-email/"
    assert [m.to for m in mail.outbox] == [["maria.johnson@office.example"]]


def test_a_weak_password_is_refused_next_to_the_field_and_the_account_stays_closed(client):
    register(client)
    link = link_in(mail.outbox[0])
    response = client.post(link, {"new_password1": "mjohnson2Abc!", "new_password2": "mjohnson2Abc!"})
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="id_new_password1_error"' in html
    assert "sequence" in html and "user name" in html
    assert not User.objects.get(username="mjohnson2").is_active


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("npi", "1234567890", "This is not a valid NPI"),
        ("npi", "12345", "Enter the 10-digit NPI"),
        ("tax_id", "12345678", "Enter the 9-digit tax ID"),
        ("phone", "555-0142", "Enter a 10-digit US number"),
        ("confirm_email", "other@office.example", "The two email addresses do not match."),
        ("username", "maria johnson", "Enter a valid username"),
        ("first_name", "", "Enter your first name"),
        ("phone_ext", "x12", "digits only"),
    ],
)
def test_each_bad_field_gets_its_own_message_and_keeps_what_was_typed(client, field, value, message):
    response = register(client, **{field: value})
    html = response.content.decode()
    assert response.status_code == 200
    assert f'id="id_{field}_error"' in html
    assert message in html
    assert 'value="Hartford Orthopedics"' in html
    assert not User.objects.filter(username="mjohnson2").exists()


def test_a_registered_email_gets_the_same_answer_and_its_owner_an_email(client):
    UserFactory(username="existing", email="maria.johnson@office.example")
    response = register(client, username="someone_new")
    assert response.url == "/accounts/register/check-your-email/"
    assert not User.objects.filter(username="someone_new").exists()
    assert mail.outbox[0].to == ["maria.johnson@office.example"]
    assert "already has an account" in mail.outbox[0].body


def test_a_taken_user_name_gets_the_same_answer_and_an_email_to_the_new_address(client):
    UserFactory(username="mjohnson2", email="first@office.example")
    response = register(client)
    assert response.url == "/accounts/register/check-your-email/"
    assert User.objects.filter(username__iexact="mjohnson2").count() == 1
    assert mail.outbox[0].to == ["maria.johnson@office.example"]
    assert "already taken" in mail.outbox[0].body


def test_registration_and_verification_are_audited(client):
    register(client)
    link = link_in(mail.outbox[0])
    client.post(link, {"new_password1": GOOD_PASSWORD, "new_password2": GOOD_PASSWORD})
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"account.registered", "account.email_verified", "account.password_created"} <= actions


def test_opening_the_account_joins_the_practice_of_the_registered_tax_id(client):
    from practices.models import PracticeMembership

    register(client)
    link = link_in(mail.outbox[0])
    client.post(link, {"new_password1": GOOD_PASSWORD, "new_password2": GOOD_PASSWORD})
    membership = PracticeMembership.objects.get(user__username="mjohnson2")
    assert membership.practice.tin == "061234567"
    assert membership.is_access_manager  # the first member of a new practice


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("tax_id", arabic_indic("06-1234567"), "Enter the 9-digit tax ID (TIN), digits 0-9 only."),
        ("tax_id", fullwidth("061234567"), "Enter the 9-digit tax ID (TIN), digits 0-9 only."),
        ("npi", arabic_indic("1234567893"), "Enter the 10-digit NPI, digits 0-9 only."),
        ("phone", arabic_indic("(860) 555-0142"), "Enter a 10-digit US number, digits 0-9 only"),
        ("phone", "860-555-014²", "Enter a 10-digit US number, digits 0-9 only"),
        ("phone_ext", arabic_indic("12"), "Enter the extension as digits 0-9 only."),
    ],
)
def test_digits_other_than_0_to_9_are_refused_next_to_the_field_and_create_no_account(client, field, value, message):
    response = register(client, **{field: value})
    html = response.content.decode()
    assert response.status_code == 200
    assert f'id="id_{field}_error"' in html
    assert message in html
    assert not User.objects.exists()
    assert mail.outbox == []


def test_a_registration_with_an_arabic_indic_tin_npi_and_phone_shows_three_field_errors(client):
    response = register(
        client,
        tax_id=arabic_indic("061234567"),
        npi=arabic_indic("1234567893"),
        phone=arabic_indic("8605550142"),
    )
    html = response.content.decode()
    assert response.status_code == 200
    for field in ("tax_id", "npi", "phone"):
        assert f'id="id_{field}_error"' in html
    assert not User.objects.exists()


def test_letters_between_the_digits_are_refused_rather_than_dropped(client):
    response = register(client, tax_id="06-12345x67")
    assert 'id="id_tax_id_error"' in response.content.decode()
    assert not User.objects.exists()
