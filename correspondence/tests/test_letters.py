"""Each letter's content (COR-1, CMS-1), read back from its PDF with pypdf; one letter per decision; a stored
letter never changes."""

import datetime

import pytest
from django.utils import timezone

from cases import alternatives, appeals, reconsiderations, rules
from cases.models import Hold
from cases.tests.factories import submitted_case
from cases.tests.post_decision_world import (
    ALTERNATIVE,
    DENIAL,
    appeals_user,
    decided_case,
    determine,
    guideline,
    reviewer,  # noqa: F401 (a fixture)
)
from correspondence import letters, pdf
from correspondence.models import Letter
from correspondence.tests.conftest import (
    appeal_submitted,
    hold_placed,
    laid_out_boxes,
    letters_of,
    one_letter_of_each_kind,
    page_one_text,
    pdf_text,
)
from reference.validators import format_us_phone

pytestmark = pytest.mark.django_db
Kind = Letter.Kind


def rendered(letter: Letter) -> str:
    letter = letters.letter_render(letter=letter)
    return pdf_text(letter.pdf)


def us(day: datetime.date) -> str:
    return rules.format_us_date(day)


def test_the_hold_letter_says_what_is_needed_by_when_and_the_three_ways_to_supply_it(catalog, reviewer):  # noqa: F811
    case = submitted_case()
    hold = hold_placed(case, reviewer)
    [letter] = letters_of(case)
    assert (letter.kind, letter.event.kind) == (Kind.HOLD, "hold_placed")
    text = rendered(letter)
    for item in hold.item_labels():
        assert item in text
    assert "Please send the wound care notes." in text
    assert f"by the due date, {us(hold.due_on)}" in text
    assert "Upload it directly into the case on the provider portal" in text
    assert f"peer-to-peer) on the provider portal. It must take place before the due date, {us(hold.due_on)}" in text
    plan_fax = format_us_phone(case.health_plan.plan_programs.get(program=case.program).fax)
    assert f"Fax it to {plan_fax}" in text


def test_page_one_opens_with_the_letterhead_status_number_and_the_members_name_and_a_second_identifier(
    catalog,
    reviewer,  # noqa: F811
):
    case = submitted_case()
    hold_placed(case, reviewer)
    page_one = page_one_text(letters.letter_render(letter=letters_of(case)[0]).pdf)
    assert page_one.index(case.health_plan.name) < page_one.index("Status: On Hold")
    assert f"Case Number {case.case_number}" in page_one
    assert f"Patient Name {case.member.full_name}" in page_one
    assert f"Patient Id {case.member.member_id}" in page_one
    assert f"Date of Birth {us(case.member.date_of_birth)}" in page_one


def test_the_approval_gives_the_authorization_number_lines_units_and_validity(catalog, reviewer):  # noqa: F811
    case = decided_case("aaa", by=reviewer)
    [letter] = letters_of(case)
    assert letter.kind == Kind.APPROVAL
    text = rendered(letter)
    assert "Status: Approved" in text
    assert f"Authorization Number {case.authorization_number}" in text
    assert f"valid from {us(case.valid_from)} to {us(case.valid_to)}" in text
    for line in case.service_lines.all():
        row = line.determinations.get()
        assert f"{line.hcpcs.code} {line.label}" in text
        assert f"{row.approved_quantity} {line.unit} {us(row.valid_from)} to {us(row.valid_to)}" in text
    assert "Post-decision options" not in text


def test_a_home_health_bundle_approved_at_submission_gets_its_approval_letter(catalog):
    case = submitted_case(approved=True)
    assert [letter.kind for letter in letters_of(case)] == [Kind.APPROVAL]


def test_the_denial_gives_each_lines_reason_the_options_and_the_appeal_deadline(catalog, reviewer):  # noqa: F811
    case = decided_case("ddd", by=reviewer)
    [letter] = letters_of(case)
    assert letter.kind == Kind.DENIAL
    text = rendered(letter)
    assert "Status: Denied" in text
    assert text.count(f"Criterion not met {DENIAL['criterion']}") == 3
    assert f"Documentation that would change the outcome {DENIAL['documentation']}" in text
    assert guideline("dme").title in text
    assert "Reconsideration" in text and "peer-to-peer" in text
    last_day = timezone.localdate(case.decided_at) + datetime.timedelta(days=180)
    assert f"within 180 days of this decision: by {us(last_day)}" in text
    assert "Authorization Number" not in text


