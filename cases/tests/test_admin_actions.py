"""The reviewer's admin (REV-1 to REV-4, CMS-1, CMS-2): the queue's order, filters, counts, search and query count;
the case page; each action's success, refusals (403 for staff who do not review, 404 outside the queue, 405 for a
GET) and form errors; documents opened as attachments; the audit."""

import datetime

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import UserFactory
from audit.models import AuditEvent
from cases import queue, reconsiderations, services
from cases.models import Case, CaseStatus, Determination, Hold, HoldItem, Reconsideration
from cases.tests import files
from cases.tests.factories import attested_case, draft_case, submitted_case
from cases.tests.test_service_lines import dme_case
from practices.models import PracticeMembership
from reference.models import Program
from reference.tests.factories import MemberFactory
from resources.models import ClinicalGuideline

pytestmark = pytest.mark.django_db
S = CaseStatus
CHANGELIST = reverse("admin:cases_case_changelist")
ACTIONS = ("claim", "release", "assign", "determine", "decide", "approve_all", "hold", "extend_due", "extension")


def make_reviewer(**fields):
    user = UserFactory(is_staff=True, **fields)
    user.user_permissions.add(Permission.objects.get(content_type__app_label="cases", codename="review_case"))
    return user


@pytest.fixture
def reviewer(db):
    return make_reviewer(username="rita", first_name="Rita", last_name="Reviewer")


@pytest.fixture
def client_of(signed_in_client):
    return lambda user: signed_in_client(user)


@pytest.fixture
def reviewer_client(client_of, reviewer):
    return client_of(reviewer)


@pytest.fixture
def pending(catalog):
    return submitted_case()


@pytest.fixture
def upload_root(settings, tmp_path):
    settings.CLINICAL_UPLOAD_ROOT = tmp_path / "clinical-uploads"
    return settings.CLINICAL_UPLOAD_ROOT


def page_url(case):
    return reverse("admin:cases_case_change", args=[case.pk])


def action_url(case, name):
    return reverse(f"admin:cases_case_{name}", args=[case.pk])


def listed(response) -> list:
    return list(response.context["cl"].result_list)


def due_in(case, delta) -> Case:
    Case.objects.filter(pk=case.pk).update(decision_due_at=timezone.now() + delta)
    case.refresh_from_db()
    return case


def guideline(program_code="dme"):
    return ClinicalGuideline.objects.create(
        program=Program.objects.get(code=program_code),
        title=f"{program_code} mobility criteria",
        version="2.0",
        effective_date=datetime.date(2026, 1, 1),
        summary="Criteria.",
    )


# --- The queue ---------------------------------------------------------------------------------------------


def test_the_queue_lists_overdue_cases_first_with_their_clock_in_words(reviewer_client, catalog):
    later = due_in(submitted_case(), datetime.timedelta(days=2, hours=4, minutes=30))
    late = due_in(submitted_case(), -datetime.timedelta(hours=3, minutes=10))
    decided = submitted_case(approved=True)
    draft = draft_case()
    response = reviewer_client.get(CHANGELIST)
    # By default the cases awaiting a decision, by due time; "All statuses" lists every case newest first.
    assert listed(response) == [late, later]
    assert listed(reviewer_client.get(CHANGELIST, {"status": "all"})) == [decided, late, later]
    assert listed(reviewer_client.get(CHANGELIST, {"q": decided.case_number})) == [decided]
    page = response.content.decode()
    assert '<strong class="clock clock--overdue">Overdue by 3 hours 10 minutes</strong>' in page
    assert "Due in 2 days 4 hours" in page
    assert draft.request_id not in page


