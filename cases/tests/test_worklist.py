"""My Worklist / Certification Summary (WL-1, issue 11 item 5): tabs and counts, search, sort, pages, who sees
what, the CSV export, the audit, and a query count that does not grow with the list."""

import csv
import datetime
import io
import json

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import UserFactory
from audit.models import AuditEvent
from cases import permissions, services, worklist
from cases.models import Case, CaseStatus
from cases.tests.factories import draft_case, submitted_case, submitter
from cases.views.worklist import SEARCH_SESSION_KEY
from practices.models import PracticeMembership, WorklistAccess
from practices.tests.factories import PracticeFactory
from practices.tests.test_views import assert_same_queries_as_the_list_grows
from reference.models import HealthPlan, Site
from reference.tests.factories import EligibilityFactory, MemberFactory, ProviderFactory, SiteFactory

pytestmark = pytest.mark.django_db

WORKLIST = reverse("cases:worklist")
CSV = reverse("cases:worklist_csv")


def _set_status(case, status, **fields) -> Case:
    """A decided or withdrawn case for the tabs (the deciding services have their own tests)."""
    if status in (CaseStatus.APPROVED, CaseStatus.PARTIALLY_APPROVED) and not case.authorization_number:
        fields.setdefault("authorization_number", f"A{case.pk:09d}")
    Case.objects.filter(pk=case.pk).update(status=status, **fields)
    case.refresh_from_db()
    if "authorization_number" in fields:
        worklist.search_text_save(case)  # as a decision that assigns the number does
    return case


def _member(**fields):
    """A patient covered by the plan the factories submit under."""
    member = MemberFactory(**fields)
    plan = HealthPlan.objects.get(code="cigna-commercial")
    EligibilityFactory(member=member, health_plan=plan, coverage_start=datetime.date(2020, 1, 1))
    return member


def _site(name):
    return SiteFactory(name=name, kind=Site.Kind.HOME_HEALTH_AGENCY)


def _cases_of(user, count=1, **kwargs) -> list[Case]:
    return [submitted_case(user=user, **kwargs) for _ in range(count)]


def _listed(response) -> list[str]:
    return [row["request_id"] for row in response.context["rows"]]


def _search(client, term, **params):
    response = client.post(WORKLIST, {"q": term, **params})
    assert response.status_code == 302
    assert term not in response.url
    return client.get(response.url)


@pytest.fixture
def owner(catalog):
    return submitter(UserFactory(first_name="Olive", last_name="Owner"))


@pytest.fixture
def client_of(signed_in_client):
    return signed_in_client


# --- Pure functions --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("left", "words"),
    [
        (datetime.timedelta(days=2, hours=4, minutes=10), "due in 2 days 4 hours"),
        (datetime.timedelta(days=1), "due in 1 day"),
        (datetime.timedelta(hours=3, minutes=5), "due in 3 hours 5 minutes"),
        (datetime.timedelta(hours=1), "due in 1 hour"),
        (datetime.timedelta(minutes=12, seconds=30), "due in 12 minutes"),
        (datetime.timedelta(seconds=20), "due in 1 minute"),
        (datetime.timedelta(0), "overdue"),
        (-datetime.timedelta(days=3), "overdue"),
    ],
)
def test_the_decision_due_time_in_words(left, words):
    now = timezone.now()
    assert worklist.decision_due(now + left, now) == words


def test_no_due_time_is_no_words():
    assert worklist.decision_due(None, timezone.now()) == ""


@pytest.mark.parametrize("value", ["=1+2", "+1", "-1", "@SUM(A1)", "\tx", "\rx"])
def test_a_csv_cell_that_a_spreadsheet_would_run_gets_a_leading_quote(value):
    assert worklist.csv_cell(value) == "'" + value


@pytest.mark.parametrize("value", ["Ada Stone", "0123456789", "", None, "a=b"])
def test_other_csv_cells_are_left_as_they_are(value):
    assert worklist.csv_cell(value) == ("" if value is None else value)


@pytest.mark.parametrize("value", ["", None, "nope", "-", "--submitted", "-pk", "created_by", 3, ["status"]])
def test_an_unknown_sort_is_the_default(value):
    assert worklist.clean_sort(value) == worklist.DEFAULT_SORT


def test_a_search_term_is_bounded():
    assert worklist.clean_term("  ada\x00   stone ") == "ada stone"
    assert len(worklist.clean_term("x" * 2000)) == worklist.SEARCH_MAX_CHARS
    assert worklist.clean_term(None) == ""