def test_the_partial_approval_has_both_the_approved_lines_and_the_denial(catalog, reviewer):  # noqa: F811
    case = decided_case("add", by=reviewer)
    [letter] = letters_of(case)
    assert letter.kind == Kind.PARTIAL_APPROVAL
    text = rendered(letter)
    assert "Status: Partially Approved" in text
    assert f"Authorization Number {case.authorization_number}" in text
    assert "Approved services" in text and "Services not approved" in text
    assert text.count(f"Criterion not met {DENIAL['criterion']}") == 2
    assert "Your appeal rights" in text


def test_the_alternative_recommendation_names_the_alternative_and_how_to_accept_it(catalog, reviewer):  # noqa: F811
    case = decided_case("xaa", by=reviewer)
    [letter] = letters_of(case)
    assert letter.kind == Kind.ALTERNATIVE_RECOMMENDATION
    text = rendered(letter)
    assert f"Alternative recommended {ALTERNATIVE}" in text
    assert "accept the alternative recommendation on the provider portal within 60 business days" in text


def test_the_appeal_is_acknowledged_then_its_decision_is_a_letter(catalog, reviewer):  # noqa: F811
    case = decided_case("add", by=reviewer)
    appeal = appeal_submitted(case, appeals_user(case), is_expedited=True)
    acknowledgement = letters_of(case, Kind.APPEAL_ACKNOWLEDGEMENT)[0]
    text = rendered(acknowledgement)
    assert "We received an expedited first-level appeal" in text
    assert f"Response due by {timezone.localtime(appeal.due_at):%m/%d/%Y}" in text

    lines = [line for line in case.service_lines.all() if line.determinations.latest("pk").outcome != "approved"]
    determine(case, "ad", by=reviewer, round="appeal", sequence=appeal.sequence, lines=lines)
    appeals.appeal_decide(appeal=appeal, by=reviewer)
    [decision] = letters_of(case, Kind.APPEAL_DECISION)
    text = rendered(decision)
    assert "the earlier decision is overturned" in text
    assert "Status: Appeal Overturned: Partially Approved" in text
    assert text.count(f"Criterion not met {DENIAL['criterion']}") == 1
    # The appeal decision is its own letter: no second determination letter for the same decision.
    assert [letter.kind for letter in letters_of(case)] == [
        Kind.PARTIAL_APPROVAL,
        Kind.APPEAL_ACKNOWLEDGEMENT,
        Kind.APPEAL_DECISION,
    ]


def test_each_reconsideration_decision_makes_one_letter_read_as_of_its_decision(catalog, reviewer):  # noqa: F811
    case = decided_case("add", by=reviewer)
    user = appeals_user(case, case_submission=True)
    first = reconsiderations.reconsideration_request(case=case, user=user, reason="New notes.")
    lines = [line for line in case.service_lines.all() if line.determinations.latest("pk").outcome != "approved"]
    determine(case, "dd", by=reviewer, round="reconsideration", sequence=first.sequence, lines=lines)
    reconsiderations.reconsideration_decide(reconsideration=first, by=reviewer)
    assert [letter.kind for letter in letters_of(case)] == [Kind.PARTIAL_APPROVAL, Kind.PARTIAL_APPROVAL]

    second = reconsiderations.reconsideration_request(case=case, user=user, reason="More notes.")
    determine(case, "aa", by=reviewer, round="reconsideration", sequence=second.sequence, lines=lines)
    reconsiderations.reconsideration_decide(reconsideration=second, by=reviewer)
    initial, upheld, overturned = letters_of(case)
    assert overturned.kind == Kind.APPROVAL
    # Rendered only now, after the approval: the first two still say what was decided then.
    assert "Status: Partially Approved" in rendered(initial)
    upheld_text = rendered(upheld)
    assert "Partial Approval: Reconsideration Decision" in upheld_text
    assert upheld_text.count(f"Criterion not met {DENIAL['criterion']}") == 2
    assert "Services not approved" not in rendered(overturned)


