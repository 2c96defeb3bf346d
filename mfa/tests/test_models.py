from datetime import timedelta

import pytest
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from mfa.models import EmailPinDevice, mask_email, mask_phone
from mfa.tests.factories import EmailPinDeviceFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("address", "masked"),
    [
        ("mary.johnson@office.example", "m*****n@o*****.example"),
        ("mj@mail.office.example", "m*****j@m*****.o*****.example"),
        ("m@office.example", "m*****@o*****.example"),
        ("not-an-address", "*****"),
    ],
)
def test_an_email_is_masked_to_its_first_and_last_letters_and_top_level_domain(address, masked):
    assert mask_email(address) == masked


def test_a_phone_number_shows_only_its_last_four_digits():
    assert mask_phone("8666684321") == "***-***-4321"


@given(st.emails())
def test_a_masked_email_never_shows_the_whole_name_before_the_at_sign(address):
    local = address.partition("@")[0]
    if len(local) > 2:
        assert local not in mask_email(address)


def test_the_pin_is_stored_only_as_a_keyed_hash(user):
    device = EmailPinDeviceFactory(user=user)
    pin = device.generate_token()
    stored = EmailPinDevice.objects.filter(pk=device.pk).values().get()
    assert len(pin) == 6 and pin.isdigit()
    assert "token" not in stored
    assert pin not in str(stored.values())
    assert len(stored["token_hash"]) == 64


def test_the_same_pin_hashes_differently_on_two_devices(user):
    first, second = EmailPinDeviceFactory(user=user), EmailPinDeviceFactory(user=user)
    assert first._pin_hash("123456") != second._pin_hash("123456")


def test_a_pin_works_only_once(user):
    device = EmailPinDeviceFactory(user=user)
    pin = device.generate_token()
    assert device.verify_token(pin)
    device.throttle_reset()
    assert not device.verify_token(pin)


def test_a_pin_expires_after_the_configured_validity(user, settings):
    device = EmailPinDeviceFactory(user=user)
    pin = device.generate_token()
    assert device.valid_until - timezone.now() <= timedelta(seconds=settings.MFA_PIN_VALIDITY_SECONDS)
    device.valid_until = timezone.now() - timedelta(seconds=1)
    device.save()
    assert not device.verify_token(pin)
