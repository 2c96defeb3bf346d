"""The diagnosis lookup (reference.selectors.diagnoses_search) timed over code prefixes, words and phrases."""

from __future__ import annotations

import random
import time

from case_bench.settings import LOOKUP_LIMIT

CODE_PREFIXES = (
    "S92.15", "E11", "M17.1", "Z89", "I10", "J44", "M54.5", "S72.0", "G20", "N18",
    "E11.6", "I50", "R26", "M16", "Z96.6", "S82", "L89", "C34", "F03", "T81.4",
)  # fmt: skip


WORDS = (
    "talus", "diabetes", "fracture", "knee", "hip", "pneumonia", "stroke", "ulcer", "wound", "femur",
    "parkinson", "dementia", "amputation", "osteoarthritis", "hypertension", "sepsis", "oxygen",
    "lymphedema", "neuropathy", "obstructive", "wheelchair", "heart", "fract", "dia",
)  # fmt: skip


PHRASES = (
    "displaced talus", "type 2 diabetes", "type 2 diabetes mellitus with", "pressure ulcer of sacral region",
    "heart failure", "chronic obstructive pulmonary", "primary osteoarthritis right knee", "fracture of femur",
    "acquired absence of leg", "diabetes foot ulcer", "fract talus", "right knee", "left hip fracture",
    "initial encounter", "chronic kidney disease stage 3", "dependence on wheelchair", "fracture of foot",
)  # fmt: skip


def lookup_queries(count: int, rng: random.Random) -> list[str]:
    """A third code prefixes (fixed, and prefixes of random billable codes), a third words, a third phrases."""
    from reference.models import DiagnosisCode

    codes = list(DiagnosisCode.objects.filter(is_billable=True).order_by("?").values_list("code", flat=True)[:count])
    random_prefixes = [code[: rng.randint(3, min(7, len(code)))] for code in codes]
    queries = []
    for i in range(count):
        kind = i % 3
        if kind == 0:
            queries.append(rng.choice(CODE_PREFIXES) if i % 2 == 0 else random_prefixes[i % len(random_prefixes)])
        elif kind == 1:
            queries.append(rng.choice(WORDS))
        else:
            queries.append(rng.choice(PHRASES))
    return queries


def time_selector_lookups(queries: list[str]) -> tuple[list[float], list[tuple[float, str, int]]]:
    from reference.selectors import diagnoses_search

    for query in queries[:30]:  # warm-up: connection, plan caches, the index pages
        list(diagnoses_search(query=query, billable_only=True, limit=LOOKUP_LIMIT))
    times, detail = [], []
    for query in queries:
        started = time.perf_counter()
        rows = list(diagnoses_search(query=query, billable_only=True, limit=LOOKUP_LIMIT))
        elapsed = (time.perf_counter() - started) * 1000
        times.append(elapsed)
        detail.append((elapsed, query, len(rows)))
    return times, detail


def explain_lookup(query: str) -> str:
    from django.db import connection

    from reference.selectors import diagnoses_search

    qs = diagnoses_search(query=query, billable_only=True, limit=LOOKUP_LIMIT)
    if connection.vendor == "postgresql":
        return qs.explain(analyze=True, buffers=True)
    return qs.explain()
