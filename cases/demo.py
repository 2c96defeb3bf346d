"""The demo cases of ``seed_demo``: one or more requests of the demo office in every status a case takes, so that
My Worklist has something under every tab and the reviewers' queue has work (issue 11 item 15).

Every case is built the way a user builds it: the wizard's services (start, each step, attest, answers, submit),
then the reviewer's (``cases.decisions``, ``cases.holds``). Nothing writes a status or a determination directly.
Each case carries its story in the additional notes ("Demo request: ..."); a case whose note is present is not
built again, so a second run adds nothing and a run after a new scenario is added builds only that one.
"""

import contextlib
import datetime
import itertools
from dataclasses import dataclass, field
from unittest import mock

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from cases import decisions, holds, services
from cases.models import BuilderRole, Case, CaseStatus, ServiceLine
from cases.questionnaires import engine
from practices.models import Practice
from practices.selectors import providers_on_account
from reference.models import DiagnosisCode, Eligibility, HealthPlan, Program, Site
from resources.models import ClinicalGuideline

DEMO_OWNER = "mjohnson"  # Maria Johnson, Johnson Family Medicine: the demo provider office
DEMO_REVIEWER = "rnreviewer"  # Dana Whitfield, clinical reviewer (nurse)
NOTE_PREFIX = "Demo request: "
PLAN = "cigna-commercial"
HH_VISITS = ("physical_therapy", "occupational_therapy", "speech_therapy", "social_worker", "home_health_aide")
# Diagnoses that fit the demo's Home Health and DME requests; any billable code stands in when absent.
DIAGNOSES = ("M17.11", "I50.9", "J44.1", "M62.81", "J96.11", "S72.001A")


class _AnyDatetime(type):
    def __instancecheck__(cls, instance):
        return isinstance(instance, datetime.datetime)


@contextlib.contextmanager
def clock(days_ago: float):
    """Run the services as if it were ``days_ago`` days earlier, so that a demo case's history reads as lived (an
    overdue case was submitted more than seven days ago). ``django.utils.timezone.now`` reads ``datetime.now`` of
    its module, so patching that one name moves every ``timezone.now()``, model defaults included. Acceptable in
    a demo data builder only: it is process-wide while it lasts."""
    if not days_ago:
        yield
        return
    offset = datetime.timedelta(days=days_ago)

    class Earlier(datetime.datetime, metaclass=_AnyDatetime):
        @classmethod
        def now(cls, tz=None):
            return datetime.datetime.now(tz) - offset

    with mock.patch("django.utils.timezone.datetime", Earlier):
        yield


@dataclass
class DemoOffice:
    """The demo office and what its requests are built from."""

    owner: object
    practice: Practice
    reviewer: object
    plan: HealthPlan
    providers: list
    sites: dict  # Site.Kind -> sites
    members: itertools.cycle
    diagnoses: itertools.cycle
    guidelines: dict = field(default_factory=dict)  # (program code, title) -> guideline; program code -> first
    turns: itertools.count = field(default_factory=itertools.count)  # spreads the cases over providers and sites

    def guideline(self, program: str, title: str = "") -> ClinicalGuideline:
        return self.guidelines.get((program, title)) or self.guidelines[program]


# --- Building requests through the wizard's services --------------------------------------------------------


