"""Reads of reference data: programs, plans and delegations, diagnoses, and the member, provider and site look-ups.

Nothing here imports ``cases``: the case build, Eligibility Lookup, P2P and the API all read through these.
"""

import datetime
import re
from dataclasses import dataclass

from django.db import connection
from django.db.models import BooleanField, QuerySet, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Concat, Upper

from reference.models import DiagnosisCode, Eligibility, Member, PlanProgram, Program, Provider, Site

# "S92", "s92.15", "S92.151A": a letter, a digit, then code characters with an optional dot.
_CODE_PREFIX = re.compile(r"[A-Za-z]\d[0-9A-Za-z]?(\.[0-9A-Za-z]{0,4})?")
_WORD = re.compile(r"[a-z0-9]+")
MAX_SEARCH_WORDS = 8
SEARCH_LIMIT = 25


def program_exists(*, code: str) -> bool:
    return Program.objects.filter(code=code).exists()


def diagnoses_search(*, query: str, billable_only: bool = True, limit: int = 25) -> QuerySet[DiagnosisCode]:
    """ICD-10-CM codes by code prefix ("S92.15") or by words of the description ("talus fract").

    Each word matches as a prefix and all words must match. Both paths use an index: the code's
    B-tree, or the word index (PostgreSQL GIN over to_tsvector, SQLite FTS5).
    """
    text = (query or "").strip()
    codes = DiagnosisCode.objects.all()
    if billable_only:
        codes = codes.filter(is_billable=True)
    if _CODE_PREFIX.fullmatch(text):
        # A range rather than LIKE: SQLite's case-insensitive LIKE cannot use the B-tree.
        # "~" sorts after every character a code can hold (digits, capitals, the dot).
        prefix = text.upper()
        return codes.filter(code__gte=prefix, code__lt=prefix + "~").order_by("code")[:limit]
    words = _WORD.findall(text.lower())[:MAX_SEARCH_WORDS]
    if not words:
        return codes.none()
    # Words are [a-z0-9]+ only, so they are safe inside both query languages.
    if connection.vendor == "postgresql":
        matches = RawSQL(
            "to_tsvector('simple'::regconfig, description) @@ to_tsquery('simple'::regconfig, %s)",
            [" & ".join(f"{word}:*" for word in words)],
            output_field=BooleanField(),
        )
        # Ordered by an expression no index gives: otherwise the planner walks the code index and tests
        # every row's words until the limit is met ("femur": 44,000 rows, 200+ ms) instead of using GIN.
        return codes.filter(matches).order_by(Concat("code", Value("")))[:limit]
    else:
        codes = codes.filter(
            id__in=RawSQL(
                "SELECT rowid FROM reference_diagnosiscode_fts WHERE reference_diagnosiscode_fts MATCH %s",
                [" ".join(f"{word}*" for word in words)],
            )
        )
    return codes.order_by("code")[:limit]


def plan_programs_for_contacts() -> QuerySet[PlanProgram]:
    return PlanProgram.objects.select_related("health_plan", "program").order_by(
        "health_plan__name", "program__sort_order"
    )


# --- Members and their coverage ---------------------------------------------------------------------


def members_lookup(*, member_id: str, date_of_birth: datetime.date, last_name: str) -> QuerySet[Member]:
    """Patient Eligibility Lookup: all three must match (ID and last name ignoring case)."""
    return (
        Member.objects.annotate(last_name_upper=Upper("last_name"))
        .filter(
            member_id__iexact=member_id.strip(),
            date_of_birth=date_of_birth,
            last_name_upper=last_name.strip().upper(),
        )
        .prefetch_related("eligibility_spans__health_plan")
    )


def coverages_on(*, member: Member, day: datetime.date) -> list[Eligibility]:
    """The member's coverage spans, with any plan, that cover ``day`` (latest start first).

    Reads ``member.eligibility_spans.all()``, so a member from ``members_lookup`` costs no query.
    """
    return [span for span in member.eligibility_spans.all() if span.covers(day)]


def coverage_on(*, member: Member, health_plan_id: int, day: datetime.date) -> Eligibility | None:
    """The span by which this plan covers the member on ``day``, or None when the plan does not cover them."""
    return next((span for span in coverages_on(member=member, day=day) if span.health_plan_id == health_plan_id), None)


