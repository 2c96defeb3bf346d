"""Appeals submitted online (issue 11 item 10, WL-5, seed 004): entitlement, five-day drafts any entitled colleague
may complete, five per request one at a time, immutable once submitted, the 180-day window, the due time, and the
reviewer's decision as a new round."""

import datetime

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from accounts.tests.factories import UserFactory
from cases import appeals, reconsiderations, tasks
from cases.models import Appeal, CaseEvent, CaseStatus
from cases.tests.post_decision_world import (
    appeals_user,
    days_ago,
    decided_case,
    delegate_of,
    determine,
    reviewer,  # noqa: F401 (a fixture)
)

pytestmark = pytest.mark.django_db
S = CaseStatus


def drafted(case, user, **fields):
    appeal = appeals.appeal_draft_start(case=case, user=user)
    return appeals.appeal_draft_save(appeal=appeal, user=user, **({"reason": "Medically necessary."} | fields))


def submitted(case, user, **fields):
    return appeals.appeal_submit(appeal=drafted(case, user, **fields), user=user)


def decide(case, appeal, outcomes, by):
    lines = [line for line in case.service_lines.all() if line.determinations.latest("pk").outcome != "approved"]
    determine(case, outcomes, by=by, round="appeal", sequence=appeal.sequence, lines=lines)
    return appeals.appeal_decide(appeal=appeal, by=by)


def test_a_draft_is_kept_five_days_and_a_colleague_completes_and_submits_it(catalog, reviewer):  # noqa: F811
    case = decided_case("ddd", by=reviewer)
    author, colleague = appeals_user(case), appeals_user(case)
    before = timezone.now()
    draft = appeals.appeal_draft_start(case=case, user=author)
    assert (draft.sequence, draft.status, draft.created_by) == (1, "draft", author)
    assert before + datetime.timedelta(days=5) <= draft.draft_expires_at <= timezone.now() + datetime.timedelta(days=5)
    appeals.appeal_draft_save(appeal=draft, user=author, contact_name="Pat Office")
    saved = appeals.appeal_draft_save(appeal=draft, user=colleague, reason="Trial failed.", contact_phone="8606661234")
    assert (saved.updated_by, saved.contact_name, saved.reason) == (colleague, "Pat Office", "Trial failed.")
    appeal = appeals.appeal_submit(appeal=saved, user=colleague)
    assert (appeal.status, appeal.submitted_by) == ("submitted", colleague)
    assert appeal.due_at == appeal.submitted_at + datetime.timedelta(days=30)
    event = CaseEvent.objects.filter(case=case).latest("pk")
    assert (event.kind, event.actor, event.payload) == (
        "appeal_submitted",
        colleague,
        {"appeal": appeal.pk, "status": "submitted", "sequence": 1},
    )


def test_an_expedited_appeal_is_due_in_72_hours(catalog, reviewer):  # noqa: F811
    case = decided_case("ddd", by=reviewer)
    appeal = submitted(case, appeals_user(case), is_expedited=True)
    assert appeal.due_at - appeal.submitted_at == datetime.timedelta(hours=72)


@pytest.mark.parametrize("who", ["submitter", "delegate", "other practice"])
def test_only_the_practices_appeals_entitlement_starts_saves_or_submits(catalog, reviewer, who):  # noqa: F811
    case = decided_case("ddd", by=reviewer)
    other = decided_case("ddd", by=reviewer)
    user = {"submitter": case.created_by, "delegate": delegate_of(case), "other practice": appeals_user(other)}[who]
    with pytest.raises(PermissionDenied):
        appeals.appeal_draft_start(case=case, user=user)
    draft = appeals.appeal_draft_start(case=case, user=appeals_user(case))
    with pytest.raises(PermissionDenied):
        appeals.appeal_draft_save(appeal=draft, user=user, reason="Mine.")
    with pytest.raises(PermissionDenied):
        appeals.appeal_submit(appeal=draft, user=user)
    assert Appeal.objects.get(pk=draft.pk).reason == ""


def test_a_submitted_appeal_is_never_changed(catalog, reviewer):  # noqa: F811
    case = decided_case("ddd", by=reviewer)
    user = appeals_user(case)
    appeal = submitted(case, user)
    with pytest.raises(ValidationError, match="submitted appeal cannot be changed"):
        appeals.appeal_draft_save(appeal=appeal, user=user, reason="Changed.")
    with pytest.raises(ValidationError, match="submitted appeal cannot be changed"):
        appeals.appeal_submit(appeal=appeal, user=user)
    assert Appeal.objects.get(pk=appeal.pk).reason == "Medically necessary."
    assert appeals.appeal_drafts_delete(now=timezone.now() + datetime.timedelta(days=30)) == 0
    assert Appeal.objects.filter(pk=appeal.pk).exists()


def test_a_reason_is_needed_to_submit_and_only_the_draft_fields_are_saved(catalog, reviewer):  # noqa: F811
    case = decided_case("ddd", by=reviewer)
    user = appeals_user(case)
    draft = appeals.appeal_draft_start(case=case, user=user)
    with pytest.raises(ValidationError, match="Enter the reason for the appeal"):
        appeals.appeal_submit(appeal=draft, user=user)
    with pytest.raises(ValueError, match="status"):
        appeals.appeal_draft_save(appeal=draft, user=user, status="submitted")
    assert Appeal.objects.get(pk=draft.pk).status == "draft"


