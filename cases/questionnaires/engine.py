"""Clinical questionnaires defined as data: one FHIR R4 Questionnaire JSON per program, walked page by page.

A definition is a FHIR Questionnaire plus portal-only "_portal" keys (validators, outcome rules, display
templates) that the FHIR export drops. Answers are a JSON dict ``{linkId: value}``: a choice stores its
option code, an integer an int, a string a str, and a repeating group a list of ``{child linkId: value}``
dicts, one per repetition. Children of a plain group are stored flat (linkIds are unique).
"""

from __future__ import annotations

import copy
import dataclasses
import functools
import json
import operator
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

DEFINITIONS_DIR = Path(__file__).resolve().parent / "definitions"
MIN_VALUE_URL = "http://hl7.org/fhir/StructureDefinition/minValue"
MAX_VALUE_URL = "http://hl7.org/fhir/StructureDefinition/maxValue"
QUESTION_TYPES = frozenset({"choice", "integer", "string"})
ITEM_TYPES = QUESTION_TYPES | {"group", "display"}
OPERATORS = frozenset({"exists", "=", "!=", ">", "<", ">=", "<="})
ANSWER_KEYS = ("answerCoding", "answerBoolean", "answerInteger", "answerDecimal", "answerString")
DEFAULT_SERVICE_FORMAT = "{label} ({code}) - {quantity} {unit}"
_LINK_ID = re.compile(r"^[a-z][a-z0-9-]*$")
_PROGRAM_CODE = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_COMPARISONS = {
    "=": operator.eq,
    "!=": operator.ne,
    ">": operator.gt,
    "<": operator.lt,
    ">=": operator.ge,
    "<=": operator.le,
}
_REPEAT_KEY = re.compile(r"^(?P<group>[a-z][a-z0-9-]*)\.(?P<index>[0-9]+)(?:\.(?P<sub>[a-z][a-z0-9-]*))?$")


# --- The parsed definition -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Condition:
    """One FHIR enableWhen entry; ``answer`` is the option code for answerCoding, else the plain value."""

    question: str
    operator: str
    answer: Any

    def holds(self, answers: dict) -> bool:
        """Whether the condition is met; an unanswered (or disabled, hence pruned) question meets only exists=false."""
        value = answers.get(self.question)
        if self.operator == "exists":
            return (value is not None) == bool(self.answer)
        if value is None:
            return False
        try:
            return _COMPARISONS[self.operator](value, self.answer)
        except TypeError:  # an answer of another type than the condition's never matches
            return False


@dataclass(frozen=True)
class Item:
    """One Questionnaire item as the engine needs it; ``portal`` is the item's raw "_portal" object."""

    link_id: str
    text: str
    type: str
    required: bool = False
    repeats: bool = False
    options: tuple[tuple[str, str], ...] = ()
    enable_when: tuple[Condition, ...] = ()
    enable_behavior: str = "all"
    min_value: int | None = None
    max_value: int | None = None
    max_length: int | None = None
    initial: Any = None
    help: str = ""
    children: tuple[Item, ...] = ()
    portal: dict = field(default_factory=dict, compare=False, hash=False, repr=False)

    @property
    def is_question(self) -> bool:
        return self.type in QUESTION_TYPES

    @property
    def field_name(self) -> str:
        """The form field name: the linkId with underscores, a valid HTML id and template attribute."""
        return self.link_id.replace("-", "_")

    def text_for(self, index: int | None = None) -> str:
        """The question text; later repetitions of a repeating group may word it differently."""
        if index:
            return self.portal.get("text_repeat", self.text)
        return self.text

    def option_display(self, code: str) -> str:
        return dict(self.options).get(code, code)

    def is_enabled(self, answers: dict) -> bool:
        if not self.enable_when:
            return True
        results = (condition.holds(answers) for condition in self.enable_when)
        return any(results) if self.enable_behavior == "any" else all(results)

    def accepts(self, value: Any) -> bool:
        """Whether a stored value is a well-formed answer to this item (named validators are the form's job)."""
        if self.type == "choice":
            return isinstance(value, str) and value in dict(self.options)
        if self.type == "integer":
            if not isinstance(value, int) or isinstance(value, bool):
                return False
            return (self.min_value is None or value >= self.min_value) and (
                self.max_value is None or value <= self.max_value
            )
        if self.type == "string":
            return isinstance(value, str) and bool(value.strip()) and len(value) <= (self.max_length or len(value))
        return False