def draft_build(office: DemoOffice, *, program: str, note: str, attest: bool = True) -> Case:
    """A draft walked through the steps before the attestation, attested when ``attest``."""
    user, turn = office.owner, next(office.turns)
    provider = office.providers[turn % len(office.providers)]
    kind = Site.Kind.DME_SUPPLIER if program == "dme" else Site.Kind.HOME_HEALTH_AGENCY
    site = office.sites[kind][turn % len(office.sites[kind])]
    case = services.case_start(
        user=user,
        program=Program.objects.get(code=program),
        builder_role=BuilderRole.REFERRING_PHYSICIAN,
        practice=office.practice,
    )
    today = timezone.localdate()
    steps = [
        ("provider", {"ordering_provider": provider}),
        ("insurer", {"health_plan": office.plan, "provider_address": provider.address_display}),
        (
            "contact",
            {
                "contact_provider_name": provider.display_name,
                "contact_name": f"{user.first_name} {user.last_name}",
                "contact_fax": provider.fax,
                "contact_phone": provider.phone,
                "contact_email": user.email,
            },
        ),
        (
            "date",
            {
                "date_of_service": today + datetime.timedelta(days=2),
                "dme_already_dispensed": False if program == "dme" else None,
            },
        ),
        ("patient", {"member": next(office.members)}),
        ("patient-contact", {}),
        ("service", {"primary_diagnosis": next(office.diagnoses)}),
        (
            "site",
            {
                "site": site,
                "site_fax": site.fax,
                "site_phone": site.phone,
                "place_of_service": "12 - Home" if program == "dme" else "",
                "additional_notes": NOTE_PREFIX + note,
            },
        ),
    ]
    for (step, changes), (next_step, _) in itertools.pairwise([*steps, ("attest", {})]):
        case = services.case_step_save(case=case, user=user, step=step, changes=changes, next_step=next_step)
    return services.case_attest(case=case, user=user) if attest else case


def submitted_build(office: DemoOffice, *, program: str, note: str, dme_lines=(), bundle=False) -> Case:
    """A request submitted: Home Health with the bundle accepted (approved at once) or nurse visits asked for
    (pending review), or DME for ``dme_lines`` ((HCPCS code, units), ...)."""
    case = draft_build(office, program=program, note=note)
    answers = dme_answers(dme_lines) if program == "dme" else home_health_answers(bundle=bundle)
    case = services.case_answers_save(case=case, answers=answers, next_step="clinical-summary")
    case = services.case_progress_save(case=case, next_step="urgency", completed="clinical-summary")
    if not bundle:
        routine = {"is_routine": True, "urgency_criterion": ""}
        case = services.case_step_save(
            case=case, user=office.owner, step="urgency", changes=routine, next_step="upload"
        )
        case = services.case_progress_save(case=case, next_step="review", completed="upload")
    return services.case_submit(case=case, user=office.owner)


def _answered(program: str, pages: list[dict]) -> dict:
    question_set = engine.question_set_for(program)
    answers = {}
    for data in pages:
        page = engine.next_page(question_set, answers)
        form = engine.page_form(question_set, answers, page, data=data)
        if not form.is_valid():
            raise ValueError(f"Demo answers refused on {page.key}: {form.errors.as_text()}")
        answers = engine.apply_answer(question_set, answers, page, form.cleaned_data)
    return answers


def home_health_answers(*, bundle: bool) -> dict:
    pages = [{"homebound": "yes"}, {"admitting_diagnosis": "orthopedic"}, {"bundle": "yes" if bundle else "no"}]
    if not bundle:
        visits = {f"{name}_visits": "0" for name in HH_VISITS}
        visits.update(skilled_nurse_visits="8", physical_therapy_visits="6", dietitian_visits="0", timeframe_days="30")
        pages.append(visits)
    return _answered("home-health", pages)


def dme_answers(lines) -> dict:
    pages = []
    for index, (code, units) in enumerate(lines):
        more = "yes" if index < len(lines) - 1 else "no"
        pages += [{"hcpcs_code": code, "hcpcs_units": str(units)}, {"hcpcs_more": more}]
    return _answered("dme", pages)


# --- The reviewer's part ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Denial:
    criterion: str
    documentation: str
    guideline: str = ""  # a guideline title of the case's program; its first one when empty
    alternative: str = ""