def test_the_counts_per_queue_are_shown_above_the_list(reviewer_client, catalog):
    due_in(submitted_case(), -datetime.timedelta(hours=1))
    submitted_case()
    page = reviewer_client.get(CHANGELIST).content.decode()
    assert "Awaiting a decision" in page
    assert "1 overdue" in page
    program = Program.objects.get(code="home-health")
    assert f'href="?program={program.pk}&amp;due=overdue"' in page


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"due": "overdue"}, ["late"]),
        ({"due": "later"}, ["later"]),
        ({"status": "awaiting"}, ["late", "later"]),
        ({"status": "approved"}, ["decided"]),
        ({"assigned": "mine"}, ["later"]),
        ({"assigned": "unassigned"}, ["late"]),
        ({"assigned": "unassigned", "status": "all"}, ["decided", "late"]),  # every status: newest first
        ({"assigned": "anyone"}, ["later"]),
        ({"urgency": "standard"}, ["late", "later"]),
        ({"urgency": "standard", "status": "all"}, ["decided", "late", "later"]),
        ({"urgency": "expedited"}, []),
        ({"original": "yes"}, []),
    ],
)
def test_each_filter_narrows_the_queue(reviewer, reviewer_client, catalog, params, expected):
    cases = {
        "later": due_in(submitted_case(), datetime.timedelta(days=3)),
        "late": due_in(submitted_case(), -datetime.timedelta(hours=1)),
        "decided": submitted_case(approved=True),
    }
    queue.case_claim(case=cases["later"], by=reviewer)
    response = reviewer_client.get(CHANGELIST, params)
    assert response.status_code == 200
    assert listed(response) == [cases[name] for name in expected]


def test_the_program_filter_lists_one_queue(reviewer_client, catalog):
    home_health = submitted_case()
    dme = dme_case()
    program = Program.objects.get(code="dme")
    assert listed(reviewer_client.get(CHANGELIST, {"program": program.pk})) == [dme]
    assert home_health not in listed(reviewer_client.get(CHANGELIST, {"program": program.pk}))
    assert reviewer_client.get(CHANGELIST, {"program": "x'; --"}).status_code == 200


def test_the_due_today_filter(reviewer_client, catalog):
    today_end = timezone.make_aware(
        datetime.datetime.combine(timezone.localdate() + datetime.timedelta(days=1), datetime.time.min)
    )
    case = submitted_case()
    soon = min(timezone.now() + datetime.timedelta(minutes=5), today_end - datetime.timedelta(seconds=1))
    Case.objects.filter(pk=case.pk).update(decision_due_at=soon)
    assert listed(reviewer_client.get(CHANGELIST, {"due": "today"})) == [case]


@pytest.mark.parametrize("field", ["case_number", "request_id", "member_id", "npi", "last_name"])
def test_the_queue_is_searched_by_identifiers(reviewer_client, catalog, field):
    wanted = submitted_case(member=_member(last_name="Quixotez"))
    submitted_case()
    term = {
        "case_number": wanted.case_number,
        "request_id": wanted.request_id,
        "member_id": wanted.member.member_id,
        "npi": wanted.ordering_provider.npi,
        "last_name": "quixo",
    }[field]
    assert listed(reviewer_client.get(CHANGELIST, {"q": term})) == [wanted]


def _member(**fields):
    from cases.tests.test_worklist import _member as covered_member

    return covered_member(**fields)


def test_the_queue_costs_the_same_queries_for_5_and_50_cases(reviewer, reviewer_client, catalog):
    cases = [submitted_case() for _ in range(5)]
    queue.case_claim(case=cases[0], by=reviewer)
    with CaptureQueriesContext(connection) as few:
        assert reviewer_client.get(CHANGELIST).status_code == 200
    template = cases[1]
    for number in range(45):  # copies with their own patient and reviewer: rows only, the list reads no more
        copy = Case.objects.get(pk=template.pk)
        copy.pk = None
        copy.request_id, copy.case_number, copy.episode_id = f"R9{number:07d}", f"C9{number:07d}", f"E9{number:07d}"
        copy.member = MemberFactory()
        copy.assigned_to = make_reviewer()
        copy.save()
    with CaptureQueriesContext(connection) as many:
        response = reviewer_client.get(CHANGELIST)
    assert len(listed(response)) == 50
    assert len(many) == len(few), [query["sql"][:120] for query in many.captured_queries]


def test_staff_without_the_review_permission_see_no_queue(client_of, pending):
    response = client_of(UserFactory(is_staff=True)).get(CHANGELIST)
    assert response.status_code == 403


