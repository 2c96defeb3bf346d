"""My Worklist / Certification Summary (WL-1, issue 11 item 5): the query behind the page and its CSV, no HTTP.

The user's submitted cases (``permissions.cases_visible_to`` restricted to ``submitted_at`` set: drafts are
"Certification Requests In Progress"), narrowed by a tab, a search term and sorted by a whitelisted column.
Everything here takes plain values (a tab key, a term, a sort key) that the view has read from the request;
an unknown tab or sort key falls back to the default, never to an error.
"""

import datetime
from collections import Counter
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone

from cases import permissions
from cases.models import Case, CaseStatus, ServiceLine
from reference.models import provider_display_name


@dataclass(frozen=True)
class Tab:
    key: str
    label: str
    statuses: tuple[str, ...] | None  # None: every status


# The seed's tabs, in its order (seed 001: "Pending Approved Partially Approved Denied Cancelled All Statuses").
PENDING_STATUSES = (CaseStatus.SUBMITTED, CaseStatus.PENDING_REVIEW, CaseStatus.ON_HOLD)
TABS = (
    Tab("pending", "Pending", PENDING_STATUSES),
    Tab("approved", "Approved", (CaseStatus.APPROVED,)),
    Tab("partially_approved", "Partially Approved", (CaseStatus.PARTIALLY_APPROVED,)),
    Tab("denied", "Denied", (CaseStatus.DENIED,)),
    Tab("cancelled", "Cancelled", (CaseStatus.CANCELLED,)),
    Tab("all", "All Statuses", None),
)
TABS_BY_KEY = {tab.key: tab for tab in TABS}
DEFAULT_TAB = "pending"


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    order_by: tuple[str, ...]  # model fields; Patient, Procedure and Ordering Provider: sort keys copied at submission


COLUMNS = (
    Column("request_id", "Request ID", ("request_id",)),
    Column("authorization", "Authorization ID", ("authorization_number",)),
    Column("patient", "Patient", ("patient_sort_name",)),
    Column("status", "Status", ("status",)),
    Column("submitted", "Submitted", ("submitted_at",)),
    Column("end_date", "End Date", ("valid_to",)),
    Column("procedure", "Procedure", ("first_procedure_code",)),
    Column("provider", "Ordering Provider", ("provider_sort_name",)),
    Column("site", "Site of Service", ("site__name",)),
    Column("insurer", "Insurer", ("health_plan__name",)),
    Column("due", "Decision Due", ("decision_due_at",)),
)
SORTS = {column.key: column for column in COLUMNS}
# Columns a submitted case always has (the database's check constraint, the identifiers): no "empty last" needed.
NEVER_EMPTY_WHEN_SUBMITTED = {"request_id", "status", "submitted_at"}
DEFAULT_SORT = "-submitted"
SEARCH_MAX_CHARS = 100
SEARCH_MAX_WORDS = 6


def submitted_cases(user, *, grants: permissions.Grants) -> QuerySet[Case]:
    """Every submitted case ``user`` may view: their own, their practices' where they are entitled, and the
    worklists shared with them (ACC-9). Never a draft, nor a request cancelled or expired before submission."""
    return permissions.cases_visible_to(user, grants=grants).filter(submitted_at__isnull=False)


def clean_tab(value) -> str:
    return value if value in TABS_BY_KEY else DEFAULT_TAB


def clean_sort(value) -> str:
    """``"<key>"`` or ``"-<key>"`` for a whitelisted column; anything else is the default."""
    value = value if isinstance(value, str) else ""
    return value if value.removeprefix("-") in SORTS else DEFAULT_SORT


def clean_term(value) -> str:
    """The search term as typed, bounded: no NUL (PostgreSQL refuses it), at most 100 characters."""
    value = value if isinstance(value, str) else ""
    return " ".join(value.replace("\x00", "").split())[:SEARCH_MAX_CHARS]


# The search text is in the search indexes' INCLUDE (cases/models/case.py), and a B-tree entry holds at most
# 2,704 bytes: the other columns of an entry take at most about 700, the text at most this many.
SEARCH_TEXT_MAX_BYTES = 1800


