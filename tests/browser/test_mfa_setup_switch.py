"""ACC-5 in the browser: a user whose SMS number is refused switches to Email and goes on (issue 10, item 2)."""

import pytest
from django.conf import settings
from django.core import mail
from playwright.sync_api import expect

from accounts.tests.factories import UserFactory
from mfa.models import EmailPinDevice, SMSPinDevice

pytestmark = pytest.mark.django_db(transaction=True)


def test_after_a_refused_sms_number_email_with_a_good_address_goes_on_to_verify(page, live_url, audit):
    UserFactory(username="dwright", first_name="Dana", last_name="Wright", email="dana.wright@office.example")
    page.goto(live_url + "/accounts/login/")
    audit.check()
    page.get_by_label("User name").fill("dwright")
    page.get_by_label("Password").fill(settings.DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_have_text("Set up multi-factor authentication")
    audit.check()

    page.get_by_label("SMS (text message)").check()
    page.get_by_label("Mobile phone number").fill("not a number")
    page.get_by_role("button", name="Send PIN").click()
    expect(page.get_by_role("alert")).to_contain_text("Enter a 10-digit US number")
    audit.check()

    page.get_by_label("Email", exact=True).check()
    expect(page.get_by_label("Mobile phone number")).to_be_hidden()
    page.get_by_label("Email address").fill("front.desk@office.example")
    page.get_by_role("button", name="Send PIN").click()
    expect(heading).to_have_text("Verify your identity")
    expect(page.get_by_text("f*****k@o*****.example")).to_be_visible()
    audit.check()

    assert mail.outbox[-1].to == ["front.desk@office.example"]
    assert EmailPinDevice.objects.filter(email="front.desk@office.example").exists()
    assert not SMSPinDevice.objects.exists()
