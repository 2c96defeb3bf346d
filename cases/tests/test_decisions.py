"""Determinations per service line and round, the case decided from them, the transition and its events
(issue 11, items 2 and 3)."""

import datetime
import itertools

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.tests.factories import UserFactory
from cases import decisions, holds, services
from cases.models import Appeal, Case, CaseEvent, CaseStatus, CaseStatusChange, Determination, Hold, Reconsideration
from cases.tests.factories import attested_case, draft_case, home_health_answers, submitted_case
from cases.tests.post_decision_world import alternative_offer
from cases.tests.test_service_lines import dme_case
from reference.models import HcpcsCode, Program
from resources.models import ClinicalGuideline

pytestmark = pytest.mark.django_db

S = CaseStatus
INITIAL, RECONSIDERATION, APPEAL = "initial", "reconsideration", "appeal"
DENIAL = {
    "criterion": "No documented trial of a standard wheelchair.",
    "documentation": "Notes of the trial of a standard wheelchair and why it failed.",
}


@pytest.fixture
def reviewer(db):
    user = UserFactory(is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="review_case"))
    return user


def guideline_for(program_code: str) -> ClinicalGuideline:
    return ClinicalGuideline.objects.create(
        program=Program.objects.get(code=program_code),
        title=f"{program_code} guideline",
        version="1.0",
        effective_date=datetime.date(2026, 1, 1),
        summary="Criteria.",
    )


@pytest.fixture
def dme_guideline(catalog):
    return guideline_for("dme")


def determine_all(case, outcomes, *, by, round=INITIAL, sequence=1, guideline=None, lines=None):
    """Determine each line of ``case`` (or ``lines``) in turn: "a" approved (as requested), "d" denied, "x"
    alternative."""
    lines = case.service_lines.all() if lines is None else lines
    for line, outcome in zip(lines, outcomes, strict=True):
        common = {"line": line, "round": round, "sequence": sequence, "by": by}
        if outcome == "a":
            decisions.line_determine(**common, outcome="approved", approved_quantity=line.quantity)
        else:
            extra = alternative_offer(label="A standard wheelchair (K0001).") if outcome == "x" else {}
            decisions.line_determine(
                **common,
                outcome="denied" if outcome == "d" else "alternative_offered",
                guideline=guideline,
                **DENIAL,
                **extra,
            )


def reconsideration_row(case, sequence=1):
    """A submitted reconsideration, as ``reconsiderations.reconsideration_request`` leaves it."""
    return Reconsideration.objects.create(
        case=case, sequence=sequence, reason="Look again.", requested_by=case.created_by
    )


def appeal_row(case, sequence=1):
    """A submitted appeal, as ``appeals.appeal_submit`` leaves it."""
    now = timezone.now()
    user = case.created_by
    return Appeal.objects.create(
        case=case,
        sequence=sequence,
        status="submitted",
        reason="Medically necessary.",
        created_by=user,
        updated_by=user,
        submitted_by=user,
        submitted_at=now,
        due_at=now + datetime.timedelta(days=30),
        draft_expires_at=now,
    )


# --- The transition ------------------------------------------------------------------------------------------


def test_every_transition_in_the_map_is_allowed_and_every_other_refused(catalog):
    case = submitted_case()
    for from_status, to in itertools.product(S.values, S.values):
        # The status is set under the test's hand to walk every pair; only case_transition moves it in the code.
        Case.objects.filter(pk=case.pk).update(status=from_status, authorization_number="AU00000001")
        changes, events = CaseStatusChange.objects.count(), CaseEvent.objects.count()
        if to in services.ALLOWED_TRANSITIONS[from_status]:
            change = services.case_transition(case=case, to=to, reason="Walking the map.")
            assert (change.from_status, change.to_status) == (from_status, to)
            assert Case.objects.get(pk=case.pk).status == to
            assert CaseEvent.objects.latest("pk").payload["to"] == to
            assert (CaseStatusChange.objects.count(), CaseEvent.objects.count()) == (changes + 1, events + 1)
        else:
            with pytest.raises(ValidationError, match="cannot become"):
                services.case_transition(case=case, to=to)
            assert Case.objects.get(pk=case.pk).status == from_status
            assert (CaseStatusChange.objects.count(), CaseEvent.objects.count()) == (changes, events)


