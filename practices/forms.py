from django import forms
from django.core.validators import RegexValidator

from portal.forms import ErrorSummaryMixin
from practices.models import Practice, PracticeMembership
from practices.states import US_STATES
from reference.validators import validate_npi

validate_zip = RegexValidator(
    r"^[0-9]{5}(-[0-9]{4})?$", "Enter a 5-digit zip code, or ZIP+4 such as 06002-1234.", code="zip_format"
)


class ProviderSearchForm(ErrorSummaryMixin, forms.Form):
    """ "Add Provider" (seed 001): "Enter the NPI, state, and zip code to search for the provider"."""

    npi = forms.CharField(
        label="NPI",
        required=False,
        max_length=10,
        validators=[validate_npi],
        help_text="The provider's 10-digit NPI. Without it, enter the state and zip.",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    state = forms.ChoiceField(
        label="State",
        required=False,
        choices=[("", "Select a state"), *US_STATES],
        error_messages={"invalid_choice": "Select the provider's state from the list."},
    )
    zip_code = forms.CharField(
        label="Zip",
        required=False,
        max_length=10,
        validators=[validate_zip],
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )

    def clean(self):
        data = super().clean()
        if self.errors or data.get("npi"):
            return data
        if not data.get("state") and not data.get("zip_code"):
            self.add_error("npi", "Enter the provider's NPI, or their state and zip.")
        elif not data.get("state"):
            self.add_error("state", "Select the provider's state, or enter their NPI.")
        elif not data.get("zip_code"):
            self.add_error("zip_code", "Enter the provider's zip, or their NPI.")
        return data


class ProviderSelectForm(ErrorSummaryMixin, forms.Form):
    provider = forms.IntegerField(
        min_value=1,
        widget=forms.HiddenInput,
        error_messages={"required": "Select a provider", "invalid": "Select a provider from the search results"},
    )


class WorklistAccessForm(ErrorSummaryMixin, forms.Form):
    """ "Give access to your worklist": their User ID and Email Address (seed 001)."""

    username = forms.CharField(label="User ID", max_length=150, widget=forms.TextInput(attrs={"autocomplete": "off"}))
    email = forms.EmailField(
        label="Email Address",
        max_length=254,
        error_messages={"invalid": "Enter the email address of their EviCore account, like name@example.com."},
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].error_messages["required"] = "Enter their User ID."
        self.fields["email"].error_messages["required"] = "Enter their Email Address."


class MembershipEntitlementsForm(ErrorSummaryMixin, forms.ModelForm):
    class Meta:
        model = PracticeMembership
        fields = ["case_submission", "precertification_appeals", "correspondence", "is_access_manager"]
        help_texts = {
            "case_submission": "Build and submit prior authorization requests for this TIN.",
            "precertification_appeals": "See precertification requests and submit appeals of their decisions.",
            "correspondence": "Receive claim and precertification letters in the Message Center.",
            "is_access_manager": "Assign entitlements to the practice's users and choose paper or digital letters.",
        }


class PracticeDeliveryForm(ErrorSummaryMixin, forms.ModelForm):
    class Meta:
        model = Practice
        fields = ["paper_precertification_letters", "paper_claim_letters"]
        help_texts = {
            "paper_precertification_letters": "Also mail precertification-related letters on paper.",
            "paper_claim_letters": "Also mail claim-related letters on paper.",
        }
