"""A DME alternative names its item as data, and accepting it authorizes that item at once (issue 11, item 10): a
new line approved in the offer's round, the line requested covered by it, the case's status derived again."""

import datetime
import html

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cases import alternatives, decisions, reconsiderations, rules
from cases.admin.case_page import case_page_context
from cases.models import Case, CaseEvent, CaseStatus, Determination, ServiceLine
from cases.tests.post_decision_world import (
    DENIAL,
    alternative_offer,
    appeals_user,
    days_ago,
    decided_case,
    determine,
    guideline,
    reviewer,  # noqa: F401 (a fixture)
)
from cases.tests.test_service_lines import dme_case
from reference.models import HcpcsCode

pytestmark = pytest.mark.django_db

S = CaseStatus


def single_line_offer(by, *, code="K0001", quantity=1) -> Case:
    """A one-line DME request (an ultralightweight wheelchair, K0005) decided with an alternative offered."""
    case = dme_case([("K0005", "1")])
    decisions.line_determine(
        line=case.service_lines.get(),
        round="initial",
        outcome="alternative_offered",
        guideline=guideline(),
        **DENIAL,
        **alternative_offer(code, quantity, label=""),
        by=by,
    )
    return decisions.case_decide(case=case, round="initial", by=by)


def offer(case, line_number):
    found = alternatives.alternative_for_line(case, line_number)
    assert found is not None
    return found


def text_of(response) -> str:
    return html.unescape(response.content.decode())


# --- The offer names its item ---------------------------------------------------------------------------------


def try_offer(case, reviewer, **item):  # noqa: F811
    return decisions.line_determine(
        line=case.service_lines.get(line_number=1),
        round="initial",
        outcome="alternative_offered",
        guideline=guideline(),
        by=reviewer,
        **DENIAL,
        **{"alternative": "A standard wheelchair.", **item},
    )


@pytest.mark.parametrize(
    ("item", "field", "message"),
    [
        ({"alternative_quantity": 1}, "alternative_hcpcs", "Enter the HCPCS code of the alternative item"),
        ({"alternative_hcpcs": "G0151", "alternative_quantity": 1}, "alternative_hcpcs", "not on the"),
        ({"alternative_hcpcs": "E0100", "alternative_quantity": 1}, "alternative_hcpcs", "does not require prior"),
        ({"alternative_hcpcs": "K0005", "alternative_quantity": 1}, "alternative_hcpcs", "is the item requested"),
        ({"alternative_hcpcs": "K0001"}, "alternative_quantity", "Enter the quantity of the alternative item"),
        ({"alternative_hcpcs": "K0001", "alternative_quantity": 0}, "alternative_quantity", "between 1 and 999"),
        ({"alternative_hcpcs": "K0001", "alternative_quantity": 1000}, "alternative_quantity", "between 1 and 999"),
    ],
)
def test_an_alternative_names_a_dme_item_needing_authorization_and_its_quantity(
    catalog,
    reviewer,  # noqa: F811
    item,
    field,
    message,
):
    case = dme_case()
    if "alternative_hcpcs" in item:
        item = {**item, "alternative_hcpcs": HcpcsCode.objects.get(code=item["alternative_hcpcs"])}
    with pytest.raises(ValidationError) as refused:
        try_offer(case, reviewer, **item)
    assert message in " ".join(refused.value.message_dict[field])
    assert not Determination.objects.filter(line__case=case).exists()


def test_the_label_is_the_reviewers_words_or_the_codes_description(catalog, reviewer):  # noqa: F811
    case = dme_case()
    worded = try_offer(case, reviewer, **alternative_offer("K0001", 2, label="A standard wheelchair."))
    assert (worded.alternative, worded.alternative_hcpcs.code, worded.alternative_quantity) == (
        "A standard wheelchair.",
        "K0001",
        2,
    )
    line = case.service_lines.get(line_number=2)
    unworded = decisions.line_determine(
        line=line,
        round="initial",
        outcome="alternative_offered",
        guideline=guideline(),
        by=reviewer,
        **DENIAL,
        **alternative_offer("K0003", 1, label=""),
    )
    assert unworded.alternative == "K0003 Lightweight wheelchair"