def test_the_transition_checks_the_status_in_the_database_not_a_stale_copy(catalog):
    case = submitted_case()
    stale = Case.objects.get(pk=case.pk)
    services.case_transition(case=case, to=S.CANCELLED, reason="Withdrawn.")
    assert stale.status == S.PENDING_REVIEW
    with pytest.raises(ValidationError, match="Cancelled cannot become Denied"):
        services.case_transition(case=stale, to=S.DENIED)
    assert Case.objects.get(pk=case.pk).status == S.CANCELLED


def test_the_transition_locks_the_case_row_and_emits_the_status_event(catalog, reviewer):
    case = submitted_case()
    with CaptureQueriesContext(connection) as queries:
        change = services.case_transition(case=case, to=S.ON_HOLD, by=reviewer, reason="Waiting for notes.")
    if connection.features.has_select_for_update:
        assert any("FOR UPDATE" in query["sql"] for query in queries.captured_queries)
    event = CaseEvent.objects.filter(case=case).latest("pk")
    assert (event.kind, event.actor, event.created_at) == ("status_changed", reviewer, change.changed_at)
    assert event.payload == {"from": "pending_review", "to": "on_hold", "status_change": change.pk}


# --- Deriving the case's status ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("outcomes", "status"),
    [
        ("aaa", S.APPROVED),
        ("ada", S.PARTIALLY_APPROVED),
        ("axd", S.PARTIALLY_APPROVED),
        ("ddd", S.DENIED),
        ("dxx", S.DENIED),  # an alternative offered does not approve the line requested
    ],
)
def test_the_case_status_is_derived_from_its_lines(catalog, reviewer, dme_guideline, outcomes, status):
    case = dme_case()
    determine_all(case, outcomes, by=reviewer, guideline=dme_guideline)
    decided = decisions.case_decide(case=case, round=INITIAL, by=reviewer)
    assert decided.status == status
    change = decided.status_changes.get(from_status=S.PENDING_REVIEW)
    assert (change.to_status, change.changed_by) == (status, reviewer)
    assert decided.decided_at is not None
    assert (decided.authorization_number is not None) == (status != S.DENIED)
    event = CaseEvent.objects.get(case=case, kind="decided")
    assert (event.actor, event.payload["round"], event.payload["status"]) == (reviewer, INITIAL, status)
    assert CaseEvent.objects.filter(case=case, kind="line_determined").count() == 3


def test_a_decided_case_is_valid_from_its_first_approved_day_to_its_last(catalog, reviewer, dme_guideline):
    case = dme_case()  # K0005 purchase x 1, E0935 daily rental x 21, E0260 monthly rental x 3
    purchase, daily, monthly = case.service_lines.all()
    start = case.date_of_service
    rows = [
        decisions.line_determine(line=purchase, round=INITIAL, outcome="approved", approved_quantity=1, by=reviewer),
        decisions.line_determine(line=daily, round=INITIAL, outcome="approved", approved_quantity=14, by=reviewer),
        decisions.line_determine(
            line=monthly, round=INITIAL, outcome="denied", guideline=dme_guideline, by=reviewer, **DENIAL
        ),
    ]
    assert [(row.valid_from, row.valid_to) for row in rows[:2]] == [
        (start, start + datetime.timedelta(days=179)),
        (start, start + datetime.timedelta(days=13)),  # the 14 days approved, not the 21 requested
    ]
    assert (rows[2].valid_from, rows[2].valid_to, rows[2].approved_quantity) == (None, None, None)
    case = decisions.case_decide(case=case, round=INITIAL, by=reviewer)
    assert (case.status, case.valid_from, case.valid_to) == (S.PARTIALLY_APPROVED, start, rows[0].valid_to)


