"""Reads of reference data."""

import re

from django.db import connection
from django.db.models import BooleanField, QuerySet, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Concat

from reference.models import DiagnosisCode, PlanProgram, Program

# "S92", "s92.15", "S92.151A": a letter, a digit, then code characters with an optional dot.
_CODE_PREFIX = re.compile(r"[A-Za-z]\d[0-9A-Za-z]?(\.[0-9A-Za-z]{0,4})?")
_WORD = re.compile(r"[a-z0-9]+")
MAX_SEARCH_WORDS = 8


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