@dataclass(frozen=True)
class QuestionSet:
    """A program's question set: the raw definition and its parsed item tree."""

    id: str
    version: str
    title: str
    program_code: str
    url: str
    definition: dict = field(repr=False, compare=False, hash=False)
    items: tuple[Item, ...] = field(repr=False, compare=False, hash=False)

    @property
    def canonical(self) -> str:
        """The versioned canonical URL a QuestionnaireResponse points at."""
        return f"{self.url}|{self.version}"

    @property
    def portal(self) -> dict:
        return self.definition.get("_portal", {})

    @functools.cached_property
    def _index(self) -> dict[str, tuple[Item, Item | None]]:
        return {item.link_id: (item, parent) for item, parent in _walk(self.items)}

    def item(self, link_id: str) -> Item:
        return self._index[link_id][0]

    def find_item(self, link_id: str) -> Item | None:
        return self._index.get(link_id, (None,))[0]

    def parent_of(self, link_id: str) -> Item | None:
        return self._index[link_id][1]


@dataclass(frozen=True)
class Page:
    """One screen: a top-level question, a group, or one part of one repetition of a repeating group."""

    key: str
    title: str
    intro: tuple[str, ...]
    items: tuple[Item, ...]
    group: str | None = None  # linkId of the enclosing group, if any
    index: int | None = None  # the repetition, for a repeating group's pages


@dataclass(frozen=True)
class AnsweredPage:
    """An answered page as listed for "edit by clicking the question"."""

    key: str
    question: str
    answer_display: str


@dataclass(frozen=True)
class ServiceLine:
    """One requested service: a HCPCS code and its quantity."""

    hcpcs_code: str
    label: str
    quantity: int
    unit_label: str
    display_format: str = DEFAULT_SERVICE_FORMAT

    @property
    def display(self) -> str:
        return self.display_format.format(
            code=self.hcpcs_code, label=self.label, quantity=self.quantity, unit=self.unit_label
        )


@dataclass(frozen=True)
class Outcome:
    """What a complete answer set leads to, per the definition's outcome rules."""

    result: str
    service_lines: tuple[ServiceLine, ...]
    period_days: int | None


# --- Loading and checking definitions -----------------------------------------------------------------


@functools.cache
def question_set_for(program_code: str) -> QuestionSet | None:
    """The question set of a program, from ``definitions/<program_code>.json``; None when it has none."""
    if not _PROGRAM_CODE.match(program_code or ""):
        return None
    path = DEFINITIONS_DIR / f"{program_code}.json"
    if not path.is_file():
        return None
    question_set = question_set_from_definition(json.loads(path.read_text(encoding="utf-8")))
    if question_set.program_code != program_code:
        raise ValueError(f"{path.name} declares program {question_set.program_code!r}.")
    return question_set


def question_set_from_definition(definition: dict) -> QuestionSet:
    """Parse and check a definition; a structural mistake raises ValueError naming it."""
    if definition.get("resourceType") != "Questionnaire":
        raise ValueError("A definition must be a FHIR Questionnaire resource.")
    for key in ("id", "url", "version", "title", "status", "item"):
        if not definition.get(key):
            raise ValueError(f"The definition has no {key!r}.")
    portal = definition.get("_portal") or {}
    if not portal.get("program"):
        raise ValueError("The definition has no _portal.program.")
    items = tuple(_parse_item(raw, depth=0) for raw in definition["item"])
    question_set = QuestionSet(
        id=definition["id"],
        version=definition["version"],
        title=definition["title"],
        program_code=portal["program"],
        url=definition["url"],
        definition=definition,
        items=items,
    )
    _check_references(question_set)
    _check_portal(question_set)
    return question_set