def decide(office: DemoOffice, case: Case, outcomes: dict, *, otherwise="approved") -> Case:
    """The reviewer determines each line in the initial round (``outcomes``: HCPCS code -> "approved" or a
    ``Denial``; ``otherwise`` for the lines not named), then decides the case."""
    program = case.program.code
    for line in ServiceLine.objects.filter(case=case).select_related("hcpcs"):
        outcome = outcomes.get(line.hcpcs.code, otherwise)
        if outcome == "approved":
            approved = {"outcome": "approved", "approved_quantity": line.quantity}
            decisions.line_determine(line=line, round="initial", **approved, by=office.reviewer)
            continue
        decisions.line_determine(
            line=line,
            round="initial",
            outcome="alternative_offered" if outcome.alternative else "denied",
            criterion=outcome.criterion,
            guideline=office.guideline(program, outcome.guideline),
            documentation=outcome.documentation,
            alternative=outcome.alternative,
            by=office.reviewer,
        )
    return decisions.case_decide(case=case, round="initial", by=office.reviewer)


def hold(office: DemoOffice, case: Case, *, items, note: str, due_in_days: int):
    due_on = timezone.localdate() + datetime.timedelta(days=due_in_days)
    return holds.hold_place(case=case, items=items, note=note, due_on=due_on, by=office.reviewer)


# --- The office ------------------------------------------------------------------------------------------


def demo_office() -> DemoOffice | None:
    """The demo office with its providers, sites, eligible members and guidelines; None without the demo logins
    (production) or without a member covered by the demo plan."""
    users = {user.username: user for user in get_user_model().objects.filter(username__in=[DEMO_OWNER, DEMO_REVIEWER])}
    practice = Practice.objects.filter(memberships__user__username=DEMO_OWNER).order_by("pk").first()
    plan = HealthPlan.objects.filter(code=PLAN).first()
    if len(users) < 2 or practice is None or plan is None:
        return None
    # Covered for a month before today and from then on: every demo date of service falls inside.
    month_ago = timezone.localdate() - datetime.timedelta(days=31)
    members = list(
        Eligibility.objects.filter(health_plan=plan, coverage_start__lte=month_ago, coverage_end__isnull=True)
        .order_by("member__member_id")
        .select_related("member")[:20]
    )
    providers = list(providers_on_account(user=users[DEMO_OWNER]))
    kinds = (Site.Kind.DME_SUPPLIER, Site.Kind.HOME_HEALTH_AGENCY)
    sites = {kind: list(Site.objects.filter(kind=kind).order_by("npi")[:3]) for kind in kinds}
    if not members or not providers or not all(sites.values()):
        return None
    diagnoses = list(DiagnosisCode.objects.filter(code__in=DIAGNOSES, is_billable=True).order_by("code"))
    diagnoses = diagnoses or list(DiagnosisCode.objects.filter(is_billable=True).order_by("code")[:1])
    guidelines = {}
    for guideline in ClinicalGuideline.objects.select_related("program").order_by("pk"):
        guidelines[(guideline.program.code, guideline.title)] = guideline
        guidelines.setdefault(guideline.program.code, guideline)
    if not diagnoses or not {"dme", "home-health"} <= guidelines.keys():
        return None
    return DemoOffice(
        owner=users[DEMO_OWNER],
        practice=practice,
        reviewer=users[DEMO_REVIEWER],
        plan=plan,
        providers=providers,
        sites=sites,
        members=itertools.cycle([span.member for span in members]),
        diagnoses=itertools.cycle(diagnoses),
        guidelines=guidelines,
    )


def demo_cases_ensure() -> int:
    """Build the demo scenarios that are missing (``cases.demo_scenarios``); how many cases were added."""
    from cases.demo_scenarios import SCENARIOS  # the scenarios build on this module

    office = demo_office()
    if office is None:
        return 0
    # An expired demo draft does not count: the next run starts a fresh one, so "In Progress" is never empty.
    present = set(
        Case.objects.filter(practice=office.practice, additional_notes__startswith=NOTE_PREFIX)
        .exclude(status=CaseStatus.EXPIRED)
        .values_list("additional_notes", flat=True)
    )
    added = 0
    for scenario in SCENARIOS:
        if NOTE_PREFIX + scenario.note in present:
            continue
        with transaction.atomic():
            scenario.build(office, scenario.note)
        added += 1
    return added