def test_a_monthly_rental_is_valid_for_the_approved_months(catalog, reviewer):
    monthly = dme_case().service_lines.get(hcpcs__code="E0260")
    row = decisions.line_determine(line=monthly, round=INITIAL, outcome="approved", approved_quantity=2, by=reviewer)
    start = monthly.case.date_of_service
    assert row.valid_to == datetime.date(
        start.year + (start.month + 1) // 12, (start.month + 1) % 12 + 1, start.day
    ) - (datetime.timedelta(days=1))


def test_home_health_visits_are_valid_for_the_requested_timeframe(catalog, reviewer):
    case = submitted_case()  # the bundle declined: skilled nurse visits over a 30-day timeframe
    line = case.service_lines.first()
    row = decisions.line_determine(
        line=line, round=INITIAL, outcome="approved", approved_quantity=line.quantity, by=reviewer
    )
    assert (row.valid_from, row.valid_to) == (case.date_of_service, case.date_of_service + datetime.timedelta(days=29))


def test_a_reviewer_may_set_the_validity_themselves(catalog, reviewer):
    line = dme_case().service_lines.first()
    start = timezone.localdate()
    row = decisions.line_determine(
        line=line,
        round=INITIAL,
        outcome="approved",
        approved_quantity=1,
        valid_from=start,
        valid_to=start,
        by=reviewer,
    )
    assert (row.valid_from, row.valid_to) == (start, start)


# --- Refusals ------------------------------------------------------------------------------------------------


def test_a_case_is_not_decided_until_every_line_is_determined(catalog, reviewer, dme_guideline):
    case = dme_case()
    first = case.service_lines.first()
    decisions.line_determine(line=first, round=INITIAL, outcome="approved", approved_quantity=1, by=reviewer)
    with pytest.raises(ValidationError, match=r"line 2 \(E0935\), line 3 \(E0260\)"):
        decisions.case_decide(case=case, round=INITIAL, by=reviewer)
    assert Case.objects.get(pk=case.pk).status == S.PENDING_REVIEW
    assert not CaseEvent.objects.filter(case=case, kind="decided").exists()


@pytest.mark.parametrize(
    "user",
    [
        lambda: UserFactory(),
        lambda: UserFactory(is_staff=True),  # staff without cases.review_case
        lambda: None,
    ],
)
def test_only_a_reviewer_determines_and_decides(catalog, reviewer, user):
    case = submitted_case()
    line = case.service_lines.first()
    with pytest.raises(PermissionDenied):
        decisions.line_determine(line=line, round=INITIAL, outcome="approved", approved_quantity=1, by=user())
    decisions.line_determine(line=line, round=INITIAL, outcome="approved", approved_quantity=1, by=reviewer)
    with pytest.raises(PermissionDenied):
        decisions.case_decide(case=case, round=INITIAL, by=user())
    assert not Determination.objects.filter(decided_by__isnull=True).exists()


def test_a_draft_takes_no_determination(catalog, reviewer):
    case = draft_case()
    with pytest.raises(PermissionDenied):  # not in the review queue at all
        decisions.case_decide(case=case, round=INITIAL, by=reviewer)