def search_text(case: Case, lines) -> str:
    """What the search matches on ``case`` (its ``search_text`` column): the request ID, authorization ID and case
    number, the patient's first and last name and Patient ID, the ordering provider's first, last and organization
    name and NPI, the site's name, and each of ``lines``' HCPCS code and label in line order, lowercased, one value
    a line (empty ones left out). A word of the search holds no whitespace, so it matches inside one value, never
    across two. Migration 0018 and bench/worklist_bench/cases_sql.py write the same text in SQL.

    At most ``SEARCH_TEXT_MAX_BYTES`` (UTF-8): a longer text (a case of a dozen lines or more with long
    descriptions) keeps every identifier, name and code and as many descriptions as fit, in line order."""
    member, provider, site = case.member, case.ordering_provider, case.site
    values = [case.request_id, case.authorization_number, case.case_number]
    if member is not None:
        values += [member.first_name, member.last_name, member.member_id]
    if provider is not None:
        values += [provider.first_name, provider.last_name, provider.organization_name, provider.npi]
    if site is not None:
        values.append(site.name)
    lines = [(line.hcpcs.code, line.label) for line in lines]
    text = "\n".join(value for value in [*values, *(value for line in lines for value in line)] if value).lower()
    if len(text.encode()) <= SEARCH_TEXT_MAX_BYTES:
        return text
    return capped_text([*values, *(code for code, _ in lines), *(label for _, label in lines)])


def capped_text(values) -> str:
    """``values`` lowercased, one a line, empty ones left out, in their order of importance: each one that still
    fits in ``SEARCH_TEXT_MAX_BYTES``, never part of one."""
    kept, size = [], -1  # the first value has no newline before it
    for value in values:
        value = (value or "").lower()
        cost = len(value.encode()) + 1
        if value and size + cost <= SEARCH_TEXT_MAX_BYTES:
            kept.append(value)
            size += cost
    return "\n".join(kept)


def search_text_save(case: Case) -> str:
    """Write ``case``'s copied values again (``copies_write``) and return its search text. The services write them
    with the row they save: at submission (``services.case_submit``) and when a decision assigns the authorization
    number or adds an accepted alternative's line (``decisions._case_status_derive``); this is for a case changed
    otherwise (a repair, a test); ``search_texts_rewrite`` for the cases of a provider or site renamed in the admin."""
    case.search_text, case.provider_sort_name = copies_write([case.pk])[case.pk]
    return case.search_text


SEARCH_TEXT_BATCH = 500
# What ``search_text`` and ``Provider.sort_name`` read of a case and its relations.
SEARCH_TEXT_FIELDS = (
    "request_id",
    "authorization_number",
    "case_number",
    "search_text",
    "provider_sort_name",
    "member__first_name",
    "member__last_name",
    "member__member_id",
    "ordering_provider__kind",
    "ordering_provider__first_name",
    "ordering_provider__last_name",
    "ordering_provider__organization_name",
    "ordering_provider__npi",
    "site__name",
)


def copies_write(ids: list[int]) -> dict[int, tuple[str, str | None]]:
    """Write again, from the rows as they are now, the values cases copy from their patient, provider, site and
    lines: the search text and the provider's sort key (``provider_sort_name``), in one transaction, the rows locked
    first: a decision writing one of them meanwhile (``decisions._case_status_derive``) goes before or after, never
    between the read and the write. By pk, what was written."""
    with transaction.atomic():
        batch = list(
            Case.objects.select_for_update(of=("self",))
            .filter(pk__in=ids)
            .select_related("member", "ordering_provider", "site")
            .only(*SEARCH_TEXT_FIELDS)
            .order_by("pk")
        )
        lines: dict[int, list[ServiceLine]] = {}
        for line in (
            ServiceLine.objects.filter(case_id__in=[case.pk for case in batch])
            .select_related("hcpcs")
            .order_by("case_id", "line_number")
        ):
            lines.setdefault(line.case_id, []).append(line)
        for case in batch:
            case.search_text = search_text(case, lines.get(case.pk, []))
            case.provider_sort_name = case.ordering_provider.sort_name if case.ordering_provider else None
        Case.objects.bulk_update(batch, ["search_text", "provider_sort_name"])
    return {case.pk: (case.search_text, case.provider_sort_name) for case in batch}


