"""The provider's post-decision forms (WL-5, WL-6, WL-7): what is typed, checked here; the rules are the services'."""

from django import forms
from django.core.exceptions import ValidationError

from cases.forms import UsDateField
from portal.forms import ErrorSummaryMixin
from reference.forms import USPhoneField

EXPEDITED_HINT = (
    "Ask for an expedited appeal when waiting for a standard appeal could seriously jeopardize the patient's life "
    "or health: a written response is sent within 72 hours, instead of 30 days."
)


class ReconsiderationForm(ErrorSummaryMixin, forms.Form):
    reason = forms.CharField(label="Reason", max_length=4000, widget=forms.Textarea(attrs={"rows": 4}))
    documentation = forms.CharField(
        label="Additional clinical information",
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text="What the reviewer did not have: the denial says, for each line, what would change the outcome.",
    )
    summary_names = {"reason": "Reason for reconsideration"}

    def __init__(self, *args, alternative: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if alternative:
            self.fields["of_original_item"] = forms.BooleanField(
                label="Reconsider the original item instead of the alternative recommended",
                required=False,
            )


class AppealForm(ErrorSummaryMixin, forms.Form):
    reason = forms.CharField(
        label="Reason for appeal", required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 6})
    )
    is_expedited = forms.BooleanField(label="Expedited appeal", required=False, help_text=EXPEDITED_HINT)
    contact_name = forms.CharField(label="Contact name", required=False, max_length=120)
    contact_phone = USPhoneField(label="Contact phone", required=False)


class ExtensionForm(ErrorSummaryMixin, forms.Form):
    requested_valid_to = UsDateField(label="Extend through", help_text="MM/DD/YYYY, such as 03/31/2027.")
    reason = forms.CharField(label="Reason", max_length=2000, widget=forms.Textarea(attrs={"rows": 4}))
    summary_names = {"requested_valid_to": "Extend through", "reason": "Reason for the extension"}


def add_service_error(form: forms.Form, error: ValidationError) -> None:
    """Show a service's refusal on ``form``: next to its field when it names one, else at the top."""
    if hasattr(error, "error_dict"):
        for name, messages in error.message_dict.items():
            form.add_error(name if name in form.fields else None, messages)
    else:
        form.add_error(None, error.messages)