def test_the_determinations_follow_the_rules(catalog, reviewer, dme_guideline):
    case = dme_case()
    purchase, daily, _ = case.service_lines.all()
    hh_guideline = guideline_for("home-health")

    def refused(match, **kwargs):
        with pytest.raises(ValidationError, match=match):
            decisions.line_determine(**{"line": purchase, "round": INITIAL, "by": reviewer, **kwargs})

    refused("between 1 and 1 units", outcome="approved", approved_quantity=2)
    refused("between 1 and 1 units", outcome="approved")
    refused("on or after", outcome="approved", approved_quantity=1, valid_from=case.date_of_service,
            valid_to=case.date_of_service - datetime.timedelta(days=1))  # fmt: skip
    refused("both the first and the last day", outcome="approved", approved_quantity=1, valid_from=timezone.localdate())
    refused("Cite the clinical guideline", outcome="denied", **DENIAL)
    refused("Cite a DME guideline|Cite a Durable", outcome="denied", guideline=hh_guideline, **DENIAL)
    refused("criterion that is not met", outcome="denied", guideline=dme_guideline, documentation="Notes.")
    refused("documentation that would change", outcome="denied", guideline=dme_guideline, criterion="Not met.")
    refused("no approved quantity", outcome="denied", guideline=dme_guideline, approved_quantity=1, **DENIAL)
    refused("HCPCS code of the alternative item", outcome="alternative_offered", guideline=dme_guideline, **DENIAL)
    refused("Approve, deny or offer", outcome="pending")
    refused("not a review round", round="second opinion", outcome="approved", approved_quantity=1)
    assert not Determination.objects.exists()

    decisions.line_determine(line=purchase, round=INITIAL, outcome="approved", approved_quantity=1, by=reviewer)
    refused("already has its initial determination", outcome="approved", approved_quantity=1)
    other_line = dme_case().service_lines.first()
    with pytest.raises(ValidationError, match="belongs to another case"):
        decisions._line_determine(case=case, line=other_line, round=INITIAL, outcome="approved", by=reviewer)
    assert daily.determinations.count() == 0


def test_an_alternative_is_offered_for_dme_only(catalog, reviewer):
    line = submitted_case().service_lines.first()
    with pytest.raises(ValidationError, match="durable medical equipment only"):
        decisions.line_determine(
            line=line,
            round=INITIAL,
            outcome="alternative_offered",
            guideline=guideline_for("home-health"),
            alternative="Fewer visits.",
            by=reviewer,
            **DENIAL,
        )


def test_a_decided_round_is_never_decided_again(catalog, reviewer):
    case = submitted_case()
    determine_all(case, "a" * case.service_lines.count(), by=reviewer)
    decisions.case_decide(case=case, round=INITIAL, by=reviewer)
    with pytest.raises(ValidationError, match="Approved takes no initial determination"):
        decisions.case_decide(case=case, round=INITIAL, by=reviewer)
    with pytest.raises(ValidationError, match="Approved takes no reconsideration determination"):
        decisions.case_decide(case=case, round=RECONSIDERATION, by=reviewer)
    assert case.status_changes.filter(to_status=S.APPROVED).count() == 1


# --- The database's own checks -------------------------------------------------------------------------------

ITEM = {"alternative_hcpcs": "K0001", "alternative_quantity": 1}


@pytest.mark.parametrize(
    ("fields", "constraint"),
    [
        ({"outcome": "denied", "criterion_not_met": "Not met."}, "determination_denial_has_criterion_and_guideline"),
        ({"outcome": "denied", "guideline": True}, "determination_denial_has_criterion_and_guideline"),
        ({"outcome": "approved", "valid_from": 0, "valid_to": 10}, "determination_approval_has_quantity_and_validity"),
        ({"outcome": "approved", "approved_quantity": 0, "valid_from": 0, "valid_to": 10}, "approval_has_quantity"),
        ({"outcome": "approved", "approved_quantity": 1}, "determination_approval_has_quantity_and_validity"),
        ({"outcome": "approved", "approved_quantity": 1, "valid_from": 10, "valid_to": 0}, "validity_ends_after"),
        (
            {"outcome": "alternative_offered", "criterion_not_met": "Not met.", "guideline": True, **ITEM},
            "alternative_is_named",
        ),
        (
            {"outcome": "alternative_offered", "criterion_not_met": "Not met.", "guideline": True, "alternative": "K1"},
            "alternative_has_item",
        ),
        (
            {"outcome": "alternative_offered", "criterion_not_met": "x", "guideline": True, "alternative": "K", **ITEM}
            | {"alternative_quantity": 0},
            "alternative_has_item",
        ),
        ({"outcome": "denied", "criterion_not_met": "Not met.", "guideline": True, **ITEM}, "only_alternative_has"),
    ],
)
def test_the_database_refuses_incomplete_determinations(catalog, reviewer, dme_guideline, fields, constraint):
    line = dme_case().service_lines.first()
    today = timezone.localdate()
    values = {"line": line, "round": INITIAL, "decided_by": reviewer}
    for name, value in fields.items():
        if name == "guideline":
            value = dme_guideline
        elif name == "alternative_hcpcs":
            value = HcpcsCode.objects.get(code=value)
        elif name.startswith("valid_"):
            value = today + datetime.timedelta(days=value)
        values[name] = value
    match = constraint if connection.vendor == "postgresql" else None
    with pytest.raises(IntegrityError, match=match), transaction.atomic():
        Determination.objects.create(**values)