def search_texts_rewrite(*, provider_id: int | None = None, site_id: int | None = None) -> int:
    """Write again the copied values (``copies_write``) of every submitted case of an ordering provider or a site,
    after its name, NPI or kind changed (``cases.receivers``), ``SEARCH_TEXT_BATCH`` cases a transaction. Safe to run
    twice. How many cases were written."""
    if provider_id is None and site_id is None:
        return 0
    cases = Case.objects.filter(submitted_at__isnull=False)
    if provider_id is not None:
        cases = cases.filter(ordering_provider_id=provider_id)
    if site_id is not None:
        cases = cases.filter(site_id=site_id)
    ids = list(cases.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), SEARCH_TEXT_BATCH):
        copies_write(ids[start : start + SEARCH_TEXT_BATCH])
    return len(ids)


def search_words(term: str) -> list[str]:
    """The words of ``term`` the search matches, lowercased like the search text (at most ``SEARCH_MAX_WORDS``)."""
    return [word.lower() for word in term.split()[:SEARCH_MAX_WORDS]]


def search(cases: QuerySet[Case], term: str) -> QuerySet[Case]:
    """Each word of ``term`` must match one of the values a provider knows a case by (``search_text``): request
    ID, authorization ID, case number, patient name or Patient ID, a line's HCPCS code or description, the
    ordering provider (name or NPI) or the site of service, as a substring, whatever the case. "ada stone" finds
    Ada Stone; "E0260 stone" her hospital bed.

    Each word is a ``LIKE '%word%'`` on the case's own ``search_text`` (copied at submission), so a searched page
    filters the visible cases it reads anyway: no line, patient, provider or site is read per case, and a word
    costs the same whether it is a name, a code or part of an identifier, and whatever its length."""
    for word in search_words(term):
        cases = cases.filter(search_text__contains=word)
    return cases


def tab_counts(cases: QuerySet[Case]) -> dict[str, int]:
    """The number of cases under each tab of one queryset, in one aggregate query (the CSV's scope)."""
    aggregates = {
        tab.key: Count("pk", filter=Q(status__in=tab.statuses)) if tab.statuses else Count("pk") for tab in TABS
    }
    return cases.order_by().aggregate(**aggregates)


# --- The page: disjoint visible parts, each read through its own index ------------------------------


def visible_parts(user, *, grants: permissions.Grants, term: str = "") -> list[QuerySet[Case]]:
    """``permissions.submitted_visible_parts``, each narrowed by the search term: disjoint querysets whose union
    is ``search(submitted_cases(user), term)``."""
    return [search(part, term) for part in permissions.submitted_visible_parts(user, grants=grants)]


def _union_all(querysets: list[QuerySet]) -> QuerySet:
    return querysets[0].union(*querysets[1:], all=True) if len(querysets) > 1 else querysets[0]


def parts_counts(parts: list[QuerySet[Case]]) -> dict[str, int]:
    """The tab counts of the union of disjoint ``parts`` in one query: a UNION ALL of each part's cases counted
    per status (each part an index scan of its own), added up here per tab."""
    per_status = Counter()
    if parts:
        grouped = [
            part.order_by().values("status").annotate(n=Count("pk")).values_list("status", "n") for part in parts
        ]
        for status, number in _union_all(grouped):
            per_status[status] += number
    return {
        tab.key: sum(n for status, n in per_status.items() if tab.statuses is None or status in tab.statuses)
        for tab in TABS
    }


@dataclass(frozen=True)
class PageIds:
    """The ids of one page of a tab, in the sort's order, and the tab's number of cases."""

    ids: list[int]
    total: int


def _sort_columns(sort: str) -> tuple[bool, list[tuple[str, str, bool | None]]]:
    """Whether the sort is descending, and its columns as (key ``sort_0``..., model field, NULLS LAST or None):
    either way, empty values last. A column never empty on a submitted case is ordered plainly, so that the default
    sort's ORDER BY submitted_at DESC, id DESC is the order of the covering indexes (DESC NULLS LAST would not be)."""
    sort = clean_sort(sort)
    column = SORTS[sort.removeprefix("-")]
    return sort.startswith("-"), [
        (f"sort_{index}", name, None if name in NEVER_EMPTY_WHEN_SUBMITTED else True)
        for index, name in enumerate(column.order_by)
    ]


