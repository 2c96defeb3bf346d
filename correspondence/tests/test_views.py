"""A provider reads a letter (COR-1): the stored PDF, to the users who may view its case only, audited."""

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from audit.models import AuditEvent
from cases.tests.factories import submitted_case, submitter
from cases.tests.post_decision_world import reviewer  # noqa: F401 (a fixture)
from correspondence import letters
from correspondence.selectors import letters_for_case
from correspondence.tests.conftest import hold_placed, letters_of
from practices.models import PracticeMembership

pytestmark = pytest.mark.django_db


def url(letter) -> str:
    return reverse("correspondence:letter_pdf", args=[letter.pk])


@pytest.fixture
def hold_letter(catalog, reviewer):  # noqa: F811
    case = submitted_case()
    hold_placed(case, reviewer)
    return letters.letter_render(letter=letters_of(case)[0])


def test_the_cases_user_opens_the_stored_pdf_inline_and_the_read_is_audited(hold_letter, signed_in_client):
    user = hold_letter.case.created_by
    response = signed_in_client(user).get(url(hold_letter))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'inline; filename="hold-letter-{hold_letter.pk}.pdf"'
    assert response.content == bytes(hold_letter.pdf)
    event = AuditEvent.objects.get(action="correspondence.letter_viewed")
    assert (event.actor, event.target_id, event.details) == (
        user,
        str(hold_letter.case_id),
        {"letter": hold_letter.pk, "kind": "hold"},
    )


def test_a_colleague_with_case_submission_in_the_practice_opens_it(hold_letter, signed_in_client):
    colleague = submitter(practice=hold_letter.case.practice)
    assert signed_in_client(colleague).get(url(hold_letter)).status_code == 200


def test_a_user_of_another_practice_gets_404_and_nothing_is_audited(hold_letter, signed_in_client):
    outsider = submitter()
    assert signed_in_client(outsider).get(url(hold_letter)).status_code == 404
    assert not AuditEvent.objects.filter(action="correspondence.letter_viewed").exists()


def test_a_member_of_the_practice_without_the_entitlement_gets_404(hold_letter, signed_in_client):
    member = submitter()
    PracticeMembership.objects.create(user=member, practice=hold_letter.case.practice, case_submission=False)
    assert signed_in_client(member).get(url(hold_letter)).status_code == 404


def test_an_anonymous_visitor_is_sent_to_sign_in(hold_letter, client):
    response = client.get(url(hold_letter))
    assert response.status_code == 302 and "login" in response["Location"]


def test_a_letter_not_rendered_yet_is_404(catalog, reviewer, signed_in_client):  # noqa: F811
    case = submitted_case()
    hold_placed(case, reviewer)
    [letter] = letters_of(case)
    assert signed_in_client(case.created_by).get(url(letter)).status_code == 404


def test_a_missing_letter_is_404(hold_letter, signed_in_client):
    assert (
        signed_in_client(hold_letter.case.created_by)
        .get(f"/correspondence/letters/{hold_letter.pk + 99}/pdf/")
        .status_code
        == 404
    )


def test_the_case_letters_include_lists_kind_date_and_link(hold_letter):
    html = render_to_string("correspondence/_case_letters.html", {"letters": letters_for_case(hold_letter.case)})
    assert "Hold Letter" in html
    assert f'href="{url(hold_letter)}"' in html
    assert render_to_string("correspondence/_case_letters.html", {"letters": []}).count("No letters") == 1
