"""ECRM-1: "ECRM Registration", the verification email and page, then the password set through the accounts'
three-step Identify / Verify / Reset flow under the same rules (the organization name counts as user data)."""

import re

import pytest
from django.core import mail

from accounts.models import User
from ecrm.models import EcrmProfile

pytestmark = pytest.mark.django_db

PASSWORD = "Tq7!mzPw2=kXv"
FORM = {
    "first_name": "Maria",
    "last_name": "Johnson",
    "email": "Maria.Johnson@Office.example",
    "phone": "(860) 555-0142",
    "phone_ext": "12",
    "organization_name": "Granby Therapy",
    "address": "12 Main Street",
    "city": "Hartford",
    "state": "CT",
    "tax_id": "06-1234567",
    "npi": "1234567893",
}


def register(client, **changes):
    return client.post("/ecrm/register/", {**FORM, **changes})


def link_in(message, pattern) -> str:
    return re.search(rf"http://testserver({pattern}\S*)", message.body).group(1)


def verify(client, committed):
    register(client)
    return committed(client.get, link_in(mail.outbox[-1], "/ecrm/verify/"))


def reset_password(client, username, password):
    """The accounts' three steps: Identify, Verify (the emailed code), Reset."""
    client.post("/accounts/password/forgot/", {"username": username})
    client.post("/accounts/password/forgot/verify/", {"action": "send"})
    code = re.search(r"\b(\d{6})\b", mail.outbox[-1].body).group(1)
    client.post("/accounts/password/forgot/verify/", {"code": code})
    return client.post("/accounts/password/forgot/reset/", {"new_password1": password, "new_password2": password})


def test_the_registration_page_shows_the_seed_labels_and_required_marks(client):
    page = client.get("/ecrm/register/").content.decode()
    assert "ECRM Registration" in page and "Indicates required" in page and "Sign Up" in page
    for label in ("First name", "Last name", "Email", "Business Phone", "Ext", "Organization Name", "Address"):
        assert f">{label}" in page
    for label in ("City", "State", "Individual Tax ID", "Individual NPI"):
        assert f">{label}" in page


def test_signing_up_stores_the_profile_and_emails_the_verification_link(client):
    response = register(client)
    assert response.status_code == 302 and response.url == "/ecrm/register/check-your-email/"
    user = User.objects.get(email="maria.johnson@office.example")
    assert user.username == "maria.johnson@office.example"
    assert not user.is_active and not user.has_usable_password()
    profile = user.ecrm_profile
    assert (profile.business_phone, profile.business_phone_ext, profile.tax_id, profile.npi, profile.state) == (
        "8605550142",
        "12",
        "061234567",
        "1234567893",
        "CT",
    )
    # The tax ID stays off the account: an account's tax ID would join a practice and open its cases.
    assert user.tax_id == "" and user.organization_name == "Granby Therapy"
    assert mail.outbox[0].to == ["maria.johnson@office.example"]
    assert link_in(mail.outbox[0], "/ecrm/verify/")


def test_missing_and_bad_answers_are_listed_next_to_their_fields(client):
    response = register(client, first_name="", npi="1234567890", state="ZZ")
    page = response.content.decode()
    assert response.status_code == 400
    assert "There is a problem" in page and "First name: Enter first name" in page
    assert "not a valid NPI" in page and "Select state from the list" in page
    assert not User.objects.exists()


def test_the_verification_link_shows_the_seed_message_and_sends_the_password_link(client, committed):
    page = verify(client, committed).content.decode()
    assert "Your email address has been verified." in page
    assert "Please check your registered email for further details." in page and "Thank you!" in page
    user = User.objects.get(email="maria.johnson@office.example")
    assert user.is_active and user.email_verified_at is not None and not user.has_usable_password()
    message = mail.outbox[-1]
    assert "Please click the link to reset your password." in message.body
    assert link_in(message, "/accounts/password/forgot/")


def test_the_verification_link_works_once(client):
    register(client)
    link = link_in(mail.outbox[-1], "/ecrm/verify/")
    client.get(link)
    assert client.get(link).status_code == 400


def test_a_portal_registration_link_is_not_an_ecrm_link(client):
    """The same signed token, but the account is not an ECRM registration: the link is refused."""
    client.post(
        "/accounts/register/",
        {
            **FORM,
            "username": "mjohnson",
            "email": "portal@office.example",
            "confirm_email": "portal@office.example",
        },
    )
    portal_link = link_in(mail.outbox[-1], "/accounts/verify/")
    assert client.get(portal_link.replace("/accounts/verify/", "/ecrm/verify/")).status_code == 400
    assert not User.objects.get(username="mjohnson").is_active


def test_the_password_is_set_through_identify_verify_reset_and_the_user_logs_in(client, committed):
    verify(client, committed)
    response = reset_password(client, "maria.johnson@office.example", PASSWORD)
    assert response.status_code == 302 and response.url == "/accounts/login/"
    user = User.objects.get(email="maria.johnson@office.example")
    assert user.check_password(PASSWORD)
    login = client.post("/accounts/login/", {"username": user.username, "password": PASSWORD})
    assert login.status_code == 302


def test_the_organization_name_counts_as_user_data_in_the_password(client, committed):
    verify(client, committed)
    response = reset_password(client, "maria.johnson@office.example", "GranbyTherapy!7q")
    assert response.status_code == 200
    assert "must not contain your first name, last name, user name or organization name" in response.content.decode()
    assert not User.objects.get(email="maria.johnson@office.example").has_usable_password()


def test_an_address_already_registered_gets_a_note_and_no_second_account(client):
    register(client)
    register(client, first_name="Someone")
    assert User.objects.count() == 1 and EcrmProfile.objects.count() == 1
    assert "already" in mail.outbox[-1].body.lower()


def test_an_expired_link_offers_a_new_one_to_ecrm_registrations_only(client):
    register(client)
    response = client.get("/ecrm/verify/MQ/not-a-token/")
    assert response.status_code == 400
    client.post("/ecrm/register/resend/", {"email": "maria.johnson@office.example"})
    assert link_in(mail.outbox[-1], "/ecrm/verify/")
    sent = len(mail.outbox)
    client.post("/ecrm/register/resend/", {"email": "nobody@office.example"})
    assert len(mail.outbox) == sent
