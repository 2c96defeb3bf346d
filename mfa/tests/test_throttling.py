"""Wrong codes slow the next try down, but never for longer than 15 minutes, and the owner is told.

Someone who knows only the password reaches "Verify your identity" too; an uncapped back-off let them
lock the owner out of the portal for days, on every session and after every Resend.
"""

from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone
from django_otp.oath import totp

from audit.models import AuditEvent
from mfa.models import PIN_THROTTLE_MAX_WAIT, PIN_THROTTLE_NOTICE_FAILURES, AuthenticatorAppDevice, SMSPinDevice
from mfa.tests.conftest import pin_in
from mfa.tests.factories import AuthenticatorAppDeviceFactory, EmailPinDeviceFactory, SMSPinDeviceFactory

pytestmark = pytest.mark.django_db

NOTICE_SUBJECT = "Several incorrect verification codes on your account"


@pytest.fixture
def sms_device(user):
    return SMSPinDeviceFactory(user=user, number="8666684321")


@pytest.fixture
def at_verify(password_client, sms_device, sms_outbox):
    """Past the password, on "Verify your identity" with a PIN sent by SMS; returns the PIN."""
    password_client.get("/mfa/")
    return pin_in(sms_outbox[-1].body)


def wrong(pin: str) -> str:
    return "000000" if pin != "000000" else "111111"


def wait_out_the_throttle(device) -> None:
    type(device).objects.filter(pk=device.pk).update(
        throttling_failure_timestamp=timezone.now() - PIN_THROTTLE_MAX_WAIT - timedelta(seconds=1)
    )


def notices() -> list:
    return [message for message in mail.outbox if message.subject == NOTICE_SUBJECT]


@pytest.mark.parametrize("failures", [11, 12, 30, 1_000, 100_000])
def test_after_many_wrong_codes_the_wait_never_exceeds_fifteen_minutes(user, failures):
    now = timezone.now()
    device = EmailPinDeviceFactory(user=user, throttling_failure_count=failures, throttling_failure_timestamp=now)
    allowed, info = device.verify_is_allowed()
    assert not allowed
    assert info["locked_until"] - now == PIN_THROTTLE_MAX_WAIT


def test_the_first_wrong_codes_still_wait_1_2_4_8_seconds(user):
    now = timezone.now()
    device = EmailPinDeviceFactory(user=user, throttling_failure_timestamp=now)
    for failures, seconds in [(1, 1), (2, 2), (3, 4), (4, 8), (10, 512)]:
        device.throttling_failure_count = failures
        assert device.verify_is_allowed()[1]["locked_until"] - now == timedelta(seconds=seconds)


def test_the_page_says_to_wait_fifteen_minutes_at_most(password_client, at_verify, sms_device):
    SMSPinDevice.objects.update(throttling_failure_count=40, throttling_failure_timestamp=timezone.now())
    page = password_client.post("/mfa/verify/", {"code": at_verify}).content.decode()
    assert "Too many incorrect codes. Wait 15 minutes, then try again." in page


def test_the_right_pin_works_once_the_capped_wait_has_passed(password_client, at_verify, sms_device):
    SMSPinDevice.objects.update(throttling_failure_count=40, throttling_failure_timestamp=timezone.now())
    assert password_client.post("/mfa/verify/", {"code": at_verify}).status_code == 200
    wait_out_the_throttle(sms_device)
    assert password_client.post("/mfa/verify/", {"code": at_verify}).status_code == 302
    sms_device.refresh_from_db()
    assert sms_device.throttling_failure_count == 0


def test_an_authenticator_app_waits_fifteen_minutes_at_most_too(password_client, user):
    device = AuthenticatorAppDeviceFactory(user=user)
    password_client.get("/mfa/")
    AuthenticatorAppDevice.objects.update(throttling_failure_count=40, throttling_failure_timestamp=timezone.now())
    code = f"{totp(device.bin_key):06d}"
    assert "Wait 15 minutes" in password_client.post("/mfa/verify/", {"code": code}).content.decode()
    wait_out_the_throttle(device)
    assert password_client.post("/mfa/verify/", {"code": code}).status_code == 302


def test_the_owner_gets_exactly_one_email_when_throttling_starts(
    password_client, at_verify, sms_device, user, django_capture_on_commit_callbacks
):
    for attempt in range(1, PIN_THROTTLE_NOTICE_FAILURES * 3):
        with django_capture_on_commit_callbacks(execute=True):
            wait_out_the_throttle(sms_device)
            password_client.post("/mfa/verify/", {"code": wrong(at_verify)})
            # Tries refused while the wait runs are not failures and send nothing either.
            SMSPinDevice.objects.update(throttling_failure_timestamp=timezone.now())
            password_client.post("/mfa/verify/", {"code": wrong(at_verify)})
        assert len(notices()) == (0 if attempt < PIN_THROTTLE_NOTICE_FAILURES else 1)
    [notice] = notices()
    assert notice.to == [user.email]
    sms_device.refresh_from_db()
    assert sms_device.throttling_failure_count == PIN_THROTTLE_NOTICE_FAILURES * 3 - 1
    assert AuditEvent.objects.filter(action="mfa.throttling_started", target_id=str(sms_device.pk)).count() == 1