def test_a_denial_or_an_approval_names_no_alternative_item(catalog, reviewer):  # noqa: F811
    case = dme_case()
    first, second = case.service_lines.order_by("line_number")[:2]
    denial = decisions.line_determine(
        line=first,
        round="initial",
        outcome="denied",
        guideline=guideline(),
        by=reviewer,
        **DENIAL,
        **alternative_offer("K0001", 1),
    )
    approval = decisions.line_determine(
        line=second, round="initial", outcome="approved", approved_quantity=1, by=reviewer
    )
    for row in (denial, approval):
        row.refresh_from_db()
        assert (row.alternative, row.alternative_hcpcs, row.alternative_quantity) == ("", None, None)


# --- The reviewer's form --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "quantity", "message"),
    [
        ("", "1", "Enter the HCPCS code of the alternative item, such as K0001."),
        ("Z9999", "1", "HCPCS code Z9999 is not in the code catalog."),
        ("wheelchair", "1", "A HCPCS code is one letter and four digits, for example K0001."),
        ("G0151", "1", "HCPCS code G0151 is not on the Durable Medical Equipment(DME) code list"),
        ("K0001", "0", "The alternative quantity must be 1 or more."),
        ("K0001", "", "Enter the quantity of the alternative item."),
        ("K0001", "99999999999", "The alternative quantity must be at most 999."),
        ("K0001", "one", "Enter the alternative quantity as a whole number, such as 1."),
    ],
)
def test_the_decision_form_shows_each_alternative_error_next_to_its_field(
    catalog,
    reviewer,  # noqa: F811
    signed_in_client,
    code,
    quantity,
    message,
):
    case = dme_case()
    line = case.service_lines.get(line_number=1)
    data = {
        "outcome": "alternative_offered",
        "criterion_not_met": "Not met.",
        "guideline": guideline().pk,
        "documentation_needed": "Notes.",
        "alternative_hcpcs": code,
        "alternative_quantity": quantity,
    }
    response = signed_in_client(reviewer).post(
        reverse("admin:cases_case_determine", args=[case.pk]),
        {"line": line.pk, **{f"line-{line.pk}-{name}": value for name, value in data.items()}},
        follow=True,
    )
    assert response.status_code == 200
    page = text_of(response)
    assert "There is a problem" in page and message in page
    assert "Alternative HCPCS code" in page and "Alternative quantity" in page
    assert not Determination.objects.filter(line=line).exists()


def test_the_decision_form_offers_the_alternative_item(catalog, reviewer, signed_in_client):  # noqa: F811
    case = dme_case()
    line = case.service_lines.get(line_number=1)
    data = {
        "outcome": "alternative_offered",
        "criterion_not_met": "Not met.",
        "guideline": guideline().pk,
        "documentation_needed": "Notes.",
        "alternative_hcpcs": " k0001 ",
        "alternative_quantity": "2",
    }
    signed_in_client(reviewer).post(
        reverse("admin:cases_case_determine", args=[case.pk]),
        {"line": line.pk, **{f"line-{line.pk}-{name}": value for name, value in data.items()}},
    )
    row = Determination.objects.get(line=line)
    assert (row.outcome, row.alternative, row.alternative_hcpcs.code, row.alternative_quantity) == (
        "alternative_offered",
        "K0001 Standard wheelchair",
        "K0001",
        2,
    )


def test_the_reviewers_page_shows_the_offered_item_and_the_alternative_line(catalog, reviewer, signed_in_client):  # noqa: F811
    case = decided_case("xdd", by=reviewer)
    alternatives.alternative_accept(determination=offer(case, 1), user=case.created_by)
    page = text_of(signed_in_client(reviewer).get(reverse("admin:cases_case_change", args=[case.pk])))
    assert "Alternative recommended: A standard wheelchair (K0001)., quantity 1" in page
    assert "Alternative to line 1, accepted" in page


# --- Accepting authorizes the item ----------------------------------------------------------------------------


def test_accepting_adds_one_line_approved_in_the_offers_round_from_the_day_of_acceptance(catalog, reviewer):  # noqa: F811
    case = single_line_offer(reviewer, code="K0001", quantity=2)
    offered = offer(case, 1)
    before = Determination.objects.filter(pk=offered.pk).values().get()
    alternatives.alternative_accept(determination=offered, user=case.created_by)

    line = ServiceLine.objects.get(case=case, alternative_of__isnull=False)
    assert (line.line_number, line.hcpcs.code, line.label, line.quantity) == (2, "K0001", "Standard wheelchair", 2)
    assert (line.billing_basis, line.unit, line.alternative_of_id) == ("monthly_rental", "Months", offered.line_id)
    approval = Determination.objects.get(line=line)
    today = timezone.localdate()
    assert (approval.outcome, approval.round, approval.sequence, approval.decided_by) == (
        "approved",
        "initial",
        1,
        reviewer,
    )
    # A monthly rental approved for two months, counted from the day it was accepted.
    assert (approval.approved_quantity, approval.valid_from, approval.valid_to) == (
        2,
        today,
        rules.add_months(today, 2) - datetime.timedelta(days=1),
    )
    assert Determination.objects.filter(pk=offered.pk).values().get() == before  # the offer is never edited
    assert ServiceLine.objects.filter(case=case).count() == 2
    assert Determination.objects.filter(line__case=case).count() == 2