def plan_delegates(*, health_plan_id: int, program_id: int) -> bool:
    """Whether the plan delegates this program's prior authorization to the portal."""
    return PlanProgram.objects.filter(health_plan_id=health_plan_id, program_id=program_id, is_delegated=True).exists()


def not_delegated_message(*, plan_name: str, programs: str) -> str:
    """What to do for a program the plan does not delegate: the case build's words (CASE-6)."""
    return (
        f"{plan_name} does not use EviCore for {programs} requests. Please call the number on the back of the "
        "member's card to determine if an authorization is required."
    )


@dataclass(frozen=True)
class SpanEligibility:
    """One coverage span as Eligibility Lookup shows it (WL-3): the plan, the span, and the plan's programs."""

    span: Eligibility
    is_active: bool  # covers the day asked about (today)
    has_ended: bool
    delegated: list[PlanProgram]  # prior authorization through this portal, in the programs' order
    other_programs: list[Program]  # the phone-in instruction applies
    phone_in_instruction: str


def member_eligibility(*, member: Member, day: datetime.date) -> list[SpanEligibility]:
    """Each of the member's spans (latest start first) with the programs its plan delegates.

    Two queries whatever the number of spans (the plans' delegations, the programs), plus the spans when
    ``member`` was not read through ``members_lookup``. ``plan_delegates`` answers the same question for one
    plan and one program.
    """
    spans = list(member.eligibility_spans.all())
    active = {span.pk for span in coverages_on(member=member, day=day)}
    delegations: dict[int, list[PlanProgram]] = {}
    for plan_program in PlanProgram.objects.filter(
        health_plan_id__in={span.health_plan_id for span in spans}, is_delegated=True
    ).select_related("program"):
        delegations.setdefault(plan_program.health_plan_id, []).append(plan_program)
    programs = list(Program.objects.all()) if spans else []
    found = []
    for span in spans:
        delegated = sorted(delegations.get(span.health_plan_id, []), key=lambda row: _program_order(row.program))
        delegated_ids = {row.program_id for row in delegated}
        found.append(
            SpanEligibility(
                span=span,
                is_active=span.pk in active,
                has_ended=span.coverage_end is not None and span.coverage_end < day,
                delegated=delegated,
                other_programs=[program for program in programs if program.pk not in delegated_ids],
                phone_in_instruction=not_delegated_message(
                    plan_name=span.health_plan.name,
                    programs="any other program's" if delegated else "any program's",
                ),
            )
        )
    return found


def _program_order(program: Program) -> tuple:
    return (program.sort_order, program.name)


# --- Providers and sites ----------------------------------------------------------------------------
# The providers on a user's account are in ``practices.selectors``; these search the whole directory.


def ordering_providers_search(
    *, tin: str = "", npi: str = "", last_name: str = "", city: str = "", zip_code: str = ""
) -> QuerySet[Provider]:
    """The supplier/agency path's physician search: TIN, NPI, last name (with NPI or TIN), city, zip."""
    providers = Provider.objects.all()
    if tin:
        providers = providers.filter(tin=tin)
    if npi:
        providers = providers.filter(npi=npi)
    if last_name:
        providers = providers.annotate(last_upper=Upper("last_name")).filter(last_upper=last_name.strip().upper())
    if city:
        providers = providers.filter(city__iexact=city.strip())
    if zip_code:
        providers = providers.filter(zip_code__startswith=zip_code.strip()[:5])
    return providers.order_by("last_name", "first_name", "organization_name", "npi")[:SEARCH_LIMIT]


def sites_search(
    *, kind: str, npi: str = "", zip_code: str = "", name: str = "", exact: bool = False, tin: str = "", city: str = ""
) -> QuerySet[Site]:
    """ "Specific Site Search" (CASE-8): any of NPI, zip, site name (starts with or exact), TIN, city."""
    sites = Site.objects.filter(kind=kind)
    if npi:
        sites = sites.filter(npi=npi)
    if tin:
        sites = sites.filter(tin=tin)
    if zip_code:
        sites = sites.filter(zip_code__startswith=zip_code.strip()[:5])
    if city:
        sites = sites.filter(city__iexact=city.strip())
    if name:
        sites = sites.annotate(name_upper=Upper("name"))
        wanted = name.strip().upper()
        sites = sites.filter(name_upper=wanted) if exact else sites.filter(name_upper__startswith=wanted)
    return sites.order_by("name", "npi")[:SEARCH_LIMIT]
