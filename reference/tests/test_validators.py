import random

import pytest
from django.core.exceptions import ValidationError

from reference.tests.digits import arabic_indic, fullwidth
from reference.validators import (
    format_us_phone,
    is_valid_npi,
    luhn_check_digit,
    npi_check_digit,
    typed_digits,
    validate_npi,
    validate_phone_extension,
    validate_tin,
    validate_us_phone,
    validate_zip_code,
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


def test_us_phone_refuses_area_codes_starting_with_0_or_1_and_formats_with_the_area_code_in_parentheses():
    validate_us_phone("8666689250")
    for bad in ("1666689250", "866668925", "8661689250"):
        with pytest.raises(ValidationError):
            validate_us_phone(bad)
    assert format_us_phone("8558263724") == "(855) 826-3724"


@pytest.mark.parametrize(
    ("validate", "good", "message"),
    [
        (validate_npi, "1234567893", "Enter the 10-digit NPI, digits 0-9 only."),
        (validate_tin, "061234567", "Enter the 9-digit tax ID (TIN), digits 0-9 only."),
        (validate_us_phone, "8666689250", "Enter a 10-digit US number, digits 0-9 only, such as 866-668-9250."),
        (validate_zip_code, "06002", "Enter a 5-digit ZIP code, digits 0-9 only, or ZIP+4 such as 06002-1234."),
        (validate_zip_code, "06002-1234", "Enter a 5-digit ZIP code, digits 0-9 only, or ZIP+4 such as 06002-1234."),
    ],
)
@pytest.mark.parametrize(
    "other_digits",
    [
        pytest.param(arabic_indic, id="arabic-indic"),
        pytest.param(fullwidth, id="fullwidth"),
        pytest.param(lambda value: value[:-1] + "²", id="superscript-last"),
        pytest.param(lambda value: value[:-1] + arabic_indic("3"), id="one-arabic-indic-last"),
    ],
)
def test_identifiers_written_with_digits_other_than_0_to_9_are_refused_with_a_message_that_says_so(
    validate, good, message, other_digits
):
    validate(good)
    with pytest.raises(ValidationError) as raised:
        validate(other_digits(good))
    assert raised.value.messages == [message]


def test_a_phone_extension_is_digits_0_to_9():
    validate_phone_extension("")
    validate_phone_extension("1234")
    for bad, message in [
        ("x12", "Enter the extension as digits only."),
        (arabic_indic("12"), "Enter the extension as digits 0-9 only."),
        (fullwidth("12"), "Enter the extension as digits 0-9 only."),
        ("1²", "Enter the extension as digits 0-9 only."),
    ]:
        with pytest.raises(ValidationError) as raised:
            validate_phone_extension(bad)
        assert raised.value.messages == [message]


def test_an_npi_in_other_digits_is_never_valid_and_never_formats_as_a_phone():
    assert not is_valid_npi(arabic_indic("1234567893"))
    assert not is_valid_npi("1" + fullwidth("234567893"))
    assert format_us_phone(arabic_indic("8666689250")) == arabic_indic("8666689250")


@pytest.mark.parametrize(
    ("typed", "digits"),
    [
        ("(866) 668-9250", "8666689250"),
        ("+1 866.668.9250", "18666689250"),
        ("06-1234567", "061234567"),
        (arabic_indic("06-1234567"), arabic_indic("061234567")),
        ("866-668-9250 x12", "8666689250x12"),
    ],
)
def test_typed_digits_drop_only_the_usual_separators_and_keep_the_rest_for_the_validator(typed, digits):
    assert typed_digits(typed) == digits


@pytest.mark.parametrize("typed", ["abc", "86O-555-0199", "(860) 555-01ab"])
def test_a_phone_field_refuses_letters_instead_of_dropping_them(typed):
    from django import forms

    from reference.forms import USPhoneField

    with pytest.raises(forms.ValidationError):
        USPhoneField(required=False).clean(typed)


def test_a_zip_search_in_other_digits_is_refused():
    from django import forms

    from reference.forms import ZipSearchField

    with pytest.raises(forms.ValidationError, match="digits 0-9 only"):
        ZipSearchField(required=False).clean("\u0660\u0666\u0661\u0660\u0663")
    assert ZipSearchField(required=False).clean("06103-1234") == "06103"
