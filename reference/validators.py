"""Identifier checks shared by every app: NPI, TIN, US phone numbers, ZIP codes."""

import re

from django.core.exceptions import ValidationError

# Every pattern below spells digits [0-9]: Python's \d and str.isdigit() also take the digits of other
# scripts (Arabic-Indic, fullwidth, superscript ²), which the database's checks and other systems refuse.
# What people type between the digits of a phone number, NPI or TIN: "(866) 668-9250", "+1 866.668.9250",
# "06-1234567".
TYPED_SEPARATORS = re.compile(r"[\s().+-]")


def typed_digits(value: str) -> str:
    """``value`` without the separators people type between digits. Anything else (letters, digits other
    than 0-9) is kept, so the validator refuses it instead of a number being made up from what is left."""
    return TYPED_SEPARATORS.sub("", value or "")


def has_other_digits(value: str) -> bool:
    """True when ``value`` holds digits other than 0-9, so the message can say which digits to use."""
    return any(char.isdigit() and not char.isascii() for char in value or "")


# The NPI check digit is the Luhn digit of the 9 leading digits prefixed with 80840, the
# health-industry prefix of the ISO standard card-issuer identifier (CMS NPI standard, 2005).
NPI_LUHN_PREFIX = "80840"


def luhn_check_digit(payload: str) -> int:
    """The digit that makes ``payload + digit`` pass the Luhn check."""
    total = 0
    # Walking from the right, the digit next to the (missing) check digit is doubled first.
    for position, char in enumerate(reversed(payload)):
        digit = int(char)
        if position % 2 == 0:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return (10 - total % 10) % 10


def npi_check_digit(first_nine: str) -> int:
    return luhn_check_digit(NPI_LUHN_PREFIX + first_nine)


def npi_with_check_digit(first_nine: str) -> str:
    """The whole NPI for its nine leading digits (for generated and test data)."""
    return first_nine + str(npi_check_digit(first_nine))


def is_valid_npi(value: str) -> bool:
    return bool(re.fullmatch(r"[12][0-9]{9}", value or "")) and npi_check_digit(value[:9]) == int(value[9])


def validate_npi(value: str) -> None:
    if has_other_digits(value):
        raise ValidationError("Enter the 10-digit NPI, digits 0-9 only.", code="npi_format")
    if not re.fullmatch(r"[0-9]{10}", value or ""):
        raise ValidationError("Enter the 10-digit NPI, digits only.", code="npi_format")
    if not is_valid_npi(value):
        raise ValidationError(
            "This is not a valid NPI: check the digits and try again.",
            code="npi_check_digit",
        )


def validate_tin(value: str) -> None:
    if has_other_digits(value):
        raise ValidationError("Enter the 9-digit tax ID (TIN), digits 0-9 only.", code="tin_format")
    if not re.fullmatch(r"[0-9]{9}", value or ""):
        raise ValidationError("Enter the 9-digit tax ID (TIN), digits only.", code="tin_format")


def validate_us_phone(value: str) -> None:
    """Ten digits of a North American number: area code and exchange never start with 0 or 1."""
    if has_other_digits(value):
        raise ValidationError("Enter a 10-digit US number, digits 0-9 only, such as 866-668-9250.", code="phone_format")
    if not re.fullmatch(r"[2-9][0-9]{2}[2-9][0-9]{6}", value or ""):
        raise ValidationError("Enter a 10-digit US number, such as 866-668-9250.", code="phone_format")


def validate_phone_extension(value: str) -> None:
    if has_other_digits(value):
        raise ValidationError("Enter the extension as digits 0-9 only.", code="extension_format")
    if value and not re.fullmatch(r"[0-9]+", value):
        raise ValidationError("Enter the extension as digits only.", code="extension_format")


def validate_zip_code(value: str) -> None:
    if has_other_digits(value):
        raise ValidationError(
            "Enter a 5-digit ZIP code, digits 0-9 only, or ZIP+4 such as 06002-1234.", code="zip_format"
        )
    if not re.fullmatch(r"[0-9]{5}(-[0-9]{4})?", value or ""):
        raise ValidationError("Enter a 5-digit ZIP code, or ZIP+4 such as 06002-1234.", code="zip_format")


def format_us_phone(digits: str) -> str:
    """(860) 555-0199: how every page, form and PDF shows a stored 10-digit phone or fax number; anything else
    is shown as it is."""
    if digits and re.fullmatch(r"[0-9]{10}", digits):
        return f"({digits[:3]}) {digits[3:6]}-{digits[6:]}"
    return digits or ""
