"""Authorization Lookup (WL-2): find a submitted request by member information, or by its case number together
with the ordering provider's NPI (seed 002). The forms and the queries; ``cases.views.lookup`` reads the request.

Only the requests the user may view are searched (``worklist.submitted_cases``), so a request outside their
scope is answered exactly like one that does not exist.
"""

import re

from django import forms
from django.db.models import QuerySet

from cases.models import Case
from portal.forms import ErrorSummaryMixin
from reference.forms import BirthDateField, NPIField
from reference.selectors import members_lookup

NOT_FOUND = "No authorization matches these details. Check them and try again."
# Case numbers are "A" and 9 digits (cases.identifiers); ASCII only, so that no look-alike digit reaches the query.
_CASE_NUMBER = re.compile(r"[A-Z0-9]{1,12}")


class MemberLookupForm(ErrorSummaryMixin, forms.Form):
    """By member information: the three answers the Eligibility Lookup asks, all required."""

    member_id = forms.CharField(
        label="Member ID",
        max_length=20,
        error_messages={"required": "Enter the Member ID."},
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    date_of_birth = BirthDateField(
        label="Date of Birth", help_text="MM/DD/YYYY", error_messages={"required": "Enter the date of birth."}
    )
    last_name = forms.CharField(
        label="Last Name",
        max_length=60,
        error_messages={"required": "Enter the member's last name."},
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )

    summary_names = {"member_id": "Member ID", "date_of_birth": "Date of birth", "last_name": "Last name"}


class CaseNumberLookupForm(ErrorSummaryMixin, forms.Form):
    """By case number with the ordering provider's NPI: both required, both exact."""

    case_number = forms.CharField(
        label="Case Number",
        max_length=12,
        help_text="As on the request's summary, such as A123456789.",
        error_messages={"required": "Enter the case number."},
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    npi = NPIField(
        label="Ordering Provider NPI",
        help_text="10 digits.",
        error_messages={"required": "Enter the ordering provider's NPI."},
    )

    summary_names = {"case_number": "Case number", "npi": "Ordering provider NPI"}

    def clean_case_number(self):
        value = self.cleaned_data["case_number"].strip().upper()
        if not _CASE_NUMBER.fullmatch(value):
            raise forms.ValidationError(
                "Enter the case number with letters A-Z and digits 0-9 only, such as A123456789."
            )
        return value


def by_member(cases: QuerySet[Case], *, member_id: str, date_of_birth, last_name: str) -> QuerySet[Case]:
    """``cases`` of the member these three answers identify (ID and last name ignoring case)."""
    members = members_lookup(member_id=member_id, date_of_birth=date_of_birth, last_name=last_name)
    return cases.filter(member__in=members.values("pk")).order_by("-submitted_at", "-pk")


def by_case_number(cases: QuerySet[Case], *, case_number: str, npi: str) -> QuerySet[Case]:
    """The one case of ``cases`` with this case number, if its ordering provider has this NPI."""
    return cases.filter(case_number=case_number, ordering_provider__npi=npi)