def _parse_item(raw: dict, *, depth: int) -> Item:
    link_id = raw.get("linkId", "")
    if not _LINK_ID.match(link_id):
        raise ValueError(f"linkId {link_id!r} must be lower-case letters, digits and hyphens.")
    item_type = raw.get("type")
    if item_type not in ITEM_TYPES:
        raise ValueError(f"Item {link_id!r} has unsupported type {item_type!r}.")
    children_raw = raw.get("item", [])
    if item_type == "group":
        # One level of groups keeps pages simple: a group is a page, its children the fields.
        if depth > 0:
            raise ValueError(f"Group {link_id!r} is nested in another group.")
        if not children_raw:
            raise ValueError(f"Group {link_id!r} has no items.")
    elif children_raw:
        raise ValueError(f"Item {link_id!r} of type {item_type!r} cannot have nested items.")
    if raw.get("repeats") and item_type != "group":
        raise ValueError(f"Item {link_id!r}: only groups may repeat.")
    if item_type == "choice" and not raw.get("answerOption"):
        raise ValueError(f"Choice {link_id!r} has no answerOption.")
    if item_type == "display" and (raw.get("required") or raw.get("repeats")):
        raise ValueError(f"Display item {link_id!r} cannot be required or repeat.")
    enable_when = tuple(_parse_condition(entry, where=link_id) for entry in raw.get("enableWhen", []))
    if len(enable_when) > 1 and raw.get("enableBehavior") not in ("any", "all"):
        raise ValueError(f"Item {link_id!r} has several enableWhen entries and no enableBehavior.")
    extensions = {ext.get("url"): ext.get("valueInteger") for ext in raw.get("extension", [])}
    initial = (raw.get("initial") or [{}])[0]
    return Item(
        link_id=link_id,
        text=raw.get("text", ""),
        type=item_type,
        required=bool(raw.get("required")),
        repeats=bool(raw.get("repeats")),
        options=tuple(
            (option["valueCoding"]["code"], option["valueCoding"].get("display", option["valueCoding"]["code"]))
            for option in raw.get("answerOption", [])
        ),
        enable_when=enable_when,
        enable_behavior=raw.get("enableBehavior", "all"),
        min_value=extensions.get(MIN_VALUE_URL),
        max_value=extensions.get(MAX_VALUE_URL),
        max_length=raw.get("maxLength"),
        initial=next(iter(initial.values()), None),
        help=(raw.get("_portal") or {}).get("help", ""),
        children=_with_display_help([_parse_item(child, depth=depth + 1) for child in children_raw]),
        portal=raw.get("_portal") or {},
    )


def _with_display_help(children: list[Item]) -> tuple[Item, ...]:
    """Display items that follow a question in a group become that question's help text (the disclaimer)."""
    result = list(children)
    last_question = None
    for position, child in enumerate(result):
        if child.is_question:
            last_question = position
        elif child.type == "display" and last_question is not None:
            question = result[last_question]
            help_text = " ".join(part for part in (question.help, child.text) if part)
            result[last_question] = dataclasses.replace(question, help=help_text)
    return tuple(result)


def _parse_condition(raw: dict, *, where: str) -> Condition:
    operator = raw.get("operator")
    if operator not in OPERATORS:
        raise ValueError(f"{where}: enableWhen operator {operator!r} is not supported.")
    answers = [key for key in ANSWER_KEYS if key in raw]
    if len(answers) != 1 or not raw.get("question"):
        raise ValueError(f"{where}: an enableWhen needs a question and exactly one answer[x].")
    answer = raw[answers[0]]
    if operator == "exists" and answers[0] != "answerBoolean":
        raise ValueError(f"{where}: 'exists' takes answerBoolean.")
    if answers[0] == "answerCoding":
        answer = answer.get("code")
    return Condition(question=raw["question"], operator=operator, answer=answer)


def _walk(items, parent=None) -> Iterator[tuple[Item, Item | None]]:
    for item in items:
        yield item, parent
        yield from _walk(item.children, item)


def _check_references(question_set: QuestionSet) -> None:
    """Unique linkIds; every enableWhen names an earlier question of the same or the top-level scope."""
    seen: dict[str, Item | None] = {}
    all_ids = [item.link_id for item, _ in _walk(question_set.items)]
    for item, parent in _walk(question_set.items):
        if item.link_id in seen:
            raise ValueError(f"Duplicate linkId {item.link_id!r}.")
        scope = parent if parent is not None and parent.repeats else None
        for condition in item.enable_when:
            _check_condition(condition, question_set, seen, all_ids, where=item.link_id, scope=scope)
        seen[item.link_id] = parent


