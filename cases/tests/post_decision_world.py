"""Decided cases and the people around them, for the post-decision tests (reconsiderations, appeals, alternatives,
extensions): made through the same services the reviewer and the provider pages call."""

import datetime

import pytest
from django.contrib.auth.models import Permission
from django.utils import timezone

from accounts.tests.factories import UserFactory
from cases import decisions
from cases.models import Case, Determination
from cases.tests.test_service_lines import dme_case
from practices.models import PracticeMembership
from practices.tests.factories import WorklistAccessFactory
from reference.models import HcpcsCode, Program
from resources.models import ClinicalGuideline

DENIAL = {
    "criterion": "No documented trial of a standard wheelchair.",
    "documentation": "Notes of the trial of a standard wheelchair and why it failed.",
}
ALTERNATIVE = "A standard wheelchair (K0001)."


def alternative_offer(code: str = "K0001", quantity: int = 1, label: str = ALTERNATIVE) -> dict:
    """The arguments of ``decisions.line_determine`` that offer the alternative item ``code`` x ``quantity``."""
    return {
        "alternative": label,
        "alternative_hcpcs": HcpcsCode.objects.get(code=code),
        "alternative_quantity": quantity,
    }


def make_reviewer():
    user = UserFactory(is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="review_case"))
    return user


@pytest.fixture
def reviewer(db):
    return make_reviewer()


def guideline(program_code: str = "dme") -> ClinicalGuideline:
    found, _ = ClinicalGuideline.objects.get_or_create(
        program=Program.objects.get(code=program_code),
        title=f"{program_code} guideline",
        version="1.0",
        defaults={"effective_date": datetime.date(2026, 1, 1), "summary": "Criteria."},
    )
    return found


def determine(case, outcomes, *, by, round="initial", sequence=1, lines=None):
    """Determine each line of ``case`` (or ``lines``): "a" approved as requested, "d" denied, "x" alternative."""
    lines = list(case.service_lines.all()) if lines is None else lines
    for line, outcome in zip(lines, outcomes, strict=True):
        common = {"line": line, "round": round, "sequence": sequence, "by": by}
        if outcome == "a":
            decisions.line_determine(**common, outcome="approved", approved_quantity=line.quantity)
        else:
            extra = alternative_offer() if outcome == "x" else {}
            kind = "denied" if outcome == "d" else "alternative_offered"
            decisions.line_determine(**common, outcome=kind, guideline=guideline(case.program.code), **DENIAL, **extra)


def decided_case(outcomes: str = "add", *, by, decided_at: datetime.datetime | None = None) -> Case:
    """A DME request (K0005 purchase, E0935 daily rental, E0260 monthly rental) decided in its initial round;
    ``decided_at`` moves the decision (and its determinations) back in time."""
    case = dme_case()
    determine(case, outcomes, by=by)
    case = decisions.case_decide(case=case, round="initial", by=by)
    if decided_at is not None:
        Case.objects.filter(pk=case.pk).update(decided_at=decided_at)
        Determination.objects.filter(line__case=case).update(decided_at=decided_at)
        case.refresh_from_db()
    return case


def appeals_user(case: Case, *, case_submission: bool = False, user=None):
    """A member of the case's practice with the precertification/appeals entitlement."""
    user = user or UserFactory()
    PracticeMembership.objects.update_or_create(
        user=user,
        practice=case.practice,
        defaults={"precertification_appeals": True, "case_submission": case_submission},
    )
    return user


def delegate_of(case: Case):
    """A user given access to the case creator's worklist (views, acts on nothing)."""
    return WorklistAccessFactory(owner=case.created_by).grantee


def days_ago(days: int, *, hour: int = 12) -> datetime.datetime:
    today = timezone.localdate() - datetime.timedelta(days=days)
    return timezone.make_aware(datetime.datetime.combine(today, datetime.time(hour)))
