"""The forms of the P2P tool after Case Info (seed 002): Questions, picking a slot, P2P Contact Details and a
cancellation, labelled as the seed's screens."""

import datetime

from django import forms
from django.utils.dateparse import parse_datetime

from p2p.slots import HOURS, WEEKDAYS
from portal.forms import ErrorSummaryMixin
from reference.forms import USPhoneField
from reference.validators import validate_phone_extension

# The seed's day headings on the Questions step.
DAY_LABELS = {0: "Mon", 1: "Tues", 2: "Wed", 3: "Thurs", 4: "Fri"}
NOON = 12


def hour_label(hour: int) -> str:
    """The one-hour span that starts at ``hour`` (24 h) as the seed prints it: 7 -> "7:00 to 8:00", 18 -> "6:00 to
    7:00" (the column, Morning or Afternoon, says which half of the day)."""
    return f"{(hour - 1) % 12 + 1}:00 to {hour % 12 + 1}:00"


DAY_CHOICES = [(str(day), DAY_LABELS[day]) for day in WEEKDAYS]
HOUR_CHOICES = [(str(hour), hour_label(hour)) for hour in HOURS]


class QuestionsForm(ErrorSummaryMixin, forms.Form):
    """ "Please indicate your availability": every day and hour starts selected; a cleared box deselects it."""

    preferred_days = forms.TypedMultipleChoiceField(
        label="Preferred Days",
        choices=DAY_CHOICES,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Select at least one preferred day."},
    )
    preferred_hours = forms.TypedMultipleChoiceField(
        label="Preferred Times",
        choices=HOUR_CHOICES,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Select at least one preferred time."},
    )

    def clean_preferred_days(self):
        return sorted(set(self.cleaned_data["preferred_days"]))

    def clean_preferred_hours(self):
        return sorted(set(self.cleaned_data["preferred_hours"]))

    def hour_groups(self) -> list[tuple[str, list]]:
        """The hour boxes under the seed's two headings, Morning (before noon) and Afternoon."""
        boxes = list(self["preferred_hours"])
        return [
            ("Morning", [box for box in boxes if int(box.data["value"]) < NOON]),
            ("Afternoon", [box for box in boxes if int(box.data["value"]) >= NOON]),
        ]


class SlotPickForm(forms.Form):
    """One of the Schedule step's time buttons: the reviewer and the slot's start (ISO 8601, UTC)."""

    reviewer = forms.IntegerField(min_value=1)
    starts_at = forms.CharField(max_length=40)

    def clean_starts_at(self):
        value = parse_datetime(self.cleaned_data["starts_at"].strip())
        if value is None or value.tzinfo is None:
            raise forms.ValidationError("That time is not open any more.", code="invalid")
        return value.astimezone(datetime.UTC)


class ContactForm(ErrorSummaryMixin, forms.Form):
    """ "P2P Contact Details" (seed 002), who the reviewer calls and how."""

    requesting_provider_name = forms.CharField(label="Name of Provider Requesting P2P", max_length=120)
    contact_person_name = forms.CharField(label="Contact Person Name", max_length=120, required=False)
    contact_person_location = forms.CharField(label="Contact Person Location", max_length=120, required=False)
    phone = USPhoneField(label="Phone Number for P2P")
    phone_ext = forms.CharField(label="Phone Ext.", max_length=8, required=False)
    alternate_phone = USPhoneField(label="Alternate Phone", required=False)
    alternate_phone_ext = forms.CharField(label="Phone Ext.", max_length=8, required=False)
    requesting_provider_email = forms.EmailField(label="Requesting Provider Email", max_length=254, required=False)
    contact_instructions = forms.CharField(
        label="Contact Instructions",
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For example: select option 4, ask for Dr. Doe.",
    )

    summary_names = {
        "phone_ext": "Phone extension",
        "alternate_phone_ext": "Alternate phone extension",
        "phone": "Phone number for P2P",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["requesting_provider_name"].error_messages["required"] = (
            "Enter the name of the provider requesting the P2P."
        )
        self.fields["phone"].error_messages["required"] = "Enter the phone number for the P2P."
        self.fields["phone"].widget.attrs["autocomplete"] = "tel-national"
        self.fields["requesting_provider_email"].widget.attrs["autocomplete"] = "email"

    def _extension(self, name: str) -> str:
        ext = self.cleaned_data[name].strip()
        validate_phone_extension(ext)
        return ext

    def clean_phone_ext(self):
        return self._extension("phone_ext")

    def clean_alternate_phone_ext(self):
        return self._extension("alternate_phone_ext")

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("alternate_phone_ext") and not cleaned.get("alternate_phone"):
            self.add_error("alternate_phone", "Enter the alternate phone number, or clear its extension.")
        return cleaned


class CancelForm(ErrorSummaryMixin, forms.Form):
    reason = forms.CharField(
        label="Cancellation reason",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Enter the reason for cancelling the P2P."},
    )
