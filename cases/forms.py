"""One form per wizard step (seeds 001-003 labels); each validates its own question group."""

import datetime
import re

from django import forms
from django.utils import timezone

from cases import rules, uploads
from cases.models import BuilderRole, UrgencyCriterion
from portal.forms import ErrorSummaryMixin
from reference.forms import NPIField, TINField, USPhoneField, ZipSearchField
from reference.models import DiagnosisCode, HealthPlan, Program
from reference.validators import validate_phone_extension

YES_NO = [("yes", "Yes"), ("no", "No")]


def as_yes_no(value: bool | None) -> str | None:
    return {True: "yes", False: "no"}.get(value)


class UsDateField(forms.CharField):
    """MM/DD/20YY or M/D/20YY (seed 001), typed as text so the format message can be the seed's."""

    def __init__(self, *, birth_date: bool = False, **kwargs):
        self.birth_date = birth_date
        kwargs.setdefault("max_length", 10)
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}))
        super().__init__(**kwargs)

    def prepare_value(self, value):
        return rules.format_us_date(value) if isinstance(value, datetime.date) else value

    def clean(self, value):
        text = super().clean(value)
        if not text:
            return None
        try:
            return rules.parse_us_date(text, birth_date=self.birth_date)
        except ValueError as error:
            raise forms.ValidationError(str(error), code="date_format") from None


# --- Step 1: Request an Authorization -----------------------------------------------------------


class ProgramForm(ErrorSummaryMixin, forms.Form):
    program = forms.ModelChoiceField(
        label="To begin, please select a program below:",
        queryset=Program.objects.all(),
        to_field_name="code",
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={"required": "Select a program.", "invalid_choice": "Select a program from the list."},
    )
    dme_role = forms.ChoiceField(
        label="Are you building a case as a referring physician or as a durable medical equipment provider?",
        required=False,
        choices=[
            ("", "Please Select"),
            (BuilderRole.REFERRING_PHYSICIAN, "Referring Physician"),
            (BuilderRole.DME_PROVIDER, "Durable Medical Equipment"),
        ],
        help_text="For Durable Medical Equipment(DME). Only referring providers are allowed to order a case.",
    )
    hh_role = forms.ChoiceField(
        label="Are you building a case as a referring physician's office or as a home health agency?",
        required=False,
        choices=[
            ("", "Please Select"),
            (BuilderRole.REFERRING_PHYSICIAN, "Referring Physician"),
            (BuilderRole.HOME_HEALTH_AGENCY, "Home Health Agency"),
        ],
        help_text="For Home Health. Only referring providers are allowed to order a case.",
    )
    practice = forms.ModelChoiceField(
        label="Which practice (TIN) is this request for?",
        queryset=None,
        widget=forms.RadioSelect,
        empty_label=None,
        help_text="The practice's members with the Case submission entitlement will see this request and can act "
        "on it.",
        error_messages={
            "required": "Select the practice (TIN) this request is for.",
            "invalid_choice": "Select one of your practices from the list.",
        },
    )

    summary_names = {"program": "Program", "dme_role": "Your role", "hh_role": "Your role", "practice": "Practice"}

    def __init__(self, *args, practices, **kwargs):
        """``practices``: where the user holds case submission; the question is asked only when there are several."""
        super().__init__(*args, **kwargs)
        self.fields["practice"].queryset = practices
        self.fields["practice"].label_from_instance = lambda practice: f"{practice.name} (TIN {practice.tin})"
        choices = list(practices[:2])
        self.only_practice = choices[0] if len(choices) == 1 else None
        if self.only_practice:
            self.fields["practice"].required = False
            self.fields["practice"].widget = forms.HiddenInput()
            self.fields["practice"].initial = self.only_practice.pk
        self.asks_practice = len(choices) > 1

    def clean(self):
        data = super().clean()
        if self.only_practice and not data.get("practice"):
            data["practice"] = self.only_practice
        program = data.get("program")
        if program is None:
            return data
        if not program.is_buildable:
            self.add_error("program", program.unavailable_message)
        elif program.code == "dme" and not data.get("dme_role"):
            self.add_error("dme_role", "Select whether you are the referring physician or the DME provider.")
        elif program.code == "home-health" and not data.get("hh_role"):
            self.add_error("hh_role", "Select whether you are the referring physician or the home health agency.")
        data["builder_role"] = data.get("dme_role") if program.code == "dme" else data.get("hh_role")
        return data


