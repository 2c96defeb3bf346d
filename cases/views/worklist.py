"""My Worklist, CareCore's Certification Summary (WL-1, issue 11 item 5), and its CSV export.

The search term may be a patient's name or Patient ID (PHI), and no PHI goes in a URL (browser history,
proxies and access logs keep URLs): the search box posts the term, the view keeps it in the user's
server-side session and redirects to the list (POST-redirect-GET). The list's own address carries only the
tab, the sort and the page. The term stays until it is cleared or the session ends, so the tabs, the pages,
the sort links and the CSV export all apply it. The term is never logged nor written to the audit log.
"""

import csv
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from audit.services import audit_record
from cases import worklist
from cases.views.common import request_grants
from portal.pagination import CountedPaginator

PAGE_SIZE = 25
SEARCH_SESSION_KEY = "cases.worklist.search"
CSV_CHUNK = 500


def _state(request, source) -> tuple[str, str]:
    return worklist.clean_tab(source.get("tab")), worklist.clean_sort(source.get("sort"))


def _address(name, *, tab, sort, page=None) -> str:
    params = {"tab": tab, "sort": sort}
    if page is not None:
        params["page"] = page
    return f"{reverse(name)}?{urlencode(params)}"


@login_required
@require_http_methods(["GET", "POST"])
def worklist_page(request):
    if request.method == "POST":
        return _search(request)
    tab, sort = _state(request, request.GET)
    return render(
        request,
        "cases/worklist.html",
        worklist_context(request, tab=tab, sort=sort, page_number=request.GET.get("page")),
    )


class _PageSource:
    """What the paginator slices: ``[bottom:top]`` reads that page's ids (``worklist.page_ids``), nothing more; or
    returns them from ``known`` (a ``worklist.SearchedPage`` read with the counts) when it is that page."""

    def __init__(self, parts, tab, sort, total, known=None):
        self.parts, self.tab, self.sort, self.total, self.known = parts, tab, sort, total, known

    def __getitem__(self, window: slice) -> list[int]:
        offset = window.start or 0
        if self.known is not None and self.known.offset == offset:
            return self.known.ids[: window.stop - offset]
        found = worklist.page_ids(
            self.parts, self.tab, self.sort, offset=offset, limit=window.stop - offset, total=self.total
        )
        return found.ids


def _page_offset(page_number) -> int:
    """The first row of the page asked for, as the paginator reads it (anything but a number from 1 up: page 1)."""
    try:
        number = int(page_number)
    except (TypeError, ValueError):
        number = 1
    return (max(number, 1) - 1) * PAGE_SIZE


def may_have_cases(request) -> bool:
    """Whether the user can have submitted cases to list: a practice entitlement, a shared worklist or their own
    requests (the dashboard embeds My Worklist for them only)."""
    grants = request_grants(request)
    if grants.submission_practice_ids or grants.appeals_practice_ids or grants.delegated_owner_ids:
        return True
    return request.user.cases.filter(submitted_at__isnull=False).exists()


