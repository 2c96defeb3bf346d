"""ACC-5 through the pages: set up Email, SMS or an authenticator app, then "Verify your identity"."""

from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import totp

from accounts.tests.factories import UserFactory
from audit.models import AuditEvent
from mfa.models import AuthenticatorAppDevice, EmailPinDevice, SMSPinDevice
from mfa.tests.conftest import pin_in
from mfa.tests.factories import EmailPinDeviceFactory, SMSPinDeviceFactory
from reference.tests.digits import arabic_indic, fullwidth

pytestmark = pytest.mark.django_db


def set_up_email(client, email="mary.johnson@office.example"):
    return client.post("/mfa/setup/", {"method": "email", "email": email})


def test_after_logging_in_a_user_without_a_device_is_sent_to_set_one_up(client, user, settings):
    login = client.post("/accounts/login/", {"username": "mjohnson", "password": settings.DEMO_PASSWORD})
    dashboard = client.get(login.url)
    assert dashboard.status_code == 302 and dashboard.url == "/mfa/?next=%2F"
    assert client.get(dashboard.url).url == "/mfa/setup/"
    page = client.get("/mfa/setup/").content.decode()
    assert "Authenticator app (recommended)" in page
    assert "NIST SP 800-63B" in page
    assert 'value="mary.johnson@office.example"' in page


def test_choosing_email_sends_a_six_digit_pin_to_the_address_entered(password_client):
    response = set_up_email(password_client, "front.desk@office.example")
    assert response.url == "/mfa/verify/"
    assert mail.outbox[-1].to == ["front.desk@office.example"]
    assert len(pin_in(mail.outbox[-1].body)) == 6
    page = password_client.get("/mfa/verify/").content.decode()
    assert "We&#x27;ve sent an email to:" in page
    assert "f*****k@o*****.example" in page
    assert "Enter 6-digit code" in page and "Remember this device for 30 days" in page


def test_the_device_is_confirmed_only_once_its_first_pin_comes_back(password_client):
    set_up_email(password_client)
    device = EmailPinDevice.objects.get()
    assert not device.confirmed
    password_client.post("/mfa/verify/", {"code": pin_in(mail.outbox[-1].body)})
    device.refresh_from_db()
    assert device.confirmed


def test_the_right_pin_verifies_the_session_and_opens_the_dashboard(password_client):
    password_client.get("/mfa/?next=/")
    set_up_email(password_client)
    response = password_client.post("/mfa/verify/", {"code": pin_in(mail.outbox[-1].body)})
    assert response.url == "/"
    assert "Welcome, Maria Johnson" in password_client.get("/").content.decode()


def test_a_pin_typed_with_a_space_or_hyphen_is_accepted(password_client):
    set_up_email(password_client)
    pin = pin_in(mail.outbox[-1].body)
    assert password_client.post("/mfa/verify/", {"code": f"{pin[:3]} {pin[3:]}"}).status_code == 302


def test_a_wrong_pin_is_refused_next_to_the_field(password_client):
    set_up_email(password_client)
    wrong = "000000" if pin_in(mail.outbox[-1].body) != "000000" else "111111"
    response = password_client.post("/mfa/verify/", {"code": wrong})
    page = response.content.decode()
    assert response.status_code == 200
    assert 'id="id_code_error"' in page and "The code is not correct." in page
    assert "There is a problem" in page
    assert password_client.get("/").status_code == 302


def test_a_code_that_is_not_six_digits_is_refused_without_counting_as_a_guess(password_client):
    set_up_email(password_client)
    page = password_client.post("/mfa/verify/", {"code": "12ab"}).content.decode()
    assert "Enter the 6-digit code, numbers only" in page
    assert EmailPinDevice.objects.get().throttling_failure_count == 0


@pytest.mark.parametrize("other_digits", [arabic_indic, fullwidth])
def test_the_right_pin_in_digits_other_than_0_to_9_is_refused_without_counting_as_a_guess(
    password_client, other_digits
):
    set_up_email(password_client)
    pin = pin_in(mail.outbox[-1].body)
    response = password_client.post("/mfa/verify/", {"code": other_digits(pin)})
    page = response.content.decode()
    assert response.status_code == 200
    assert 'id="id_code_error"' in page and "Enter the 6-digit code, digits 0-9 only" in page
    assert EmailPinDevice.objects.get().throttling_failure_count == 0
    assert password_client.post("/mfa/verify/", {"code": pin}).status_code == 302


def test_a_pin_of_superscript_digits_is_refused_without_a_server_error(password_client):
    set_up_email(password_client)
    response = password_client.post("/mfa/verify/", {"code": "¹²³⁴⁵⁶"})
    assert response.status_code == 200
    assert "Enter the 6-digit code, digits 0-9 only" in response.content.decode()
    assert EmailPinDevice.objects.get().throttling_failure_count == 0