def test_a_purchase_alternative_is_valid_180_days(catalog, reviewer):  # noqa: F811
    case = single_line_offer(reviewer, code="E0639", quantity=1)
    alternatives.alternative_accept(determination=offer(case, 1), user=case.created_by)
    approval = Determination.objects.get(line__alternative_of__isnull=False, line__case=case)
    today = timezone.localdate()
    assert HcpcsCode.objects.get(code="E0639").billing_basis == "purchase"
    assert (approval.valid_from, approval.valid_to) == (today, today + datetime.timedelta(days=179))


def test_accepting_twice_is_refused_and_authorizes_once(catalog, reviewer):  # noqa: F811
    case = decided_case("axd", by=reviewer)
    offered = offer(case, 2)
    alternatives.alternative_accept(determination=offered, user=case.created_by)
    with pytest.raises(ValidationError, match="already been accepted"):
        alternatives.alternative_accept(determination=offered, user=case.created_by)
    with pytest.raises(ValidationError, match="already authorized"):
        decisions.alternative_authorize(
            case=case, offer=offered, accepted_at=timezone.now(), accepted_by=case.created_by
        )
    assert ServiceLine.objects.filter(case=case, alternative_of__isnull=False).count() == 1


def test_a_late_acceptance_authorizes_nothing(catalog, reviewer):  # noqa: F811
    case = decided_case("axd", by=reviewer, decided_at=days_ago(120))
    with pytest.raises(ValidationError, match="The time to accept this alternative ended"):
        alternatives.alternative_accept(determination=offer(case, 2), user=case.created_by)
    assert ServiceLine.objects.filter(case=case).count() == 3
    case.refresh_from_db()
    assert case.status == S.PARTIALLY_APPROVED


def test_no_acceptance_while_a_reconsideration_waits_for_its_decision(catalog, reviewer):  # noqa: F811
    case = decided_case("xdd", by=reviewer)
    reconsiderations.reconsideration_request(case=case, user=appeals_user(case), reason="Look again.")
    with pytest.raises(ValidationError, match="A reconsideration of this request is waiting for its decision"):
        alternatives.alternative_accept(determination=offer(case, 1), user=case.created_by)
    assert ServiceLine.objects.filter(case=case).count() == 3


# --- The case's status ----------------------------------------------------------------------------------------


def test_a_single_line_alternative_accepted_makes_the_case_approved_with_its_authorization(catalog, reviewer):  # noqa: F811
    case = single_line_offer(reviewer)
    assert (case.status, case.authorization_number, case.valid_from) == (S.DENIED, None, None)
    alternatives.alternative_accept(determination=offer(case, 1), user=case.created_by)
    case.refresh_from_db()
    approval = Determination.objects.get(line__case=case, outcome="approved")
    assert case.status == S.APPROVED
    assert case.authorization_number
    assert (case.valid_from, case.valid_to) == (approval.valid_from, approval.valid_to)
    change = case.status_changes.latest("pk")
    assert (change.from_status, change.to_status, change.changed_by) == (S.DENIED, S.APPROVED, case.created_by)
    assert change.reason == "Alternative accepted for line 1: Every service line approved."
    # The timeline: the acceptance, then the alternative line's approval, the status and the decision.
    kinds = list(CaseEvent.objects.filter(case=case).order_by("pk").values_list("kind", flat=True))
    assert kinds[-4:] == ["alternative_accepted", "line_determined", "status_changed", "decided"]
    decided = CaseEvent.objects.filter(case=case, kind="decided").latest("pk")
    assert decided.payload["status"] == S.APPROVED and decided.payload["round"] == "initial"


