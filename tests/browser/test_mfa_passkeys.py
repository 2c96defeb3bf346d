"""Passkeys in the browser: Chromium's virtual authenticator (the WebAuthn DevTools domain) stands in for
the phone or security key; the page, mfa-passkeys.js, the CSP and the server all run for real."""

import json
import re
from types import SimpleNamespace
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client
from django.utils import timezone
from playwright.sync_api import expect

from accounts.tests.factories import UserFactory
from mfa.models import PasskeyDevice
from mfa.tests.factories import EmailPinDeviceFactory
from mfa.tests.passkeys import SoftwareAuthenticator

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def passkey_url(live_url, settings):
    """The live server, as a passkey origin: its host is the RP ID (localhost), its port new each run."""
    assert urlsplit(live_url).hostname == settings.OTP_WEBAUTHN_RP_ID == "localhost"
    settings.OTP_WEBAUTHN_ALLOWED_ORIGINS = [live_url]
    return live_url


@pytest.fixture
def virtual_authenticator(page):
    """A platform authenticator (like Windows Hello or Touch ID) that the user always unlocks."""
    devtools = page.context.new_cdp_session(page)
    devtools.send("WebAuthn.enable")
    added = devtools.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )
    authenticator_id = added["authenticatorId"]

    def credentials():
        return devtools.send("WebAuthn.getCredentials", {"authenticatorId": authenticator_id})["credentials"]

    def forget_all():
        devtools.send("WebAuthn.clearCredentials", {"authenticatorId": authenticator_id})

    return SimpleNamespace(credentials=credentials, forget_all=forget_all)


def log_in(page, url, audit, username):
    page.goto(url + "/accounts/login/")
    audit.check()
    page.get_by_label("User name").fill(username)
    page.get_by_label("Password").fill(settings.DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()


def log_out(page, audit, full_name):
    page.get_by_role("navigation", name="Main").get_by_role("button", name=full_name).click()
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("heading", name="Provider's Hub")).to_be_visible()
    audit.check()


def test_a_new_user_sets_up_a_passkey_by_keyboard_and_verifies_with_it_next_time(
    page, passkey_url, audit, virtual_authenticator
):
    UserFactory(username="apatel", first_name="Asha", last_name="Patel")
    log_in(page, passkey_url, audit, "apatel")
    expect(page.get_by_role("heading", name="Set up multi-factor authentication")).to_be_visible()
    expect(page.get_by_role("heading", name="Passkey (recommended)")).to_be_visible()
    expect(page.get_by_text("This browser cannot set up passkeys.")).to_be_hidden()
    audit.check()

    # Keyboard only: past the skip link into the page, the authenticator app, then the passkey.
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Set up an authenticator app")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Set up a passkey")).to_be_focused()
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", name="Welcome, Asha Patel")).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("Passkey set up.")
    audit.check()
    assert len(virtual_authenticator.credentials()) == 1
    passkey = PasskeyDevice.objects.get(user__username="apatel")
    assert passkey.confirmed and passkey.label == "Passkey (Chrome on Linux)"

    log_out(page, audit, "Asha Patel")
    log_in(page, passkey_url, audit, "apatel")
    expect(page.get_by_role("heading", name="Verify your identity")).to_be_visible()
    expect(page.get_by_label("Remember this device for 30 days")).to_be_visible()
    audit.check()
    page.get_by_role("button", name="Verify with a passkey").click()
    expect(page.get_by_role("heading", name="Welcome, Asha Patel")).to_be_visible()
    audit.check()
    passkey.refresh_from_db()
    assert passkey.last_used_at is not None
    assert mail.outbox == []


def test_a_passkey_this_browser_no_longer_has_is_reported_at_the_top_and_next_to_the_button(
    page, passkey_url, audit, virtual_authenticator
):
    UserFactory(username="kchen", first_name="Kai", last_name="Chen")
    log_in(page, passkey_url, audit, "kchen")
    expect(page.get_by_role("heading", name="Set up multi-factor authentication")).to_be_visible()
    audit.check()
    page.get_by_role("button", name="Set up a passkey").click()
    expect(page.get_by_role("heading", name="Welcome, Kai Chen")).to_be_visible()
    audit.check()
    log_out(page, audit, "Kai Chen")

    virtual_authenticator.forget_all()  # say, the passkey was deleted from the password manager
    log_in(page, passkey_url, audit, "kchen")
    expect(page.get_by_role("heading", name="Verify your identity")).to_be_visible()
    audit.check()
    page.get_by_role("button", name="Verify with a passkey").click()
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("The passkey was not used: the request was cancelled or timed out.")
    expect(summary).to_be_focused()
    button = page.get_by_role("button", name="Verify with a passkey")
    expect(button).to_have_accessible_description(re.compile("cancelled or timed out"))
    audit.check()
    page.get_by_role("link", name="Use a different verification method").click()
    expect(page.get_by_role("heading", name="Use a different verification method")).to_be_visible()
    audit.check()


def test_a_browser_without_passkeys_is_told_so_and_keeps_the_other_methods(page, passkey_url, audit):
    user = UserFactory(username="bortiz", first_name="Bea", last_name="Ortiz", email="bea.ortiz@office.example")
    # Bea set up a passkey on her laptop and email as well; today's browser has no WebAuthn.
    laptop = Client(HTTP_HOST="localhost")
    laptop.force_login(user)
    options = laptop.post("/mfa/setup/passkey/options/").json()
    answer = SoftwareAuthenticator(origin=passkey_url).create(options)
    assert laptop.post("/mfa/setup/passkey/", {"credential": json.dumps(answer)}).status_code == 302
    EmailPinDeviceFactory(user=user)
    PasskeyDevice.objects.update(last_used_at=timezone.now())  # the passkey was the last one used
    page.add_init_script("delete window.PublicKeyCredential;")

    log_in(page, passkey_url, audit, "bortiz")
    expect(page.get_by_role("heading", name="Verify your identity")).to_be_visible()
    expect(page.get_by_text("This browser cannot use passkeys.")).to_be_visible()
    expect(page.get_by_role("button", name="Verify with a passkey")).to_be_hidden()
    audit.check()

    page.get_by_role("link", name="Use a different verification method").click()
    expect(page.get_by_role("radio", name="Passkey")).to_be_visible()
    audit.check()
    page.get_by_role("radio", name="Email to b*****z@o*****.example").check()
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="Verify your identity")).to_be_visible()
    audit.check()
    code = re.search(r"\b(\d{6})\b", mail.outbox[-1].body).group(1)
    page.get_by_label("Enter 6-digit code").fill(code)
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="Welcome, Bea Ortiz")).to_be_visible()
    audit.check()

    page.goto(passkey_url + "/mfa/devices/")
    expect(page.get_by_text("This browser cannot set up passkeys.")).to_be_visible()
    expect(page.get_by_role("link", name="Set up another method")).to_be_visible()
    audit.check()
