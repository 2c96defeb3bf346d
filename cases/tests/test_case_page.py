"""The provider's case page (WL-1, WL-2, CMS-1, CMS-2; issue 11 item 6): what each status shows, the decision clock,
the denial's specific reason, the hold, the timeline, the actions the permission module allows, who may open it,
and a query count that does not grow with the lines and events."""

import datetime
import html

import pytest
from django.contrib.auth.models import Permission
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from accounts.tests.factories import UserFactory
from audit.models import AuditEvent
from cases import case_page, decisions, events, holds, permissions, queue, services
from cases.models import Case, CaseEvent, CaseStatus, HoldItem, ServiceLine
from cases.tests.factories import draft_case, submitted_case
from cases.tests.test_decisions import DENIAL, determine_all, guideline_for
from cases.tests.test_service_lines import dme_case
from correspondence.letters import letter_render
from correspondence.models import Letter
from practices.models import PracticeMembership, WorklistAccess
from practices.tests.test_views import assert_same_queries_as_the_list_grows

pytestmark = pytest.mark.django_db

S = CaseStatus
NOW = datetime.datetime(2026, 3, 2, 12, 0, tzinfo=datetime.UTC)


def page_url(case) -> str:
    return reverse("cases:case_detail", args=[case.request_id])


def text_of(response) -> str:
    return html.unescape(response.content.decode())


@pytest.fixture
def reviewer(db):
    user = UserFactory(is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="review_case"))
    return user


def us(day) -> str:
    return day.strftime("%m/%d/%Y")


# --- Wording (pure) --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("due", "expected", "overdue"),
    [
        (NOW + datetime.timedelta(days=2, hours=4, minutes=10), "Decision due in 2 days 4 hours", False),
        (NOW + datetime.timedelta(days=1), "Decision due in 1 day", False),
        (NOW + datetime.timedelta(hours=3, minutes=5), "Decision due in 3 hours 5 minutes", False),
        (NOW + datetime.timedelta(seconds=20), "Decision due in 1 minute", False),
        (NOW - datetime.timedelta(hours=3), "Decision overdue by 3 hours", True),
        (NOW - datetime.timedelta(days=2, minutes=1), "Decision overdue by 2 days", True),
        (NOW, "Decision overdue by 1 minute", True),
    ],
)
def test_the_decision_clock_says_how_long_is_left_or_how_late_it_is(due, expected, overdue):
    clock = case_page.decision_clock(status=S.PENDING_REVIEW, due_at=due, now=NOW)
    assert (clock.text, clock.overdue) == (expected, overdue)


@pytest.mark.parametrize("status", [S.APPROVED, S.PARTIALLY_APPROVED, S.DENIED, S.CANCELLED])
def test_a_decided_or_withdrawn_case_has_no_clock(status):
    assert case_page.decision_clock(status=status, due_at=NOW - datetime.timedelta(days=1), now=NOW) is None


def test_every_event_kind_has_words_and_a_bad_payload_gives_no_error():
    for kind in CaseEvent.Kind.values:
        assert case_page.event_text(kind, {}).endswith(".")
        assert "None" not in case_page.event_text(kind, {"round": "initial", "status": "upheld", "sequence": 2})
    assert case_page.event_text("status_changed", {"from": "pending_review", "to": "on_hold"}) == (
        "Status changed from Pending Medical Review to On Hold."
    )
    assert case_page.event_text("hold_placed", {"due_on": "2026-03-09"}).endswith("due 03/09/2026.")
    assert case_page.event_text("hold_placed", {"due_on": "not a date"})
    assert case_page.event_text("unknown", {}) == "Updated."


# --- What each status shows ------------------------------------------------------------------------------------


