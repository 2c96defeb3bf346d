"""Django forms for questionnaire pages, and the named answer validators a definition may call."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from cases.questionnaires import engine
from portal.forms import ErrorSummaryMixin
from reference.models import HcpcsCode

# Error message keys a definition may override per item ("_portal": {"messages": {...}}).
FIELD_MESSAGE_KEYS = ("required", "invalid", "invalid_choice", "min_value", "max_value", "max_length")


class AnswerValidator:
    """A named check of one answer: ``clean`` normalises it or raises ValidationError; ``describe`` shows it."""

    def clean(self, value):
        return value

    def describe(self, value) -> str:
        return str(value)

    def label(self, value) -> str:
        return str(value)


class HcpcsCodeValidator(AnswerValidator):
    """A code on one program's HCPCS list that needs prior authorization."""

    def __init__(self, *, program_code: str, list_name: str):
        self.program_code = program_code
        self.list_name = list_name

    def _lookup(self, code: str) -> HcpcsCode | None:
        return HcpcsCode.objects.filter(program__code=self.program_code, code=code).first()

    def clean(self, value):
        code = value.strip().upper()
        hcpcs = self._lookup(code)
        if hcpcs is None:
            raise ValidationError(
                f"HCPCS code {code} is not on the {self.list_name} code list. Check the code and enter it again.",
                code="unknown_code",
            )
        if not hcpcs.requires_prior_auth:
            raise ValidationError(
                f"{code} ({hcpcs.description}) does not require prior authorization. "
                "Remove it from this request; no authorization is needed.",
                code="no_prior_auth",
            )
        return code

    def describe(self, value) -> str:
        hcpcs = self._lookup(value)
        return f"{hcpcs.code} {hcpcs.description}" if hcpcs else str(value)

    def label(self, value) -> str:
        hcpcs = self._lookup(value)
        return hcpcs.description if hcpcs else ""


ANSWER_VALIDATORS: dict[str, AnswerValidator] = {
    "dme_hcpcs": HcpcsCodeValidator(program_code="dme", list_name="Durable Medical Equipment"),
}


def register_answer_validator(name: str, validator: AnswerValidator) -> None:
    """Make a validator available to definitions under ``name`` ("_portal": {"validator": name})."""
    ANSWER_VALIDATORS[name] = validator


def _field_for(item: engine.Item, *, index: int | None) -> forms.Field:
    messages = item.portal.get("messages", {})
    label = item.text_for(index)
    if item.required and label.endswith("*"):
        # The seed's "*" marks a required field; the shared field template adds its own marker.
        label = label.removesuffix("*").rstrip()
    common = {
        "label": label,
        "required": item.required,
        "help_text": item.help,
        "error_messages": {key: text for key, text in messages.items() if key in FIELD_MESSAGE_KEYS},
    }
    if item.type == "choice":
        field = forms.ChoiceField(choices=item.options, widget=forms.RadioSelect, **common)
    elif item.type == "integer":
        field = forms.IntegerField(min_value=item.min_value, max_value=item.max_value, **common)
    else:
        field = forms.CharField(max_length=item.max_length, **common)
    # The error summary's short name for a question ("Homebound: Select whether the patient is homebound.").
    field.summary_name = item.portal.get("summary_name", "")
    return field


class QuestionnairePageForm(ErrorSummaryMixin, forms.Form):
    """The fields of one questionnaire page; named validators and page rules run in ``clean``."""

    def __init__(self, data=None, *, question_set: engine.QuestionSet, answers: dict, page: engine.Page, **kwargs):
        self.question_set = question_set
        self.answers = answers
        self.page = page
        kwargs.setdefault("initial", engine.page_initial(question_set, answers, page))
        super().__init__(data, **kwargs)
        for item in page.items:
            self.fields[item.field_name] = _field_for(item, index=page.index)

    def clean(self):
        cleaned = super().clean()
        for item in self.page.items:
            if cleaned.get(item.field_name) in (None, ""):
                continue
            try:
                cleaned[item.field_name] = self._checked(item, cleaned[item.field_name])
            except ValidationError as error:
                self.add_error(item.field_name, error)
        self._check_page_rules(cleaned)
        self._check_repeat_limit(cleaned)
        return cleaned

    def _checked(self, item: engine.Item, value):
        """The value after the item's named validator and its uniqueness across repetitions."""
        name = item.portal.get("validator")
        if name:
            value = ANSWER_VALIDATORS[name].clean(value)
        if item.portal.get("unique_in_repeat"):
            others = engine.sibling_values(self.question_set, self.answers, self.page, item.link_id)
            if value in others:
                message = item.portal.get("messages", {}).get("unique", "{value} has already been entered.")
                raise ValidationError(message.format(value=value), code="unique")
        return value

    def _check_page_rules(self, cleaned: dict) -> None:
        # A rule's error sits on its first field, where the reader's eye starts.
        items = {item.link_id: item for item in self.page.items}
        for rule in engine.page_rules(self.question_set, self.page):
            names = [items[link_id].field_name for link_id in rule["items"]]
            if any(name in self.errors for name in names):
                continue  # the field's own error says more
            values = {
                link_id: cleaned.get(items[link_id].field_name)
                if cleaned.get(items[link_id].field_name) is not None
                else items[link_id].initial
                for link_id in rule["items"]
            }
            if not engine.rule_holds(rule, values):
                self.add_error(names[0], ValidationError(rule["message"], code=rule["rule"]))

    def _check_repeat_limit(self, cleaned: dict) -> None:
        if self.page.index is None:
            return
        repeat = self.question_set.item(self.page.group).portal["repeat"]
        limit = repeat.get("max")
        if limit is None or self.page.index + 1 < limit:
            return
        control = engine.repeat_condition(self.question_set.item(self.page.group))
        for item in self.page.items:
            if item.link_id == control.question and control.holds({item.link_id: cleaned.get(item.field_name)}):
                self.add_error(item.field_name, repeat.get("max_message", f"Enter at most {limit}."))


def page_form(question_set: engine.QuestionSet, answers: dict, page: engine.Page, data=None) -> QuestionnairePageForm:
    """The form of one page: bound when ``data`` is given, initial values from the stored answers."""
    return QuestionnairePageForm(data, question_set=question_set, answers=answers, page=page)
