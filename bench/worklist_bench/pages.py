"""The pages timed: the worklist (every tab, every sort, with and without a search term), the Authorization
Lookup, the case page and the admin's reviewer queue. Each variant is a request (or a term posted untimed, then
the request); a page whose URL name does not reverse is left out with a printed "not available"."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode

from case_bench.settings import HarnessError


@dataclass
class Variant:
    group: str  # "worklist", "authorization lookup", "case page", "admin queue"
    label: str
    client: object
    request: Callable  # (iteration) -> response; what is timed
    prepare: Callable | None = None  # (iteration) -> None; untimed, before the request (a search term)
    expect: tuple[int, ...] = (200,)

    @property
    def key(self) -> str:
        return f"{self.group}: {self.label}"


def available(url_name: str) -> bool:
    from django.urls import NoReverseMatch, reverse

    try:
        reverse(url_name)
    except NoReverseMatch as exc:
        # A name that exists but needs arguments reverses with them; only a missing name is "not available".
        return "is not a valid view function or pattern name" not in str(exc)
    return True


def not_available(url_name: str) -> None:
    print(f"  not available: {url_name} missing", flush=True)


def run_variant(recorder, variant: Variant, iteration: int):
    """The variant once through ``recorder`` (Timer, QueryCounter or Untimed); the status checked."""
    if variant.prepare is not None:
        variant.prepare(iteration)
    response = recorder(variant.client, variant.key, lambda: variant.request(iteration))
    if response.status_code not in variant.expect:
        body = response.content.decode(errors="replace")
        detail = response.get("Location") or re.sub(r"\s+", " ", body)[:300]
        raise HarnessError(f"{variant.label}: expected {variant.expect}, got {response.status_code} ({detail})")
    return response


# --- The worklist ------------------------------------------------------------------------------------


def search_terms(user, rng) -> dict[str, list[str]]:
    """Terms a provider would type, from the cases the user sees: a patient's last name, a HCPCS code on
    some of them, five digits of a request ID, and a last name with a code."""
    from cases import permissions, worklist
    from cases.models import ServiceLine

    visible = worklist.submitted_cases(user, grants=permissions.grants_of(user)).order_by("pk")
    sample = list(visible.values_list("request_id", "member__last_name")[:2000])
    codes = sorted(
        set(ServiceLine.objects.filter(case__in=visible.values("pk")[:2000]).values_list("hcpcs__code", flat=True))
    )
    picks = rng.sample(sample, min(20, len(sample)))
    return {
        "last name": [name for _, name in picks],
        "HCPCS code": [rng.choice(codes) for _ in picks],
        "request ID part": [rid[3:8] for rid, _ in picks],
        "name and code": [f"{name} {rng.choice(codes)}" for _, name in picks],
    }


# Sorts also timed with a search term: the ones that join or annotate (the others cost what the default does).
SEARCHED_SORTS = ("procedure", "-procedure", "patient", "-patient", "due", "-provider")


def worklist_views(every: bool = False) -> list[tuple[str, str]]:
    """Every tab in the default order, then every sort either way under All Statuses (which lists every case);
    with ``every``, every sort either way under every tab."""
    from cases import worklist

    tabs = [(tab.key, worklist.DEFAULT_SORT) for tab in worklist.TABS]
    under = [tab.key for tab in worklist.TABS] if every else ["all"]
    sorts = [(tab, f"{way}{column.key}") for tab in under for column in worklist.COLUMNS for way in ("", "-")]
    return list(dict.fromkeys(tabs + sorts))  # each tab in the default order once


def _view_label(tab: str, sort: str) -> str:
    from cases import worklist

    return f"tab {tab}" if sort == worklist.DEFAULT_SORT else f"{tab}, sort {sort}"


def worklist_variants(
    client, terms: dict[str, list[str]], *, quick: bool = False, every: bool = False
) -> list[Variant]:
    """Every view of ``worklist_views`` without a term; every tab and SEARCHED_SORTS with one (a different term
    each time: the kinds of SEARCH_KINDS in turn); with ``every``, every tab and sort both ways."""
    from django.urls import reverse

    path = reverse("cases:worklist")
    flat_terms = [term for kind in zip(*terms.values(), strict=True) for term in kind]

    def post_term(iteration: int) -> None:
        response = client.post(path, {"q": flat_terms[iteration % len(flat_terms)]})
        if response.status_code != 302:
            raise HarnessError(f"worklist search POST answered {response.status_code}")

    def clear_term(_iteration: int) -> None:
        client.post(path, {"clear": "1"})

    def get(tab: str, sort: str) -> Callable:
        url = f"{path}?{urlencode({'tab': tab, 'sort': sort})}"
        return lambda _iteration: client.get(url)

    variants = [
        Variant("worklist", _view_label(tab, sort), client, get(tab, sort), clear_term)
        for tab, sort in worklist_views(every)
    ]
    for tab, sort in searched_views(quick, every):
        variants.append(Variant("worklist", f"{_view_label(tab, sort)}, searched", client, get(tab, sort), post_term))
    return variants


QUICK_SEARCHED_VIEWS = [("pending", "-submitted"), ("all", "-submitted"), ("all", "-procedure")]


def searched_views(quick: bool = False, every: bool = False) -> list[tuple[str, str]]:
    """Every tab and SEARCHED_SORTS under All Statuses; with ``quick``, QUICK_SEARCHED_VIEWS only; with ``every``,
    every tab and sort."""
    from cases import worklist

    if every:
        return worklist_views(every=True)
    if quick:
        return QUICK_SEARCHED_VIEWS
    return [(tab, sort) for tab, sort in worklist_views() if sort == worklist.DEFAULT_SORT or sort in SEARCHED_SORTS]


def worklist_query_matrix(
    client, user_label: str, terms: dict[str, list[str]], counter, *, quick: bool = False, every: bool = False
) -> dict[str, set[int]]:
    """SQL statements of every view of ``worklist_views`` without a term, and of ``searched_views`` with a term
    (each kind in turn): the worklist's query count, which must depend neither on the tab, the sort, the term
    nor the number of cases."""
    from django.urls import reverse

    path = reverse("cases:worklist")
    counts: dict[str, set[int]] = {}
    label = f"{user_label} query matrix"
    kinds = list(terms.values())
    plan = [(view, None) for view in worklist_views(every)]
    plan += [(view, kinds[index % len(kinds)][0]) for index, view in enumerate(searched_views(quick, every))]
    for (tab, sort), term in plan:
        client.post(path, {"q": term} if term else {"clear": "1"})
        url = f"{path}?{urlencode({'tab': tab, 'sort': sort})}"
        response = counter(client, label, lambda url=url: client.get(url))
        if response.status_code != 200:
            raise HarnessError(f"worklist {tab} {sort}: {response.status_code}")
        # An empty page reads no rows' columns and writes no audit row: counted apart.
        rows = "rows" if re.search(rb"<tbody>\s*<tr", response.content) else "an empty page"
        counts.setdefault(f"{'with a term' if term else 'without a term'}, {rows}", set()).add(
            len(counter.statements[label][-1])
        )
    client.post(path, {"clear": "1"})
    return counts


# --- Authorization Lookup ------------------------------------------------------------------------------


_FIELD = re.compile(r"<(input|select|textarea|button)\b([^>]*)>", re.IGNORECASE)
_FORM = re.compile(r"<form\b.*?</form>", re.IGNORECASE | re.DOTALL)
_ATTR = re.compile(r'([a-zA-Z_-]+)="([^"]*)"')


def form_fields(page: str) -> list[dict]:
    fields = []
    for tag, attrs in _FIELD.findall(page):
        found = {key.lower(): html.unescape(value) for key, value in _ATTR.findall(attrs)}
        if found.get("name") and found["name"] != "csrfmiddlewaretoken":
            fields.append({"tag": tag.lower(), **found})
    return fields


def lookup_data(fields: list[dict], mode: str, values: dict) -> dict:
    """The POST of one search (``mode`` "member" or "case") from the page's own fields: inputs recognised by
    their names (member ID, date of birth, last name; case number, NPI), hidden inputs as they are, and the
    radio or submit button whose value names the mode."""
    data = {}
    for f in fields:
        name, kind, value = f["name"], f.get("type", f["tag"]).lower(), f.get("value", "")
        lowered = name.lower()
        if kind == "hidden":
            data.setdefault(name, value)
        elif kind in ("radio", "submit", "button") or f["tag"] == "button":
            if mode in value.lower() or (mode == "member" and "patient" in value.lower()):
                data[name] = value
        elif "birth" in lowered or "dob" in lowered:
            data[name] = values.get("date_of_birth", "") if mode == "member" else ""
        elif "last" in lowered:
            data[name] = values.get("last_name", "") if mode == "member" else ""
        elif "npi" in lowered:
            data[name] = values.get("npi", "") if mode == "case" else ""
        elif "member" in lowered or "patient" in lowered:
            data[name] = values.get("member_id", "") if mode == "member" else ""
        elif "case" in lowered or "number" in lowered:
            data[name] = values.get("case_number", "") if mode == "case" else ""
    return data


def lookup_variants(client, subjects: dict) -> list[Variant]:
    """By member ID + date of birth + last name, by case number + ordering NPI (a case the user sees), and a
    case number of another practice with its NPI (found nowhere: the same answer as a wrong number)."""
    from django.urls import reverse

    path = reverse("cases:authorization_lookup")
    page = client.get(path)
    if page.status_code != 200:
        raise HarnessError(f"GET {path} answered {page.status_code}")
    forms = _FORM.findall(page.content.decode()) or [page.content.decode()]

    def fields_for(mode: str) -> list[dict]:
        """The fields of the page's form for ``mode``: the one with a birth date field, or with an NPI field."""
        key = "birth" if mode == "member" else "npi"
        found = [fields for fields in map(form_fields, forms) if any(key in f["name"].lower() for f in fields)]
        return found[0] if found else form_fields(page.content.decode())

    def post(mode: str, cases: list[dict]) -> Callable:
        prepared = [lookup_data(fields_for(mode), mode, values) for values in cases]
        return lambda iteration: client.post(path, prepared[iteration % len(prepared)])

    for mode in ("member", "case"):
        print(f"  authorization lookup by {mode}: posts {', '.join(sorted(lookup_data(fields_for(mode), mode, {})))}")
    searches = (
        ("by member ID, birth date, last name", "member", "visible"),
        ("by case number and ordering NPI", "case", "visible"),
        ("case number of another practice", "case", "foreign"),
    )
    return [
        Variant("authorization lookup", label, client, post(mode, subjects[which]), expect=(200, 302))
        for label, mode, which in searches
    ]


