import json
import re

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError

from mfa.models import PIN_LENGTH, Method
from portal.forms import ErrorSummaryMixin
from reference.validators import has_other_digits, typed_digits, validate_us_phone


class PinMethodForm(ErrorSummaryMixin, forms.Form):
    """Seed 002: "Choose which authentication method you prefer: Email or SMS. Then, enter your email
    address or mobile phone number." Only the field of the chosen method is required, checked and shown in errors."""

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
        digits = typed_digits(self.cleaned_data["phone"])
        if len(digits) == 11 and digits.startswith("1"):
            digits = digits[1:]
        if self.cleaned_data["phone"].strip():
            validate_us_phone(digits)
        return digits

    # The field each method uses. The other method's field stays in the page (mfa.js only hides it) and is
    # posted with whatever was typed before the user changed their mind: it must neither block nor show.
    method_fields = {Method.EMAIL: "email", Method.SMS: "phone"}

    def clean(self):
        cleaned = super().clean()
        method = cleaned.get("method")
        for field_method, name in self.method_fields.items():
            if field_method != method:
                self.errors.pop(name, None)
                cleaned.pop(name, None)
        if method == Method.EMAIL and not cleaned.get("email") and "email" not in self.errors:
            self.add_error("email", "Enter your email address")
        if method == Method.SMS and not cleaned.get("phone") and "phone" not in self.errors:
            self.add_error("phone", "Enter your mobile phone number")
        return cleaned

    @property
    def destination(self) -> str:
        return self.cleaned_data["email" if self.cleaned_data["method"] == Method.EMAIL else "phone"]


def remember_field() -> forms.BooleanField:
    return forms.BooleanField(
        label=f"Remember this device for {settings.MFA_REMEMBER_DEVICE_DAYS} days",
        required=False,
        help_text="Only on a computer that you alone use.",
    )


class VerifyForm(ErrorSummaryMixin, forms.Form):
    """Seed 002, "Verify your identity": "Enter 6-digit code" and "Remember this device for 30 days"."""

    code = forms.CharField(
        label=f"Enter {PIN_LENGTH}-digit code",
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
        error_messages={"required": f"Enter the {PIN_LENGTH}-digit code"},
    )
    remember = remember_field()

    summary_names = {"code": "Code"}

    def clean_code(self):
        # Codes are often pasted as "123 456" or "123-456".
        code = re.sub(r"[\s-]", "", self.cleaned_data["code"])
        if has_other_digits(code):
            raise ValidationError(f"Enter the {PIN_LENGTH}-digit code, digits 0-9 only", code="format")
        if not re.fullmatch(rf"[0-9]{{{PIN_LENGTH}}}", code):
            raise ValidationError(f"Enter the {PIN_LENGTH}-digit code, numbers only", code="format")
        return code


class ChooseMethodForm(ErrorSummaryMixin, forms.Form):
    """ "Use a different verification method": one of the user's confirmed devices."""

    device = forms.ChoiceField(
        label="How do you want to verify your identity?",
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose a verification method",
            "invalid_choice": "Choose one of your verification methods",
        },
    )

    summary_names = {"device": "Verification method"}

    def __init__(self, *args, devices, **kwargs):
        super().__init__(*args, **kwargs)
        self.devices = {device.persistent_id: device for device in devices}
        self.fields["device"].choices = [(key, device.label) for key, device in self.devices.items()]

    @property
    def chosen_device(self):
        return self.devices[self.cleaned_data["device"]]


class BrowserAnswerInput(forms.HiddenInput):
    """Filled in by mfa-passkeys.js for one attempt; never written back into the page."""

    def format_value(self, value):
        return None


class PasskeyForm(ErrorSummaryMixin, forms.Form):
    """What the browser answered when asked for a passkey: its credential, or the name of its error.

    mfa-passkeys.js fills one of the two hidden fields and submits, so the page shows the outcome (and any
    error, at the top and next to the button) like any other form.
    """

    credential = forms.CharField(widget=BrowserAnswerInput, required=False, max_length=65_536)
    browser_error = forms.CharField(widget=BrowserAnswerInput, required=False, max_length=64)

    # The DOMException names the WebAuthn API gives, in the words of this page.
    browser_error_messages: dict[str, str] = {}
    cancelled_message = ""
    failed_message = ""

    def clean(self):
        cleaned = super().clean()
        browser_error = cleaned.get("browser_error")
        if browser_error:
            raise ValidationError(
                self.browser_error_messages.get(browser_error, self.failed_message), code="browser_error"
            )
        try:
            credential = json.loads(cleaned.get("credential") or "null")
        except ValueError:
            credential = None
        if not isinstance(credential, dict):
            raise ValidationError(self.failed_message, code="no_credential")
        cleaned["credential"] = credential
        return cleaned


class PasskeyRegisterForm(PasskeyForm):
    """ "Set up a passkey"."""

    next = forms.CharField(widget=forms.HiddenInput, required=False, max_length=2000)

    failed_message = "Your browser could not set up a passkey. Try again, or choose a different method."
    browser_error_messages = {
        "NotAllowedError": "The passkey was not set up: the request was cancelled or timed out. Try again, or "
        "choose a different method.",
        "InvalidStateError": "This device already has a passkey for your account. Use it to verify your identity, "
        "or set up a passkey on another device.",
        "SecurityError": "This browser will not set up a passkey at this web address.",
    }


class PasskeyVerifyForm(PasskeyForm):
    """Seed 002, "Verify your identity", with a passkey instead of a code; "Remember this device" stays."""

    remember = remember_field()

    failed_message = "Your browser could not use a passkey. Try again, or use a different verification method."
    browser_error_messages = {
        "NotAllowedError": "The passkey was not used: the request was cancelled or timed out. Try again, or use "
        "a different verification method.",
        "SecurityError": "This browser will not use a passkey at this web address.",
    }