def test_claim_selected_cases_claims_the_unassigned_ones(reviewer, reviewer_client, catalog):
    mine, free = submitted_case(), submitted_case()
    taken = submitted_case()
    queue.case_claim(case=taken, by=make_reviewer(first_name="Carl", last_name="Colleague"))
    response = reviewer_client.post(
        CHANGELIST, {"action": "claim_selected", "_selected_action": [mine.pk, free.pk, taken.pk]}, follow=True
    )
    assert response.status_code == 200
    assert set(Case.objects.filter(assigned_to=reviewer).values_list("pk", flat=True)) == {mine.pk, free.pk}
    page = response.content.decode()
    assert "You are working 2 more cases." in page
    assert "Carl Colleague is working this case" in page
    assert set(AuditEvent.objects.get(action="case.claimed").details["ids"]) == {mine.pk, free.pk}


# --- The case page -------------------------------------------------------------------------------------------


def test_the_case_page_shows_the_whole_request(reviewer_client, catalog, upload_root):
    case = attested_case()
    from cases.tests.factories import home_health_answers

    services.case_answers_save(case=case, answers=home_health_answers(bundle=False), next_step="review")
    services.clinical_document_add(
        case=case, uploaded_file=files.upload("wound-notes.pdf", files.pdf_bytes()), user=case.created_by
    )
    case = services.case_submit(case=case, user=case.created_by)
    response = reviewer_client.get(page_url(case))
    assert response.status_code == 200
    page = response.content.decode()
    for text in (
        case.case_number,
        case.request_id,
        "Pat Office",  # who to contact
        "(860) 666-4321",  # contact fax
        case.member.full_name,
        case.member.member_id,
        case.member.date_of_birth.strftime("%m/%d/%Y"),
        case.ordering_provider.npi,
        case.health_plan.name,
        case.site.name,
        case.site.npi,
        case.primary_diagnosis.code,
        "Clinical answers",
        "Service lines",
        "Put on hold",
        "Extend the decision due time",
        "Approve all lines as requested",
        "Review history",
        "Sent to Medical Review.",
        "wound-notes.pdf",
    ):
        assert text in page, text
    document = case.documents.get()
    assert reverse("admin:cases_case_document", args=[case.pk, document.pk]) in page
    event = AuditEvent.objects.get(action="case.viewed")
    assert event.details["inlines"]["cases.clinicaldocument"] == [document.pk]


def test_a_document_opens_as_an_attachment_for_reviewers_only(client_of, reviewer_client, catalog, upload_root):
    case = attested_case()
    services.case_answers_save(case=case, answers={"homebound": "yes"}, next_step="review")
    document = services.clinical_document_add(
        case=case, uploaded_file=files.upload("labs.pdf", files.pdf_bytes()), user=case.created_by
    )
    url = reverse("admin:cases_case_document", args=[case.pk, document.pk])
    assert reviewer_client.get(url).status_code == 404  # a draft's document: outside the queue
    Case.objects.filter(pk=case.pk).update(
        status=S.PENDING_REVIEW, submitted_at=timezone.now(), case_number="C12345", decision_due_at=timezone.now()
    )
    response = reviewer_client.get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert b"".join(response.streaming_content) == files.pdf_bytes()
    assert AuditEvent.objects.filter(action="case.document_viewed", target_id=str(case.pk)).count() == 1
    assert client_of(UserFactory(is_staff=True)).get(url).status_code == 403
    assert reviewer_client.get(reverse("admin:cases_case_document", args=[case.pk, 999999])).status_code == 404


# --- Refusals ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ACTIONS)
def test_every_action_is_refused_to_staff_who_do_not_review(client_of, pending, name):
    staff = UserFactory(is_staff=True)
    staff.user_permissions.add(Permission.objects.get(content_type__app_label="cases", codename="view_case"))
    assert client_of(staff).post(action_url(pending, name), {}).status_code == 403
    pending.refresh_from_db()
    assert pending.assigned_to is None and pending.status == S.PENDING_REVIEW


