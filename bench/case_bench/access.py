"""The pages and selectors the access model (cases.permissions) decides, and their query plans."""

from __future__ import annotations

import random

from case_bench.settings import HarnessError
from case_bench.walks import Walk

ACCESS_WARMUP_ROUNDS = 5


def access_subjects(access: dict) -> dict:
    """The request IDs the access-model pages open: submitted cases of READER's big practice started by
    colleagues, OWNER's submitted cases (the delegate sees them through the shared worklist only), cases READER
    may view (for the one-case selector) and submitted cases READER may not view (the 404)."""
    from cases import permissions
    from cases.models import Case

    reader, owner = access["reader"], access["owner"]
    big = access["big_practice_id"]
    submitted = Case.objects.filter(submitted_at__isnull=False).order_by("pk")
    subjects = {
        "colleague": submitted.filter(practice_id=big).exclude(created_by=reader),
        # The delegate is a member of no big-practice TIN: they see these through the worklist grant alone.
        "delegated": submitted.filter(practice_id=big, created_by=owner),
        "visible": permissions.cases_visible_to(reader).order_by("pk"),
        "foreign": submitted.exclude(pk__in=permissions.cases_visible_to(reader).values("pk")),
    }
    found = {name: list(qs.values_list("request_id", flat=True)[:2000]) for name, qs in subjects.items()}
    empty = [name for name, ids in found.items() if not ids]
    if empty:
        raise HarnessError(f"no case for the access-model pages: {', '.join(empty)} (too few --cases?)")
    return found


def access_requests(access: dict, subjects: dict, clients: dict, rng: random.Random) -> list[tuple]:
    """One round of the access-model figures, as (client, label, call, expected status or None for a selector).

    Pages go through the test client like the wizard's; the selectors are called in this process and
    evaluated (``list()``, ``count()``, ``get()``) as the views evaluate them, grants read each time."""
    from django.urls import reverse

    from cases import permissions
    from cases import selectors as case_selectors

    reader, delegate = access["reader"], access["delegate"]

    def summary(name: str) -> str:
        return reverse("cases:summary", args=[rng.choice(subjects[name])])

    visible = rng.choice(subjects["visible"])
    return [
        (clients["reader"], "in-progress, big practice", reverse("cases:in_progress"), 200),
        (clients["reader"], "carecore home, big practice", reverse("cases:carecore_home"), 200),
        # "Start from a previous request" (issue 10, item 15): the list and a search by provider name.
        (clients["reader"], "request an authorization, previous requests", reverse("cases:request_authorization"), 200),
        (
            clients["reader"],
            "request an authorization, previous requests search",
            reverse("cases:request_authorization") + "?previous=a",
            200,
        ),
        (clients["reader"], "summary, a colleague's case", summary("colleague"), 200),
        (clients["delegate"], "summary, worklist delegate", summary("delegated"), 200),
        (clients["reader"], "summary, another practice's case (404)", summary("foreign"), 404),
        (clients["reader"], "grants_of(reader)", lambda: permissions.grants_of(reader), None),
        (
            clients["reader"],
            "drafts_visible_to(reader)[:200]",
            lambda: list(permissions.drafts_visible_to(reader)[:200]),
            None,
        ),
        (
            clients["reader"],
            "drafts_visible_to(reader).count()",
            lambda: permissions.drafts_visible_to(reader).count(),
            None,
        ),
        (
            clients["reader"],
            "cases_visible_to(reader).get(request_id)",
            lambda: permissions.cases_visible_to(reader).get(request_id=visible),
            None,
        ),
        (
            clients["reader"],
            "cases_visible_to(reader), 50 newest",
            lambda: list(permissions.cases_visible_to(reader).order_by("-last_saved_at")[:50]),
            None,
        ),
        (
            clients["reader"],
            "previous_requests(reader)[:11]",
            lambda: list(case_selectors.previous_requests(reader)[:11]),
            None,
        ),
        (
            clients["reader"],
            "cases_visible_to(reader).count()",
            lambda: permissions.cases_visible_to(reader).count(),
            None,
        ),
        (
            clients["delegate"],
            "cases_visible_to(delegate), 50 newest",
            lambda: list(permissions.cases_visible_to(delegate).order_by("-last_saved_at")[:50]),
            None,
        ),
    ]


def access_round(recorder, access: dict, subjects: dict, clients: dict, rng: random.Random) -> list[str]:
    """Every access-model page and selector once, each after its ceiling request when ``recorder`` is a Timer;
    returns the selectors' labels."""
    selectors = []
    for client, label, target, expect in access_requests(access, subjects, clients, rng):
        if expect is None:
            recorder(client, label, target)
            selectors.append(label)
        else:
            Walk(client, recorder).get(label, target, expect=expect)
    return selectors


def access_figures(access: dict) -> dict:
    """What READER and the delegate see: the sizes behind the access-model figures."""
    from cases import permissions

    reader, delegate = access["reader"], access["delegate"]
    grants = permissions.grants_of(reader)
    return {
        "reader practices": len(grants.submission_practice_ids),
        "reader drafts": permissions.drafts_visible_to(reader).count(),
        "reader cases": permissions.cases_visible_to(reader).count(),
        "reader's own submitted requests": permissions.cases_visible_to(reader)
        .filter(created_by=reader, submitted_at__isnull=False)
        .count(),
        "reader shared worklists": len(grants.delegated_owner_ids),
        "delegate cases": permissions.cases_visible_to(delegate).count(),
    }


def explain_query(qs) -> str:
    from django.db import connection

    if connection.vendor == "postgresql":
        return qs.explain(analyze=True, buffers=True)
    return qs.explain()


def plan_nodes(plan: str) -> list[str]:
    """A PostgreSQL plan's nodes, conditions and times, without the buffer and memory details (SQLite's: whole)."""
    keep = ("->", "Index Cond", "Recheck Cond", "Filter", "Sort Key", "Planning Time", "Execution Time")
    lines = plan.splitlines()
    if not any("->" in line for line in lines):
        return lines
    return lines[:1] + [line for line in lines[1:] if line.strip().startswith(keep)]