def test_a_pending_case_shows_its_identifiers_people_lines_and_clock(catalog, signed_in_client):
    case = submitted_case()
    Case.objects.filter(pk=case.pk).update(
        decision_due_at=timezone.now() + datetime.timedelta(days=2, hours=4, minutes=5)
    )
    response = signed_in_client(case.created_by).get(page_url(case))
    assert response.status_code == 200
    text = text_of(response)
    for expected in (
        "Status: Pending Medical Review",
        case.case_number,
        case.request_id,
        "Decision due in 2 days 4 hours",
        case.member.full_name,
        case.member.member_id,
        us(case.member.date_of_birth),
        case.ordering_provider.display_name,
        case.site.name,
        case.health_plan.name,
        "Not decided yet.",
        "Request submitted.",
    ):
        assert expected in text, expected
    for line in case.service_lines.all():
        assert f"Line {line.line_number}: {line.hcpcs.code}" in text
        assert f"{line.quantity} {line.unit}" in text
    assert 'class="error-message"' not in text
    assert reverse("cases:summary", args=[case.request_id]) in text
    assert reverse("cases:summary_pdf", args=[case.request_id]) in text
    viewed = AuditEvent.objects.get(action="case.viewed", target_id=str(case.pk))
    assert viewed.details == {"page": "case"}


def test_an_overdue_case_says_so_in_words_and_in_red(catalog, signed_in_client):
    case = submitted_case()
    Case.objects.filter(pk=case.pk).update(decision_due_at=timezone.now() - datetime.timedelta(hours=3, minutes=2))
    text = text_of(signed_in_client(case.created_by).get(page_url(case)))
    assert '<strong class="error-message">Decision overdue by 3 hours 2 minutes</strong>' in text


def test_an_extended_due_time_shows_the_new_time_its_reason_and_the_clock_counts_to_it(
    catalog, signed_in_client, reviewer
):
    case = submitted_case()
    new_due = case.decision_due_at + datetime.timedelta(days=3)
    queue.due_date_extend(case=case, new_due_at=new_due, reason="Waiting for the peer reviewer.", by=reviewer)
    text = text_of(signed_in_client(case.created_by).get(page_url(case)))
    local = timezone.localtime(new_due)
    assert f"To {local:%m/%d/%Y} {local:%-I}:{local:%M} {local:%p}: Waiting for the peer reviewer." in text
    assert f"Decision due time extended to {local:%m/%d/%Y %I:%M %p}." in text
    assert "Decision due in " in text


def test_an_approved_case_shows_its_authorization_number_and_validity_without_a_clock(catalog, signed_in_client):
    case = submitted_case(approved=True)
    assert case.status == S.APPROVED
    text = text_of(signed_in_client(case.created_by).get(page_url(case)))
    assert case.authorization_number in text
    assert f"{us(case.valid_from)} \N{EN DASH} {us(case.valid_to)}" in text
    assert "Decision due in" not in text and "overdue" not in text
    line = case.service_lines.first()
    assert "Initial review: Approved" in text
    assert f"{line.quantity} {line.unit}" in text
    assert "Initial review decided: Approved." in text


def test_a_partially_approved_case_shows_each_denial_with_its_specific_reason(catalog, signed_in_client, reviewer):
    case = dme_case()
    guideline = guideline_for("dme")
    determine_all(case, "adx", by=reviewer, guideline=guideline)
    case = decisions.case_decide(case=case, round="initial", by=reviewer)
    assert case.status == S.PARTIALLY_APPROVED
    text = text_of(signed_in_client(case.created_by).get(page_url(case)))
    assert "Status: Partially Approved" in text
    assert "Initial review: Approved" in text and "Initial review: Denied" in text
    assert "Initial review: Alternative Offered" in text and "A standard wheelchair (K0001)." in text
    assert text.count(DENIAL["criterion"]) == 2 and text.count(DENIAL["documentation"]) == 2
    assert f"{guideline.title} ({guideline.version})" in text
    assert f"{reverse('resources:clinical_guidelines')}?health_plan=EviCore+healthcare&program=dme" in text
    assert case.authorization_number in text
    # Only the line that offers an alternative has "Accept the alternative", for whom case_actions allows it.
    offered = case.service_lines.get(line_number=3)
    accept = reverse("cases:alternative", args=[case.request_id, offered.line_number])
    assert text.count("Accept the alternative") == 1 and f'href="{accept}"' in text
    delegate = UserFactory()
    WorklistAccess.objects.create(owner=case.created_by, grantee=delegate)
    assert "Accept the alternative" not in text_of(signed_in_client(delegate).get(page_url(case)))


