import re

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError

from mfa.models import PIN_LENGTH, Method
from reference.validators import validate_us_phone


class PinMethodForm(forms.Form):
    """Seed 002: "Choose which authentication method you prefer: Email or SMS. Then, enter your email
    address or mobile phone number." Only the field for the chosen method is required."""

    method = forms.ChoiceField(
        label="Authentication method",
        choices=[(Method.EMAIL.value, "Email"), (Method.SMS.value, "SMS (text message)")],
        widget=forms.RadioSelect,
        help_text="Choose which authentication method you prefer: Email or SMS. Then, enter your email address "
        "or mobile phone number.",
        error_messages={"required": "Choose Email or SMS"},
    )
    email = forms.EmailField(
        label="Email address",
        required=False,
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
        error_messages={"invalid": "Enter an email address in the correct format, like name@example.com"},
    )
    phone = forms.CharField(
        label="Mobile phone number",
        required=False,
        help_text="A US mobile number, such as 866-668-9250.",
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel-national", "inputmode": "tel"}),
    )

    def clean_phone(self):
        digits = re.sub(r"\D", "", self.cleaned_data["phone"])
        if len(digits) == 11 and digits.startswith("1"):
            digits = digits[1:]
        if self.cleaned_data["phone"].strip():
            validate_us_phone(digits)
        return digits

    def clean(self):
        cleaned = super().clean()
        method = cleaned.get("method")
        if method == Method.EMAIL and not cleaned.get("email") and "email" not in self.errors:
            self.add_error("email", "Enter your email address")
        if method == Method.SMS and not cleaned.get("phone") and "phone" not in self.errors:
            self.add_error("phone", "Enter your mobile phone number")
        return cleaned

    @property
    def destination(self) -> str:
        return self.cleaned_data["email" if self.cleaned_data["method"] == Method.EMAIL else "phone"]


class VerifyForm(forms.Form):
    """Seed 002, "Verify your identity": "Enter 6-digit code" and "Remember this device for 30 days"."""

    code = forms.CharField(
        label=f"Enter {PIN_LENGTH}-digit code",
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
        error_messages={"required": f"Enter the {PIN_LENGTH}-digit code"},
    )
    remember = forms.BooleanField(
        label=f"Remember this device for {settings.MFA_REMEMBER_DEVICE_DAYS} days",
        required=False,
        help_text="Only on a computer that you alone use.",
    )

    def clean_code(self):
        # Codes are often pasted as "123 456" or "123-456".
        code = re.sub(r"[\s-]", "", self.cleaned_data["code"])
        if not re.fullmatch(rf"\d{{{PIN_LENGTH}}}", code):
            raise ValidationError(f"Enter the {PIN_LENGTH}-digit code, numbers only", code="format")
        return code


class ChooseMethodForm(forms.Form):
    """ "Use a different verification method": one of the user's confirmed devices."""

    device = forms.ChoiceField(
        label="How do you want to get your code?",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose a verification method"},
    )

    def __init__(self, *args, devices, **kwargs):
        super().__init__(*args, **kwargs)
        self.devices = {device.persistent_id: device for device in devices}
        self.fields["device"].choices = [(key, device.label) for key, device in self.devices.items()]

    @property
    def chosen_device(self):
        return self.devices[self.cleaned_data["device"]]
