"""Accepting a DME alternative recommendation (issue 11 item 11, WL-6, seed 002): within 60 business days of the
decision, federal holidays not counted; once; by the practice's case submitters."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from accounts.tests.factories import UserFactory
from cases import alternatives, reconsiderations, rules
from cases.models import AlternativeAcceptance, CaseEvent, Determination
from cases.tests.post_decision_world import (
    appeals_user,
    days_ago,
    decided_case,
    delegate_of,
    determine,
    reviewer,  # noqa: F401 (a fixture)
)

pytestmark = pytest.mark.django_db


def test_sixty_business_days_skip_weekends_thanksgiving_and_christmas():
    # Decided Friday 11/20/2026: Thanksgiving (11/26), Christmas (12/25) and New Year's Day (01/01/2027) are
    # not counted, nor Martin Luther King Jr. Day (01/18/2027).
    assert rules.business_days_after(datetime.date(2026, 11, 20), 1) == datetime.date(2026, 11, 23)
    assert rules.business_days_after(datetime.date(2026, 11, 25), 1) == datetime.date(2026, 11, 27)
    assert rules.business_days_after(datetime.date(2026, 12, 24), 1) == datetime.date(2026, 12, 28)
    assert rules.business_days_after(datetime.date(2026, 11, 20), 60) == datetime.date(2027, 2, 19)
    # Counted by hand: 60 weekdays after 11/20/2026 would be 02/12/2027 with no holidays; four fall in between.
    weekdays, day = 0, datetime.date(2026, 11, 20)
    while weekdays < 60:
        day += datetime.timedelta(days=1)
        weekdays += day.weekday() < 5
    assert day == datetime.date(2027, 2, 12)


def test_the_practice_accepts_the_alternative_once_with_its_event(catalog, reviewer):  # noqa: F811
    case = decided_case("axd", by=reviewer)
    offered = alternatives.alternative_for_line(case, 2)
    assert offered.alternative == "A standard wheelchair (K0001)."
    acceptance = alternatives.alternative_accept(determination=offered, user=case.created_by)
    assert (acceptance.determination, acceptance.accepted_by) == (offered, case.created_by)
    event = CaseEvent.objects.get(case=case, kind="alternative_accepted")
    assert event.payload == {"determination": offered.pk, "line_number": 2}
    # Then the alternative item's approval and the case's decision (test_alternative_item).
    later = CaseEvent.objects.filter(case=case, pk__gt=event.pk).order_by("pk")
    assert [row.kind for row in later] == ["line_determined", "decided"]
    with pytest.raises(ValidationError, match="already been accepted"):
        alternatives.alternative_accept(determination=offered, user=case.created_by)
    assert AlternativeAcceptance.objects.count() == 1


def earliest_decision_day_still_open(today: datetime.date) -> datetime.date:
    """The earliest decision day whose 60 business days have not ended by ``today`` (the day before has)."""
    day = today
    while rules.business_days_after(day - datetime.timedelta(days=1), 60) >= today:
        day -= datetime.timedelta(days=1)
    return day


@pytest.mark.parametrize(("days_earlier", "allowed"), [(0, True), (1, False)])
def test_within_sixty_business_days_of_the_decision(catalog, reviewer, days_earlier, allowed):  # noqa: F811
    today = timezone.localdate()
    decided_on = earliest_decision_day_still_open(today) - datetime.timedelta(days=days_earlier)
    case = decided_case("axd", by=reviewer, decided_at=days_ago((today - decided_on).days))
    offered = alternatives.alternative_for_line(case, 2)
    deadline = alternatives.alternative_deadline(offered)
    assert deadline == rules.business_days_after(decided_on, 60)
    assert (deadline >= today) == allowed
    if allowed:
        alternatives.alternative_accept(determination=offered, user=case.created_by)
    else:
        with pytest.raises(ValidationError, match=f"ended on {deadline:%m/%d/%Y}"):
            alternatives.alternative_accept(determination=offered, user=case.created_by)


def test_only_an_alternative_that_still_stands_is_accepted(catalog, reviewer):  # noqa: F811
    case = decided_case("axd", by=reviewer)
    denied = alternatives.alternative_for_line(case, 3)
    assert denied is None
    with pytest.raises(ValidationError, match="no longer the line's decision"):
        alternatives.alternative_accept(
            determination=Determination.objects.get(line__case=case, line__line_number=3), user=case.created_by
        )
    offered = alternatives.alternative_for_line(case, 2)
    # The original item is reconsidered instead, and approved: the alternative no longer stands.
    reconsideration = reconsiderations.reconsideration_request(
        case=case, user=appeals_user(case), reason="The original is needed.", of_original_item=True
    )
    lines = list(case.service_lines.all())[1:]
    determine(case, "ad", by=reviewer, round="reconsideration", lines=lines)
    reconsiderations.reconsideration_decide(reconsideration=reconsideration, by=reviewer)
    assert alternatives.alternative_for_line(case, 2) is None
    with pytest.raises(ValidationError, match="no longer the line's decision"):
        alternatives.alternative_accept(determination=offered, user=case.created_by)


@pytest.mark.parametrize("who", ["delegate", "appeals only", "stranger"])
def test_only_the_practices_case_submitters_accept(catalog, reviewer, who):  # noqa: F811
    case = decided_case("axd", by=reviewer)
    user = {"delegate": delegate_of(case), "appeals only": appeals_user(case), "stranger": UserFactory()}[who]
    with pytest.raises(PermissionDenied):
        alternatives.alternative_accept(determination=alternatives.alternative_for_line(case, 2), user=user)
    assert not AlternativeAcceptance.objects.exists()