@pytest.mark.parametrize("name", ACTIONS)
def test_every_action_on_a_draft_answers_404(reviewer_client, catalog, name):
    draft = draft_case()
    assert reviewer_client.post(action_url(draft, name), {}).status_code == 404


@pytest.mark.parametrize("name", ACTIONS)
def test_every_action_is_a_post(reviewer_client, pending, name):
    assert reviewer_client.get(action_url(pending, name)).status_code == 405


def test_a_signed_out_visitor_is_sent_to_the_login(client, pending):
    response = client.post(action_url(pending, "claim"))
    assert response.status_code == 302
    assert pending.assigned_to is None


# --- Claim, release, assign -----------------------------------------------------------------------------------


def test_claim_and_release_from_the_case_page(reviewer, reviewer_client, pending):
    response = reviewer_client.post(action_url(pending, "claim"), follow=True)
    assert response.redirect_chain == [(page_url(pending), 302)]
    assert f"You are working case {pending.case_number}." in response.content.decode()
    pending.refresh_from_db()
    assert pending.assigned_to == reviewer
    assert AuditEvent.objects.filter(action="case.claimed", target_id=str(pending.pk)).exists()
    assert "Release to the queue" in response.content.decode()
    response = reviewer_client.post(action_url(pending, "release"), follow=True)
    assert "is back in the queue, unassigned" in response.content.decode()
    pending.refresh_from_db()
    assert pending.assigned_to is None


def test_a_refused_claim_says_why(reviewer_client, pending):
    queue.case_claim(case=pending, by=make_reviewer(first_name="Carl", last_name="Colleague"))
    response = reviewer_client.post(action_url(pending, "claim"), follow=True)
    assert "Carl Colleague is working this case." in response.content.decode()


def test_assign_to_a_reviewer(reviewer_client, pending):
    colleague = make_reviewer(first_name="Carl", last_name="Colleague")
    response = reviewer_client.post(action_url(pending, "assign"), {"assign-reviewer": colleague.pk}, follow=True)
    assert "is assigned to Carl Colleague" in response.content.decode()
    pending.refresh_from_db()
    assert pending.assigned_to == colleague


@pytest.mark.parametrize("value", ["", "abc", "999999", "<script>"])
def test_assign_without_a_reviewer_shows_the_error(reviewer_client, pending, value):
    response = reviewer_client.post(action_url(pending, "assign"), {"assign-reviewer": value})
    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" in page
    assert "Reviewer: Select reviewer" in page
    pending.refresh_from_db()
    assert pending.assigned_to is None


def test_assigning_staff_who_do_not_review_is_refused(reviewer_client, pending):
    staff = UserFactory(is_staff=True)
    response = reviewer_client.post(action_url(pending, "assign"), {"assign-reviewer": staff.pk})
    assert response.status_code == 200
    assert "Select reviewer from the list" in response.content.decode()


# --- Hold and due time ------------------------------------------------------------------------------------