def test_the_database_allows_one_determination_per_line_and_round(catalog, reviewer, dme_guideline):
    line = dme_case().service_lines.first()
    today = timezone.localdate()
    approval = {"outcome": "approved", "approved_quantity": 1, "valid_from": today, "valid_to": today}
    Determination.objects.create(line=line, round=INITIAL, **approval)
    with pytest.raises(IntegrityError), transaction.atomic():
        Determination.objects.create(line=line, round=INITIAL, **approval)
    Determination.objects.create(line=line, round=RECONSIDERATION, **approval)


# --- The Home Health bundle ----------------------------------------------------------------------------------


def test_the_accepted_bundle_is_approved_through_initial_determinations(catalog):
    case = submitted_case(approved=True)
    lines = list(case.service_lines.all())
    start, end = case.date_of_service, case.date_of_service + datetime.timedelta(days=29)
    rows = Determination.objects.filter(line__case=case)
    assert [(row.line_id, row.round, row.outcome, row.approved_quantity) for row in rows] == [
        (line.pk, INITIAL, "approved", line.quantity) for line in lines
    ]
    assert {(row.valid_from, row.valid_to, row.decided_by) for row in rows} == {(start, end, None)}
    assert (case.status, case.valid_from, case.valid_to) == (S.APPROVED, start, end)
    assert case.authorization_number and case.decided_at
    change = case.status_changes.get(to_status=S.APPROVED)
    assert (change.from_status, change.changed_by) == (S.SUBMITTED, None)
    assert change.reason == decisions.BUNDLE_REASON
    kinds = list(CaseEvent.objects.filter(case=case).values_list("kind", flat=True))
    assert kinds == ["submitted", "status_changed", *["line_determined"] * len(lines), "status_changed", "decided"]
    submitted = CaseEvent.objects.get(case=case, kind="submitted")
    assert (submitted.actor, submitted.payload) == (case.created_by, {"case_number": case.case_number, "urgent": False})
    # The lines' events are written together, each naming its own determination.
    determined = CaseEvent.objects.filter(case=case, kind="line_determined").order_by("pk")
    assert [event.payload["determination"] for event in determined] == [row.pk for row in rows.order_by("line_id")]


def test_the_bundles_approval_writes_its_lines_together(catalog, django_assert_max_num_queries):
    """Six lines, one insert for their determinations and one for their events (74 statements before)."""
    case = attested_case()
    services.case_answers_save(case=case, answers=home_health_answers(bundle=True), next_step="review")
    with django_assert_max_num_queries(40):
        case = services.case_submit(case=case, user=case.created_by)
    assert case.status == S.APPROVED and case.service_lines.count() == 6


def test_a_case_sent_to_review_has_no_determination_yet(catalog):
    case = submitted_case()
    assert case.status == S.PENDING_REVIEW
    assert not Determination.objects.filter(line__case=case).exists()
    kinds = list(CaseEvent.objects.filter(case=case).values_list("kind", flat=True))
    assert kinds == ["submitted", "status_changed", "status_changed"]


# --- Later rounds --------------------------------------------------------------------------------------------


def initial_rows(case):
    return list(
        Determination.objects.filter(line__case=case, round=INITIAL).values_list(
            "pk", "outcome", "approved_quantity", "valid_from", "valid_to", "criterion_not_met", "guideline_id",
            "documentation_needed", "decided_by_id", "decided_at",
        )
    )  # fmt: skip