def _sort_keys(sort: str) -> tuple[dict, list]:
    """The sort's values as annotations ``sort_0``, ``sort_1``... (a UNION orders by selected columns only) and
    the ORDER BY over them, then the pk the same way (stable pages)."""
    descending, columns = _sort_columns(sort)
    keys = {key: F(name) for key, name, _ in columns}
    order = [
        F(key).desc(nulls_last=nulls_last) if descending else F(key).asc(nulls_last=nulls_last)
        for key, _, nulls_last in columns
    ]
    return keys, [*order, "-pk" if descending else "pk"]


def page_ids(parts: list[QuerySet[Case]], tab: str, sort: str, *, offset: int, limit: int, total: int) -> PageIds:
    """One page of the tab's ids from disjoint ``parts``, in one query: each part's first ``offset + limit`` ids
    in the sort's order (a part reads its own index, e.g. ``(practice_id, submitted_at)``), UNION ALL, sorted
    and sliced again. SQLite refuses ORDER BY and LIMIT inside a compound statement: there each part is read
    whole (a test database's few rows) and only the union is sorted and sliced; the ids are the same."""
    if not parts or limit <= 0:
        return PageIds(ids=[], total=total)
    keys, order = _sort_keys(sort)
    in_part_limit = connection.features.supports_slicing_ordering_in_compound
    listed = []
    for part in parts:
        ids = in_tab(part, tab).annotate(**keys).values_list("pk", *keys)
        listed.append(ids.order_by(*order)[: offset + limit] if in_part_limit or len(parts) == 1 else ids.order_by())
    rows = _union_all(listed).order_by(*order)[offset : offset + limit] if len(parts) > 1 else listed[0][offset:]
    return PageIds(ids=[row[0] for row in rows], total=total)


@dataclass(frozen=True)
class SearchedPage:
    """The tab counts of a searched list and one page of a tab's ids, read together."""

    counts: dict[str, int]
    offset: int
    ids: list[int]