# --- Visitors and the navigation -------------------------------------------------------------------


@pytest.mark.parametrize("url", [WORKLIST, CSV])
def test_a_visitor_is_sent_to_log_in(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


def test_the_carecore_bar_and_the_dashboard_lead_to_the_worklist(owner, client_of):
    client = client_of(owner)
    assert f'href="{WORKLIST}">Certification Summary</a>' in client.get(reverse("cases:carecore_home")).content.decode()
    assert f'href="{WORKLIST}"' in client.get(reverse("portal:home")).content.decode()


def test_continue_on_a_submitted_case_leads_to_its_case_page_and_the_worklist_lists_it(owner, client_of):
    case = submitted_case(user=owner)
    client = client_of(owner)
    summary = client.get(reverse("cases:summary", args=[case.request_id])).content.decode()
    case_page = reverse("cases:case_detail", args=[case.request_id])
    assert f'<a class="button" href="{case_page}">Continue</a>' in summary
    assert _listed(client.get(WORKLIST)) == [case.request_id]


# --- Tabs and counts -------------------------------------------------------------------------------


def test_each_tab_lists_its_statuses_and_every_tab_shows_its_count(owner, client_of):
    pending, on_hold, approved, partial, denied, cancelled = _cases_of(owner, 6)
    _set_status(on_hold, CaseStatus.ON_HOLD)
    _set_status(approved, CaseStatus.APPROVED)
    _set_status(partial, CaseStatus.PARTIALLY_APPROVED)
    _set_status(denied, CaseStatus.DENIED)
    _set_status(cancelled, CaseStatus.CANCELLED)
    client = client_of(owner)
    expected = {
        "pending": {pending.request_id, on_hold.request_id},
        "approved": {approved.request_id},
        "partially_approved": {partial.request_id},
        "denied": {denied.request_id},
        "cancelled": {cancelled.request_id},
        "all": {c.request_id for c in (pending, on_hold, approved, partial, denied, cancelled)},
    }
    for tab, ids in expected.items():
        response = client.get(WORKLIST, {"tab": tab})
        assert set(_listed(response)) == ids, tab
        assert {t["key"]: t["count"] for t in response.context["tabs"]} == {k: len(v) for k, v in expected.items()}
    page = client.get(WORKLIST).content.decode()
    for label in ("Pending (2)", "Approved (1)", "Partially Approved (1)", "Denied (1)", "Cancelled (1)"):
        assert label in page
    assert "All Statuses (6)" in page
    assert 'aria-current="page"><strong>Pending (2)</strong>' in page


def test_the_counts_are_one_aggregate_query(owner, django_assert_num_queries):
    _cases_of(owner, 2)
    parts = worklist.visible_parts(owner, grants=permissions.grants_of(owner))
    with django_assert_num_queries(1):
        assert worklist.parts_counts(parts)["pending"] == 2


@pytest.mark.parametrize(
    "params",
    [
        {"tab": "nope"},
        {"tab": "\x00"},
        {"page": "x"},
        {"page": "999"},
        {"page": "-1"},
        {"sort": "password"},
        {"sort": "-" * 500},
        {"sort": "created_by__password"},
    ],
)
def test_bad_tab_page_or_sort_values_show_the_default_not_an_error(owner, client_of, params):
    case = submitted_case(user=owner)
    response = client_of(owner).get(WORKLIST, params)
    assert response.status_code == 200
    assert _listed(response) == [case.request_id]


# --- Who sees what ---------------------------------------------------------------------------------


def test_drafts_are_never_listed(owner, client_of):
    draft_case(user=owner)
    cancelled_draft = draft_case(user=owner)
    services.case_cancel_draft(case=cancelled_draft, user=owner)
    response = client_of(owner).get(WORKLIST, {"tab": "all"})
    assert _listed(response) == []
    assert "No Data Available" in response.content.decode()


def test_a_colleague_with_case_submission_sees_the_practices_cases_and_a_member_without_it_does_not(owner, client_of):
    case = submitted_case(user=owner)
    practice = case.practice
    colleague = submitter(practice=practice)
    member = UserFactory()
    PracticeMembership.objects.create(user=member, practice=practice)
    assert _listed(client_of(colleague).get(WORKLIST)) == [case.request_id]
    assert _listed(client_of(member).get(WORKLIST)) == []


def test_another_practices_cases_never_appear_not_even_in_a_search_or_the_csv(owner, client_of):
    mine = submitted_case(user=owner)
    theirs = submitted_case(user=submitter(practice=PracticeFactory()))
    client = client_of(owner)
    for tab in ("pending", "all"):
        assert _listed(client.get(WORKLIST, {"tab": tab})) == [mine.request_id]
    assert _listed(_search(client, theirs.request_id, tab="all")) == []
    assert _listed(_search(client, theirs.member.member_id, tab="all")) == []
    client.post(WORKLIST, {"clear": "1"})
    body = b"".join(client.get(CSV, {"tab": "all"}).streaming_content).decode()
    assert mine.request_id in body and theirs.request_id not in body


def test_a_shared_worklists_cases_are_marked_with_the_owners_name(owner, client_of):
    case = submitted_case(user=owner)
    delegate = submitter(practice=PracticeFactory())
    own = submitted_case(user=delegate)
    WorklistAccess.objects.create(owner=owner, grantee=delegate)
    response = client_of(delegate).get(WORKLIST)
    rows = {row["request_id"]: row["shared_by"] for row in response.context["rows"]}
    assert rows == {case.request_id: "Olive Owner", own.request_id: ""}
    assert "Shared by Olive Owner" in response.content.decode()
    # A revoked grant takes the owner's cases away.
    WorklistAccess.objects.filter(owner=owner).update(revoked_at=timezone.now())
    assert _listed(client_of(delegate).get(WORKLIST)) == [own.request_id]


def test_a_delegate_does_not_see_the_owners_drafts(owner, client_of):
    draft_case(user=owner)
    delegate = UserFactory()
    WorklistAccess.objects.create(owner=owner, grantee=delegate)
    assert _listed(client_of(delegate).get(WORKLIST, {"tab": "all"})) == []


# --- Columns ---------------------------------------------------------------------------------------


def test_a_row_shows_every_column_and_the_decision_due_time(owner, client_of):
    case = submitted_case(user=owner)
    Case.objects.filter(pk=case.pk).update(
        decision_due_at=timezone.now() + datetime.timedelta(days=2, hours=4, minutes=5)
    )
    response = client_of(owner).get(WORKLIST)
    page = response.content.decode()
    for label in (
        "Request ID",
        "Authorization ID",
        "Patient",
        "Status",
        "Submitted",
        "End Date",
        "Procedure",
        "Ordering Provider",
        "Site of Service",
        "Insurer",
        "Decision Due",
    ):
        assert f'<td data-label="{label}">' in page
        assert f">{label}</a></th>" in page or f">{label}<span" in page
    codes = ", ".join(line.hcpcs.code for line in case.service_lines.order_by("line_number"))
    assert codes and codes in page
    assert case.member.full_name in page and case.ordering_provider.display_name in page
    assert case.site.name in page and case.health_plan.name in page
    assert "Due in 2 days 4 hours" in page
    assert 'class="table table--stack"' in page


def test_an_overdue_case_says_so_and_a_decided_case_has_no_due_time(owner, client_of):
    late, approved = _cases_of(owner, 2)
    Case.objects.filter(pk=late.pk).update(decision_due_at=timezone.now() - datetime.timedelta(hours=1))
    _set_status(approved, CaseStatus.APPROVED, valid_to=datetime.date(2027, 3, 31))
    client = client_of(owner)
    assert "<strong>Overdue</strong>" in client.get(WORKLIST).content.decode()
    response = client.get(WORKLIST, {"tab": "approved"})
    (row,) = response.context["rows"]
    assert row["due"] == "-" and not row["overdue"]
    assert "03/31/2027" in response.content.decode()


# --- Search ----------------------------------------------------------------------------------------


@pytest.fixture
def findable(owner):
    """One case with distinct values in every searchable column, and one other case."""
    member = _member(first_name="Zelda", last_name="Quillfeather", member_id="ZQ99887766")
    provider = ProviderFactory(first_name="Ivo", last_name="Marchetti", organization_name="")
    site = _site("Harbourview Home Care")
    case = submitted_case(user=owner, member=member, ordering_provider=provider, site=site)
    case = _set_status(case, CaseStatus.APPROVED, authorization_number="AUTH7654321")
    other = submitted_case(user=owner)
    return case, other


def _searchable_values(case):
    return {
        "request ID": case.request_id,
        "authorization ID": "auth7654321",
        "case number": case.case_number,
        "patient first name": "zelda",
        "patient last name": "QUILLFEATHER",
        "patient full name": "Zelda Quillfeather",
        "Patient ID": "ZQ99887766",
        "procedure": case.service_lines.first().hcpcs.code,
        "ordering provider": "Marchetti",
        "provider NPI": case.ordering_provider.npi,
        "site of service": "Harbourview",
    }


@pytest.mark.parametrize(
    "field",
    [
        "request ID",
        "authorization ID",
        "case number",
        "patient first name",
        "patient last name",
        "patient full name",
        "Patient ID",
        "ordering provider",
        "provider NPI",
        "site of service",
    ],
)
def test_each_search_field_finds_the_case(findable, owner, client_of, field):
    case, _other = findable
    response = _search(client_of(owner), _searchable_values(case)[field], tab="all")
    assert _listed(response) == [case.request_id]
    assert response.context["term"]


def test_a_procedure_code_finds_every_case_with_that_line(findable, owner, client_of):
    case, other = findable
    code = case.service_lines.first().hcpcs.code
    expected = {c.request_id for c in (case, other) if c.service_lines.filter(hcpcs__code=code).exists()}
    assert set(_listed(_search(client_of(owner), code, tab="all"))) == expected


@pytest.mark.parametrize("term", ["", "G0", "Quillfeather", "nothing-matches"])
@pytest.mark.parametrize("tab", ["pending", "approved", "all"])
def test_a_searched_listing_counts_and_lists_what_the_search_matches(findable, owner, term, tab):
    """The parts' counts and page are the aggregate over the search and the search narrowed to the tab (the
    overlapping grants are in test_worklist_parts.py)."""
    _set_status(submitted_case(user=owner), CaseStatus.DENIED)
    grants = permissions.grants_of(owner)
    found = worklist.search(worklist.submitted_cases(owner, grants=grants), term)
    parts = worklist.visible_parts(owner, grants=grants, term=term)
    counts = worklist.parts_counts(parts)
    assert counts == worklist.tab_counts(found)
    listed = worklist.page_ids(parts, tab, "-procedure", offset=0, limit=25, total=counts[tab])
    assert listed.ids == list(worklist.ordered(worklist.in_tab(found, tab), "-procedure").values_list("pk", flat=True))


def test_the_search_narrows_the_counts_and_is_kept_across_tabs_until_cleared(findable, owner, client_of):
    case, _other = findable
    client = client_of(owner)
    response = _search(client, "Quillfeather", tab="pending")
    assert _listed(response) == []
    assert {t["key"]: t["count"] for t in response.context["tabs"]}["approved"] == 1
    assert {t["key"]: t["count"] for t in response.context["tabs"]}["all"] == 1
    assert _listed(client.get(WORKLIST, {"tab": "approved"})) == [case.request_id]
    assert "Clear search" in client.get(WORKLIST).content.decode()
    client.post(WORKLIST, {"q": "Quillfeather", "clear": "1", "tab": "all"})
    assert SEARCH_SESSION_KEY not in client.session
    assert len(_listed(client.get(WORKLIST, {"tab": "all"}))) == 2


def test_the_search_term_never_reaches_a_url_or_the_audit_log(findable, owner, client_of):
    client = client_of(owner)
    response = client.post(WORKLIST, {"q": "Zelda Quillfeather", "tab": "all", "sort": "patient"})
    assert response.status_code == 302
    assert response.url == f"{WORKLIST}?tab=all&sort=patient"
    page = client.get(response.url).content.decode()
    assert 'value="Zelda Quillfeather"' in page
    for href in (link.split('"')[0] for link in page.split('href="')[1:]):
        assert "Zelda" not in href and "Quillfeather" not in href
    assert "Quillfeather" not in json.dumps(list(AuditEvent.objects.values_list("details", flat=True)))


def test_hostile_search_terms_are_harmless(owner, client_of):
    submitted_case(user=owner)
    client = client_of(owner)
    for term in ("x" * 2000, "\x00", "' OR '1'='1", "%", "_", "<script>alert(1)</script>"):
        response = _search(client, term, tab="all")
        assert response.status_code == 200
        assert "<script>alert(1)</script>" not in response.content.decode()


# --- Sort and pages --------------------------------------------------------------------------------


@pytest.mark.parametrize("key", [column.key for column in worklist.COLUMNS])
def test_every_column_sorts_both_ways_with_a_stable_tie_breaker(owner, client_of, key):
    cases = _cases_of(owner, 3)
    client = client_of(owner)
    up = _listed(client.get(WORKLIST, {"sort": key}))
    down = _listed(client.get(WORKLIST, {"sort": f"-{key}"}))
    assert sorted(up) == sorted(c.request_id for c in cases)
    assert up == _listed(client.get(WORKLIST, {"sort": key}))  # the same order each time
    if key in ("request_id", "submitted"):
        assert up == list(reversed(down))


def test_sorting_by_patient_orders_by_last_name(owner, client_of):
    b = submitted_case(user=owner, member=_member(first_name="Ann", last_name="Baker"))
    a = submitted_case(user=owner, member=_member(first_name="Zed", last_name="Abbott"))
    client = client_of(owner)
    assert _listed(client.get(WORKLIST, {"sort": "patient"})) == [a.request_id, b.request_id]
    response = client.get(WORKLIST, {"sort": "-patient"})
    assert _listed(response) == [b.request_id, a.request_id]
    page = response.content.decode()
    assert 'aria-sort="descending"' in page
    assert f'href="{WORKLIST}?tab=pending&amp;sort=patient"' in page  # the current column turns around


def test_pages_of_25_keep_the_tab_and_sort(owner, client_of):
    cases = _cases_of(owner, 26)
    client = client_of(owner)
    first = client.get(WORKLIST, {"sort": "request_id"})
    assert len(first.context["rows"]) == 25
    assert f"{WORKLIST}?tab=pending&amp;sort=request_id&amp;page=2" in first.content.decode()
    second = client.get(WORKLIST, {"sort": "request_id", "page": 2})
    assert _listed(second) == [max(c.request_id for c in cases)]


def test_the_query_count_does_not_grow_with_the_list(owner, client_of, django_assert_num_queries):
    _cases_of(owner, 2)
    client = client_of(owner)
    client.get(WORKLIST)  # the session's first reads
    _search(client, "G0", tab="all")  # every Home Health line's code: the search's subquery in each count

    def more_rows():
        for index in range(4):
            case = submitted_case(user=owner)
            if index % 2:
                _set_status(case, CaseStatus.APPROVED)

    assert_same_queries_as_the_list_grows(client, django_assert_num_queries, f"{WORKLIST}?tab=all", more_rows)


# --- Audit -----------------------------------------------------------------------------------------


def test_a_page_of_patients_is_audited_with_ids_only_and_an_empty_page_is_not(findable, owner, client_of):
    case, _other = findable
    client = client_of(owner)
    AuditEvent.objects.all().delete()
    client.get(WORKLIST, {"tab": "cancelled"})
    assert not AuditEvent.objects.filter(action="worklist.viewed").exists()
    _search(client, "Zelda", tab="all")
    event = AuditEvent.objects.get(action="worklist.viewed")
    assert event.actor == owner
    assert event.details == {"tab": "all", "sort": "-submitted", "page": 1, "searched": True, "cases": [case.pk]}


# --- CSV -------------------------------------------------------------------------------------------


def _csv(client, **params) -> list[list[str]]:
    response = client.get(CSV, params)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith('attachment; filename="certification-summary-')
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


def test_the_csv_is_the_current_view_on_every_page_and_is_audited(findable, owner, client_of):
    case, _other = findable
    _cases_of(owner, 25)
    client = client_of(owner)
    rows = _csv(client, tab="all", sort="request_id")
    assert rows[0] == list(worklist.CSV_HEADER)
    assert len(rows) == 1 + 27
    ids = [row[0] for row in rows[1:]]
    assert ids == sorted(ids)
    _search(client, "Quillfeather", tab="approved")
    (_header, row) = _csv(client, tab="approved", sort="request_id")
    assert row[:4] == [case.request_id, "AUTH7654321", "Zelda Quillfeather", "Approved"]
    assert row[7:10] == [case.ordering_provider.display_name, "Harbourview Home Care", case.health_plan.name]
    event = AuditEvent.objects.filter(action="worklist.exported").latest("pk")
    assert event.details == {"tab": "approved", "sort": "request_id", "searched": True, "count": 1}


def test_the_csv_escapes_cells_a_spreadsheet_would_run(owner, client_of):
    member = _member(first_name='=HYPERLINK("http://x")', last_name="@Evil")
    site = _site("+Site")
    case = submitted_case(user=owner, member=member, site=site)
    (_header, row) = _csv(client_of(owner), tab="all")
    assert row[0] == case.request_id
    assert row[2] == '\'=HYPERLINK("http://x") @Evil'
    assert row[8] == "'+Site"


def test_the_csv_answers_only_get(owner, client_of):
    assert client_of(owner).post(CSV).status_code == 405