def test_put_on_hold(reviewer_client, pending):
    due_on = timezone.localdate() + datetime.timedelta(days=5)
    response = reviewer_client.post(
        action_url(pending, "hold"),
        {"hold-items": [HoldItem.PROGRESS_NOTES, HoldItem.MEDICATION_LIST], "hold-note": "", "hold-due_on": due_on},
        follow=True,
    )
    assert f"is on hold until {due_on:%m/%d/%Y}" in response.content.decode()
    pending.refresh_from_db()
    assert pending.status == S.ON_HOLD
    hold = Hold.objects.get(case=pending)
    assert hold.items == [HoldItem.PROGRESS_NOTES, HoldItem.MEDICATION_LIST]
    assert "Waiting for the provider" in response.content.decode()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"hold-due_on": "2099-01-01"}, "Choose at least one item"),
        ({"hold-items": ["progress_notes"], "hold-due_on": ""}, "Due date: Enter due date"),
        ({"hold-items": ["progress_notes"], "hold-due_on": "2001-01-01"}, "The due date must be after today."),
        ({"hold-items": ["nonsense"], "hold-due_on": "2099-01-01"}, "Select information needed from the list"),
        ({"hold-items": ["progress_notes"], "hold-due_on": "31/31/2099"}, "Enter a valid due date"),
    ],
)
def test_a_hold_with_bad_input_shows_the_errors(reviewer_client, pending, data, message):
    response = reviewer_client.post(action_url(pending, "hold"), data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" in page
    assert message in page
    pending.refresh_from_db()
    assert pending.status == S.PENDING_REVIEW


def test_extend_the_due_time(reviewer_client, pending):
    new_due = timezone.localtime(pending.decision_due_at + datetime.timedelta(days=3)).replace(second=0, microsecond=0)
    response = reviewer_client.post(
        action_url(pending, "extend_due"),
        {"due-new_due_at": new_due.strftime("%Y-%m-%dT%H:%M"), "due-reason": "Waiting for the therapy notes."},
        follow=True,
    )
    assert f"The decision is now due {new_due:%m/%d/%Y %I:%M %p}." in response.content.decode()
    pending.refresh_from_db()
    assert pending.decision_due_at == new_due
    assert "Waiting for the therapy notes." in response.content.decode()
    assert AuditEvent.objects.filter(action="case.due_extended").exists()


@pytest.mark.parametrize(
    ("shift", "reason", "message"),
    [
        (datetime.timedelta(days=1), "", "Reason: Enter reason"),
        (-datetime.timedelta(days=1), "Waiting.", "must be later than the current one"),
    ],
)
def test_a_due_time_extension_with_bad_input_shows_the_errors(reviewer_client, pending, shift, reason, message):
    new_due = timezone.localtime(pending.decision_due_at + shift)
    response = reviewer_client.post(
        action_url(pending, "extend_due"), {"due-new_due_at": new_due.strftime("%Y-%m-%dT%H:%M"), "due-reason": reason}
    )
    assert response.status_code == 200
    assert message in response.content.decode()


# --- Determinations and decisions -------------------------------------------------------------------------


def determine(client, case, line, **data):
    fields = {f"line-{line.pk}-{name}": value for name, value in data.items()}
    return client.post(action_url(case, "determine"), {"line": line.pk, **fields}, follow=True)


def test_lines_approved_and_denied_make_a_partial_approval(reviewer_client, catalog):
    case = dme_case()
    cited = guideline()
    first, second, third = case.service_lines.order_by("line_number")
    response = determine(reviewer_client, case, first, outcome="approved", approved_quantity=first.quantity)
    assert f"Line 1 ({first.hcpcs.code}): Approved." in response.content.decode()
    determine(reviewer_client, case, second, outcome="approved", approved_quantity=1)
    response = determine(
        reviewer_client,
        case,
        third,
        outcome="denied",
        criterion_not_met="No documented trial of a standard cushion.",
        guideline=cited.pk,
        documentation_needed="Therapy notes of the trial.",
    )
    assert "Denied" in response.content.decode()
    response = reviewer_client.post(action_url(case, "decide"), follow=True)
    assert "is decided: Partially Approved." in response.content.decode()
    case.refresh_from_db()
    assert case.status == S.PARTIALLY_APPROVED
    assert case.authorization_number
    denial = Determination.objects.get(line=third)
    assert (denial.criterion_not_met, denial.guideline, denial.documentation_needed) == (
        "No documented trial of a standard cushion.",
        cited,
        "Therapy notes of the trial.",
    )
    assert Determination.objects.get(line=second).approved_quantity == 1
    assert AuditEvent.objects.filter(action="case.line_determined").count() == 3
    assert AuditEvent.objects.get(action="case.decided").details["status"] == S.PARTIALLY_APPROVED


def test_a_denial_without_its_reason_shows_each_missing_part_next_to_its_field(reviewer_client, catalog):
    case = dme_case()
    line = case.service_lines.first()
    response = determine(reviewer_client, case, line, outcome="denied")
    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" in page
    for message in (
        "State the criterion that is not met.",
        "Cite the clinical guideline relied on.",
        "State the documentation that would change the outcome.",
    ):
        assert message in page
    assert not Determination.objects.filter(line=line).exists()


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"outcome": "maybe"},
        {"outcome": "approved", "approved_quantity": "0"},
        {"outcome": "approved", "approved_quantity": "99999"},
        {"outcome": "approved", "approved_quantity": "²"},
        {"outcome": "approved", "approved_quantity": "1", "valid_from": "2026-13-01"},
        {"outcome": "approved", "approved_quantity": "1", "valid_from": "2027-01-01"},
        {"outcome": "alternative_offered", "criterion_not_met": "x", "documentation_needed": "y"},
    ],
)
def test_bad_determination_input_never_gives_a_500(reviewer_client, catalog, data):
    case = dme_case()
    line = case.service_lines.first()
    response = determine(reviewer_client, case, line, **data)
    assert response.status_code == 200
    assert "There is a problem" in response.content.decode()
    assert not Determination.objects.filter(line=line).exists()


