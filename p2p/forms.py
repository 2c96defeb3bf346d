"""The forms of the P2P tool's first step: the default time zone (P2P-2) and New P2P Request's rows (P2P-3)."""

from django import forms

from p2p.models import US_TIME_ZONES
from portal.forms import ErrorSummaryMixin
from reference.forms import BirthDateField

# Ten cases in one appointment is already more than a call can cover.
MAX_ROWS = 10
CASE_NUMBER_HINT = "As on the request's summary, such as A123456789."


class TimeZoneForm(ErrorSummaryMixin, forms.Form):
    time_zone = forms.ChoiceField(
        label="Confirm your default time zone",
        choices=US_TIME_ZONES,
        widget=forms.RadioSelect,
        help_text="Appointment times are shown in this zone. You can change it later.",
        error_messages={"required": "Select your default time zone.", "invalid_choice": "Select a zone from the list."},
    )
    summary_names = {"time_zone": "Time zone"}


class CaseRowsForm(ErrorSummaryMixin, forms.Form):
    """Rows of Case Reference Number and Member Date of Birth. The number of rows travels in the hidden ``rows``
    field, so "+ Add Another Case" (a submit button) adds one without JavaScript. A row left empty is skipped."""

    def __init__(self, data=None, *, rows: int = 1, add_row: bool = False, initial_rows=None):
        if data is not None:
            try:
                rows = int(data.get("rows", rows))
            except (TypeError, ValueError):
                rows = 1
        rows = max(0, min(rows, MAX_ROWS))
        self.can_add = rows < MAX_ROWS
        if add_row and self.can_add:
            rows += 1
            self.can_add = rows < MAX_ROWS
        self.row_count = rows
        super().__init__(data)
        self.summary_names = {}
        for index in range(1, rows + 1):
            number, born = f"case_number_{index}", f"date_of_birth_{index}"
            self.fields[number] = forms.CharField(
                label="Case Reference Number",
                max_length=12,
                required=False,
                help_text=CASE_NUMBER_HINT if index == 1 else "",
                widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
            )
            self.fields[born] = BirthDateField(label="Member Date of Birth", required=False, help_text="MM/DD/YYYY")
            self.summary_names[number] = f"Case {index}: Case Reference Number"
            self.summary_names[born] = f"Case {index}: Member Date of Birth"
        for index, (number, born) in enumerate(initial_rows or [], start=1):
            self.initial[f"case_number_{index}"] = number
            self.initial[f"date_of_birth_{index}"] = born

    def clean(self):
        cleaned = super().clean()
        for index in range(1, self.row_count + 1):
            number, born = f"case_number_{index}", f"date_of_birth_{index}"
            if number in self.errors or born in self.errors:
                continue
            has_number, has_born = bool(cleaned.get(number)), cleaned.get(born) is not None
            if has_number and not has_born:
                self.add_error(born, "Enter the member's date of birth.")
            elif has_born and not has_number:
                self.add_error(number, "Enter the case reference number.")
        return cleaned

    def row_fields(self):
        """(index, case number field, date of birth field) of each row, for the template."""
        return [
            (index, self[f"case_number_{index}"], self[f"date_of_birth_{index}"])
            for index in range(1, self.row_count + 1)
        ]

    def filled_rows(self):
        """(index, case number, date of birth) of each complete, valid row."""
        rows = []
        for index in range(1, self.row_count + 1):
            number = self.cleaned_data.get(f"case_number_{index}")
            born = self.cleaned_data.get(f"date_of_birth_{index}")
            if number and born:
                rows.append((index, number, born))
        return rows