# --- Step 2: Requesting Provider Information ----------------------------------------------------


class ProviderNpiSearchForm(ErrorSummaryMixin, forms.Form):
    npi = NPIField(label="Search By NPI:", help_text="The provider's 10-digit NPI.")

    summary_names = {"npi": "NPI"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["npi"].error_messages["required"] = "Enter the provider's NPI to search."

    def clean_npi(self):
        # Only separators typed ("---", "((("): not an NPI, and "No provider has this NPI" would mislead.
        npi = self.cleaned_data["npi"]
        if not npi:
            raise forms.ValidationError("Enter the 10-digit NPI, digits only.", code="npi_format")
        return npi


class PhysicianSearchForm(ErrorSummaryMixin, forms.Form):
    """The supplier/agency path (seeds 002, 003): search for the physician by TIN, NPI, last name, city, zip."""

    health_plan = forms.ModelChoiceField(
        label="Healthplan:",
        queryset=HealthPlan.objects.all(),
        empty_label="Please Select",
        error_messages={"required": "Select the health plan."},
    )
    tin = TINField(label="TIN:", required=False)
    npi = NPIField(label="NPI:", required=False)
    last_name = forms.CharField(label="Last Name:", required=False, max_length=60, help_text="(requires NPI or TIN)")
    city = forms.CharField(label="City:", required=False, max_length=80, help_text="(city only, no state)")
    zip_code = ZipSearchField(label="Zip:", required=False)

    summary_names = {"health_plan": "Health plan"}

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        if data.get("last_name") and not (data.get("npi") or data.get("tin")):
            self.add_error("last_name", "A last name search requires the NPI or the TIN.")
        elif not any(data.get(name) for name in ("tin", "npi", "city", "zip_code")):
            self.add_error("tin", "Enter the TIN or the NPI, or the city or zip, to search.")
        return data


# --- Step 3: Choose Your Insurer ----------------------------------------------------------------


class InsurerForm(ErrorSummaryMixin, forms.Form):
    health_plan = forms.ModelChoiceField(
        label="Please select the insurer for this authorization request.",
        queryset=HealthPlan.objects.all(),
        empty_label="Please Select",
        error_messages={"required": "Select the insurer."},
    )
    provider_address = forms.ChoiceField(
        label="Provider address",
        help_text="The address of the requesting provider for this insurer.",
        error_messages={"required": "Select the provider's address."},
    )

    summary_names = {"health_plan": "Insurer"}

    def __init__(self, *args, addresses=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["provider_address"].choices = [("", "Please Select"), *((a, a) for a in addresses)]


# --- Step 4: Add Your Contact Info --------------------------------------------------------------


class ContactForm(ErrorSummaryMixin, forms.Form):
    contact_provider_name = forms.CharField(label="Provider's Name:", max_length=120)
    contact_name = forms.CharField(
        label="Who to Contact:", max_length=120, help_text="The person we call or fax about this request."
    )
    contact_fax = USPhoneField(label="Fax:")
    contact_phone = USPhoneField(label="Phone:")
    contact_phone_ext = forms.CharField(label="Ext.:", required=False, max_length=8)
    contact_cell_phone = USPhoneField(label="Cell Phone:", required=False)
    contact_email = forms.EmailField(label="Email:", max_length=254)
    notify_by_email = forms.BooleanField(label="Receive email notification of case status changes", required=False)

    summary_names = {"contact_phone_ext": "Phone extension", "notify_by_email": "Email notification"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        messages = {
            "contact_provider_name": "Enter the provider's name.",
            "contact_name": "Enter who to contact about this request.",
            "contact_fax": "Enter the fax number.",
            "contact_phone": "Enter the phone number.",
            "contact_email": "Enter the email address.",
        }
        for name, message in messages.items():
            self.fields[name].error_messages["required"] = message
        self.fields["contact_email"].error_messages["invalid"] = "Enter an email address like name@example.com."

    def clean_contact_phone_ext(self):
        ext = self.cleaned_data["contact_phone_ext"].strip()
        validate_phone_extension(ext)
        return ext


# --- Step 5: the date of service (Attention!) ---------------------------------------------------


class StartOfCareForm(ErrorSummaryMixin, forms.Form):
    start_of_care = UsDateField(
        label="What is the start of care date for this home health request?",
        help_text="Date must be in MM/DD/20YY or M/D/20YY format",
        error_messages={"required": "Enter the start of care date."},
    )

    summary_names = {"start_of_care": "Start of care date"}

    def __init__(self, *args, rules_for_plan: rules.DateOfServiceRules, **kwargs):
        super().__init__(*args, **kwargs)
        self.rules_for_plan = rules_for_plan

    def clean_start_of_care(self):
        day = self.cleaned_data["start_of_care"]
        problem = rules.date_of_service_problem(
            date_of_service=day, today=timezone.localdate(), rules=self.rules_for_plan
        )
        if problem:
            raise forms.ValidationError(problem, code="date_of_service")
        return day


class DmeDeliveredForm(ErrorSummaryMixin, forms.Form):
    delivered = forms.ChoiceField(
        label="Has the DME been delivered or dispensed?",
        choices=YES_NO,
        widget=forms.RadioSelect,
        error_messages={"required": "Select Yes if the DME has been delivered or dispensed, or No."},
    )
    delivered_on = UsDateField(
        label="Date delivered or dispensed",
        required=False,
        help_text="If the DME has been delivered/dispensed, please enter that date (MM/DD/20YY).",
    )

    summary_names = {"delivered": "Delivered or dispensed"}

    def __init__(self, *args, rules_for_plan: rules.DateOfServiceRules, **kwargs):
        super().__init__(*args, **kwargs)
        self.rules_for_plan = rules_for_plan
        if rules_for_plan.retro_window_business_days is not None:
            # Seed 002: the retrospective window, and where an authorization then starts.
            self.fields["delivered_on"].help_text += (
                f" A retrospective request must be submitted within {rules_for_plan.retro_window_business_days} "
                "business days of the date of service; when authorized, the start date will be the date of the request."
            )

    def clean(self):
        data = super().clean()
        if data.get("delivered") != "yes":
            data["delivered_on"] = None
            return data
        day = data.get("delivered_on")
        if day is None:
            if "delivered_on" not in self.errors:
                self.add_error("delivered_on", "Enter the date the DME was delivered or dispensed.")
            return data
        today = timezone.localdate()
        if day > today:
            self.add_error("delivered_on", "The delivery date cannot be in the future: select No if not yet delivered.")
            return data
        problem = rules.date_of_service_problem(date_of_service=day, today=today, rules=self.rules_for_plan)
        if problem:
            self.add_error("delivered_on", problem)
        return data


# --- Step 6: Patient Eligibility Lookup ---------------------------------------------------------


class EligibilityLookupForm(ErrorSummaryMixin, forms.Form):
    member_id = forms.CharField(
        label="Patient ID:", max_length=20, error_messages={"required": "Enter the Patient ID."}
    )
    date_of_birth = UsDateField(
        birth_date=True,
        label="Date Of Birth:",
        help_text="MM/DD/YYYY",
        error_messages={"required": "Enter the date of birth."},
    )
    last_name = forms.CharField(
        label="Patient Last Name Only:",
        max_length=60,
        error_messages={"required": "Enter the patient's last name."},
        help_text="When entering patient details, please review and confirm the spelling of the patient's name. "
        "Verify accuracy of the patient's ID.",
    )

    summary_names = {"last_name": "Patient last name"}

    def clean_date_of_birth(self):
        day = self.cleaned_data["date_of_birth"]
        if day and day > timezone.localdate():
            raise forms.ValidationError("The date of birth cannot be in the future.")
        return day


class PatientContactForm(ErrorSummaryMixin, forms.Form):
    patient_cell_phone = USPhoneField(label="Patient Cell Phone", required=False)
    patient_email = forms.EmailField(
        label="Patient Email",
        required=False,
        max_length=254,
        error_messages={"invalid": "Enter an email address like name@example.com."},
    )


# --- Step 7: Requested Service + Diagnosis ------------------------------------------------------


class DiagnosisForm(ErrorSummaryMixin, forms.Form):
    """Primary (required) and secondary (optional) ICD-10-CM codes, looked up by code or description.

    An exact billable code typed in a lookup box ("S92.151A", "s92151a") is chosen as it is: on Lookup and
    on Continue, with no click on a match. ``lookup`` ("primary" or "secondary") checks only that box.
    """

    primary_query = forms.CharField(
        label="Primary Diagnosis Code (Lookup by Code or Description)",
        required=False,
        max_length=100,
        help_text='Type the code or words of the description, such as "S92.15" or "talus", then select Lookup.',
    )
    primary_code = forms.CharField(required=False, max_length=8)
    secondary_query = forms.CharField(
        label="Select a Secondary Diagnosis Code (Lookup by Code or Description)",
        required=False,
        max_length=100,
    )
    secondary_code = forms.CharField(required=False, max_length=8)

    summary_names = {
        "primary_query": "Primary diagnosis",
        "primary_code": "Primary diagnosis",
        "secondary_query": "Secondary diagnosis",
        "secondary_code": "Secondary diagnosis",
    }

    def __init__(self, *args, secondary_hint: str = "", lookup: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["secondary_query"].help_text = secondary_hint
        self.lookup = lookup

    @staticmethod
    def _billable(code: str, field_label: str):
        diagnosis = DiagnosisCode.objects.filter(code=code.strip().upper()).first()
        if diagnosis is None:
            raise forms.ValidationError(f"{code} is not an ICD-10-CM code. Look it up by code or description.")
        if not diagnosis.is_billable:
            raise forms.ValidationError(
                f"{diagnosis.code} is a category, not a billable code: select one of the codes under it."
            )
        return diagnosis

    def _chosen(self, data, which):
        """The exact billable code typed in the box, else the code picked from the matches (or typed)."""
        query = data.get(f"{which}_query") or ""
        exact = _exact_billable_code(query)
        if exact is not None:
            return exact
        code = data.get(f"{which}_code") or (query if _looks_like_full_code(query) else "")
        if not code:
            return None
        try:
            return self._billable(code, which)
        except forms.ValidationError as error:
            self.add_error(f"{which}_query", error)
            return None

    def clean(self):
        data = super().clean()
        if self.lookup:
            field = f"{self.lookup}_query"
            if not (data.get(field) or "").strip():
                self.add_error(field, "Enter a code or words to look up.")
            else:
                data[f"{self.lookup}_diagnosis"] = _exact_billable_code(data[field])
            return data
        data["primary_diagnosis"] = self._chosen(data, "primary")
        if data["primary_diagnosis"] is None and "primary_query" not in self.errors:
            self.add_error("primary_query", "Select a primary diagnosis code: look it up by code or description.")
        data["secondary_diagnosis"] = self._chosen(data, "secondary")
        if data.get("primary_diagnosis") and data.get("primary_diagnosis") == data.get("secondary_diagnosis"):
            self.add_error("secondary_query", "The secondary diagnosis must differ from the primary diagnosis.")
        return data


def _looks_like_full_code(text: str) -> bool:
    text = (text or "").strip()
    return 3 <= len(text) <= 8 and text[0].isalpha() and text[1].isdigit() and " " not in text


# A whole ICD-10-CM code as typed, with or without its dot, in either case: "S92.151A", "s92151a", "A09".
_WHOLE_CODE = re.compile(r"[A-Z][0-9][0-9A-Z]{1,5}")


def _exact_billable_code(text: str) -> DiagnosisCode | None:
    """The billable code ``text`` spells exactly, or None (a prefix or a category is looked up instead)."""
    compact = (text or "").strip().upper().replace(".", "", 1)
    if not _WHOLE_CODE.fullmatch(compact):
        return None
    code = compact if len(compact) == 3 else f"{compact[:3]}.{compact[3:]}"
    return DiagnosisCode.objects.filter(code=code, is_billable=True).first()


# --- Step 8: Add Site of Service ----------------------------------------------------------------


class SiteSearchForm(ErrorSummaryMixin, forms.Form):
    npi = NPIField(label="NPI:", required=False)
    zip_code = ZipSearchField(label="Zip Code:", required=False)
    name = forms.CharField(label="Site Name:", required=False, max_length=120)
    match = forms.ChoiceField(
        label="Site name match",
        choices=[("starts", "Starts with"), ("exact", "Exact match")],
        initial="starts",
        widget=forms.RadioSelect,
        required=False,
    )
    tin = TINField(label="TIN:", required=False)
    city = forms.CharField(label="City:", required=False, max_length=80)

    def clean(self):
        data = super().clean()
        if not self.errors and not any(data.get(n) for n in ("npi", "zip_code", "name", "tin", "city")):
            self.add_error("npi", "Enter the NPI or TIN, or the site name with a zip code or city, to search.")
        return data


class SiteContactForm(ErrorSummaryMixin, forms.Form):
    site_email = forms.EmailField(
        label="Site Email (optional)",
        required=False,
        max_length=254,
        error_messages={"invalid": "Enter an email address like name@example.com."},
    )
    site_fax = USPhoneField(label="Fax", error_messages={"required": "Enter the site's fax number."})
    site_phone = USPhoneField(label="Phone", error_messages={"required": "Enter the site's phone number."})


class DispensedUrgencyForm(ErrorSummaryMixin, forms.Form):
    urgent_basis = forms.ChoiceField(
        label="Was this test performed on an urgent basis?",
        choices=YES_NO,
        widget=forms.RadioSelect,
        error_messages={"required": "Select Yes or No: was it performed on an urgent basis?"},
    )
    after_hours = forms.ChoiceField(
        label="Was this test performed after normal working hours (7am-7pm)?",
        choices=YES_NO,
        widget=forms.RadioSelect,
        error_messages={"required": "Select Yes or No: was it performed after normal working hours?"},
    )

    summary_names = {"urgent_basis": "Urgent basis", "after_hours": "After hours"}


# --- Step 9: Proceed to Clinical Information ----------------------------------------------------


class AttestationForm(ErrorSummaryMixin, forms.Form):
    attest = forms.BooleanField(
        label="I acknowledge that the clinical information I am about to submit for this authorization request is "
        "accurate and specific to this member, and that all information will be provided for this request.",
        error_messages={"required": "Check the box to acknowledge the attestation before you continue."},
    )

    summary_names = {"attest": "Attestation"}


# --- Urgency and upload -------------------------------------------------------------------------


class UrgencyForm(ErrorSummaryMixin, forms.Form):
    is_routine = forms.ChoiceField(
        label="Is this case Routine/Standard?",
        choices=[("yes", "YES"), ("no", "NO")],
        widget=forms.RadioSelect,
        help_text="If the case is standard, select Yes. If your request is urgent, select No.",
        error_messages={"required": "Select Yes if the case is routine/standard, or No if it is urgent."},
    )
    urgency_criterion = forms.ChoiceField(
        label="Please indicate if any of the following criteria are true regarding urgency of this request:",
        choices=UrgencyCriterion.choices,
        widget=forms.RadioSelect,
        required=False,
    )

    summary_names = {"is_routine": "Routine/Standard", "urgency_criterion": "Urgency criterion"}

    def clean(self):
        data = super().clean()
        if data.get("is_routine") == "no" and not data.get("urgency_criterion"):
            self.add_error("urgency_criterion", "Select the urgency criterion that is true, or None of the above.")
        if data.get("is_routine") == "yes":
            data["urgency_criterion"] = ""
        return data


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Every file chosen in one input, as a list. Django's FileField takes one file and calls a list "No file was
    submitted"; each file is checked by ``services.clinical_document_add``, whose message names the file."""

    def clean(self, data, initial=None):
        chosen = data if isinstance(data, (list, tuple)) else [data]
        return [uploaded for uploaded in chosen if uploaded]


class UploadForm(ErrorSummaryMixin, forms.Form):
    files = MultipleFileField(
        label="Browse for file to upload",
        required=False,
        widget=MultipleFileInput(attrs={"accept": ".doc,.docx,.pdf,.png"}),
    )

    summary_names = {"files": "File to upload"}

    def __init__(self, *args, max_megabytes: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields[
            "files"
        ].label = f"Browse for file to upload (max size {max_megabytes}MB, allowable extensions .DOC,.DOCX,.PDF,.PNG):"
        self.fields["files"].help_text = "Up to five documents. You can select several files at once."

    def clean_files(self):
        chosen = self.cleaned_data["files"]
        # Only the Upload button needs a file: Continue without a new one moves on (the step says what is missing).
        if not chosen and self.data.get("action") == "upload":
            raise forms.ValidationError("Choose a file to upload.", code="no_file")
        if len(chosen) > uploads.MAX_FILES_PER_UPLOAD:
            raise forms.ValidationError(
                f"Select up to {uploads.MAX_FILES_PER_UPLOAD} documents at a time.", code="too_many_files"
            )
        return chosen


class NotesForm(ErrorSummaryMixin, forms.Form):
    additional_notes = forms.CharField(
        label="Additional notes",
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Enter additional notes in the space provided only when necessary.",
    )