def _check_condition(condition, question_set, seen, all_ids, *, where, scope) -> None:
    if condition.question not in all_ids:
        raise ValueError(f"{where}: enableWhen refers to unknown item {condition.question!r}.")
    if condition.question not in seen:
        # Conditions look backwards only, so one pass in document order settles every item.
        raise ValueError(f"{where}: enableWhen refers to later item {condition.question!r}.")
    target = question_set.item(condition.question)
    target_parent = seen[condition.question]
    if not target.is_question:
        raise ValueError(f"{where}: enableWhen refers to {condition.question!r}, which is not a question.")
    if target_parent is not None and target_parent.repeats and target_parent is not scope:
        raise ValueError(f"{where}: enableWhen refers to {condition.question!r} inside another repetition.")
    if target.type == "choice" and condition.operator != "exists" and condition.answer not in dict(target.options):
        raise ValueError(f"{where}: {condition.answer!r} is not an option of {condition.question!r}.")


def _check_portal(question_set: QuestionSet) -> None:
    """The portal-only keys name things that exist: validators, rule items, outcome questions."""
    from cases.questionnaires.forms import ANSWER_VALIDATORS

    top_level = {item.link_id for item, parent in _walk(question_set.items) if not (parent and parent.repeats)}
    for item, _parent in _walk(question_set.items):
        name = item.portal.get("validator")
        if name and name not in ANSWER_VALIDATORS:
            raise ValueError(f"{item.link_id}: unknown validator {name!r}.")
        for rule in item.portal.get("rules", []):
            if rule.get("rule") not in PAGE_RULES:
                raise ValueError(f"{item.link_id}: unknown page rule {rule.get('rule')!r}.")
            unknown = set(rule.get("items", [])) - {child.link_id for child in item.children}
            if unknown:
                raise ValueError(f"{item.link_id}: rule refers to items outside the group: {sorted(unknown)}.")
        if item.repeats:
            repeat = item.portal.get("repeat") or {}
            control = _parse_condition(repeat.get("while", {}), where=item.link_id)
            if control.question not in {child.link_id for child in item.children}:
                raise ValueError(f"{item.link_id}: repeat.while must name a question of the group.")
    outcome_spec = question_set.portal.get("outcome") or {}
    if "default" not in outcome_spec:
        raise ValueError("The definition has no _portal.outcome.default.")
    for spec in [*outcome_spec.get("rules", []), outcome_spec["default"]]:
        if not spec.get("result"):
            raise ValueError("Every outcome needs a result.")
        for raw in spec.get("when", []):
            condition = _parse_condition(raw, where="outcome")
            if condition.question not in top_level:
                raise ValueError(f"outcome: unknown question {condition.question!r}.")
        for link_id in [*spec.get("services_from", []), *filter(None, [spec.get("period_days_from")])]:
            if link_id not in top_level:
                raise ValueError(f"outcome: unknown item {link_id!r}.")
        for link_id in spec.get("services_from", []):
            if "service" not in question_set.item(link_id).portal:
                raise ValueError(f"outcome: item {link_id!r} has no _portal.service.")


# --- Page rules: checks across the fields of one page ---------------------------------------------------


def _any_positive(values: list) -> bool:
    return any(isinstance(value, int) and value > 0 for value in values)


PAGE_RULES = {"any_positive": _any_positive}


def page_rules(question_set: QuestionSet, page: Page) -> list[dict]:
    """The rules of the page's group restricted to the fields on the page."""
    if page.group is None:
        return []
    on_page = {item.link_id for item in page.items}
    rules = []
    for rule in question_set.item(page.group).portal.get("rules", []):
        items = [link_id for link_id in rule.get("items", []) if link_id in on_page]
        if items:
            rules.append({**rule, "items": items})
    return rules


def rule_holds(rule: dict, values: dict) -> bool:
    """Whether a page rule holds for ``{linkId: value}``."""
    return PAGE_RULES[rule["rule"]]([values.get(link_id) for link_id in rule["items"]])


# --- Answers: pruning, pages, progress ----------------------------------------------------------------