def test_a_rendered_letter_is_never_rendered_again(catalog, reviewer, monkeypatch):  # noqa: F811
    case = submitted_case()
    hold_placed(case, reviewer)
    letter = letters.letter_render(letter=letters_of(case)[0])
    stored, checksum, when = bytes(letter.pdf), letter.sha256, letter.rendered_at
    # The template changes (or the case does): the stored letter stays as it was sent.
    monkeypatch.setattr(letters, "template_for", lambda kind: "correspondence/letters/approval.html")
    Hold.objects.filter(case=case).update(note="Changed later.")
    again = letters.letter_render(letter=Letter.objects.get(pk=letter.pk))
    assert (bytes(again.pdf), again.sha256, again.rendered_at) == (stored, checksum, when)
    assert "Changed later." not in pdf_text(again.pdf)


def test_an_accepted_alternative_is_approved_in_its_own_letter_in_place_of_the_item_requested(catalog, reviewer):  # noqa: F811
    case = decided_case("xaa", by=reviewer)
    offered = case.service_lines.get(line_number=1).determinations.get()
    alternatives.alternative_accept(determination=offered, user=case.created_by)
    offer_letter, approval = letters_of(case)
    assert (offer_letter.kind, approval.kind) == (Kind.ALTERNATIVE_RECOMMENDATION, Kind.APPROVAL)
    text = rendered(approval)
    assert "Status: Approved" in text
    assert "(alternative accepted for line 1)" in text
    assert "Services not approved" not in text
    # The offer's letter, rendered only now, still says what was decided then.
    assert f"Alternative recommended {ALTERNATIVE}" in rendered(offer_letter)


def test_accepting_an_alternative_beside_a_denied_line_sends_a_partial_approval_not_a_second_recommendation(
    catalog,
    reviewer,  # noqa: F811
):
    case = decided_case("xdd", by=reviewer)
    offered = case.service_lines.get(line_number=1).determinations.get()
    alternatives.alternative_accept(determination=offered, user=case.created_by)
    offer_letter, decision = letters_of(case)
    assert (offer_letter.kind, decision.kind) == (Kind.ALTERNATIVE_RECOMMENDATION, Kind.PARTIAL_APPROVAL)
    assert "(alternative accepted for line 1)" in rendered(decision)


def test_each_kind_of_letter_is_laid_out_with_its_own_user_agent_stylesheet_as_with_weasyprints(
    catalog,
    reviewer,  # noqa: F811
):
    """static/css/letter-ua-pdf.css is the part of WeasyPrint's html5_ua.css the letters use: every box of every
    page is where WeasyPrint's own would put it, drawn the same. A letter using an element that sheet leaves out
    (laid out inline there) fails here."""
    for kind, letter in one_letter_of_each_kind(reviewer).items():
        html = letters.letter_html(letter)
        ours = pdf.html_layout(
            html, stylesheets=letters.STYLESHEETS, user_agent_stylesheet=letters.USER_AGENT_STYLESHEET
        )
        weasyprints = pdf.html_layout(html, stylesheets=letters.STYLESHEETS)
        assert laid_out_boxes(ours) == laid_out_boxes(weasyprints), kind
        assert ours.make_bookmark_tree() == weasyprints.make_bookmark_tree(), kind
        assert sum(len(page) for page in laid_out_boxes(ours)) > 100, kind


def test_each_kind_of_letter_is_written_from_three_queries_four_for_an_appeal_decision(
    catalog,
    reviewer,  # noqa: F811
    django_assert_num_queries,
):
    """The case with what the templates print of it (``letters.CASE_FIELDS``: a field they print and the query
    leaves out would be one query more), its plan's program, and the kind's own rows; an appeal decision also reads
    its appeal. The worker renders thousands of letters."""
    by_kind = one_letter_of_each_kind(reviewer)
    assert set(by_kind) == set(Kind.values)
    for kind, letter in by_kind.items():
        with django_assert_num_queries(4 if kind == Kind.APPEAL_DECISION else 3):
            html = letters.letter_html(letter)
        assert letter.case.case_number in html, kind
