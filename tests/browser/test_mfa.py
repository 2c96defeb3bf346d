"""ACC-5 in the browser: set up MFA after the first login, verify, remember the browser, forget it."""

import re
from base64 import b32decode

import pytest
from django.conf import settings
from django.core import mail
from django_otp.oath import totp
from playwright.sync_api import expect

from accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def log_in(page, live_url, audit, username):
    page.goto(live_url + "/accounts/login/")
    audit.check()
    page.get_by_label("User name").fill(username)
    page.get_by_label("Password").fill(settings.DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()


def test_a_new_user_sets_up_email_mfa_and_the_remembered_browser_skips_the_pin_next_time(page, live_url, audit):
    UserFactory(username="mjohnson", first_name="Maria", last_name="Johnson", email="mary.johnson@office.example")
    log_in(page, live_url, audit, "mjohnson")
    expect(page.get_by_role("heading", name="Set up multi-factor authentication")).to_be_visible()
    audit.check()

    page.get_by_label("Email", exact=True).check()
    expect(page.get_by_label("Email address")).to_have_value("mary.johnson@office.example")
    expect(page.get_by_label("Mobile phone number")).to_be_hidden()
    page.get_by_role("button", name="Send PIN").click()
    expect(page.get_by_role("heading", name="Verify your identity")).to_be_visible()
    expect(page.get_by_text("m*****n@o*****.example")).to_be_visible()
    audit.check()

    # Resend within the minute is refused with a message; the first PIN still stands.
    page.get_by_role("button", name="Resend").click()
    expect(page.get_by_role("status")).to_contain_text("We sent a code less than a minute ago.")
    audit.check()
    assert len(mail.outbox) == 1
    pin = re.search(r"\b(\d{6})\b", mail.outbox[0].body).group(1)

    page.get_by_label("Enter 6-digit code").fill(pin)
    page.get_by_label("Remember this device for 30 days").check()
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="Welcome, Maria Johnson")).to_be_visible()
    audit.check()

    page.get_by_role("navigation", name="Main").get_by_role("button", name="Maria Johnson").click()
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("heading", name="Provider's Hub")).to_be_visible()
    audit.check()

    # Same browser, next login: no PIN.
    log_in(page, live_url, audit, "mjohnson")
    expect(page.get_by_role("heading", name="Welcome, Maria Johnson")).to_be_visible()
    audit.check()
    assert len(mail.outbox) == 1

    page.goto(live_url + "/mfa/devices/")
    expect(page.get_by_role("cell", name="Chrome on Linux", exact=True)).to_be_visible()
    audit.check()
    page.get_by_role("button", name=re.compile("^Forget this device")).click()
    expect(page.get_by_role("status")).to_contain_text("will be asked for a code next time")
    expect(page.get_by_text("No devices are remembered.")).to_be_visible()
    audit.check()


def test_an_authenticator_app_is_set_up_with_the_keyboard_alone(page, live_url, audit):
    UserFactory(username="rpatel", first_name="Ravi", last_name="Patel")
    log_in(page, live_url, audit, "rpatel")
    expect(page.get_by_role("heading", name="Set up multi-factor authentication")).to_be_visible()
    audit.check()

    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to main content")).to_be_focused()
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Set up an authenticator app")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Set up an authenticator app")).to_be_visible()
    expect(page.get_by_role("img", name=re.compile("QR code"))).to_be_visible()
    audit.check()

    # What a person would type into their app by hand, and the code the app would then show.
    secret = page.locator("code").inner_text().replace(" ", "")
    code = totp(b32decode(secret + "=" * (-len(secret) % 8)))
    expect(page.get_by_label("Enter 6-digit code")).to_be_focused()
    page.keyboard.type(f"{code:06d}")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Welcome, Ravi Patel")).to_be_visible()
    audit.check()


def test_the_sign_in_helper_passes_mfa_and_another_method_can_be_chosen(page, live_url, audit, sign_in):
    user = UserFactory(username="lnguyen", first_name="Lan", last_name="Nguyen", email="lan.nguyen@office.example")
    sign_in(user)
    expect(page.get_by_role("heading", name="Welcome, Lan Nguyen")).to_be_visible()
    audit.check()

    page.goto(live_url + "/mfa/method/")
    expect(page.get_by_role("heading", name="Use a different verification method")).to_be_visible()
    expect(page.get_by_role("radio", name="Email to l*****n@o*****.example")).to_be_visible()
    audit.check()
    page.get_by_role("link", name="Set up another method").click()
    page.get_by_label("SMS (text message)").check()
    expect(page.get_by_text("SMS is the weakest choice")).to_be_visible()
    page.get_by_label("Mobile phone number").fill("not a number")
    page.get_by_role("button", name="Send PIN").click()
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("Enter a 10-digit US number")
    expect(summary).to_be_focused()
    audit.check()