def effective_answers(question_set: QuestionSet, answers: dict) -> dict:
    """The answers with every answer to a disabled item, or a malformed answer, left out."""
    kept: dict = {}
    for item in question_set.items:
        if not item.is_enabled(kept):
            continue
        if item.type == "group" and item.repeats:
            repetitions = _kept_repetitions(item, answers.get(item.link_id), kept)
            if repetitions:
                kept[item.link_id] = repetitions
        elif item.type == "group":
            for child in item.children:
                _keep(child, answers, kept, context=kept)
        else:
            _keep(item, answers, kept, context=kept)
    return kept


def _keep(item: Item, source: dict, target: dict, *, context: dict) -> None:
    if item.is_question and item.is_enabled(context) and item.accepts(source.get(item.link_id)):
        target[item.link_id] = source[item.link_id]


def _kept_repetitions(group: Item, raw: Any, top: dict) -> list[dict]:
    """Repetitions while the previous one asked for another; trailing empty ones dropped."""
    if not isinstance(raw, list):
        return []
    kept = []
    for repetition in raw[: group.portal["repeat"].get("max")]:
        if not isinstance(repetition, dict):
            break
        local: dict = {}
        for child in group.children:
            _keep(child, repetition, local, context={**top, **local})
        if not local:
            break
        kept.append(local)
        if not _repeats_after(group, local):
            break
    return kept


def repeat_condition(group: Item) -> Condition:
    """The condition on a repetition's answers under which another repetition follows."""
    return _parse_condition(group.portal["repeat"]["while"], where=group.link_id)


def _repeats_after(group: Item, local: dict) -> bool:
    return repeat_condition(group).holds(local)


def _pages(question_set: QuestionSet, answers: dict) -> Iterator[Page]:
    """Every enabled page in order, given effective answers (top-level display items introduce the next page)."""
    intro: list[str] = []
    for item in question_set.items:
        if not item.is_enabled(answers):
            continue
        if item.type == "display":
            intro.append(item.text)
            continue
        if item.type == "group" and item.repeats:
            yield from _repetition_pages(item, answers, tuple(intro))
        elif item.type == "group":
            page = _group_page(item, item.children, answers, key=item.link_id, intro=tuple(intro))
            if page is not None:
                yield page
        else:
            yield Page(key=item.link_id, title=item.text, intro=tuple(intro), items=(item,))
        intro = []


def _group_page(group, children, context, *, key, intro=(), index=None, title=None) -> Page | None:
    """A page of a group's enabled children: display items before the first question are its intro."""
    questions, leading = [], list(intro)
    for child in children:
        if not child.is_enabled(context):
            continue
        if child.is_question:
            questions.append(child)
        elif not questions:
            leading.append(child.text)
    if not questions:
        return None
    if title is None:
        title = (group.text or questions[0].text_for(index)) if len(questions) == 1 else group.text
    return Page(key=key, title=title, intro=tuple(leading), items=tuple(questions), group=group.link_id, index=index)


def _repetition_pages(group: Item, answers: dict, intro: tuple[str, ...]) -> Iterator[Page]:
    repetitions = answers.get(group.link_id, [])
    repeat = group.portal["repeat"]
    limit = repeat.get("max")
    sub_pages = list(dict.fromkeys(child.portal.get("page") for child in group.children))
    index = 0
    while True:
        local = repetitions[index] if index < len(repetitions) else {}
        context = {**answers, **local}
        for sub in sub_pages:
            children = [child for child in group.children if child.portal.get("page") == sub]
            questions = [child for child in children if child.is_question]
            if sub is None and len(questions) > 1:
                title = repeat.get("page_title", group.text).format(number=index + 1)
            else:
                title = questions[0].text_for(index) if questions else group.text
            key = f"{group.link_id}.{index}" + (f".{sub}" if sub else "")
            page = _group_page(group, children, context, key=key, intro=intro if index == 0 else (), index=index)
            if page is not None:
                yield dataclasses.replace(page, title=title)
        more = index < len(repetitions) and _repeats_after(group, local)
        if not more or (limit is not None and index + 1 >= limit):
            return
        index += 1


