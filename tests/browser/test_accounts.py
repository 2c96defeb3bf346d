"""Registration, password creation with the live checklist, and the three-step reset, in Chromium."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from accounts.models import User
from accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "Tq7!mzPw2=kXv"


def link_from_last_email(pattern: str) -> str:
    return re.search(pattern, mail.outbox[-1].body).group(0)


def test_a_provider_registers_verifies_the_email_and_creates_a_password(page, live_url, audit):
    page.goto(live_url + "/accounts/login/")
    audit.check()
    page.get_by_role("link", name="Register").click()
    expect(page.get_by_role("heading", name="Create your provider portal account")).to_be_visible()
    audit.check()

    # A first try with a typo: errors are summarised at the top and shown next to their fields.
    page.get_by_label("First Name").fill("Maria")
    page.get_by_label("Last Name").fill("Johnson")
    page.get_by_label("User Name").fill("mjohnson")
    page.get_by_label(re.compile(r"^Email")).fill("maria.johnson@office.example")
    page.get_by_label("Confirm Email").fill("maria.johnson@office.example")
    page.get_by_label("Phone").fill("860-555-0142")
    page.get_by_label("Individual NPI").fill("1234567890")
    page.get_by_label("Tax ID").fill("061234567")
    page.get_by_role("button", name="Submit Registration").click()
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("This is not a valid NPI")
    expect(summary).to_be_focused()
    expect(page.get_by_label("First Name")).to_have_value("Maria")
    audit.check()

    summary.get_by_role("link", name=re.compile("not a valid NPI")).click()
    expect(page.get_by_label("Individual NPI")).to_be_focused()
    page.keyboard.press("Control+A")
    page.keyboard.type("1234567893")
    page.get_by_role("button", name="Submit Registration").click()
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
    audit.check()

    page.goto(link_from_last_email(r"http://\S+/accounts/verify/\S+/"))
    expect(page.get_by_text("Your email address has been verified.")).to_be_visible()
    audit.check()

    # The checklist ticks rules as the password is typed.
    new_password = page.get_by_label("New password")
    new_password.press_sequentially("abc")
    expect(page.locator("li[data-rule='lowercase']")).to_have_attribute("data-met", "true")
    expect(page.locator("li[data-rule='min_length']")).to_have_attribute("data-met", "false")
    expect(page.locator("li[data-rule='sequence']")).to_have_attribute("data-met", "false")
    new_password.fill("")
    new_password.press_sequentially(PASSWORD)
    for rule in ("min_length", "max_length", "lowercase", "uppercase", "digit", "special", "repeat", "sequence"):
        expect(page.locator(f"li[data-rule='{rule}']")).to_have_attribute("data-met", "true")
    audit.check()
    page.get_by_label("Retype password").fill(PASSWORD)
    page.get_by_role("button", name="Create password").click()
    expect(page.get_by_text("Your password has been created. You can now log in.")).to_be_visible()
    audit.check()
    assert User.objects.get(username="mjohnson").is_active

    # First login: register the email device, type the PIN from the email, land on the dashboard.
    page.get_by_label("User name").fill("mjohnson")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Set up multi-factor authentication")).to_be_visible()
    audit.check()
    page.get_by_label("Email", exact=True).check()
    page.get_by_label("Email address").fill("maria.johnson@office.example")
    page.get_by_role("button", name="Send PIN").click()
    expect(page.get_by_role("heading", name="Verify your identity")).to_be_visible()
    audit.check()
    pin = re.search(r"\b(\d{6})\b", mail.outbox[-1].body).group(1)
    page.get_by_label("Enter 6-digit code").fill(pin)
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="Welcome, Maria Johnson")).to_be_visible()
    audit.check()


def test_forgot_password_in_three_steps(page, live_url, audit):
    UserFactory(username="mmcdonagan", email="mmcdonagan@office.example")
    page.goto(live_url + "/accounts/login/")
    audit.check()
    page.get_by_role("link", name="Forgot Password?").click()
    expect(page.locator("[aria-current='step']")).to_contain_text("Identify")
    audit.check()
    page.get_by_label("Username").fill("mmcdonagan")
    page.get_by_role("button", name="Next").click()

    expect(page.get_by_text("mmc*****gan@*****")).to_be_visible()
    expect(page.locator("[aria-current='step']")).to_contain_text("Verify")
    audit.check()
    page.get_by_role("button", name="Send verification code").click()
    expect(page.get_by_text("a verification code is on its way")).to_be_visible()
    audit.check()
    code = re.search(r"\b\d{6}\b", mail.outbox[-1].body).group(0)
    page.get_by_label("Verification code").fill(code)
    page.get_by_role("button", name="Next").click()

    expect(page.get_by_role("heading", name="Reset Password")).to_be_visible()
    expect(page.get_by_text("Account is not locked")).to_be_visible()
    audit.check()
    page.get_by_label("New password").fill(PASSWORD)
    page.get_by_label("Retype password").fill(PASSWORD)
    page.get_by_role("button", name="Reset Password").click()
    expect(page.get_by_text("Your password has been reset. You can now log in.")).to_be_visible()
    audit.check()
    assert User.objects.get(username="mmcdonagan").check_password(PASSWORD)