def test_a_denied_case_shows_no_authorization_and_the_reason(catalog, signed_in_client, reviewer):
    case = dme_case()
    determine_all(case, "ddd", by=reviewer, guideline=guideline_for("dme"))
    case = decisions.case_decide(case=case, round="initial", by=reviewer)
    text = text_of(signed_in_client(case.created_by).get(page_url(case)))
    assert "Status: Denied" in text
    assert "Authorization Number</dt><dd>-" in text
    assert text.count("Criterion not met") == 3
    assert "Initial review decided: Denied." in text


def test_a_held_case_shows_what_is_needed_by_when_and_the_timeline(catalog, signed_in_client, reviewer):
    case = submitted_case()
    due = timezone.localdate() + datetime.timedelta(days=7)
    holds.hold_place(
        case=case,
        items=[HoldItem.PROGRESS_NOTES, HoldItem.MEDICATION_LIST],
        note="Notes from March.",
        due_on=due,
        by=reviewer,
    )
    text = text_of(signed_in_client(case.created_by).get(page_url(case)))
    assert "Status: On Hold" in text
    assert f"Additional clinical information needed by {us(due)}" in text
    assert HoldItem.PROGRESS_NOTES.label in text and HoldItem.MEDICATION_LIST.label in text
    assert "Notes from March." in text
    assert f"Put on hold: additional clinical information requested, due {us(due)}." in text
    assert "Status changed from Pending Medical Review to On Hold." in text


def test_the_case_page_lists_every_letter_of_the_case_with_its_pdf_once_rendered(catalog, signed_in_client, reviewer):
    case = submitted_case()
    client = signed_in_client(case.created_by)
    assert "No letters have been sent about this request yet." in text_of(client.get(page_url(case)))
    due = timezone.localdate() + datetime.timedelta(days=7)
    holds.hold_place(case=case, items=[HoldItem.PROGRESS_NOTES], note="", due_on=due, by=reviewer)
    letter = Letter.objects.get(case=case)
    pdf_url = reverse("correspondence:letter_pdf", args=[letter.pk])
    text = text_of(client.get(page_url(case)))
    assert "Hold Letter" in text and "Being prepared" in text and pdf_url not in text
    letter_render(letter=letter)
    text = text_of(client.get(page_url(case)))
    assert pdf_url in text and "Being prepared" not in text
    assert client.get(pdf_url)["Content-Type"] == "application/pdf"


# --- Actions ---------------------------------------------------------------------------------------------------

ACTION_LINKS = {
    "may_upload": ("cases:upload_more", "Upload Additional Clinical Information"),
    "may_reconsider": ("cases:reconsider", "Request a Reconsideration"),
    "may_appeal": ("cases:appeals", "Appeals"),
    "may_extend": ("cases:extension", "Request an Extension"),
    "may_withdraw": ("cases:cancel", "Cancel request"),
}


def _url_or_none(name, case):
    try:
        return reverse(name, args=[case.request_id])
    except NoReverseMatch:
        return None


def assert_actions_shown_as_allowed(client, user, case) -> dict:
    response = client.get(page_url(case))
    text = text_of(response)
    allowed = permissions.case_actions(user, case)
    assert response.context["actions"] == allowed
    for key, (name, label) in ACTION_LINKS.items():
        url = _url_or_none(name, case)
        shown = f'href="{url}">{label}</a>' in text if url else False
        assert shown == bool(allowed[key] and url), (key, allowed[key], url)
    return allowed


def test_the_owner_of_a_pending_case_may_upload_and_cancel(catalog, signed_in_client):
    case = submitted_case()
    allowed = assert_actions_shown_as_allowed(signed_in_client(case.created_by), case.created_by, case)
    assert allowed["may_withdraw"] and allowed["may_upload"] and not allowed["may_appeal"]
    assert "Cancel request" in text_of(signed_in_client(case.created_by).get(page_url(case)))