def _scope(answers: dict, page: Page) -> dict:
    """The answers a page's items live in: the top level, or one repetition."""
    if page.index is None:
        return answers
    repetitions = answers.get(page.group, [])
    return repetitions[page.index] if page.index < len(repetitions) else {}


def _is_answered(question_set: QuestionSet, page: Page, answers: dict) -> bool:
    scope = _scope(answers, page)
    if not any(item.link_id in scope for item in page.items):
        return False
    if any(item.required and item.link_id not in scope for item in page.items):
        return False
    values = {item.link_id: scope.get(item.link_id, item.initial) for item in page.items}
    return all(rule_holds(rule, values) for rule in page_rules(question_set, page))


def next_page(question_set: QuestionSet, answers: dict) -> Page | None:
    """The first enabled page without a valid answer; None when the questionnaire is complete."""
    effective = effective_answers(question_set, answers)
    return next(
        (page for page in _pages(question_set, effective) if not _is_answered(question_set, page, effective)), None
    )


def page_for_key(question_set: QuestionSet, answers: dict, key: str) -> Page | None:
    """A page the user may open: enabled and either answered or the next one; None otherwise."""
    effective = effective_answers(question_set, answers)
    open_page_seen = False
    for page in _pages(question_set, effective):
        answered = _is_answered(question_set, page, effective)
        if page.key == key:
            return page if answered or not open_page_seen else None
        open_page_seen = open_page_seen or not answered
    return None


def is_complete(question_set: QuestionSet, answers: dict) -> bool:
    return next_page(question_set, answers) is None


def page_form(question_set: QuestionSet, answers: dict, page: Page, data=None):
    """The Django form of a page (bound when ``data`` is given); see ``forms.page_form``."""
    from cases.questionnaires.forms import page_form as build

    return build(question_set, answers, page, data=data)


def page_initial(question_set: QuestionSet, answers: dict, page: Page) -> dict:
    """The page's current answers by field name, falling back to each item's initial value."""
    scope = _scope(effective_answers(question_set, answers), page)
    initial = {}
    for item in page.items:
        value = scope.get(item.link_id, item.initial)
        if value is not None:
            initial[item.field_name] = value
    return initial


def sibling_values(question_set: QuestionSet, answers: dict, page: Page, link_id: str) -> list:
    """The answers to ``link_id`` in the other repetitions of the page's group (for uniqueness checks)."""
    if page.index is None:
        return []
    repetitions = effective_answers(question_set, answers).get(page.group, [])
    return [
        repetition[link_id]
        for position, repetition in enumerate(repetitions)
        if position != page.index and link_id in repetition
    ]


def apply_answer(question_set: QuestionSet, answers: dict, page: Page, cleaned_data: dict) -> dict:
    """New answers with this page's answers stored and answers to no-longer-enabled items removed."""
    updated = copy.deepcopy(answers)
    if page.index is not None:
        repetitions = updated.get(page.group)
        if not isinstance(repetitions, list):
            repetitions = updated[page.group] = []
        if page.index > len(repetitions):
            raise ValueError(f"Page {page.key!r} skips a repetition.")
        if page.index == len(repetitions):
            repetitions.append({})
        target = repetitions[page.index]
    else:
        target = updated
    for item in page.items:
        value = cleaned_data.get(item.field_name)
        if value is None or value == "":
            value = item.initial
        if value is None:
            target.pop(item.link_id, None)
        else:
            target[item.link_id] = value
    return effective_answers(question_set, updated)


def remove_repeat(question_set: QuestionSet, answers: dict, page_key: str) -> dict:
    """New answers without the repetition a page key names; the loop still ends where it did."""
    match = _REPEAT_KEY.match(page_key)
    group = question_set.find_item(match["group"]) if match else None
    if group is None or not group.repeats:
        raise ValueError(f"{page_key!r} is not a page of a repeating group.")
    repetitions = list(effective_answers(question_set, answers).get(group.link_id, []))
    index = int(match["index"])
    if index >= len(repetitions):
        raise ValueError(f"{page_key!r} names no stored repetition.")
    removed = repetitions.pop(index)
    if index == len(repetitions) and repetitions:
        # The removed line was the last: its "another?" answer now belongs to the new last line.
        control = repeat_condition(group).question
        last = dict(repetitions[-1])
        if control in removed:
            last[control] = removed[control]
        else:
            last.pop(control, None)
        repetitions[-1] = last
    updated = {**answers, group.link_id: repetitions}
    return effective_answers(question_set, updated)