def test_an_authenticator_code_in_fullwidth_digits_is_refused(password_client):
    password_client.post("/mfa/setup/app/new/")
    device = AuthenticatorAppDevice.objects.get()
    code = fullwidth(f"{totp(device.bin_key):06d}")
    page = password_client.post("/mfa/setup/app/", {"code": code}).content.decode()
    assert "Enter the 6-digit code, digits 0-9 only" in page
    device.refresh_from_db()
    assert not device.confirmed


def test_an_sms_number_in_arabic_indic_digits_is_refused_next_to_the_field(password_client, sms_outbox):
    response = password_client.post("/mfa/setup/", {"method": "sms", "phone": arabic_indic("(866) 668-4321")})
    page = response.content.decode()
    assert 'id="id_phone_error"' in page and "Enter a 10-digit US number, digits 0-9 only" in page
    assert not SMSPinDevice.objects.exists()
    assert sms_outbox == []


def test_an_expired_pin_is_refused(password_client):
    set_up_email(password_client)
    EmailPinDevice.objects.update(valid_until=timezone.now() - timedelta(seconds=1))
    page = password_client.post("/mfa/verify/", {"code": pin_in(mail.outbox[-1].body)}).content.decode()
    assert "This code has expired. Select Resend to get a new one." in page


def test_a_pin_that_was_used_cannot_verify_another_session(password_client, user):
    set_up_email(password_client)
    pin = pin_in(mail.outbox[-1].body)
    password_client.post("/mfa/verify/", {"code": pin})
    other = Client()
    other.force_login(user)
    other.get("/mfa/")  # a new PIN is sent here; the old one must not work
    assert other.post("/mfa/verify/", {"code": pin}).status_code == 200
    assert other.get("/").status_code == 302


def test_after_wrong_guesses_even_the_right_pin_waits_out_the_throttle(password_client):
    set_up_email(password_client)
    pin = pin_in(mail.outbox[-1].body)
    password_client.post("/mfa/verify/", {"code": "000000" if pin != "000000" else "111111"})
    assert EmailPinDevice.objects.get().throttling_failure_count == 1
    # Four more failures, the last one just now: the next attempt must wait 2**4 seconds.
    EmailPinDevice.objects.update(throttling_failure_count=5, throttling_failure_timestamp=timezone.now())
    page = password_client.post("/mfa/verify/", {"code": pin}).content.decode()
    assert "Too many incorrect codes. Wait 16 seconds, then try again." in page
    assert AuditEvent.objects.filter(action="mfa.throttled").exists()

    EmailPinDevice.objects.update(throttling_failure_timestamp=timezone.now() - timedelta(seconds=17))
    assert password_client.post("/mfa/verify/", {"code": pin}).status_code == 302


def test_resend_waits_for_the_cooldown_and_then_replaces_the_pin(password_client):
    set_up_email(password_client)
    first_pin = pin_in(mail.outbox[-1].body)
    response = password_client.post("/mfa/verify/resend/", follow=True)
    assert "We sent a code less than a minute ago." in response.content.decode()
    assert len(mail.outbox) == 1

    EmailPinDevice.objects.update(last_generated_timestamp=timezone.now() - timedelta(seconds=61))
    response = password_client.post("/mfa/verify/resend/", follow=True)
    assert "We sent a new code to m*****n@o*****.example." in response.content.decode()
    assert len(mail.outbox) == 2
    second_pin = pin_in(mail.outbox[-1].body)
    if first_pin != second_pin:
        assert password_client.post("/mfa/verify/", {"code": first_pin}).status_code == 200
        EmailPinDevice.objects.update(throttling_failure_timestamp=None)
    assert password_client.post("/mfa/verify/", {"code": second_pin}).status_code == 302


def test_sms_pins_go_through_the_sms_backend_to_the_number_entered(password_client, sms_outbox):
    response = password_client.post("/mfa/setup/", {"method": "sms", "phone": "(866) 668-4321"})
    assert response.url == "/mfa/verify/"
    assert [message.to for message in sms_outbox] == ["+18666684321"]
    assert mail.outbox == []
    assert "***-***-4321" in password_client.get("/mfa/verify/").content.decode()
    assert password_client.post("/mfa/verify/", {"code": pin_in(sms_outbox[-1].body)}).status_code == 302
    assert SMSPinDevice.objects.get().confirmed


def test_the_setup_form_asks_for_the_field_of_the_chosen_method(password_client):
    page = password_client.post("/mfa/setup/", {"method": "sms", "phone": ""}).content.decode()
    assert 'id="id_phone_error"' in page and "Enter your mobile phone number" in page
    page = password_client.post("/mfa/setup/", {"method": "sms", "phone": "123"}).content.decode()
    assert "Enter a 10-digit US number" in page
    page = password_client.post("/mfa/setup/", {"method": "email", "email": "nope"}).content.decode()
    assert "Enter an email address in the correct format" in page
    assert not SMSPinDevice.objects.exists() and not EmailPinDevice.objects.exists()


