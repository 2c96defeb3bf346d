"""Identifier checks shared by every app: NPI, TIN, US phone numbers, ZIP codes."""

import re

from django.core.exceptions import ValidationError

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
    return bool(re.fullmatch(r"[12]\d{9}", value or "")) and npi_check_digit(value[:9]) == int(value[9])


def validate_npi(value: str) -> None:
    if not re.fullmatch(r"\d{10}", value or ""):
        raise ValidationError("Enter the 10-digit NPI, digits only.", code="npi_format")
    if not is_valid_npi(value):
        raise ValidationError(
            "This is not a valid NPI: check the digits and try again.",
            code="npi_check_digit",
        )


def validate_tin(value: str) -> None:
    if not re.fullmatch(r"\d{9}", value or ""):
        raise ValidationError("Enter the 9-digit tax ID (TIN), digits only.", code="tin_format")


def validate_us_phone(value: str) -> None:
    """Ten digits of a North American number: area code and exchange never start with 0 or 1."""
    if not re.fullmatch(r"[2-9]\d{2}[2-9]\d{6}", value or ""):
        raise ValidationError("Enter a 10-digit US number, such as 866-668-9250.", code="phone_format")


def validate_zip_code(value: str) -> None:
    if not re.fullmatch(r"\d{5}(-\d{4})?", value or ""):
        raise ValidationError("Enter a 5-digit ZIP code, or ZIP+4 such as 06002-1234.", code="zip_format")


def format_us_phone(digits: str) -> str:
    """866-668-9250, the way the seeds print numbers; anything else is shown as it is."""
    if digits and re.fullmatch(r"\d{10}", digits):
        return f"{digits[:3]}-{digits[3:6]}-{digits[6:]}"
    return digits or ""