# --- Showing answers and the outcome -------------------------------------------------------------------


def answered_pages(question_set: QuestionSet, answers: dict) -> list[AnsweredPage]:
    """The answered pages in order, each with its question and a readable answer."""
    effective = effective_answers(question_set, answers)
    return [
        AnsweredPage(key=page.key, question=page.title, answer_display=_page_display(question_set, page, effective))
        for page in _pages(question_set, effective)
        if _is_answered(question_set, page, effective)
    ]


def _page_display(question_set: QuestionSet, page: Page, answers: dict) -> str:
    scope = _scope(answers, page)
    parts = []
    for item in page.items:
        if item.link_id not in scope:
            continue
        value = scope[item.link_id]
        # On a page of several fields an optional field left at its default says nothing (0 visits).
        if len(page.items) > 1 and not item.required and value == item.initial:
            continue
        parts.append(answer_display(item, value))
    group = question_set.item(page.group) if page.group else None
    separator = group.portal.get("answer_join", ", ") if group else ", "
    return separator.join(parts)


def answer_display(item: Item, value: Any) -> str:
    """One answer as text: the option's display, a validator's description, or the value, per the template."""
    if item.type == "choice":
        text = item.option_display(value)
    elif item.portal.get("validator"):
        text = _validator(item).describe(value)
    else:
        text = str(value)
    template = item.portal.get("answer_template")
    return template.format(value=text) if template else text


def _validator(item: Item):
    from cases.questionnaires.forms import ANSWER_VALIDATORS

    return ANSWER_VALIDATORS[item.portal["validator"]]


def outcome(question_set: QuestionSet, answers: dict) -> Outcome:
    """The result of a complete answer set: the first outcome rule that holds, else the default."""
    effective = effective_answers(question_set, answers)
    if next_page(question_set, effective) is not None:
        raise ValueError("The questionnaire is not complete.")
    spec = question_set.portal["outcome"]
    for rule in spec.get("rules", []):
        conditions = [_parse_condition(raw, where="outcome") for raw in rule.get("when", [])]
        holds = any if rule.get("behavior") == "any" else all
        if holds(condition.holds(effective) for condition in conditions):
            return _outcome_from(question_set, rule, effective)
    return _outcome_from(question_set, spec["default"], effective)


def _outcome_from(question_set: QuestionSet, spec: dict, answers: dict) -> Outcome:
    lines = [
        ServiceLine(
            hcpcs_code=service["code"],
            label=service["label"],
            quantity=service["quantity"],
            unit_label=service["unit"],
            display_format=service.get("format", DEFAULT_SERVICE_FORMAT),
        )
        for service in spec.get("services", [])
    ]
    for link_id in spec.get("services_from", []):
        lines.extend(_answered_service_lines(question_set, link_id, answers))
    period_days = spec.get("period_days")
    if spec.get("period_days_from"):
        period_days = answers.get(spec["period_days_from"])
    return Outcome(result=spec["result"], service_lines=tuple(lines), period_days=period_days)


def _answered_service_lines(question_set: QuestionSet, link_id: str, answers: dict) -> Iterator[ServiceLine]:
    """Service lines from an integer item (one per mapped code) or a repeating group (one per repetition)."""
    item = question_set.item(link_id)
    mapping = item.portal["service"]
    display_format = mapping.get("format", DEFAULT_SERVICE_FORMAT)
    if item.repeats:
        code_item = question_set.item(mapping["code_from"])
        for repetition in answers.get(link_id, []):
            code, quantity = repetition.get(mapping["code_from"]), repetition.get(mapping["quantity_from"])
            if code and quantity:
                label = _validator(code_item).label(code) if code_item.portal.get("validator") else code
                yield ServiceLine(code, label, quantity, mapping["unit"], display_format)
        return
    quantity = answers.get(link_id)
    if isinstance(quantity, int) and quantity > 0:
        for code in mapping["codes"]:
            yield ServiceLine(code, mapping["label"], quantity, mapping["unit"], display_format)
