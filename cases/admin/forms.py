"""The small forms of the case page's actions. Each only reads the input; the rules are the services' (their
ValidationErrors are added to these forms by field name, ``add_service_errors``)."""

import re

from django import forms
from django.core.exceptions import ValidationError

from cases import decisions
from cases.models import DeterminationOutcome, HoldItem
from cases.queue import reviewers
from portal.forms import ErrorSummaryMixin
from reference.models import HcpcsCode
from resources.models import ClinicalGuideline

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
HCPCS_FORMAT = re.compile(r"[A-Z][0-9]{4}")


def add_service_errors(form: forms.Form, error: ValidationError) -> None:
    """A service's ValidationError on the form: a field's message next to that field, any other at the top."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


class AssignForm(ErrorSummaryMixin, forms.Form):
    reviewer = forms.ModelChoiceField(label="Assign to", queryset=reviewers(), empty_label="Choose a reviewer")
    summary_names = {"reviewer": "Reviewer"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, prefix="assign", **kwargs)
        self.fields["reviewer"].queryset = reviewers()
        self.fields["reviewer"].label_from_instance = lambda user: user.get_full_name() or user.get_username()


class LineDetermineForm(ErrorSummaryMixin, forms.Form):
    """One service line's determination in the current round (REV-2, CMS-1)."""

    outcome = forms.ChoiceField(label="Outcome", widget=forms.RadioSelect)
    approved_quantity = forms.IntegerField(label="Approved quantity", min_value=1, required=False)
    valid_from = forms.DateField(label="Valid from (optional)", required=False, widget=DATE_INPUT)
    valid_to = forms.DateField(label="Valid to (optional)", required=False, widget=DATE_INPUT)
    criterion_not_met = forms.CharField(
        label="Criterion not met", required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=4000
    )
    guideline = forms.ModelChoiceField(
        label="Guideline relied on", queryset=ClinicalGuideline.objects.none(), required=False
    )
    documentation_needed = forms.CharField(
        label="Documentation that would change the outcome",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=4000,
    )
    alternative = forms.CharField(
        label="Alternative recommended",
        required=False,
        max_length=300,
        help_text="Optional: the description of the alternative HCPCS code is used when empty.",
    )
    alternative_hcpcs = forms.CharField(
        label="Alternative HCPCS code",
        required=False,
        max_length=20,
        help_text="The item accepting the alternative authorizes, for example K0001.",
    )
    alternative_quantity = forms.IntegerField(
        label="Alternative quantity",
        required=False,
        min_value=1,
        max_value=decisions.MAX_QUANTITY,
        error_messages={
            "invalid": "Enter the alternative quantity as a whole number, such as 1.",
            "min_value": "The alternative quantity must be 1 or more.",
            "max_value": f"The alternative quantity must be at most {decisions.MAX_QUANTITY}.",
        },
    )

    def __init__(self, *args, line, case, default_validity=None, **kwargs):
        super().__init__(*args, prefix=f"line-{line.pk}", **kwargs)
        self.line = line
        choices = [(DeterminationOutcome.APPROVED, "Approve"), (DeterminationOutcome.DENIED, "Deny")]
        if case.is_dme:
            choices.append((DeterminationOutcome.ALTERNATIVE_OFFERED, "Recommend an alternative"))
        else:
            for name in ("alternative", "alternative_hcpcs", "alternative_quantity"):
                del self.fields[name]
        self.fields["outcome"].choices = choices
        self.fields["approved_quantity"].initial = line.quantity
        self.fields["approved_quantity"].max_value = line.quantity
        self.fields["approved_quantity"].help_text = f"Requested: {line.quantity} {line.unit.lower()}."
        if default_validity:
            start, end = default_validity
            self.fields[
                "valid_from"
            ].help_text = f"Leave both dates empty for the default: {start:%m/%d/%Y} to {end:%m/%d/%Y}."
        self.fields["guideline"].queryset = ClinicalGuideline.objects.filter(program_id=case.program_id)
        self.fields["guideline"].empty_label = "Choose a guideline"
        self.summary_names = {"outcome": f"Line {line.line_number} outcome"}

    def clean(self):
        """An alternative's code names a catalog item (``decisions`` checks it is one of the program's list)."""
        data = super().clean()
        code = (data.get("alternative_hcpcs") or "").strip().upper()
        data["alternative_item"] = None
        if data.get("outcome") != DeterminationOutcome.ALTERNATIVE_OFFERED or not code:
            return data
        if not HCPCS_FORMAT.fullmatch(code):
            self.add_error("alternative_hcpcs", "A HCPCS code is one letter and four digits, for example K0001.")
        else:
            data["alternative_item"] = HcpcsCode.objects.filter(code=code).first()
            if data["alternative_item"] is None:
                self.add_error(
                    "alternative_hcpcs",
                    f"HCPCS code {code} is not in the code catalog. Check the code and enter it again.",
                )
        return data

    def service_arguments(self) -> dict:
        """The cleaned input as ``decisions.line_determine`` takes it: an approval's quantity and validity, a
        denial's (or alternative's) reason, never both."""
        data = self.cleaned_data
        if data["outcome"] == DeterminationOutcome.APPROVED:
            return {
                "outcome": data["outcome"],
                "approved_quantity": data["approved_quantity"],
                "valid_from": data["valid_from"],
                "valid_to": data["valid_to"],
            }
        return {
            "outcome": data["outcome"],
            "criterion": data["criterion_not_met"],
            "guideline": data["guideline"],
            "documentation": data["documentation_needed"],
            "alternative": data.get("alternative", ""),
            "alternative_hcpcs": data.get("alternative_item"),
            "alternative_quantity": data.get("alternative_quantity"),
        }


class HoldForm(ErrorSummaryMixin, forms.Form):
    """REV-3: what is needed (seed 001's list), details, and by when."""

    items = forms.MultipleChoiceField(
        label="Information needed", choices=HoldItem.choices, widget=forms.CheckboxSelectMultiple, required=False
    )
    note = forms.CharField(
        label="Details for the provider (optional)", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    due_on = forms.DateField(label="Due date", widget=DATE_INPUT)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, prefix="hold", **kwargs)


class DueExtendForm(ErrorSummaryMixin, forms.Form):
    new_due_at = forms.DateTimeField(
        label="New decision due date and time",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    reason = forms.CharField(label="Reason for the extension", max_length=300, widget=forms.Textarea(attrs={"rows": 2}))
    summary_names = {"new_due_at": "New due time", "reason": "Reason"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, prefix="due", **kwargs)


class ExtensionDecideForm(ErrorSummaryMixin, forms.Form):
    """An authorization extension request granted or refused, with a note."""

    grant = forms.TypedChoiceField(
        label="Decision",
        choices=[("yes", "Grant the extension"), ("no", "Refuse the extension")],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    note = forms.CharField(label="Note", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, prefix="extension", **kwargs)