def test_an_unknown_line_or_a_decision_before_every_line_is_refused(reviewer_client, catalog):
    case = dme_case()
    other = submitted_case()
    response = reviewer_client.post(
        action_url(case, "determine"), {"line": other.service_lines.first().pk}, follow=True
    )
    assert "There is no service line to determine" in response.content.decode()
    response = reviewer_client.post(action_url(case, "decide"), follow=True)
    assert "Determine every service line before deciding the case" in response.content.decode()
    case.refresh_from_db()
    assert case.status == S.PENDING_REVIEW


def test_approve_all_lines_as_requested(reviewer_client, catalog):
    case = dme_case()
    response = reviewer_client.post(action_url(case, "approve_all"), follow=True)
    assert "is decided: Approved." in response.content.decode()
    case.refresh_from_db()
    assert case.status == S.APPROVED
    assert [
        d.approved_quantity for d in Determination.objects.filter(line__case=case).order_by("line__line_number")
    ] == [line.quantity for line in case.service_lines.order_by("line_number")]


def test_a_reconsideration_overturns_a_denial_from_the_case_page(reviewer_client, catalog):
    case = dme_case()
    cited = guideline()
    lines = list(case.service_lines.order_by("line_number"))
    for line in lines[:2]:
        determine(reviewer_client, case, line, outcome="approved", approved_quantity=line.quantity)
    denial = {
        "outcome": "denied",
        "criterion_not_met": "No trial.",
        "guideline": cited.pk,
        "documentation_needed": "Trial notes.",
    }
    determine(reviewer_client, case, lines[2], **denial)
    reviewer_client.post(action_url(case, "decide"))
    case.refresh_from_db()
    PracticeMembership.objects.filter(user=case.created_by).update(precertification_appeals=True)
    reconsiderations.reconsideration_request(case=case, user=case.created_by, reason="Trial notes attached.")
    page = reviewer_client.get(page_url(case)).content.decode()
    assert "Determine: Reconsideration round" in page
    assert f'name="line" value="{lines[2].pk}"' in page
    assert f'name="line" value="{lines[0].pk}"' not in page  # approved before: carried over
    determine(reviewer_client, case, lines[2], outcome="approved", approved_quantity=lines[2].quantity)
    response = reviewer_client.post(action_url(case, "decide"), follow=True)
    page = response.content.decode()
    assert "is overturned" in page
    assert "is decided: Approved." in page
    assert Reconsideration.objects.get(case=case).status == Reconsideration.Status.OVERTURNED


def test_a_lapsed_hold_is_listed_to_decide_on_the_original_submission(reviewer, reviewer_client, catalog):
    from cases import holds

    lapsed, other = submitted_case(), submitted_case()
    holds.hold_place(
        case=lapsed,
        items=[HoldItem.PROGRESS_NOTES],
        note="",
        due_on=timezone.localdate() + datetime.timedelta(days=1),
        by=reviewer,
    )
    holds.holds_lapse(now=timezone.now() + datetime.timedelta(days=3))
    response = reviewer_client.get(CHANGELIST, {"original": "yes"})
    assert listed(response) == [lapsed]
    assert "Hold lapsed: decide on the original submission" in response.content.decode()
    assert other not in listed(response)
    page = reviewer_client.get(page_url(lapsed)).content.decode()
    assert "Hold lapsed: decide on the original submission." in page
    assert "Lapsed" in page