def test_an_authenticator_app_is_confirmed_with_a_code_computed_from_its_key(password_client):
    assert password_client.post("/mfa/setup/app/new/").url == "/mfa/setup/app/"
    device = AuthenticatorAppDevice.objects.get()
    page = password_client.get("/mfa/setup/app/").content.decode()
    assert '<svg width="240" height="240"' in page and 'role="img"' in page
    secret = page.split("<code>")[1].split("</code>")[0].replace(" ", "")
    assert len(secret) == 32

    response = password_client.post("/mfa/setup/app/", {"code": f"{totp(device.bin_key):06d}"})
    assert response.status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    assert password_client.get("/").status_code == 200


def test_a_wrong_authenticator_code_is_refused(password_client):
    password_client.post("/mfa/setup/app/new/")
    device = AuthenticatorAppDevice.objects.get()
    wrong = (totp(device.bin_key) + 500_000) % 1_000_000
    page = password_client.post("/mfa/setup/app/", {"code": f"{wrong:06d}"}).content.decode()
    assert "The code is not correct. Enter the code your app shows now." in page
    device.refresh_from_db()
    assert not device.confirmed


def test_a_user_with_a_device_goes_straight_to_verify_your_identity_and_gets_a_pin(password_client, user):
    EmailPinDeviceFactory(user=user)
    assert password_client.get("/mfa/").url == "/mfa/verify/"
    assert mail.outbox[-1].to == ["mary.johnson@office.example"]
    # Coming back to the start page does not send another while that PIN is valid.
    password_client.get("/mfa/")
    assert len(mail.outbox) == 1


def test_a_user_with_a_device_cannot_add_another_before_passing_mfa(password_client, user):
    EmailPinDeviceFactory(user=user)
    assert password_client.get("/mfa/setup/").url == "/mfa/"
    assert password_client.post("/mfa/setup/", {"method": "email", "email": "thief@evil.example"}).url == "/mfa/"
    assert password_client.post("/mfa/setup/app/new/").url == "/mfa/"
    assert EmailPinDevice.objects.count() == 1 and not AuthenticatorAppDevice.objects.exists()
    assert "Set up another method" not in password_client.get("/mfa/method/").content.decode()


def test_a_verified_user_can_add_another_method(signed_in_client, user, sms_outbox):
    client = signed_in_client(user)
    assert "Set up another method" in client.get("/mfa/method/").content.decode()
    client.post("/mfa/setup/", {"method": "sms", "phone": "8666684321"})
    client.post("/mfa/verify/", {"code": pin_in(sms_outbox[-1].body)})
    assert SMSPinDevice.objects.get(user=user).confirmed


def test_use_a_different_method_lists_the_users_devices_and_sends_the_pin_there(password_client, user, sms_outbox):
    EmailPinDeviceFactory(user=user)
    SMSPinDeviceFactory(user=user, number="8666684321")
    page = password_client.get("/mfa/method/").content.decode()
    assert "Email to m*****n@o*****.example" in page and "Text message (SMS) to ***-***-4321" in page

    sms = SMSPinDevice.objects.get()
    assert password_client.post("/mfa/method/", {"device": sms.persistent_id}).url == "/mfa/verify/"
    assert password_client.post("/mfa/verify/", {"code": pin_in(sms_outbox[-1].body)}).status_code == 302


def test_another_users_device_cannot_be_chosen(password_client, user):
    EmailPinDeviceFactory(user=user)
    stranger_device = EmailPinDeviceFactory(user=UserFactory())
    page = password_client.post("/mfa/method/", {"device": stranger_device.persistent_id}).content.decode()
    assert "Choose one of your verification methods" in page
    assert mail.outbox == []


def test_passing_mfa_gives_the_session_a_new_key(password_client):
    set_up_email(password_client)
    before = password_client.cookies["sessionid"].value
    password_client.post("/mfa/verify/", {"code": pin_in(mail.outbox[-1].body)})
    assert password_client.cookies["sessionid"].value != before
    assert DEVICE_ID_SESSION_KEY in password_client.session


def test_each_step_is_audited_without_the_pin(password_client, user):
    set_up_email(password_client)
    pin = pin_in(mail.outbox[-1].body)
    password_client.post("/mfa/verify/", {"code": "000000" if pin != "000000" else "111111"})
    EmailPinDevice.objects.update(throttling_failure_timestamp=None)
    password_client.post("/mfa/verify/", {"code": pin})
    events = AuditEvent.objects.filter(actor=user, action__startswith="mfa.").order_by("pk")
    assert [event.action for event in events] == [
        "mfa.pin_sent",
        "mfa.verify_failed",
        "mfa.device_added",
        "mfa.verified",
    ]
    assert all(event.details["method"] == "email" for event in events)
    assert all(pin not in str(event.details) and "office.example" not in str(event.details) for event in events)


def test_a_pin_that_cannot_be_delivered_is_reported_and_leaves_no_half_made_device(password_client, settings):
    # The outside world fails: nothing listens on the mail server's port.
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2
    response = set_up_email(password_client)
    assert response.status_code == 200
    assert "We could not send the code." in response.content.decode()
    assert not EmailPinDevice.objects.exists()
    assert not AuditEvent.objects.filter(action="mfa.pin_sent").exists()