def test_a_reconsideration_overturns_a_denial_in_new_rows(catalog, reviewer, dme_guideline):
    case = dme_case()
    determine_all(case, "ddd", by=reviewer, guideline=dme_guideline)
    case = decisions.case_decide(case=case, round=INITIAL, by=reviewer)
    assert (case.status, case.authorization_number, case.valid_from) == (S.DENIED, None, None)
    before = initial_rows(case)

    # The initial round is closed: no new row, no decision again.
    with pytest.raises(ValidationError, match="Denied takes no initial determination"):
        decisions.line_determine(
            line=case.service_lines.first(), round=INITIAL, outcome="approved", approved_quantity=1, by=reviewer
        )
    with pytest.raises(ValidationError, match="no submitted reconsideration 1"):
        determine_all(case, "aaa", by=reviewer, round=RECONSIDERATION)
    reconsideration = reconsideration_row(case)
    determine_all(case, "aaa", by=reviewer, round=RECONSIDERATION)
    case = decisions.case_decide(case=case, round=RECONSIDERATION, by=reviewer)

    reconsideration.refresh_from_db()
    assert (reconsideration.status, reconsideration.decided_by) == ("overturned", reviewer)
    assert case.status == S.APPROVED
    assert case.authorization_number and case.valid_from == case.date_of_service
    assert initial_rows(case) == before
    assert Determination.objects.filter(line__case=case, round=RECONSIDERATION, outcome="approved").count() == 3
    change = case.status_changes.latest("pk")
    assert (change.from_status, change.to_status, change.reason) == (
        S.DENIED,
        S.APPROVED,
        "Reconsideration: Every service line approved.",
    )
    rounds = CaseEvent.objects.filter(case=case, kind="decided").values_list("payload__round", flat=True)
    assert list(rounds) == [INITIAL, RECONSIDERATION]


def test_an_upheld_reconsideration_moves_no_status_and_an_appeal_follows(catalog, reviewer, dme_guideline):
    case = dme_case()
    determine_all(case, "add", by=reviewer, guideline=dme_guideline)
    case = decisions.case_decide(case=case, round=INITIAL, by=reviewer)
    changes = case.status_changes.count()
    purchase, daily, monthly = case.service_lines.all()
    reconsideration = reconsideration_row(case)
    # The approved line carries over: only the lines not approved are determined again.
    with pytest.raises(ValidationError, match=r"Line 1 \(K0005\) is approved: its approval carries over"):
        determine_all(case, "a", by=reviewer, round=RECONSIDERATION, lines=[purchase])
    determine_all(case, "dd", by=reviewer, round=RECONSIDERATION, guideline=dme_guideline, lines=[daily, monthly])
    case = decisions.case_decide(case=case, round=RECONSIDERATION, by=reviewer)
    assert (case.status, case.status_changes.count()) == (S.PARTIALLY_APPROVED, changes)
    reconsideration.refresh_from_db()
    assert reconsideration.status == "upheld" and reconsideration.decided_at == case.decided_at
    with pytest.raises(ValidationError, match="reconsideration of this case is decided"):
        decisions.case_decide(case=case, round=RECONSIDERATION, by=reviewer)

    appeal_row(case)
    determine_all(case, "aa", by=reviewer, round=APPEAL, lines=[daily, monthly])
    case = decisions.case_decide(case=case, round=APPEAL, by=reviewer)
    assert case.status == S.APPROVED
    assert Determination.objects.filter(line__case=case).count() == 7
    assert Appeal.objects.get(case=case).status == "overturned"


