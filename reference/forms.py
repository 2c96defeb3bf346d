"""Form fields for the identifiers every app asks for, so each is cleaned and checked the same way."""

import datetime
import re

from django import forms
from django.utils import timezone

from portal.forms import ErrorSummaryMixin
from reference.validators import (
    format_us_phone,
    typed_digits,
    validate_npi,
    validate_tin,
    validate_us_phone,
    validate_zip_code,
)


def _digits(value: str) -> str:
    # Separators go; letters and digits other than 0-9 stay, so the validator refuses them ("abc" is not
    # an empty, optional number, and "86O-555-0199" is not 8605550199).
    return typed_digits((value or "").strip())


class USPhoneField(forms.CharField):
    """A US phone or fax number typed any usual way ("(866) 668-9250", "1-866-668-9250"); cleans to 10 digits."""

    widget = forms.TextInput(attrs={"type": "tel", "inputmode": "tel", "autocomplete": "off"})

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 20)
        super().__init__(**kwargs)

    def prepare_value(self, value):
        # A stored number shows as (860) 555-0199; what the user typed is shown back as typed.
        return format_us_phone(value) if isinstance(value, str) else value

    def clean(self, value):
        value = super().clean(value)
        digits = _digits(value)
        if not digits:
            return ""
        if len(digits) == 11 and digits.startswith("1"):
            digits = digits[1:]
        validate_us_phone(digits)
        return digits


class NPIField(forms.CharField):
    widget = forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"})

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 14)
        super().__init__(**kwargs)

    def clean(self, value):
        digits = _digits(super().clean(value))
        if digits:
            validate_npi(digits)
        return digits


class TINField(forms.CharField):
    widget = forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"})

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 11)
        super().__init__(**kwargs)

    def clean(self, value):
        digits = _digits(super().clean(value))
        if digits:
            validate_tin(digits)
        return digits


class ZipSearchField(forms.CharField):
    """A zip code to search by: 5 digits or ZIP+4; cleans to the 5-digit zip."""

    widget = forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"})

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 10)
        super().__init__(**kwargs)

    def clean(self, value):
        zip_code = (super().clean(value) or "").strip()
        if zip_code:
            validate_zip_code(zip_code)
        return zip_code[:5]


# The case build's birth-date format (its patient step asks the same three questions); reference does not import
# the case build, so the few lines are here. ASCII digits only: ``\d`` would take "٤" (and int() reads it as 4).
_BIRTH_DATE = re.compile(r"([0-9]{1,2})/([0-9]{1,2})/((?:19|20)[0-9][0-9])")
BIRTH_DATE_FORMAT_MESSAGE = "Enter the date of birth as MM/DD/YYYY, such as 04/02/1950."


class BirthDateField(forms.CharField):
    """A date of birth typed as MM/DD/YYYY (or M/D/YYYY); cleans to a date, never after today."""

    widget = forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"})

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 10)
        super().__init__(**kwargs)

    def prepare_value(self, value):
        return f"{value.month:02d}/{value.day:02d}/{value.year}" if isinstance(value, datetime.date) else value

    def clean(self, value):
        text = super().clean(value)
        if not text:
            return None
        match = _BIRTH_DATE.fullmatch(text.strip())
        if not match:
            raise forms.ValidationError(BIRTH_DATE_FORMAT_MESSAGE, code="date_format")
        month, day, year = (int(part) for part in match.groups())
        try:
            born = datetime.date(year, month, day)
        except ValueError:
            raise forms.ValidationError(
                f"{text.strip()} is not a real date. {BIRTH_DATE_FORMAT_MESSAGE}", code="date_format"
            ) from None
        if born > timezone.localdate():
            raise forms.ValidationError("The date of birth cannot be in the future.", code="future")
        return born


class EligibilityLookupForm(ErrorSummaryMixin, forms.Form):
    """Eligibility Lookup (WL-3): the seed's "Patient Eligibility Lookup" questions, all three required."""

    member_id = forms.CharField(
        label="Patient ID:",
        max_length=20,
        error_messages={"required": "Enter the Patient ID."},
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    date_of_birth = BirthDateField(
        label="Date Of Birth:", help_text="MM/DD/YYYY", error_messages={"required": "Enter the date of birth."}
    )
    last_name = forms.CharField(
        label="Patient Last Name Only:",
        max_length=60,
        error_messages={"required": "Enter the patient's last name."},
        help_text="When entering patient details, please review and confirm the spelling of the patient's name. "
        "Verify accuracy of the patient's ID.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )

    summary_names = {"last_name": "Patient last name"}