def worklist_context(request, *, tab=worklist.DEFAULT_TAB, sort=worklist.DEFAULT_SORT, page_number=None) -> dict:
    """The list's context for ``templates/cases/_worklist.html``, on its own page and embedded in the dashboard."""
    term = worklist.clean_term(request.session.get(SEARCH_SESSION_KEY, ""))
    grants = request_grants(request)
    # The visible cases as disjoint parts (own, the practices', shared worklists'), each read through its index:
    # the tab counts in one query, the page's ids in another, then those 25 rows with what the table shows.
    parts = worklist.visible_parts(request.user, grants=grants, term=term)
    # Searched, on PostgreSQL: the counts and the page in one scan of the search text (else counted again below,
    # e.g. for a page past the last one).
    known = None
    if term and connection.vendor == "postgresql":
        known = worklist.searched_page(parts, tab, sort, offset=_page_offset(page_number), limit=PAGE_SIZE)
    counts = known.counts if known is not None else worklist.parts_counts(parts)
    # The tab's count is already in the counts: the paginator does not count the list a second time.
    source = _PageSource(parts, tab, sort, counts[tab], known)
    page = CountedPaginator(source, PAGE_SIZE, count=counts[tab]).get_page(page_number)
    ids = list(page.object_list)
    now = timezone.now()
    rows = [
        worklist.page_row(row, grants, now, reverse("cases:case_detail", args=[row["request_id"]]))
        for row in worklist.page_rows(ids)
    ]
    if rows:
        # A page of patients' names is a PHI read (SEC-2): ids only, never the term.
        audit_record(
            action="worklist.viewed",
            request=request,
            details={"tab": tab, "sort": sort, "page": page.number, "searched": bool(term), "cases": ids},
        )
    return {
        "tabs": [
            {
                "key": t.key,
                "label": t.label,
                "count": counts[t.key],
                "url": _address("cases:worklist", tab=t.key, sort=sort),
                "current": t.key == tab,
            }
            for t in worklist.TABS
        ],
        "tab": tab,
        "tab_label": worklist.TABS_BY_KEY[tab].label,
        "sort": sort,
        "columns": _columns(tab, sort),
        # The column headers are hidden on a phone (the table stacks): the same sorts as a GET form.
        "sort_options": [
            (f"{prefix}{column.key}", f"{column.label}, {way}")
            for column in worklist.COLUMNS
            for prefix, way in (("", "ascending"), ("-", "descending"))
        ],
        "rows": rows,
        "page_obj": page,
        "previous_url": _page_address(tab, sort, page.previous_page_number() if page.has_previous() else None),
        "next_url": _page_address(tab, sort, page.next_page_number() if page.has_next() else None),
        "term": term,
        "csv_url": _address("cases:worklist_csv", tab=tab, sort=sort),
    }


def _page_address(tab, sort, number) -> str:
    return _address("cases:worklist", tab=tab, sort=sort, page=number) if number is not None else ""


def _search(request):
    """The search box: keep the term in the session (never in the URL) and show the list's first page."""
    tab, sort = _state(request, request.POST)
    term = "" if "clear" in request.POST else worklist.clean_term(request.POST.get("q", ""))
    if term:
        request.session[SEARCH_SESSION_KEY] = term
    else:
        request.session.pop(SEARCH_SESSION_KEY, None)
    return redirect(_address("cases:worklist", tab=tab, sort=sort))


def _columns(tab, sort) -> list[dict]:
    current, descending = sort.removeprefix("-"), sort.startswith("-")
    columns = []
    for column in worklist.COLUMNS:
        is_current = column.key == current
        # A click on the current column turns it around; any other column sorts ascending first.
        next_sort = column.key if (not is_current or descending) else f"-{column.key}"
        columns.append(
            {
                "label": column.label,
                "url": _address("cases:worklist", tab=tab, sort=next_sort),
                "aria_sort": ("descending" if descending else "ascending") if is_current else "",
            }
        )
    return columns


class _Echo:
    """csv.writer writes to it; each row comes back as the line to stream."""

    def write(self, value):
        return value


@login_required
@require_GET
def worklist_csv(request):
    """The current view (tab, search term, sort) as CSV, every page of it, streamed."""
    tab, sort = _state(request, request.GET)
    term = worklist.clean_term(request.session.get(SEARCH_SESSION_KEY, ""))
    grants = request_grants(request)
    found = worklist.search(worklist.submitted_cases(request.user, grants=grants), term)
    listed = worklist.with_columns(worklist.ordered(worklist.in_tab(found, tab), sort))
    audit_record(
        action="worklist.exported",
        request=request,
        details={"tab": tab, "sort": sort, "searched": bool(term), "count": listed.count()},
    )
    now = timezone.now()
    writer = csv.writer(_Echo())

    def lines():
        yield writer.writerow(worklist.CSV_HEADER)
        for case in listed.iterator(chunk_size=CSV_CHUNK):
            yield writer.writerow(worklist.csv_row(case, grants, now))

    stamp = timezone.localtime(now).strftime("%Y%m%d-%H%M")
    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="certification-summary-{tab}-{stamp}.csv"'
    return response
