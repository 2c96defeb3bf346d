import re

from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm, SetPasswordForm
from django.contrib.auth.validators import UnicodeUsernameValidator

from portal.forms import ErrorSummaryMixin
from reference.validators import (
    has_other_digits,
    typed_digits,
    validate_npi,
    validate_phone_extension,
    validate_tin,
    validate_us_phone,
)


class LoginForm(ErrorSummaryMixin, AuthenticationForm):
    """The seed's "Log in" pop-up: User name and Password, one message for any failure."""

    username = forms.CharField(
        label="User name",
        max_length=150,
        widget=forms.TextInput(attrs={"autofocus": True}),
        error_messages={"required": "Enter your user name"},
    )
    password = forms.CharField(
        label="Password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": "Enter your password"},
    )
    error_messages = {
        "invalid_login": "The user name or password is not correct. Both are case-sensitive.",
        "inactive": "This account is inactive.",
    }


class RegistrationForm(ErrorSummaryMixin, forms.Form):
    """CareCore registration (seed 002): User Information, Contact Info, Physician/Facility Information."""

    first_name = forms.CharField(
        label="First Name",
        max_length=60,
        widget=forms.TextInput(attrs={"autocomplete": "given-name"}),
        error_messages={"required": "Enter your first name"},
    )
    last_name = forms.CharField(
        label="Last Name",
        max_length=60,
        widget=forms.TextInput(attrs={"autocomplete": "family-name"}),
        error_messages={"required": "Enter your last name"},
    )
    username = forms.CharField(
        label="User Name",
        max_length=150,
        validators=[UnicodeUsernameValidator()],
        help_text="Create a user name: letters, digits and @ . + - _ only.",
        widget=forms.TextInput(attrs={"autocomplete": "username"}),
        error_messages={"required": "Enter a user name"},
    )
    email = forms.EmailField(
        label="Email",
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={"required": "Enter your email address"},
    )
    confirm_email = forms.EmailField(
        label="Confirm Email",
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={"required": "Enter your email address again"},
    )
    phone = forms.CharField(
        label="Phone",
        max_length=20,
        help_text="10 digits, such as 860-555-0142.",
        widget=forms.TextInput(attrs={"autocomplete": "tel-national", "inputmode": "tel"}),
        error_messages={"required": "Enter your phone number"},
    )
    phone_ext = forms.CharField(
        label="Ext (optional)", max_length=6, required=False, widget=forms.TextInput(attrs={"inputmode": "numeric"})
    )
    npi = forms.CharField(
        label="Individual NPI",
        max_length=14,
        help_text="10 digits.",
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
        error_messages={"required": "Enter your individual NPI"},
    )
    tax_id = forms.CharField(
        label="Tax ID",
        max_length=11,
        help_text="9 digits, the practice's TIN.",
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
        error_messages={"required": "Enter the practice's Tax ID"},
    )
    organization_name = forms.CharField(
        label="Organization Name (optional)",
        max_length=120,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
    )

    summary_names = {"phone_ext": "Phone extension"}

    def clean_email(self):
        return self.cleaned_data["email"].strip().lower()

    def clean_confirm_email(self):
        return self.cleaned_data["confirm_email"].strip().lower()

    def clean_phone(self):
        phone = typed_digits(self.cleaned_data["phone"])
        if len(phone) == 11 and phone.startswith("1"):
            phone = phone[1:]
        validate_us_phone(phone)
        return phone

    def clean_phone_ext(self):
        ext = self.cleaned_data["phone_ext"].strip()
        validate_phone_extension(ext)
        return ext

    def clean_npi(self):
        npi = typed_digits(self.cleaned_data["npi"])
        validate_npi(npi)
        return npi

    def clean_tax_id(self):
        tin = typed_digits(self.cleaned_data["tax_id"])
        validate_tin(tin)
        return tin

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("email") and cleaned.get("confirm_email") and cleaned["email"] != cleaned["confirm_email"]:
            self.add_error("confirm_email", "The two email addresses do not match.")
        return cleaned


class ResendVerificationForm(ErrorSummaryMixin, forms.Form):
    email = forms.EmailField(
        label="Email",
        help_text="The address you registered with.",
        error_messages={"required": "Enter the email address you registered with"},
    )


class CreatePasswordForm(ErrorSummaryMixin, SetPasswordForm):
    """New password + retype, checked by every validator in AUTH_PASSWORD_VALIDATORS."""

    new_password1 = forms.CharField(
        label="New password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages={"required": "Enter a new password"},
    )
    new_password2 = forms.CharField(
        label="Retype password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages={"required": "Retype the new password"},
    )

    error_messages = {"password_mismatch": "The two passwords do not match."}

    def clean(self):
        # Policy errors sit next to "New password", a mismatch next to "Retype password".
        self.validate_passwords("new_password1", "new_password2")
        self.validate_password_for_user(self.user, "new_password1")
        return forms.Form.clean(self)


class ResetIdentifyForm(ErrorSummaryMixin, forms.Form):
    username = forms.CharField(
        label="Username",
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "username"}),
        error_messages={"required": "Enter your username"},
    )


class ResetVerifyForm(ErrorSummaryMixin, forms.Form):
    code = forms.CharField(
        label="Verification code",
        max_length=6,
        min_length=6,
        help_text="The 6-digit code from the email.",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
        error_messages={
            "required": "Enter the verification code from the email",
            "min_length": "Enter the 6 digits of the code.",
            "max_length": "Enter the 6 digits of the code.",
        },
    )

    def clean_code(self):
        code = self.cleaned_data["code"].strip()
        if has_other_digits(code):
            raise forms.ValidationError("Enter the 6 digits of the code, digits 0-9 only.")
        if not re.fullmatch(r"[0-9]{6}", code):
            raise forms.ValidationError("Enter the 6 digits of the code.")
        return code


class ProfilePasswordForm(ErrorSummaryMixin, PasswordChangeForm):
    """Change password: the current one is required (ACC-7); policy errors next to "New password"."""

    old_password = forms.CharField(
        label="Current password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": "Enter your current password"},
    )
    new_password1 = CreatePasswordForm.base_fields["new_password1"]
    new_password2 = CreatePasswordForm.base_fields["new_password2"]
    error_messages = {
        **CreatePasswordForm.error_messages,
        "password_incorrect": "Your current password is not correct.",
    }
    clean = CreatePasswordForm.clean


class EmailChangeForm(ErrorSummaryMixin, forms.Form):
    new_email = forms.EmailField(
        label="New email",
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={"required": "Enter your new email address"},
    )
    confirm_email = forms.EmailField(
        label="Confirm new email",
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={"required": "Enter your new email address again"},
    )

    def __init__(self, *args, user, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean(self):
        cleaned = super().clean()
        new, confirm = (cleaned.get("new_email") or "").lower(), (cleaned.get("confirm_email") or "").lower()
        if new and confirm and new != confirm:
            self.add_error("confirm_email", "The two email addresses do not match.")
        elif new and new == self.user.email.lower():
            self.add_error("new_email", "This is already your email address.")
        cleaned["new_email"] = new
        return cleaned


class PhoneForm(ErrorSummaryMixin, forms.Form):
    phone = RegistrationForm.base_fields["phone"]
    phone_ext = RegistrationForm.base_fields["phone_ext"]
    clean_phone = RegistrationForm.clean_phone
    clean_phone_ext = RegistrationForm.clean_phone_ext
    summary_names = RegistrationForm.summary_names
