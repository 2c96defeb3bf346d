import re

from django import forms
from django.core.exceptions import ValidationError

from accounts.forms import RegistrationForm
from ecrm import attachments
from ecrm.models import CarrierScope, ReporterType, RequestForm, Subrequest, Ticket
from ecrm.rich_text import description_is_empty, description_sanitized
from portal.forms import ErrorSummaryMixin
from practices.states import US_STATES
from reference.validators import typed_digits, validate_us_phone

CARRIER_NONE = [("", "-- None --")]
YES_NO = [("yes", "Yes"), ("no", "No")]


class EcrmRegistrationForm(ErrorSummaryMixin, forms.Form):
    """ "ECRM Registration" (seed 000); the phone, NPI and tax ID are checked as the portal's registration does."""

    first_name = forms.CharField(
        label="First name", max_length=60, widget=forms.TextInput(attrs={"autocomplete": "given-name"})
    )
    last_name = forms.CharField(
        label="Last name", max_length=60, widget=forms.TextInput(attrs={"autocomplete": "family-name"})
    )
    email = forms.EmailField(label="Email", max_length=150, widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    phone = forms.CharField(
        label="Business Phone",
        max_length=20,
        help_text="10 digits, such as 860-555-0142.",
        widget=forms.TextInput(attrs={"autocomplete": "tel-national", "inputmode": "tel"}),
    )
    phone_ext = forms.CharField(
        label="Ext", max_length=6, required=False, widget=forms.TextInput(attrs={"inputmode": "numeric"})
    )
    organization_name = forms.CharField(
        label="Organization Name", max_length=120, widget=forms.TextInput(attrs={"autocomplete": "organization"})
    )
    address = forms.CharField(
        label="Address", max_length=120, widget=forms.TextInput(attrs={"autocomplete": "street-address"})
    )
    city = forms.CharField(
        label="City", max_length=60, widget=forms.TextInput(attrs={"autocomplete": "address-level2"})
    )
    state = forms.ChoiceField(
        label="State",
        choices=[("", "-- None --"), *US_STATES],
        widget=forms.Select(attrs={"autocomplete": "address-level1"}),
    )
    tax_id = forms.CharField(
        label="Individual Tax ID",
        max_length=11,
        help_text="9 digits.",
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    npi = forms.CharField(
        label="Individual NPI",
        max_length=14,
        help_text="10 digits.",
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )

    summary_names = {"phone_ext": "Ext"}

    def clean_email(self):
        return self.cleaned_data["email"].strip().lower()

    clean_phone = RegistrationForm.clean_phone
    clean_phone_ext = RegistrationForm.clean_phone_ext
    clean_npi = RegistrationForm.clean_npi
    clean_tax_id = RegistrationForm.clean_tax_id


class ResendForm(ErrorSummaryMixin, forms.Form):
    email = forms.EmailField(label="Email", help_text="The address you registered with.")


def attachments_help() -> str:
    """ "Add Attachments"'s hint, the same wherever files are added (request, post, an agent's comment)."""
    return (
        f"Any file type, up to {attachments.max_files()} files of at most "
        f"{attachments.size_words(attachments.max_bytes())} each."
    )


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (Django's documented pattern); cleans to a list, empty when none."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        # Each file is checked by the form (clean_attachments), which names the file in its message.
        files = [item for item in (data if isinstance(data, list | tuple) else [data]) if item]
        if any(not hasattr(item, "name") or not hasattr(item, "size") for item in files):
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return files


class SubrequestSelect(forms.Select):
    """Each option names its request type, so the page's script can show only the chosen type's subrequests."""

    def create_option(self, name, value, *args, **kwargs):
        option = super().create_option(name, value, *args, **kwargs)
        instance = getattr(value, "instance", None)
        if instance is not None:
            option["attrs"]["data-request-type"] = str(instance.request_type_id)
        return option


class ColleagueChoiceField(forms.ModelMultipleChoiceField):
    """Colleagues by their names only: their addresses are not shown to each other."""

    def label_from_instance(self, obj):
        return obj.get_full_name() or obj.get_username()


CLAIM_NUMBER = re.compile(r"[A-Za-z0-9][A-Za-z0-9 .\-/]*")


class TicketForm(ErrorSummaryMixin, forms.Form):
    """One request form of the catalog (seed 000, "Creating an ECRM Request"): its fields come from the data."""

    short_description = forms.CharField(label="Short Description", max_length=160, required=False)
    reporter_type = forms.ChoiceField(
        label="Reporter Type", choices=[("", "-- None --"), *ReporterType.choices], required=False
    )
    on_behalf_of_contracted_provider = forms.TypedChoiceField(
        label="Are You Contacting Us On Behalf Of An EviCore Contracted Provider",
        choices=YES_NO,
        coerce=lambda value: value == "yes",
        empty_value=None,
        required=False,
        widget=forms.RadioSelect,
    )
    carrier = forms.ChoiceField(label="Insurance Carrier")
    health_plans = forms.MultipleChoiceField(
        label="Health plans", required=False, widget=forms.CheckboxSelectMultiple, help_text=""
    )
    description = forms.CharField(
        label="Description",
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 8, "data-rich-text": ""}),
        help_text="You may format the text with HTML: <b>bold</b>, <i>italic</i>, lists (<ul>, <ol>, <li>), "
        "links (<a href>) and <code>code</code>.",
    )
    request_type = forms.ModelChoiceField(label="Request Type", queryset=None, empty_label="-- None --")
    subrequest = forms.ModelChoiceField(
        label="Subrequest", queryset=None, required=False, empty_label="-- None --", widget=SubrequestSelect
    )
    claim_number = forms.CharField(label="Claim/EDI Number", max_length=40, required=False)
    contact_name = forms.CharField(
        label="Contact Name", max_length=120, required=False, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    contact_phone = forms.CharField(
        label="Contact Phone",
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "tel-national", "inputmode": "tel"}),
    )
    contact_email = forms.EmailField(
        label="Contact Email", required=False, widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    copied_colleagues = ColleagueChoiceField(
        label="Copy colleagues on this case",
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Choose colleagues of your organization from the list"},
        help_text="The colleagues of your organization you tick see this request in their My Cases, may post "
        "messages on it and receive the agents' answers by email.",
    )
    attachments = MultipleFileField(label="Add Attachments", required=False)

    summary_names = {"health_plans": "Health plans", "on_behalf_of_contracted_provider": "Contracted provider"}

    def __init__(self, *args, request_form: RequestForm, plans, colleagues=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.request_form = request_form
        # Only the reporter's organization's colleagues are offered (and accepted); none: no field.
        if colleagues is None or not colleagues.exists():
            del self.fields["copied_colleagues"]
        else:
            self.fields["copied_colleagues"].queryset = colleagues
        self.plans = {str(plan.pk): plan for plan in plans}
        special = []
        if request_form.allows_all_carriers:
            special.append((CarrierScope.ALL.value, CarrierScope.ALL.label))
        if request_form.allows_multiple_carriers:
            special.append((CarrierScope.MULTIPLE.value, CarrierScope.MULTIPLE.label))
        plan_choices = [(pk, plan.name) for pk, plan in self.plans.items()]
        self.fields["carrier"].choices = CARRIER_NONE + special + plan_choices
        if request_form.allows_multiple_carriers:
            self.fields["health_plans"].choices = plan_choices
            self.fields["health_plans"].help_text = 'Only with "*Multiple": tick every plan the request is about.'
        else:
            del self.fields["health_plans"]
        types = request_form.request_types.all()
        self.fields["request_type"].queryset = types
        # Grouped by request type, so without the page's script each type's subrequests sit together.
        self.fields["subrequest"].queryset = (
            Subrequest.objects.filter(request_type__in=types)
            .select_related("request_type")
            .order_by("request_type__sort_order", "request_type__name", "sort_order", "name")
        )
        if request_form.claim_number == RequestForm.ClaimNumber.ABSENT:
            del self.fields["claim_number"]
        else:
            self.fields["claim_number"].required = request_form.claim_number == RequestForm.ClaimNumber.REQUIRED
        self.fields["attachments"].help_text = attachments_help()
        if request_form.short_description_placeholder:
            self.fields["short_description"].widget.attrs["placeholder"] = request_form.short_description_placeholder

    def clean_short_description(self):
        text = " ".join(self.cleaned_data["short_description"].split())
        return text or self.request_form.short_description_placeholder or self.request_form.name

    def clean_description(self):
        html = description_sanitized(self.cleaned_data["description"])
        return "" if description_is_empty(html) else html

    def clean_claim_number(self):
        number = self.cleaned_data["claim_number"].strip()
        if number and not CLAIM_NUMBER.fullmatch(number):
            raise ValidationError("Enter the claim or EDI number with letters, digits, spaces, dots, dashes or slashes")
        return number

    def clean_contact_phone(self):
        phone = self.cleaned_data["contact_phone"].strip()
        if not phone:
            return ""
        digits = typed_digits(phone)
        if len(digits) == 11 and digits.startswith("1"):
            digits = digits[1:]
        validate_us_phone(digits)
        return digits

    def clean_attachments(self):
        files = self.cleaned_data["attachments"]
        if len(files) > attachments.max_files():
            raise ValidationError(f"Add at most {attachments.max_files()} files to one request")
        problems = []
        for uploaded in files:
            try:
                attachments.attachment_check(uploaded)
            except ValidationError as error:
                problems.extend(error.messages)
        if problems:
            raise ValidationError(problems)
        return files

    def clean(self):
        cleaned = super().clean()
        carrier = cleaned.get("carrier")
        if carrier == CarrierScope.ALL:
            cleaned["carrier_scope"], cleaned["health_plans"] = CarrierScope.ALL, []
        elif carrier == CarrierScope.MULTIPLE:
            chosen = [self.plans[pk] for pk in cleaned.get("health_plans", [])]
            if len(chosen) < 2:
                self.add_error("health_plans", 'Tick two or more health plans for "*Multiple", or choose the one plan')
            cleaned["carrier_scope"], cleaned["health_plans"] = CarrierScope.MULTIPLE, chosen
        elif carrier:
            cleaned["carrier_scope"], cleaned["health_plans"] = CarrierScope.ONE, [self.plans[carrier]]
        request_type, subrequest = cleaned.get("request_type"), cleaned.get("subrequest")
        if request_type is not None:
            if subrequest is not None and subrequest.request_type_id != request_type.pk:
                self.add_error("subrequest", f"Select a subrequest of {request_type.name}")
            elif subrequest is None and request_type.subrequests.exists():
                self.add_error("subrequest", f"Select the subrequest of {request_type.name}")
        if self.errors and cleaned.get("attachments"):
            # A browser never sends a file back: say so rather than lose it silently.
            self.add_error("attachments", "Choose your attachments again after correcting the other answers")
        return cleaned


class TicketEditForm(TicketForm):
    """The reporter's own request, while it is New: the request form's fields with their answers; files are
    added with a post on the Activity instead."""

    def __init__(self, *args, ticket: Ticket, plans, colleagues=None, **kwargs):
        plan_pks = [str(pk) for pk in ticket.health_plans.values_list("pk", flat=True)]
        if ticket.carrier_scope == CarrierScope.ONE and plan_pks:
            carrier = plan_pks[0]
        else:
            carrier = ticket.carrier_scope if ticket.carrier_scope != CarrierScope.ONE else ""
        on_behalf = ticket.on_behalf_of_contracted_provider
        initial = {
            "short_description": ticket.short_description,
            "reporter_type": ticket.reporter_type,
            "on_behalf_of_contracted_provider": "" if on_behalf is None else ("yes" if on_behalf else "no"),
            "carrier": carrier,
            "health_plans": plan_pks if ticket.carrier_scope == CarrierScope.MULTIPLE else [],
            "description": ticket.description_html,
            "request_type": ticket.request_type_id,
            "subrequest": ticket.subrequest_id,
            "claim_number": ticket.claim_number,
            "contact_name": ticket.contact_name,
            "contact_phone": ticket.contact_phone,
            "contact_email": ticket.contact_email,
            "copied_colleagues": list(ticket.copies.values_list("user_id", flat=True)),
        }
        super().__init__(
            *args, request_form=ticket.request_form, plans=plans, colleagues=colleagues, initial=initial, **kwargs
        )
        del self.fields["attachments"]


class CommentForm(ErrorSummaryMixin, forms.Form):
    """The Activity's "Type your message here..." and Post, with "Add Attachments"."""

    body = forms.CharField(
        label="Message",
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 4, "placeholder": "Type your message here..."}),
    )
    attachments = MultipleFileField(label="Add Attachments", required=False)

    summary_names = {"body": "Message"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attachments"].help_text = attachments_help()

    clean_attachments = TicketForm.clean_attachments

    def clean(self):
        cleaned = super().clean()
        body = description_sanitized(cleaned.get("body", ""))
        cleaned["body"] = "" if description_is_empty(body) else body
        if self.has_error("body") or self.has_error("attachments"):
            return cleaned
        if not cleaned["body"] and not cleaned.get("attachments"):
            self.add_error("body", "Type your message, or add an attachment")
        return cleaned


class RejectResolutionForm(ErrorSummaryMixin, forms.Form):
    """The reporter's "Reject" of a resolution: why it is not resolved."""

    reason = forms.CharField(
        label="Why is your request not resolved?", max_length=300, widget=forms.Textarea(attrs={"rows": 3})
    )
    summary_names = {"reason": "Reason"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, prefix="reject", **kwargs)
