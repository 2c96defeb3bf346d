"""Issue 10, item 8: every error message names what is wrong, and the error summary names the field of each
error ("First name: Enter your first name"), linking to it (GOV.UK error message and error summary patterns)."""

import importlib
import inspect

import pytest
from django import forms
from django.template.loader import render_to_string

from accounts.forms import RegistrationForm
from accounts.models import User
from cases import forms as case_forms
from cases import rules
from cases.questionnaires import engine
from cases.questionnaires.forms import QuestionnairePageForm
from mfa.forms import ChooseMethodForm
from portal.forms import GENERIC_MESSAGES, ErrorSummaryMixin, error_summary_entries, summary_name
from practices.models import Practice

pytestmark = pytest.mark.django_db

FORM_MODULES = [
    "accounts.forms",
    "mfa.forms",
    "practices.forms",
    "reference.forms",
    "resources.forms",
    "cases.forms",
    "cases.questionnaires.forms",
]

RULES = rules.DateOfServiceRules(same_day_online=True, retro_window_business_days=5, phone_in_instruction="Call.")

# The forms that need more than data to be built.
CONSTRUCTORS = {
    "CreatePasswordForm": lambda cls, data: cls(User(username="someone"), data),
    "ProfilePasswordForm": lambda cls, data: cls(User(username="someone"), data),
    "EmailChangeForm": lambda cls, data: cls(data, user=User(email="someone@office.example")),
    "ChooseMethodForm": lambda cls, data: cls(data, devices=[]),
    "ProgramForm": lambda cls, data: cls(data, practices=Practice.objects.none()),
    "StartOfCareForm": lambda cls, data: cls(data, rules_for_plan=RULES),
    "DmeDeliveredForm": lambda cls, data: cls(data, rules_for_plan=RULES),
    "UploadForm": lambda cls, data: cls({**data, "action": "upload"}, max_megabytes=10),
}


def project_form_classes():
    """Every form class defined in the project's forms modules."""
    found = []
    for module_name in FORM_MODULES:
        module = importlib.import_module(module_name)
        for _name, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, forms.BaseForm) and cls.__module__ == module_name:
                found.append(cls)
    return found


def build(cls, data):
    if cls.__name__ in CONSTRUCTORS:
        return CONSTRUCTORS[cls.__name__](cls, data)
    return cls(data)


def questionnaire_forms(data_for):
    """One form per question of every questionnaire definition."""
    built = []
    for program in ("dme", "home-health"):
        question_set = engine.question_set_for(program)
        for item, _parent in engine._walk(question_set.items):
            if item.is_question:
                page = engine.Page(key=item.link_id, title=item.text, intro=(), items=(item,))
                form = QuestionnairePageForm({}, question_set=question_set, answers={}, page=page)
                data = data_for(form)
                built.append(QuestionnairePageForm(data, question_set=question_set, answers={}, page=page))
    return built


def all_forms(data_for):
    built = [build(cls, data_for(cls)) for cls in project_form_classes() if cls is not QuestionnairePageForm]
    return built + questionnaire_forms(data_for)


def junk(form_or_cls):
    """A wrong value for every field: an unknown choice, too long a text, letters for a number, a broken email."""
    fields = form_or_cls.fields if isinstance(form_or_cls, forms.BaseForm) else form_or_cls.base_fields
    data = {}
    for name, field in fields.items():
        if isinstance(field, forms.BooleanField):
            continue
        if isinstance(field, forms.ChoiceField):
            data[name] = "no-such-choice"
        elif isinstance(field, forms.IntegerField):
            data[name] = "abc"
        elif isinstance(field, forms.EmailField):
            data[name] = "not-an-email"
        elif isinstance(field, forms.CharField):
            data[name] = "x" * ((field.max_length or 10) + 1)
    return data


def messages_of(form):
    return [(name, str(error)) for name, errors in form.errors.items() for error in errors]


def test_every_project_form_is_found_and_uses_the_mixin():
    classes = project_form_classes()
    names = {cls.__name__ for cls in classes}
    assert {"RegistrationForm", "InsurerForm", "PinMethodForm", "WorklistAccessForm", "GuidelineSearchForm"} <= names
    assert {"QuestionnairePageForm", "UploadForm", "MembershipEntitlementsForm"} <= names
    assert [cls.__name__ for cls in classes if not issubclass(cls, ErrorSummaryMixin)] == []


@pytest.mark.parametrize("data_for", [lambda cls: {}, junk], ids=["empty", "wrong values"])
def test_no_form_shows_django_s_generic_messages(data_for):
    shown = []
    for form in all_forms(data_for):
        form.is_valid()
        shown += [(type(form).__name__, name, message) for name, message in messages_of(form)]
    assert shown, "the forms refused nothing"
    generic = [
        entry
        for entry in shown
        if entry[2] in GENERIC_MESSAGES or entry[2].startswith(("Ensure this value", "Select a valid choice"))
    ]
    assert generic == []