def test_the_notice_holds_no_code_no_phone_number_and_no_address(
    password_client, at_verify, sms_device, user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(PIN_THROTTLE_NOTICE_FAILURES):
            wait_out_the_throttle(sms_device)
            password_client.post("/mfa/verify/", {"code": wrong(at_verify)})
    [notice] = notices()
    for secret in (at_verify, wrong(at_verify), "8666684321", "4321", user.email):
        assert secret not in notice.subject and secret not in notice.body
    assert "change your password" in notice.body


def test_a_new_session_and_a_resend_keep_the_episode_and_send_no_second_notice(
    password_client, at_verify, sms_device, user, sms_outbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(PIN_THROTTLE_NOTICE_FAILURES):
            wait_out_the_throttle(sms_device)
            password_client.post("/mfa/verify/", {"code": wrong(at_verify)})
        other = Client()
        other.force_login(user)
        other.get("/mfa/")
        SMSPinDevice.objects.update(last_generated_timestamp=timezone.now() - timedelta(minutes=2))
        assert "We sent a new code" in other.post("/mfa/verify/resend/", follow=True).content.decode()
        new_pin = pin_in(sms_outbox[-1].body)
        for _ in range(3):
            wait_out_the_throttle(sms_device)
            other.post("/mfa/verify/", {"code": wrong(new_pin)})
    assert len(notices()) == 1


def test_after_a_success_a_new_throttling_episode_notifies_again(
    password_client, at_verify, sms_device, user, sms_outbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(PIN_THROTTLE_NOTICE_FAILURES):
            wait_out_the_throttle(sms_device)
            password_client.post("/mfa/verify/", {"code": wrong(at_verify)})
        wait_out_the_throttle(sms_device)
        assert password_client.post("/mfa/verify/", {"code": at_verify}).status_code == 302
        other = Client()
        other.force_login(user)
        other.get("/mfa/")
        new_pin = pin_in(sms_outbox[-1].body)
        for _ in range(PIN_THROTTLE_NOTICE_FAILURES):
            wait_out_the_throttle(sms_device)
            other.post("/mfa/verify/", {"code": wrong(new_pin)})
    assert len(notices()) == 2


def test_under_the_cap_a_pin_still_expires(password_client, at_verify, sms_device):
    SMSPinDevice.objects.update(throttling_failure_count=40, valid_until=timezone.now() - timedelta(seconds=1))
    wait_out_the_throttle(sms_device)
    page = password_client.post("/mfa/verify/", {"code": at_verify}).content.decode()
    assert "This code has expired. Select Resend to get a new one." in page


def test_under_the_cap_a_pin_still_works_only_once(user):
    device = EmailPinDeviceFactory(user=user, throttling_failure_count=40)
    pin = device.generate_token()
    wait_out_the_throttle(device)
    device.refresh_from_db()
    assert device.verify_token(pin)
    assert not device.verify_token(pin)


def test_wrong_authenticator_codes_notify_the_owner_once_too(password_client, user, django_capture_on_commit_callbacks):
    device = AuthenticatorAppDeviceFactory(user=user)
    password_client.get("/mfa/")
    wrong_code = f"{(totp(device.bin_key) + 500_000) % 1_000_000:06d}"
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(PIN_THROTTLE_NOTICE_FAILURES + 3):
            wait_out_the_throttle(device)
            password_client.post("/mfa/verify/", {"code": wrong_code})
    [notice] = notices()
    assert "(method: Authenticator app)" in notice.body


def test_wrong_codes_while_setting_up_a_new_app_send_no_notice(password_client, django_capture_on_commit_callbacks):
    password_client.post("/mfa/setup/app/new/")
    device = AuthenticatorAppDevice.objects.get()
    wrong_code = f"{(totp(device.bin_key) + 500_000) % 1_000_000:06d}"
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(PIN_THROTTLE_NOTICE_FAILURES + 1):
            wait_out_the_throttle(device)
            password_client.post("/mfa/setup/app/", {"code": wrong_code})
    device.refresh_from_db()
    assert device.throttling_failure_count == PIN_THROTTLE_NOTICE_FAILURES + 1
    assert notices() == []
