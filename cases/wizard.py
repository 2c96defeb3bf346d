"""The order of the case build's steps and which apply to a case: one place for "what comes next"."""

from collections.abc import Callable
from dataclasses import dataclass

from cases import selectors
from cases.models import Case
from cases.questionnaires import engine


@dataclass(frozen=True)
class Step:
    slug: str
    title: str
    applies: Callable[[Case], bool] = lambda case: True
    # Steps whose data "Confirm and continue" locks (CASE-9).
    before_attestation: bool = True
    # Clinical steps offer "Finish Later" (seed 002).
    clinical: bool = False
    # The fields this step fills that must hold a value for it to count as done: a step whose data was
    # cleared (another insurer clears the patient) is open again even if ``completed_steps`` still names it.
    requires: tuple[str, ...] = ()


def _bundle_approved(case: Case) -> bool:
    result = selectors.case_outcome(case)
    return result is not None and result.result == "approve_bundle"


STEPS = (
    Step("provider", "Requesting Provider Information", requires=("ordering_provider",)),
    Step("insurer", "Choose Your Insurer", requires=("health_plan", "provider_address")),
    Step("contact", "Add Your Contact Info"),
    Step("date", "Date of Service", requires=("date_of_service",)),
    Step("patient", "Patient Eligibility Lookup", requires=("member",)),
    Step("patient-contact", "Patient Contact Information"),
    Step("service", "Requested Service + Diagnosis", requires=("primary_diagnosis",)),
    Step("site", "Add Site of Service", requires=("site",)),
    Step(
        "site-dispensed",
        "Attention!",
        applies=lambda case: bool(case.is_dme and case.dme_already_dispensed),
        requires=("dispensed_on_urgent_basis", "dispensed_after_hours"),
    ),
    Step("attest", "Proceed to Clinical Information", before_attestation=False),
    Step("clinical", "Clinical Questions", before_attestation=False, clinical=True),
    Step("clinical-summary", "Requested Services", before_attestation=False, clinical=True),
    Step(
        "urgency",
        "Urgency Indicator",
        applies=lambda case: not _bundle_approved(case),
        before_attestation=False,
        clinical=True,
    ),
    Step(
        "upload",
        "Clinical Upload",
        applies=lambda case: not _bundle_approved(case),
        before_attestation=False,
        clinical=True,
    ),
    Step("review", "Summary of Your Request", before_attestation=False, clinical=True),
)
BY_SLUG = {step.slug: step for step in STEPS}


def applicable_steps(case: Case) -> list[Step]:
    return [step for step in STEPS if step.applies(case)]


def is_step_complete(case: Case, step: Step) -> bool:
    if step.slug == "attest":
        return case.attested_at is not None
    if step.slug == "clinical":
        qs = engine.question_set_for(case.program.code)
        return engine.is_complete(qs, case.clinical_answers or {})
    if step.slug == "review":
        return case.submitted_at is not None
    if step.before_attestation and case.is_locked:
        # Confirmed data (CASE-9) is never reopened: a locked step sends nobody back to it.
        return True
    return step.slug in (case.completed_steps or []) and all(_is_filled(case, name) for name in step.requires)


def _is_filled(case: Case, name: str) -> bool:
    # The ``_id`` column of a foreign key: no query for the related row.
    return getattr(case, Case._meta.get_field(name).attname) not in (None, "")


def unfinished_steps_before(case: Case, slug: str) -> list[Step]:
    """The applicable steps before step ``slug`` that are not complete, in wizard order."""
    unfinished = []
    for step in applicable_steps(case):
        if step.slug == slug:
            break
        if not is_step_complete(case, step):
            unfinished.append(step)
    return unfinished


def first_incomplete_step(case: Case) -> Step:
    for step in applicable_steps(case):
        if not is_step_complete(case, step):
            return step
    return BY_SLUG["review"]


def may_open(case: Case, slug: str) -> bool:
    """A step may be opened once every applicable step before it is complete; locked steps never again."""
    step = BY_SLUG.get(slug)
    if step is None or not step.applies(case):
        return False
    if step.before_attestation and case.is_locked:
        return False
    return not unfinished_steps_before(case, slug)


def step_after(case: Case, slug: str) -> Step:
    steps = applicable_steps(case)
    slugs = [step.slug for step in steps]
    index = slugs.index(slug)
    return steps[index + 1] if index + 1 < len(steps) else BY_SLUG["review"]


def step_before(case: Case, slug: str) -> Step | None:
    steps = applicable_steps(case)
    slugs = [step.slug for step in steps]
    index = slugs.index(slug)
    if index == 0:
        return None
    previous = steps[index - 1]
    if previous.before_attestation and case.is_locked:
        return None
    return previous


@dataclass(frozen=True)
class StepState:
    number: int
    step: Step
    # "done", "current" or "to do": what the step indicator says of this step.
    state: str


@dataclass(frozen=True)
class Progress:
    """Where the user is in the case build: "Step ``position`` of ``total``: ``current.title``"."""

    position: int
    total: int
    current: Step
    steps: tuple[StepState, ...]


def progress(case: Case, slug: str) -> Progress | None:
    """The step indicator for step ``slug``: counted over the steps that apply to this case, None if it does not apply.

    The clinical question pages all render as the one "clinical" step, so they count once. The total can change
    while the user answers: an accepted Home Health bundle drops the urgency and upload steps.
    """
    steps = applicable_steps(case)
    slugs = [step.slug for step in steps]
    if slug not in slugs:
        return None
    states = tuple(
        StepState(
            number=number,
            step=step,
            state="current" if step.slug == slug else "done" if is_step_complete(case, step) else "to do",
        )
        for number, step in enumerate(steps, start=1)
    )
    return Progress(position=slugs.index(slug) + 1, total=len(steps), current=BY_SLUG[slug], steps=states)
