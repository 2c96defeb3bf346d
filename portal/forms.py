import re

from django import forms
from django.forms.renderers import TemplatesSetting
from django.forms.utils import pretty_name


class PortalFormRenderer(TemplatesSetting):
    """Every form field renders through one include: label, hint, error next to the field, input.

    Django 5.2 already points ``aria-describedby`` at ``<id>_helptext`` and ``<id>_error``; the
    include gives those ids to the hint and the message (GOV.UK Design System form pattern).
    """

    field_template_name = "includes/_field.html"


# --- Error messages and the error summary (GOV.UK error message and error summary patterns) ---------------------

# Django's own messages, which never say which field is wrong. No form of the portal shows them.
GENERIC_MESSAGES = frozenset(
    {
        "This field is required.",
        "Enter a valid value.",
        "Enter a valid email address.",
        "Enter a whole number.",
        "Enter a number.",
        "Select a valid choice. That choice is not one of the available choices.",
        "No file was submitted. Check the encoding type on the form.",
        "No file was submitted.",
        "The submitted file is empty.",
    }
)

_TRAILING = re.compile(r"(\s*\(optional\)|[\s:*])+$", re.IGNORECASE)
_CAPITALISED_WORD = re.compile(r"^[A-Z][a-z']*$")


def _plain_label(label) -> str:
    """A label without what only the form needs: "First Name:*" -> "First Name", "Ext (optional)" -> "Ext"."""
    return _TRAILING.sub("", str(label or "")).strip()


def _lowercase_words(text: str, *, keep_first: bool) -> str:
    """Capitalised words in lower case; acronyms and names with inner capitals ("NPI", "EviCore") stay."""
    words = text.split(" ")
    return " ".join(
        word.lower() if _CAPITALISED_WORD.match(word) and (index or not keep_first) else word
        for index, word in enumerate(words)
    )


def summary_name(bound_field) -> str:
    """The short name of a field in the error summary: "First name", "Insurer", "Patient ID".

    From the form's ``summary_names``, else the field's ``summary_name`` attribute (questionnaire
    fields), else its label in sentence case without a trailing colon, asterisk or "(optional)".
    """
    names = getattr(bound_field.form, "summary_names", {}) or {}
    name = names.get(bound_field.name) or getattr(bound_field.field, "summary_name", "")
    if name:
        return name
    label = bound_field.field.label or pretty_name(bound_field.name)
    return _lowercase_words(_plain_label(label), keep_first=True)


def _django_defaults(field: forms.Field) -> dict:
    messages = {}
    for cls in reversed(type(field).__mro__):
        messages.update(getattr(cls, "default_error_messages", {}))
    return messages


def derived_messages(field: forms.Field, name: str) -> dict[str, str]:
    """Specific messages for a field called ``name``, by the kind of field: "Enter ...", "Select ...", "Tick ..."."""
    lower = _lowercase_words(name, keep_first=False)
    if isinstance(field, forms.FileField):
        messages = {
            "required": "Choose a file to upload",
            "invalid": "The selected file could not be read: choose it again",
            "missing": "Choose a file to upload",
            "empty": "The selected file is empty",
        }
    elif isinstance(field, forms.BooleanField):
        messages = {"required": f"Tick the {lower} box"}
    elif isinstance(field, forms.ChoiceField | forms.ModelChoiceField):
        from_the_list = f"Select {lower} from the list"  # noqa: S608 (a message, not SQL)
        messages = {
            "required": f"Select {lower}",
            "invalid_choice": from_the_list,
            "invalid_list": from_the_list,
            "invalid_pk_value": from_the_list,
        }
    elif isinstance(field, forms.IntegerField | forms.FloatField | forms.DecimalField):
        whole = "a whole number" if isinstance(field, forms.IntegerField) else "a number"
        messages = {
            "required": f"Enter {lower}",
            "invalid": f"{name} must be {whole}",
            "min_value": f"{name} must be %(limit_value)s or more",
            "max_value": f"{name} must be %(limit_value)s or less",
        }
    elif isinstance(field, forms.EmailField):
        messages = {
            "required": f"Enter {lower}",
            "invalid": "Enter an email address in the correct format, like name@example.com",
        }
    else:
        messages = {"required": f"Enter {lower}", "invalid": f"Enter a valid {lower}"}
    messages["max_length"] = f"{name} must be %(limit_value)d characters or fewer"
    messages["min_length"] = f"{name} must be %(limit_value)d characters or more"
    return messages


def _may_replace(field: forms.Field, key: str, defaults: dict) -> bool:
    """Only Django's own message is replaced; a key a validator shares ("invalid") is added only where Django
    would show its own message for it, so the messages of the portal's validators stay."""
    if key in defaults:
        return field.error_messages.get(key) == defaults[key]
    if key in field.error_messages:
        return False
    if key in ("max_length", "min_length"):
        return getattr(field, key, None) is not None
    if key in ("min_value", "max_value"):
        return getattr(field, key, None) is not None
    return key == "invalid" and isinstance(field, forms.EmailField)


def use_specific_messages(form) -> None:
    """Give every field of ``form`` a specific message wherever it would show one of Django's own."""
    for name, field in form.fields.items():
        field.error_messages = dict(field.error_messages)  # never the class's shared dict
        defaults = _django_defaults(field)
        derived = derived_messages(field, summary_name(form[name]))
        for key, message in derived.items():
            if _may_replace(field, key, defaults):
                field.error_messages[key] = message


class ErrorSummaryMixin:
    """Every message names what is wrong ("Enter your first name", never "This field is required.").

    ``summary_names`` gives a short name where the label is a question ("health_plan": "Insurer"); the
    summary shows "Insurer: Select the insurer." and the message next to the field stays "Select the insurer.".
    Messages are filled in when the form is cleaned, after any ``__init__`` has added or relabelled fields.
    """

    summary_names: dict[str, str] = {}

    def full_clean(self):
        use_specific_messages(self)
        super().full_clean()


def error_summary_entries(*forms_to_list) -> list[dict]:
    """The entries of the error summary of ``forms_to_list``: non-field and hidden-field errors as they are, then
    one "Name: message" entry per visible field error, with the id of the field (the first option of radios)."""
    entries = []
    for form in forms_to_list:
        if not isinstance(form, forms.BaseForm) or not form.errors:
            continue
        entries += [{"text": error, "href": ""} for error in form.non_field_errors()]
        for bound_field in form.hidden_fields():
            entries += [{"text": error, "href": ""} for error in bound_field.errors]
        for bound_field in form.visible_fields():
            if not bound_field.errors:
                continue
            target = bound_field.auto_id
            if isinstance(bound_field.field.widget, forms.RadioSelect) and target:
                target = f"{target}_0"
            name = summary_name(bound_field)
            entries += [{"text": f"{name}: {error}", "href": target} for error in bound_field.errors]
    return entries