def test_no_reconsideration_once_an_appeal_is_received(catalog, reviewer, dme_guideline):
    case = dme_case()
    determine_all(case, "ddd", by=reviewer, guideline=dme_guideline)
    decisions.case_decide(case=case, round=INITIAL, by=reviewer)
    reconsideration_row(case)
    appeal_row(case)
    decisions.line_determine(
        line=case.service_lines.first(), round=APPEAL, outcome="approved", approved_quantity=1, by=reviewer
    )
    with pytest.raises(ValidationError, match="once an appeal is received"):
        decisions.line_determine(
            line=case.service_lines.last(), round=RECONSIDERATION, outcome="approved", approved_quantity=3, by=reviewer
        )


def test_appeals_are_rounds_with_sequences_each_decided_once(catalog, reviewer, dme_guideline):
    case = dme_case()
    determine_all(case, "add", by=reviewer, guideline=dme_guideline)
    case = decisions.case_decide(case=case, round=INITIAL, by=reviewer)
    _, daily, monthly = case.service_lines.all()

    first = appeal_row(case, 1)
    determine_all(case, "dd", by=reviewer, round=APPEAL, sequence=1, guideline=dme_guideline, lines=[daily, monthly])
    case = decisions.case_decide(case=case, round=APPEAL, sequence=1, by=reviewer)
    first.refresh_from_db()
    assert (case.status, first.status) == (S.PARTIALLY_APPROVED, "upheld")
    with pytest.raises(ValidationError, match="appeal of this case is decided"):
        decisions.case_decide(case=case, round=APPEAL, sequence=1, by=reviewer)
    with pytest.raises(ValidationError, match="no submitted appeal 2"):
        decisions.line_determine(
            line=daily, round=APPEAL, sequence=2, outcome="approved", approved_quantity=1, by=reviewer
        )

    second = appeal_row(case, 2)
    decisions.line_determine(
        line=daily, round=APPEAL, sequence=2, outcome="approved", approved_quantity=21, by=reviewer
    )
    with pytest.raises(ValidationError, match=r"line 3 \(E0260\)"):
        decisions.case_decide(case=case, round=APPEAL, sequence=2, by=reviewer)
    determine_all(case, "d", by=reviewer, round=APPEAL, sequence=2, guideline=dme_guideline, lines=[monthly])
    case = decisions.case_decide(case=case, round=APPEAL, sequence=2, by=reviewer)
    second.refresh_from_db()
    # Line 2 approved in the second appeal: overturned in part; the case is still partially approved.
    assert (case.status, second.status, second.decided_by) == (S.PARTIALLY_APPROVED, "overturned", reviewer)
    effective = decisions.effective_determinations(case)
    assert [(row.round, row.sequence, row.outcome) for row in effective.values()] == [
        (INITIAL, 1, "approved"),
        (APPEAL, 2, "approved"),
        (APPEAL, 2, "denied"),
    ]
    assert case.valid_to == effective[case.service_lines.get(line_number=1).pk].valid_to
    decided = CaseEvent.objects.filter(case=case, kind="decided").order_by("pk")
    assert [(e.payload["round"], e.payload["sequence"]) for e in decided] == [(INITIAL, 1), (APPEAL, 1), (APPEAL, 2)]
    determined = CaseEvent.objects.filter(case=case, kind="line_determined").latest("pk")
    assert (determined.payload["round"], determined.payload["sequence"]) == (APPEAL, 2)


def test_the_initial_round_has_one_sequence(catalog, reviewer):
    case = submitted_case()
    with pytest.raises(ValidationError, match="one initial round"):
        decisions.line_determine(
            line=case.service_lines.first(),
            round=INITIAL,
            sequence=2,
            outcome="approved",
            approved_quantity=1,
            by=reviewer,
        )


def test_a_decided_case_closes_its_open_hold(catalog, reviewer):
    case = submitted_case()
    due_on = timezone.localdate() + datetime.timedelta(days=7)
    hold = holds.hold_place(case=case, items=["progress_notes"], note="", due_on=due_on, by=reviewer)
    determine_all(case, "a" * case.service_lines.count(), by=reviewer)
    decisions.case_decide(case=case, round=INITIAL, by=reviewer)
    hold.refresh_from_db()
    assert hold.status == Hold.Status.CLOSED and hold.closed_at is not None
