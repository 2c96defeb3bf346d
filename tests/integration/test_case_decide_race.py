"""REV-2: two reviewers deciding one case at the same moment make one decision, on SQLite and PostgreSQL alike."""

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError

from accounts.tests.factories import UserFactory
from cases import decisions
from cases.models import Case, CaseEvent, CaseStatus, Determination
from cases.tests.factories import submitted_case
from reference.services import catalog_load
from tests.integration.threads import at_once

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def reviewer():
    user = UserFactory(is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="review_case"))
    return user


def test_two_reviewers_deciding_at_once_make_one_transition():
    catalog_load()
    case = submitted_case()
    first, second = reviewer(), reviewer()
    for line in case.service_lines.all():
        decisions.line_determine(
            line=line, round="initial", outcome="approved", approved_quantity=line.quantity, by=first
        )

    results, errors = at_once(
        lambda: decisions.case_decide(case=case, round="initial", by=first),
        lambda: decisions.case_decide(case=case, round="initial", by=second),
    )

    assert len(results) == 1, errors
    assert len(errors) == 1 and isinstance(errors[0], ValidationError), errors
    assert "takes no initial determination" in str(errors[0])
    case = Case.objects.get(pk=case.pk)
    assert case.status == CaseStatus.APPROVED
    assert case.status_changes.filter(from_status=CaseStatus.PENDING_REVIEW).count() == 1
    assert CaseEvent.objects.filter(case=case, kind="decided").count() == 1
    assert results[0].authorization_number == case.authorization_number


def test_two_reviewers_determining_one_line_at_once_make_one_row():
    catalog_load()
    case = submitted_case()
    line = case.service_lines.first()

    def determine(by):
        return lambda: decisions.line_determine(
            line=line, round="initial", outcome="approved", approved_quantity=line.quantity, by=by
        )

    results, errors = at_once(determine(reviewer()), determine(reviewer()))

    assert len(results) == 1, errors
    assert len(errors) == 1 and isinstance(errors[0], ValidationError), errors
    assert "already has its initial determination" in str(errors[0])
    assert Determination.objects.filter(line=line).count() == 1
    assert CaseEvent.objects.filter(case=case, kind="line_determined").count() == 1