def searched_page(parts: list[QuerySet[Case]], tab: str, sort: str, *, offset: int, limit: int) -> SearchedPage | None:
    """PostgreSQL, with a search term: the tab counts (``parts_counts``) and the page of ids (``page_ids``) in one
    query, one scan of the visible cases' search text instead of two. A searched part cannot stop at its first
    ids in the sort's order (it reads every entry to find the matches), so its matches are read once, counted per
    tab by window aggregates over all of them, then filtered to the tab, sorted and sliced. None when there is no
    part, or no case of the tab at ``offset`` (past the last page, an empty tab): the counts are not known then,
    and the caller counts on its own (``parts_counts``)."""
    if not parts or limit <= 0:
        return None
    keys, _ = _sort_keys(sort)
    union = _union_all([part.annotate(**keys).order_by().values_list("pk", "status", *keys) for part in parts])
    union_sql, params = union.query.sql_with_params()
    columns = ", ".join(["pk", "status", *keys])
    windows, window_params = [], []
    for index, each in enumerate(TABS):
        if each.statuses:
            windows.append(
                f"COUNT(*) FILTER (WHERE status IN ({', '.join(['%s'] * len(each.statuses))})) OVER () AS n_{index}"
            )
            window_params += list(each.statuses)
        else:
            windows.append(f"COUNT(*) OVER () AS n_{index}")
    statuses = TABS_BY_KEY[clean_tab(tab)].statuses
    where = f"WHERE status IN ({', '.join(['%s'] * len(statuses))})" if statuses else ""
    sql = (
        f"SELECT pk, {', '.join(f'n_{index}' for index in range(len(TABS)))} FROM ("  # noqa: S608 (no user text)
        f"SELECT {columns}, {', '.join(windows)} FROM ({union_sql}) AS visible ({columns})"
        f") AS counted {where} ORDER BY {_order_sql(sort)} LIMIT %s OFFSET %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*window_params, *params, *(statuses or ()), limit, offset])
        rows = cursor.fetchall()
    if not rows:
        return None
    counts = {each.key: rows[0][1 + index] for index, each in enumerate(TABS)}
    return SearchedPage(counts=counts, offset=offset, ids=[row[0] for row in rows])


def _order_sql(sort: str) -> str:
    """``_sort_keys``' ORDER BY as SQL over the columns ``sort_0``, ``sort_1``... and ``pk``."""
    descending, columns = _sort_columns(sort)
    way = "DESC" if descending else "ASC"
    order = [f"{key} {way}" + (" NULLS LAST" if nulls_last else "") for key, _, nulls_last in columns]
    return ", ".join([*order, f"pk {way}"])


# What a row of the page shows, and nothing more, read as values: 25 cases and five related rows each, every
# column more at that cost, and no model instance made (150 a page). The CSV reads its rows whole (with_columns).
ROW_FIELDS = (
    "pk",
    "request_id",
    "authorization_number",
    "status",
    "submitted_at",
    "valid_to",
    "decision_due_at",
    "practice_id",
    "created_by_id",
    "member__first_name",
    "member__last_name",
    "member__member_id",
    "ordering_provider__kind",
    "ordering_provider__first_name",
    "ordering_provider__last_name",
    "ordering_provider__credentials",
    "ordering_provider__organization_name",
    "site__name",
    "health_plan__name",
    "created_by__first_name",
    "created_by__last_name",
    "created_by__username",
)


def page_rows(ids: list[int]) -> list[dict]:
    """The page's cases in the order of ``ids``, as dicts of ``ROW_FIELDS`` (never the clinical answers, a large
    JSON that no column shows) and ``procedure_codes``, their lines' HCPCS codes in line order, read for the whole
    page in one query of (case, code) pairs. ``ids`` come from the user's visible parts."""
    codes: dict[int, dict[str, None]] = {}
    lines = ServiceLine.objects.filter(case_id__in=ids).order_by("case_id", "line_number")
    for case_id, code in lines.values_list("case_id", "hcpcs__code"):
        codes.setdefault(case_id, {})[code] = None
    by_pk = {}
    for row in Case.objects.filter(pk__in=ids).order_by().values(*ROW_FIELDS):
        row["procedure_codes"] = ", ".join(codes.get(row["pk"], ()))
        by_pk[row["pk"]] = row
    return [by_pk[pk] for pk in ids if pk in by_pk]


def page_row(row: dict, grants: permissions.Grants, now: datetime.datetime, url: str) -> dict:
    """One row of the page (a dict of ``page_rows``) as the text of its cells (``url``: the case page's address),
    so that the template reads one key per cell, and filters never run per cell."""
    pending = row["status"] in PENDING_STATUSES
    due = decision_due(row["decision_due_at"], now) if pending else ""
    has_member = row["member__member_id"] is not None
    provider_kind = row["ordering_provider__kind"]
    provider = (
        provider_display_name(
            provider_kind,
            row["ordering_provider__first_name"],
            row["ordering_provider__last_name"],
            row["ordering_provider__credentials"],
            row["ordering_provider__organization_name"],
        )
        if provider_kind is not None
        else ""
    )
    shared = is_shared(row["created_by_id"], row["practice_id"], grants)
    owner = f"{row['created_by__first_name']} {row['created_by__last_name']}".strip() if shared else ""
    return {
        "pk": row["pk"],
        "url": url,
        "request_id": row["request_id"],
        "authorization": row["authorization_number"] or "-",
        "patient": f"{row['member__first_name']} {row['member__last_name']}" if has_member else "-",
        "member_id": row["member__member_id"] or "",
        "status": CaseStatus(row["status"]).label,
        "submitted": timezone.localtime(row["submitted_at"]).strftime("%m/%d/%Y") if row["submitted_at"] else "",
        "end_date": row["valid_to"].strftime("%m/%d/%Y") if row["valid_to"] else "-",
        "procedures": row["procedure_codes"] or "-",
        "provider": provider or "-",
        "site": row["site__name"] or "-",
        "insurer": row["health_plan__name"] or "-",
        "shared_by": (owner or row["created_by__username"]) if shared else "",
        "due": "Overdue" if due == "overdue" else (due[:1].upper() + due[1:]) or "-",
        "overdue": due == "overdue",
    }


def in_tab(cases: QuerySet[Case], tab: str) -> QuerySet[Case]:
    statuses = TABS_BY_KEY[clean_tab(tab)].statuses
    return cases.filter(status__in=statuses) if statuses else cases


def ordered(cases: QuerySet[Case], sort: str) -> QuerySet[Case]:
    """Sorted by a whitelisted column, either way, empty values last, then by pk the same way (stable pages)."""
    sort = clean_sort(sort)
    descending = sort.startswith("-")
    column = SORTS[sort.removeprefix("-")]
    fields = [F(name).desc(nulls_last=True) if descending else F(name).asc(nulls_last=True) for name in column.order_by]
    return cases.order_by(*fields, "-pk" if descending else "pk")


def with_columns(cases: QuerySet[Case]) -> QuerySet[Case]:
    """What a row shows, in a fixed number of queries whatever the number of rows."""
    # The table's columns only (the owner's name for "Shared by"): each join more is planned and read per page.
    return cases.select_related("health_plan", "member", "ordering_provider", "site", "created_by").prefetch_related(
        "service_lines__hcpcs"
    )


def procedures(case: Case) -> str:
    """The case's HCPCS codes, in line order (from the prefetched lines)."""
    lines = sorted(case.service_lines.all(), key=lambda line: line.line_number)
    return ", ".join(dict.fromkeys(line.hcpcs.code for line in lines))


def is_shared(created_by_id: int, practice_id: int | None, grants: permissions.Grants) -> bool:
    """Whether the user sees a case only because its creator shared their worklist with them."""
    if created_by_id == grants.user_id or practice_id in grants.submission_practice_ids:
        return False
    return practice_id not in grants.appeals_practice_ids and created_by_id in grants.delegated_owner_ids


def shared_by(case: Case, grants: permissions.Grants) -> str:
    """The owner's name when the user sees ``case`` only because its creator shared their worklist; else ""."""
    if not is_shared(case.created_by_id, case.practice_id, grants):
        return ""
    owner = case.created_by
    return owner.get_full_name() or owner.get_username()


def is_pending(case: Case) -> bool:
    return case.status in PENDING_STATUSES


def decision_due(due_at: datetime.datetime | None, now: datetime.datetime) -> str:
    """ "due in 2 days 4 hours", "due in 3 hours 5 minutes", "due in 12 minutes", or "overdue"."""
    if due_at is None:
        return ""
    left = due_at - now
    if left <= datetime.timedelta(0):
        return "overdue"
    minutes = int(left.total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)

    def plural(number, word):
        return f"{number} {word}{'' if number == 1 else 's'}"

    if days:
        parts = [plural(days, "day")] + ([plural(hours, "hour")] if hours else [])
    elif hours:
        parts = [plural(hours, "hour")] + ([plural(minutes, "minute")] if minutes else [])
    else:
        parts = [plural(max(minutes, 1), "minute")]
    return "due in " + " ".join(parts)


# --- CSV ------------------------------------------------------------------------------------------

CSV_HEADER = (*(column.label for column in COLUMNS), "Shared by")
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value) -> str:
    """A cell a spreadsheet will not run: text starting with = + - @ (or a tab or CR) gets a leading quote."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def csv_row(case: Case, grants: permissions.Grants, now: datetime.datetime) -> list[str]:
    provider = case.ordering_provider
    values = (
        case.request_id,
        case.authorization_number or "",
        case.member.full_name if case.member else "",
        case.get_status_display(),
        case.submitted_at.strftime("%m/%d/%Y") if case.submitted_at else "",
        case.valid_to.strftime("%m/%d/%Y") if case.valid_to else "",
        procedures(case),
        provider.display_name if provider else "",
        case.site.name if case.site else "",
        case.health_plan.name if case.health_plan else "",
        decision_due(case.decision_due_at, now) if is_pending(case) else "",
        shared_by(case, grants),
    )
    return [csv_cell(value) for value in values]
