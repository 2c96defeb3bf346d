"""Emails are plain text: names reach the reader as typed, never as HTML entities (issue 10, item 4)."""

import pytest
from django.core import mail

from accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

FIRST_NAME = "D'Arcy"
LAST_NAME = "O'Neil & Sons"


@pytest.fixture
def darcy():
    return UserFactory(
        username="doneil", first_name=FIRST_NAME, last_name=LAST_NAME, email="darcy.oneil@office.example"
    )


def assert_plain_text(message):
    """The text body says the name as typed; an HTML alternative, if one is ever added, still escapes it."""
    assert f"Hello {FIRST_NAME}," in message.body
    for text in (message.subject, message.body):
        assert "&#x27;" not in text and "&#39;" not in text and "&amp;" not in text and "&quot;" not in text
    for content, mimetype in getattr(message, "alternatives", []):
        if mimetype == "text/html":
            assert "D&#x27;Arcy" in content and FIRST_NAME not in content


def test_the_verification_email_names_the_user_verbatim(client):
    client.post(
        "/accounts/register/",
        {
            "first_name": FIRST_NAME,
            "last_name": LAST_NAME,
            "username": "doneil",
            "email": "darcy.oneil@office.example",
            "confirm_email": "darcy.oneil@office.example",
            "phone": "(860) 555-0142",
            "npi": "1234567893",
            "tax_id": "06-1234567",
            "organization_name": "O'Neil & Sons Home Care",
        },
    )
    (message,) = mail.outbox
    assert message.to == ["darcy.oneil@office.example"]
    assert_plain_text(message)


def test_the_pin_email_names_the_user_verbatim(client, darcy):
    client.force_login(darcy)
    client.post("/mfa/setup/", {"method": "email", "email": "darcy.oneil@office.example"})
    (message,) = mail.outbox
    assert "Your verification code is" in message.body
    assert_plain_text(message)


def test_the_password_reset_email_names_the_user_verbatim(client, darcy):
    client.post("/accounts/password/forgot/", {"username": "doneil"})
    client.post("/accounts/password/forgot/verify/", {"action": "send"})
    (message,) = mail.outbox
    assert "reset your EviCore provider portal password" in message.body
    assert_plain_text(message)


def test_html_pages_still_escape_the_name(signed_in_client, darcy):
    page = signed_in_client(darcy).get("/").content.decode()
    assert "D&#x27;Arcy O&#x27;Neil &amp; Sons" in page
    assert f"{FIRST_NAME} {LAST_NAME}" not in page