def test_a_worklist_delegate_views_the_case_and_is_offered_no_action(catalog, signed_in_client):
    case = submitted_case()
    delegate = UserFactory()
    WorklistAccess.objects.create(owner=case.created_by, grantee=delegate)
    allowed = assert_actions_shown_as_allowed(signed_in_client(delegate), delegate, case)
    assert not any(value for key, value in allowed.items() if key != "may_view")


def test_an_appeals_colleague_is_offered_reconsideration_and_appeals_on_a_denial_only(
    catalog, signed_in_client, reviewer
):
    case = dme_case()
    determine_all(case, "ddd", by=reviewer, guideline=guideline_for("dme"))
    case = decisions.case_decide(case=case, round="initial", by=reviewer)
    colleague = UserFactory()
    PracticeMembership.objects.create(user=colleague, practice=case.practice, precertification_appeals=True)
    allowed = assert_actions_shown_as_allowed(signed_in_client(colleague), colleague, case)
    assert allowed["may_appeal"] and allowed["may_reconsider"] and not allowed["may_withdraw"]
    owner_allowed = assert_actions_shown_as_allowed(signed_in_client(case.created_by), case.created_by, case)
    assert not owner_allowed["may_appeal"]  # the factory's submitter holds case submission only


# --- Who may open it -------------------------------------------------------------------------------------------


def test_another_practice_gets_404_and_a_visitor_is_sent_to_log_in(catalog, client, signed_in_client):
    case = submitted_case()
    other = submitted_case().created_by
    assert signed_in_client(other).get(page_url(case)).status_code == 404
    assert signed_in_client(other).get(reverse("cases:case_detail", args=["0000000000"])).status_code == 404
    response = client.get(page_url(case))
    assert response.status_code == 302 and response.url.startswith(reverse("accounts:login"))
    assert not AuditEvent.objects.filter(action="case.viewed", target_id=str(case.pk)).exists()


def test_a_draft_opens_the_wizard_and_a_request_cancelled_before_submission_its_summary(catalog, signed_in_client):
    draft = draft_case()
    client = signed_in_client(draft.created_by)
    response = client.get(page_url(draft))
    assert response.status_code == 302 and response.url == reverse("cases:resume", args=[draft.request_id])
    services.case_cancel_draft(case=draft, user=draft.created_by)
    response = client.get(page_url(draft))
    assert response.status_code == 302 and response.url == reverse("cases:summary", args=[draft.request_id])


def test_the_summary_continues_to_the_case_page_and_the_worklist_links_to_it(catalog, signed_in_client):
    case = submitted_case()
    client = signed_in_client(case.created_by)
    summary = client.get(reverse("cases:summary", args=[case.request_id])).content.decode()
    assert f'<a class="button" href="{page_url(case)}">Continue</a>' in summary
    worklist = client.get(reverse("cases:worklist")).content.decode()
    assert f'<a href="{page_url(case)}">{case.request_id}</a>' in worklist


def test_only_get_is_allowed(catalog, signed_in_client):
    case = submitted_case()
    assert signed_in_client(case.created_by).post(page_url(case)).status_code == 405


# --- Cost ------------------------------------------------------------------------------------------------------


def test_the_query_count_does_not_grow_with_lines_events_and_documents(
    catalog, client, signed_in_client, django_assert_num_queries, reviewer
):
    case = dme_case()
    signed_in_client(case.created_by, client)
    line = case.service_lines.first()

    def more_rows():
        for number in range(10, 14):
            ServiceLine.objects.create(
                case=case,
                hcpcs=line.hcpcs,
                label=line.label,
                quantity=1,
                billing_basis=line.billing_basis,
                unit=line.unit,
                line_number=number,
            )
        for _ in range(5):
            events.assigned_event(case=case, reviewer=reviewer, user=reviewer)
        determine_all(Case.objects.get(pk=case.pk), "d" * 7, by=reviewer, guideline=guideline_for("dme"))

    assert_same_queries_as_the_list_grows(client, django_assert_num_queries, page_url(case), more_rows)