@pytest.mark.parametrize(
    ("outcomes", "line_number", "before", "after"),
    [
        ("xdd", 1, S.DENIED, S.PARTIALLY_APPROVED),
        ("axa", 2, S.PARTIALLY_APPROVED, S.APPROVED),
        ("axd", 2, S.PARTIALLY_APPROVED, S.PARTIALLY_APPROVED),
    ],
)
def test_the_other_lines_decide_between_approved_and_partially_approved(
    catalog,
    reviewer,  # noqa: F811
    outcomes,
    line_number,
    before,
    after,
):
    case = decided_case(outcomes, by=reviewer)
    assert case.status == before
    changes = case.status_changes.count()
    alternatives.alternative_accept(determination=offer(case, line_number), user=case.created_by)
    case.refresh_from_db()
    assert case.status == after
    assert case.authorization_number
    assert case.status_changes.count() == changes + (0 if before == after else 1)


# --- Later rounds ---------------------------------------------------------------------------------------------


def test_a_reconsideration_afterwards_determines_neither_the_alternative_nor_the_line_it_covers(
    catalog,
    reviewer,  # noqa: F811
):
    case = decided_case("xda", by=reviewer)
    alternatives.alternative_accept(determination=offer(case, 1), user=case.created_by)
    case.refresh_from_db()
    assert case.status == S.PARTIALLY_APPROVED
    reconsideration = reconsiderations.reconsideration_request(
        case=case, user=appeals_user(case), reason="The bed is needed."
    )
    original, denied, _approved, alternative_line = case.service_lines.order_by("line_number")
    assert alternative_line.alternative_of_id == original.pk
    common = {"round": "reconsideration", "sequence": 1, "outcome": "approved", "approved_quantity": 1, "by": reviewer}
    with pytest.raises(ValidationError, match="its alternative was accepted and is authorized as line 4"):
        decisions.line_determine(line=original, **common)
    with pytest.raises(ValidationError, match="is approved: its approval carries over"):
        decisions.line_determine(line=alternative_line, **common)
    # Only the denied line is due: deciding needs nothing else, and approving it approves the case.
    decisions.line_determine(line=denied, **{**common, "approved_quantity": denied.quantity})
    reconsiderations.reconsideration_decide(reconsideration=reconsideration, by=reviewer)
    case.refresh_from_db()
    assert case.status == S.APPROVED
    effective = decisions.effective_determinations(case)
    assert effective[original.pk].outcome == "alternative_offered"  # its own rows stay as they were
    assert effective[alternative_line.pk].round == "initial"
    assert Determination.objects.filter(line__in=[original, alternative_line]).count() == 2


def test_a_reconsideration_that_upholds_keeps_the_covered_line_covered(catalog, reviewer):  # noqa: F811
    case = decided_case("xdd", by=reviewer)
    alternatives.alternative_accept(determination=offer(case, 1), user=case.created_by)
    reconsideration = reconsiderations.reconsideration_request(
        case=Case.objects.get(pk=case.pk), user=appeals_user(case), reason="Look again."
    )
    lines = list(case.service_lines.filter(line_number__in=[2, 3]).order_by("line_number"))
    determine(case, "dd", by=reviewer, round="reconsideration", lines=lines)
    reconsiderations.reconsideration_decide(reconsideration=reconsideration, by=reviewer)
    case.refresh_from_db()
    assert case.status == S.PARTIALLY_APPROVED


# --- The provider's pages -------------------------------------------------------------------------------------


def test_the_accept_page_says_what_is_authorized_before_and_after(catalog, reviewer, signed_in_client):  # noqa: F811
    case = decided_case("xdd", by=reviewer)
    client = signed_in_client(case.created_by)
    url = reverse("cases:alternative", args=[case.request_id, 1])
    before = text_of(client.get(url))
    assert "What accepting authorizes" in before
    for words in ("K0001", "Standard wheelchair", "1 Months"):
        assert words in before
    response = client.post(url, follow=True)
    page = text_of(response)
    approval = Determination.objects.get(line__case=case, line__alternative_of__isnull=False)
    assert (
        "You accepted the alternative recommended for line 1: K0001 Standard wheelchair, 1 Months, is approved as "
        f"line 4, valid {approval.valid_from:%m/%d/%Y} to {approval.valid_to:%m/%d/%Y}."
    ) in page
    assert "Line 4: K0001 Standard wheelchair (alternative to line 1)" in page
    assert "accepted " in page and "authorized as line 4" in page
    after = text_of(client.get(url))
    assert "What accepting authorizes" not in after
    assert "Approved as line 4: K0001 Standard wheelchair, 1 Months" in after


