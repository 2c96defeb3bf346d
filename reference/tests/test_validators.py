import random

import pytest
from django.core.exceptions import ValidationError

from reference.validators import (
    format_us_phone,
    is_valid_npi,
    luhn_check_digit,
    npi_check_digit,
    validate_npi,
    validate_tin,
    validate_us_phone,
)


def test_published_example_npi_has_check_digit_3():
    # CMS's worked example: 123456789 with the 80840 prefix gives check digit 3.
    assert npi_check_digit("123456789") == 3
    assert is_valid_npi("1234567893")


def test_luhn_check_digit_matches_the_credit_card_test_number():
    assert luhn_check_digit("7992739871") == 3


@pytest.mark.parametrize("wrong_last_digit", [d for d in "0123456789" if d != "3"])
def test_npi_with_any_other_check_digit_is_refused(wrong_last_digit):
    assert not is_valid_npi("123456789" + wrong_last_digit)


def test_every_single_digit_typo_in_a_valid_npi_is_caught():
    rng = random.Random(7)
    for _ in range(200):
        body = "1" + "".join(str(rng.randrange(10)) for _ in range(8))
        npi = body + str(npi_check_digit(body))
        assert is_valid_npi(npi)
        position = rng.randrange(1, 10)
        typo_digit = str((int(npi[position]) + rng.randrange(1, 10)) % 10)
        typo = npi[:position] + typo_digit + npi[position + 1 :]
        assert not is_valid_npi(typo), (npi, typo)


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("123456789", "npi_format"),
        ("12345678901", "npi_format"),
        ("12345678a3", "npi_format"),
        ("1234567890", "npi_check_digit"),
    ],
)
def test_bad_npi_gets_a_message_that_says_why(value, code):
    with pytest.raises(ValidationError) as raised:
        validate_npi(value)
    assert raised.value.code == code


def test_npi_starting_with_another_digit_than_1_or_2_is_refused():
    body = "312345678"
    assert not is_valid_npi(body + str(npi_check_digit(body)))


@pytest.mark.parametrize("value", ["12345678", "1234567890", "12-3456789", ""])
def test_tin_must_be_nine_digits(value):
    with pytest.raises(ValidationError):
        validate_tin(value)


def test_us_phone_refuses_area_codes_starting_with_0_or_1_and_formats_like_the_seeds():
    validate_us_phone("8666689250")
    for bad in ("1666689250", "866668925", "8661689250"):
        with pytest.raises(ValidationError):
            validate_us_phone(bad)
    assert format_us_phone("8558263724") == "855-826-3724"