def test_the_job_deletes_drafts_after_five_days_and_not_before(catalog, reviewer):  # noqa: F811
    case = decided_case("ddd", by=reviewer)
    user = appeals_user(case)
    draft = drafted(case, user)
    expires = draft.draft_expires_at
    assert appeals.appeal_drafts_delete(now=expires - datetime.timedelta(seconds=1)) == 0
    appeals.appeal_submit(appeal=draft, user=user)  # still in time
    Appeal.objects.filter(pk=draft.pk).delete()  # (made room for the next test of the same case)
    late = appeals.appeal_draft_start(case=case, user=user)
    assert appeals.appeal_drafts_delete(now=late.draft_expires_at) == 1
    assert not Appeal.objects.filter(pk=late.pk).exists()
    assert appeals.appeal_drafts_delete(now=late.draft_expires_at) == 0  # idempotent
    assert appeals.appeal_draft_start(case=case, user=user).sequence == 1  # a new request begins


def test_an_expired_draft_cannot_be_saved_or_submitted_before_the_job_runs(catalog, reviewer):  # noqa: F811
    case = decided_case("ddd", by=reviewer)
    user = appeals_user(case)
    draft = drafted(case, user)
    Appeal.objects.filter(pk=draft.pk).update(draft_expires_at=timezone.now() - datetime.timedelta(seconds=1))
    with pytest.raises(ValidationError, match="expired"):
        appeals.appeal_draft_save(appeal=draft, user=user, reason="Late.")
    with pytest.raises(ValidationError, match="expired"):
        appeals.appeal_submit(appeal=draft, user=user)
    assert tasks.delete_expired_appeal_drafts() == 1
    with pytest.raises(ValidationError, match="was deleted"):
        appeals.appeal_submit(appeal=draft, user=user)


def test_five_appeals_per_request_one_at_a_time(catalog, reviewer):  # noqa: F811
    case = decided_case("ddd", by=reviewer)
    user = appeals_user(case)
    for sequence in range(1, 6):
        draft = appeals.appeal_draft_start(case=case, user=user)
        assert draft.sequence == sequence
        with pytest.raises(ValidationError, match="must be completed before another can be started"):
            appeals.appeal_draft_start(case=case, user=user)
        appeal = appeals.appeal_submit(
            appeal=appeals.appeal_draft_save(appeal=draft, user=user, reason="R."), user=user
        )
        with pytest.raises(ValidationError, match="must be completed before another can be started"):
            appeals.appeal_draft_start(case=case, user=user)
        assert decide(case, appeal, "ddd", reviewer).status == "upheld"
    with pytest.raises(
        ValidationError, match=r"^\['Up to five precertification appeals can be submitted per request.'\]$"
    ):
        appeals.appeal_draft_start(case=case, user=user)
    assert case.appeals.count() == 5


@pytest.mark.parametrize(("days", "allowed"), [(0, True), (180, True), (181, False)])
def test_the_window_is_180_days_from_the_adverse_decision(catalog, reviewer, days, allowed):  # noqa: F811
    case = decided_case("ddd", by=reviewer, decided_at=days_ago(days))
    user = appeals_user(case)
    if allowed:
        assert appeals.appeal_draft_start(case=case, user=user).sequence == 1
    else:
        last_day = timezone.localdate() - datetime.timedelta(days=1)
        with pytest.raises(ValidationError, match=f"ended on {last_day:%m/%d/%Y}"):
            appeals.appeal_draft_start(case=case, user=user)


def test_only_a_denied_or_partially_approved_request_is_appealed(catalog, reviewer):  # noqa: F811
    case = decided_case("aaa", by=reviewer)
    with pytest.raises(ValidationError, match="Approved cannot be appealed"):
        appeals.appeal_draft_start(case=case, user=appeals_user(case))


def test_no_appeal_while_a_reconsideration_waits(catalog, reviewer):  # noqa: F811
    case = decided_case("ddd", by=reviewer)
    user = appeals_user(case)
    draft = drafted(case, user)
    reconsiderations.reconsideration_request(case=case, user=user, reason="New notes.")
    with pytest.raises(ValidationError, match="reconsideration of this request is waiting"):
        appeals.appeal_submit(appeal=draft, user=user)


def test_the_reviewer_overturns_or_upholds_an_appeal(catalog, reviewer):  # noqa: F811
    case = decided_case("add", by=reviewer)
    user = appeals_user(case)
    first = submitted(case, user)
    with pytest.raises(PermissionDenied):
        appeals.appeal_decide(appeal=first, by=user)
    assert decide(case, first, "dd", reviewer).status == "upheld"
    second = submitted(case, user)
    second = decide(case, second, "ad", reviewer)
    assert (second.status, second.decided_by, second.sequence) == ("overturned", reviewer, 2)
    case.refresh_from_db()
    assert case.status == S.PARTIALLY_APPROVED
    third = submitted(case, user)
    decide(case, third, "a", reviewer)
    case.refresh_from_db()
    assert case.status == S.APPROVED
    with pytest.raises(ValidationError, match="Approved cannot be appealed"):
        appeals.appeal_draft_start(case=case, user=user)


def test_the_hourly_job_is_scheduled_by_its_registered_name():
    from portal.celery import app as celery_app

    entry = settings.CELERY_BEAT_SCHEDULE["delete-expired-appeal-drafts"]
    assert entry["task"] == tasks.delete_expired_appeal_drafts.name
    assert entry["schedule"] == 3600
    assert tasks.delete_expired_appeal_drafts.name in celery_app.tasks


def test_a_user_who_is_not_signed_in_is_refused(catalog, reviewer):  # noqa: F811
    case = decided_case("ddd", by=reviewer)
    with pytest.raises(PermissionDenied):
        appeals.appeal_draft_start(case=case, user=UserFactory(is_active=False))