def test_the_reconsideration_page_says_the_alternative_was_accepted(catalog, reviewer, signed_in_client):  # noqa: F811
    case = decided_case("xdd", by=reviewer)
    alternatives.alternative_accept(determination=offer(case, 1), user=case.created_by)
    user = appeals_user(case, case_submission=True, user=case.created_by)
    page = text_of(signed_in_client(user).get(reverse("cases:reconsider", args=[case.request_id])))
    assert "A standard wheelchair (K0001). (1 Months), accepted " in page
    assert "and approved as its own line" in page


def test_the_case_page_costs_the_same_queries_with_the_alternative_line(
    catalog,
    reviewer,  # noqa: F811
    signed_in_client,
    client,
    django_assert_num_queries,
):
    case = decided_case("axd", by=reviewer)
    signed_in_client(case.created_by, client)
    url = reverse("cases:case_detail", args=[case.request_id])
    with CaptureQueriesContext(connection) as before:
        assert client.get(url).status_code == 200
    alternatives.alternative_accept(determination=offer(case, 2), user=case.created_by)
    with django_assert_num_queries(len(before)):
        page = text_of(client.get(url))
    assert "Line 4: K0001 Standard wheelchair (alternative to line 2)" in page
    assert "Alternative accepted for line 2." in page


# --- The migration --------------------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_the_migration_names_the_item_of_the_alternatives_offered_before_it(catalog):
    """0011 fills the item of the alternatives offered in words only: the code their text starts with when the
    catalog has it on the line's program list, else the line's own; the line's quantity. And it goes back."""
    from cases.tests.post_decision_world import make_reviewer

    staff = make_reviewer()
    case = dme_case([("K0005", "1"), ("E0935", "10"), ("E0260", "3")])
    before, after = ("cases", "0010_queue_indexes"), ("cases", "0011_alternative_item")
    executor = MigrationExecutor(connection)
    leaves = executor.loader.graph.leaf_nodes()
    try:
        executor.migrate([before])
        old = executor.loader.project_state([before]).apps.get_model("cases", "Determination")
        texts = {1: "K0001 Standard wheelchair", 2: "A cane would do.", 3: "G0151 is not DME"}
        for line in ServiceLine.objects.filter(case=case).order_by("line_number").values("pk", "line_number"):
            old.objects.create(
                line_id=line["pk"],
                round="initial",
                outcome="alternative_offered",
                criterion_not_met="Not met.",
                guideline_id=guideline().pk,
                alternative=texts[line["line_number"]],
                decided_by_id=staff.pk,
            )
        executor = MigrationExecutor(connection)
        executor.migrate([after])
        new = executor.loader.project_state([after]).apps.get_model("cases", "Determination")
        rows = new.objects.filter(line__case_id=case.pk).order_by("line__line_number")
        assert [(row.alternative_hcpcs.code, row.alternative_quantity) for row in rows] == [
            ("K0001", 1),  # the code its text starts with
            ("E0935", 10),  # no code: the line's own
            ("E0260", 3),  # a Home Health code is not on the DME list: the line's own
        ]
        executor = MigrationExecutor(connection)
        executor.migrate([before])
        assert old.objects.filter(line__case_id=case.pk).count() == 3
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(leaves)


def test_once_its_alternative_is_accepted_the_original_item_is_not_reconsidered(catalog, reviewer):  # noqa: F811
    case = decided_case("xdd", by=reviewer)
    assert reconsiderations.has_alternative(case)
    alternatives.alternative_accept(determination=offer(case, 1), user=case.created_by)
    case.refresh_from_db()
    assert not reconsiderations.has_alternative(case)
    with pytest.raises(ValidationError, match="No alternative was recommended"):
        reconsiderations.reconsideration_request(
            case=case, user=appeals_user(case), reason="The original chair.", of_original_item=True
        )


def test_a_reconsideration_asks_the_reviewer_for_the_denied_lines_only_not_the_one_its_alternative_covers(
    catalog,
    reviewer,  # noqa: F811
):
    case = decided_case("xdd", by=reviewer)
    alternatives.alternative_accept(determination=offer(case, 1), user=case.created_by)
    reconsiderations.reconsideration_request(case=case, user=appeals_user(case), reason="New notes for 2 and 3.")
    case.refresh_from_db()
    forms = case_page_context(case, user=reviewer)["line_forms"]
    assert sorted(form.line.line_number for form in forms) == [2, 3]