def test_every_summary_entry_names_its_field_with_a_short_name():
    for form in all_forms(lambda cls: {}):
        if form.is_valid():
            continue
        texts = [entry["text"] for entry in error_summary_entries(form)]
        for bound_field in form.visible_fields():
            name = summary_name(bound_field)
            assert name and len(name) <= 40, (type(form).__name__, name)
            assert not name.endswith((":", "*", " ")), name
            for error in bound_field.errors:
                assert f"{name}: {error}" in texts


def test_required_messages_say_what_to_do():
    form = RegistrationForm({})
    assert form.errors["first_name"] == ["Enter your first name"]
    assert form.errors["phone"] == ["Enter your phone number"]
    # The seed's messages stay as they are.
    assert case_forms.EligibilityLookupForm({}).errors["member_id"] == ["Enter the Patient ID."]
    assert case_forms.InsurerForm({}).errors["health_plan"] == ["Select the insurer."]


def test_derived_messages_follow_the_kind_of_field():
    class Example(ErrorSummaryMixin, forms.Form):
        patient_id = forms.CharField(label="Patient ID:", max_length=3)
        colour = forms.ChoiceField(label="Favourite Colour", choices=[("red", "Red")])
        agree = forms.BooleanField(label="Terms")
        visits = forms.IntegerField(label="Visits Requested:*", max_value=9)
        email = forms.EmailField(label="Email Address (optional)", required=False)
        document = forms.FileField(label="Document")

    assert Example({}).errors == {
        "patient_id": ["Enter patient ID"],
        "colour": ["Select favourite colour"],
        "agree": ["Tick the terms box"],
        "visits": ["Enter visits requested"],
        "document": ["Choose a file to upload"],
    }
    wrong = Example({"patient_id": "1234", "colour": "blue", "agree": "on", "visits": "99", "email": "x"})
    assert wrong.errors["patient_id"] == ["Patient ID must be 3 characters or fewer"]
    assert wrong.errors["colour"] == ["Select favourite colour from the list"]
    assert wrong.errors["visits"] == ["Visits requested must be 9 or less"]
    assert wrong.errors["email"] == ["Enter an email address in the correct format, like name@example.com"]
    assert summary_name(wrong["email"]) == "Email address"


def test_a_question_s_summary_name_is_short():
    question_set = engine.question_set_for("home-health")
    item = question_set.item("admitting-diagnosis")
    page = engine.Page(key=item.link_id, title=item.text, intro=(), items=(item,))
    form = QuestionnairePageForm({}, question_set=question_set, answers={}, page=page)
    assert [entry["text"] for entry in error_summary_entries(form)] == [
        "Admitting diagnosis: Select the admitting diagnosis, or 'None Of The Above'."
    ]


# --- The template ----------------------------------------------------------------------------------------------


def test_the_summary_names_each_field_and_links_to_it():
    form = RegistrationForm({"email": "a@office.example", "confirm_email": "b@office.example"})
    form.add_error(None, "Something went wrong.")
    html = render_to_string("includes/_error_summary.html", {"form": form})
    assert "data-error-summary" in html and 'tabindex="-1"' in html
    assert '<a href="#id_first_name">First name: Enter your first name</a>' in html
    assert '<a href="#id_tax_id">Tax ID: Enter the practice&#x27;s Tax ID</a>' in html
    assert '<a href="#id_confirm_email">Confirm email: The two email addresses do not match.</a>' in html
    assert "<li>Something went wrong.</li>" in html
    assert "This field is required." not in html


def test_the_message_next_to_the_field_has_no_prefix():
    form = RegistrationForm({})
    html = form["first_name"].as_field_group()
    assert "Enter your first name" in html
    assert "First name: " not in html


def test_a_radio_question_links_to_its_first_option():
    form = ChooseMethodForm({}, devices=[])
    form.fields["device"].choices = [("a", "Email"), ("b", "SMS")]
    html = render_to_string("includes/_error_summary.html", {"form": form})
    assert '<a href="#id_device_0">Verification method: Choose a verification method</a>' in html


def test_a_second_form_posted_with_the_first_is_summarised_too():
    upload = case_forms.UploadForm({"action": "continue"}, max_megabytes=10)
    notes = case_forms.NotesForm({"additional_notes": "x" * 4001})
    html = render_to_string("includes/_error_summary.html", {"form": upload, "also": notes})
    assert '<a href="#id_additional_notes">Additional notes: Additional notes must be 4000 characters or fewer</a>' in (
        html
    )


def test_no_summary_without_errors():
    assert render_to_string("includes/_error_summary.html", {"form": RegistrationForm()}).strip() == ""
    assert render_to_string("includes/_error_summary.html", {}).strip() == ""