def lookup_subjects(user, rng) -> dict[str, list[dict]]:
    from cases import permissions, worklist
    from cases.models import Case

    def describe(qs) -> list[dict]:
        columns = ("member__member_id", "member__date_of_birth", "member__last_name", "case_number")
        rows = qs.values_list(*columns, "ordering_provider__npi")[:500]
        chosen = rng.sample(list(rows), min(50, len(rows)))
        return [
            {"member_id": m, "date_of_birth": d.strftime("%m/%d/%Y"), "last_name": n, "case_number": c, "npi": p}
            for m, d, n, c, p in chosen
        ]

    visible = worklist.submitted_cases(user, grants=permissions.grants_of(user)).order_by("pk")
    foreign = Case.objects.filter(submitted_at__isnull=False).exclude(pk__in=visible.values("pk")).order_by("pk")
    return {"visible": describe(visible), "foreign": describe(foreign)}


# --- The case page and the admin queue ----------------------------------------------------------------


def case_page_variants(client, request_ids: list[str]) -> list[Variant]:
    from django.urls import reverse

    paths = [reverse("cases:case_detail", args=[rid]) for rid in request_ids]
    return [
        Variant("case page", "a submitted case of the practice", client, lambda i: client.get(paths[i % len(paths)]))
    ]


def admin_variants(client, case_numbers: list[str]) -> list[Variant]:
    from django.urls import reverse

    path = reverse("admin:cases_case_changelist")
    return [
        Variant("admin queue", "changelist", client, lambda _i: client.get(path)),
        Variant(
            "admin queue",
            "changelist, pending review",
            client,
            lambda _i: client.get(f"{path}?status=pending_review"),
        ),
        Variant(
            "admin queue",
            "changelist, search a case number",
            client,
            lambda i: client.get(f"{path}?{urlencode({'q': case_numbers[i % len(case_numbers)]})}"),
        ),
    ]
