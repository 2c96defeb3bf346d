"""Form fields for the identifiers every app asks for, so each is cleaned and checked the same way."""

from django import forms

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
