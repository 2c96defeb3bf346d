"""Holds (REV-3, WL-4): placed by a reviewer, answered by an upload, lapsed by the scheduled job, closed on
withdrawal; every move through ``case_transition`` / ``row_transition`` with its events (issue 11, items 8, 14)."""

import datetime

import pytest
from django.conf import settings
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from accounts.tests.factories import UserFactory
from cases import holds, services, tasks
from cases.models import Case, CaseEvent, CaseStatus, CaseStatusChange, ClinicalDocument, Hold, HoldItem
from cases.tests import files
from cases.tests.factories import draft_case, submitted_case
from portal.celery import app as celery_app
from practices.tests.factories import WorklistAccessFactory

pytestmark = pytest.mark.django_db

S = CaseStatus
Kind = CaseEvent.Kind
ITEMS = [HoldItem.PROGRESS_NOTES, HoldItem.MEDICATION_LIST]


@pytest.fixture(autouse=True)
def upload_root(settings, tmp_path):
    settings.CLINICAL_UPLOAD_ROOT = tmp_path / "clinical-uploads"


@pytest.fixture
def reviewer(db):
    user = UserFactory(is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="review_case"))
    return user


@pytest.fixture
def pending(catalog):
    case = submitted_case()
    assert case.status == S.PENDING_REVIEW
    return case


def in_days(days: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=days)


def place(case, reviewer, *, items=ITEMS, note="", due_on=None) -> Hold:
    return holds.hold_place(case=case, items=items, note=note, due_on=due_on or in_days(7), by=reviewer)


def kinds(case) -> list[str]:
    return list(CaseEvent.objects.filter(case=case).values_list("kind", flat=True))


def pdf():
    return files.upload("notes.pdf", files.pdf_bytes())


# --- Placing a hold ------------------------------------------------------------------------------------------


def test_a_reviewer_puts_a_pending_case_on_hold_with_its_event_and_history(pending, reviewer):
    due = in_days(5)
    hold = place(pending, reviewer, note="Include the last two visits.", due_on=due)

    pending.refresh_from_db()
    assert pending.status == S.ON_HOLD
    assert hold.status == Hold.Status.OPEN and hold.items == ITEMS and hold.placed_by == reviewer
    assert holds.hold_open(pending) == hold
    change = CaseStatusChange.objects.filter(case=pending).latest("pk")
    assert (change.from_status, change.to_status, change.changed_by) == (S.PENDING_REVIEW, S.ON_HOLD, reviewer)
    assert change.reason == f"On hold: additional clinical information requested, due {due:%m/%d/%Y}"
    placed = CaseEvent.objects.get(case=pending, kind=Kind.HOLD_PLACED)
    assert placed.payload == {"hold": hold.pk, "items": ITEMS, "due_on": due.isoformat()}
    assert hold.item_labels() == ["Clinical and/or therapy progress notes", "Medication list"]


def test_a_note_alone_is_enough(pending, reviewer):
    hold = place(pending, reviewer, items=[], note="The wound measurements.")
    assert hold.items == [] and hold.note == "The wound measurements."


def test_a_user_outside_the_review_queue_cannot_place_a_hold(pending):
    staff_without_permission = UserFactory(is_staff=True)
    for user in (pending.created_by, staff_without_permission, None):
        with pytest.raises(PermissionDenied):
            place(pending, user)
    assert not Hold.objects.exists()
    assert Case.objects.get(pk=pending.pk).status == S.PENDING_REVIEW


@pytest.mark.parametrize("status", [S.ON_HOLD, S.APPROVED, S.DENIED, S.CANCELLED])
def test_a_hold_is_placed_only_on_a_case_waiting_in_review(pending, reviewer, status):
    Case.objects.filter(pk=pending.pk).update(
        status=status, authorization_number="AU00000001"
    )  # set under the test's hand
    with pytest.raises(ValidationError) as refused:
        place(pending, reviewer)
    assert refused.value.code == "status"
    assert not Hold.objects.exists()


def test_a_second_open_hold_is_refused(pending, reviewer):
    place(pending, reviewer)
    # Back in review by hand, with the first hold still open: the second is refused all the same.
    Case.objects.filter(pk=pending.pk).update(status=S.PENDING_REVIEW)
    with pytest.raises(ValidationError) as refused:
        place(pending, reviewer)
    assert refused.value.code == "open_hold"
    assert Hold.objects.filter(case=pending).count() == 1


@pytest.mark.parametrize("days", [-1, 0])
def test_the_due_date_must_be_after_today(pending, reviewer, days):
    with pytest.raises(ValidationError) as refused:
        place(pending, reviewer, due_on=in_days(days))
    assert refused.value.message_dict == {"due_on": ["The due date must be after today."]}
    assert Case.objects.get(pk=pending.pk).status == S.PENDING_REVIEW


def test_nothing_asked_for_is_refused_and_unknown_items_too(pending, reviewer):
    with pytest.raises(ValidationError) as refused:
        place(pending, reviewer, items=[], note="   ")
    assert list(refused.value.message_dict) == ["items"]
    with pytest.raises(ValidationError) as refused:
        place(pending, reviewer, items=["x-ray"])
    assert list(refused.value.message_dict) == ["items"]
    assert not Hold.objects.exists()


# --- Answering by an upload ------------------------------------------------------------------------------------


def test_an_upload_answers_the_hold_and_returns_the_case_to_review(pending, reviewer):
    pending.assigned_to = reviewer
    pending.save(update_fields=["assigned_to"])
    hold = place(pending, reviewer)

    document = holds.clinical_information_add(case=pending, user=pending.created_by, uploaded_file=pdf())

    hold.refresh_from_db()
    pending.refresh_from_db()
    assert hold.status == Hold.Status.ANSWERED and hold.closed_at is not None
    assert pending.status == S.PENDING_REVIEW and pending.assigned_to == reviewer
    assert document.case == pending and document.content_type == files.PDF_MIME
    change = CaseStatusChange.objects.filter(case=pending).latest("pk")
    assert (change.from_status, change.to_status) == (S.ON_HOLD, S.PENDING_REVIEW)
    assert change.reason == "Hold answered: clinical information uploaded."
    assert kinds(pending)[-3:] == [Kind.DOCUMENT_ADDED, Kind.HOLD_ANSWERED, Kind.STATUS_CHANGED]
    assert not holds.decide_on_original(pending)


def test_an_upload_without_a_hold_adds_the_document_and_moves_nothing(pending):
    holds.clinical_information_add(case=pending, user=pending.created_by, uploaded_file=pdf())
    assert Case.objects.get(pk=pending.pk).status == S.PENDING_REVIEW
    assert ClinicalDocument.objects.filter(case=pending).count() == 1
    assert kinds(pending)[-1] == Kind.DOCUMENT_ADDED


@pytest.mark.parametrize("status", [S.APPROVED, S.DENIED, S.CANCELLED])
def test_an_upload_after_the_decision_is_refused_and_stores_nothing(pending, status, settings):
    Case.objects.filter(pk=pending.pk).update(status=status, authorization_number="AU00000001")
    with pytest.raises(ValidationError) as refused:
        holds.clinical_information_add(case=pending, user=pending.created_by, uploaded_file=pdf())
    assert refused.value.code == "status"
    assert not ClinicalDocument.objects.exists()
    root = settings.CLINICAL_UPLOAD_ROOT
    assert not root.exists() or not any(root.iterdir())


def test_an_upload_to_a_draft_is_refused(catalog):
    case = draft_case()
    with pytest.raises(ValidationError):
        holds.clinical_information_add(case=case, user=case.created_by, uploaded_file=pdf())


def test_a_delegate_who_views_the_worklist_cannot_upload(pending, reviewer):
    hold = place(pending, reviewer)
    delegate = WorklistAccessFactory(owner=pending.created_by).grantee
    with pytest.raises(PermissionDenied):
        holds.clinical_information_add(case=pending, user=delegate, uploaded_file=pdf())
    hold.refresh_from_db()
    assert hold.status == Hold.Status.OPEN
    assert not ClinicalDocument.objects.exists()


def test_the_lapse_job_takes_the_time_it_is_given(pending, reviewer):
    hold = place(pending, reviewer, due_on=in_days(2))
    assert holds.holds_lapse(timezone.now() + datetime.timedelta(days=2)) == 0  # due that day: still answerable
    assert holds.holds_lapse(timezone.now() + datetime.timedelta(days=3)) == 1
    hold.refresh_from_db()
    assert hold.status == Hold.Status.LAPSED


def test_a_user_of_another_practice_cannot_upload(pending):
    with pytest.raises(PermissionDenied):
        holds.clinical_information_add(case=pending, user=UserFactory(), uploaded_file=pdf())
    assert not ClinicalDocument.objects.exists()


@pytest.mark.parametrize(
    "uploaded",
    [
        files.upload("notes.pdf", b""),
        files.upload("notes.exe", files.exe_bytes()),
        files.upload("notes.txt", files.text_bytes()),
    ],
    ids=["empty", "exe", "text"],
)
def test_a_refused_file_leaves_the_hold_open_and_no_file_behind(pending, reviewer, uploaded, settings):
    hold = place(pending, reviewer)
    with pytest.raises(ValidationError):
        holds.clinical_information_add(case=pending, user=pending.created_by, uploaded_file=uploaded)
    hold.refresh_from_db()
    assert hold.status == Hold.Status.OPEN
    assert Case.objects.get(pk=pending.pk).status == S.ON_HOLD
    root = settings.CLINICAL_UPLOAD_ROOT
    assert not root.exists() or not any(path.is_file() for path in root.rglob("*"))


# --- Withdrawal ------------------------------------------------------------------------------------------------


def test_withdrawing_a_held_case_closes_its_hold(pending, reviewer):
    hold = place(pending, reviewer)
    services.case_withdraw(case=pending, user=pending.created_by)
    hold.refresh_from_db()
    assert hold.status == Hold.Status.CLOSED and hold.closed_at is not None
    assert Case.objects.get(pk=pending.pk).status == S.CANCELLED


def test_closing_with_no_open_hold_does_nothing(pending):
    assert holds.hold_close_open(case=pending) is None


# --- The lapse job ---------------------------------------------------------------------------------------------


def overdue(hold: Hold, days: int = 1) -> None:
    Hold.objects.filter(pk=hold.pk).update(due_on=in_days(-days))


def test_only_holds_past_their_due_date_lapse_and_their_cases_return_to_review(catalog, reviewer):
    late, due_today, later = submitted_case(), submitted_case(), submitted_case()
    late_hold, today_hold, later_hold = (place(case, reviewer) for case in (late, due_today, later))
    overdue(late_hold, days=3)
    Hold.objects.filter(pk=today_hold.pk).update(due_on=in_days(0))

    assert holds.holds_lapse() == 1

    statuses = dict(Hold.objects.values_list("pk", "status"))
    assert statuses == {late_hold.pk: "lapsed", today_hold.pk: "open", later_hold.pk: "open"}
    late.refresh_from_db()
    assert late.status == S.PENDING_REVIEW and holds.decide_on_original(late)
    change = CaseStatusChange.objects.filter(case=late).latest("pk")
    assert change.reason == "Hold lapsed: decide on the original submission." and change.changed_by is None
    assert Kind.HOLD_LAPSED in kinds(late)
    assert Case.objects.get(pk=due_today.pk).status == S.ON_HOLD


def test_the_lapse_job_is_idempotent(pending, reviewer):
    overdue(place(pending, reviewer))
    assert holds.holds_lapse() == 1
    assert holds.holds_lapse() == 0
    assert CaseStatusChange.objects.filter(case=pending, to_status=S.PENDING_REVIEW).count() == 2  # submit, lapse
    assert CaseEvent.objects.filter(case=pending, kind=Kind.HOLD_LAPSED).count() == 1


def test_a_hold_answered_after_the_query_is_not_lapsed(pending, reviewer, monkeypatch):
    hold = place(pending, reviewer)
    overdue(hold)
    # The provider's upload lands between the job's query and its lock: the job re-checks and leaves it.
    real_locked_case = holds._locked_case

    def upload_first(pk):
        if Hold.objects.get(pk=hold.pk).status == Hold.Status.OPEN:
            monkeypatch.setattr(holds, "_locked_case", real_locked_case)
            holds.clinical_information_add(case=pending, user=pending.created_by, uploaded_file=pdf())
        return real_locked_case(pk)

    monkeypatch.setattr(holds, "_locked_case", upload_first)
    assert holds.holds_lapse() == 0
    hold.refresh_from_db()
    assert hold.status == Hold.Status.ANSWERED
    assert not CaseEvent.objects.filter(case=pending, kind=Kind.HOLD_LAPSED).exists()
    assert Case.objects.get(pk=pending.pk).status == S.PENDING_REVIEW


def test_an_upload_after_the_lapse_adds_the_document_and_moves_nothing(pending, reviewer):
    hold = place(pending, reviewer)
    overdue(hold)
    holds.holds_lapse()
    holds.clinical_information_add(case=pending, user=pending.created_by, uploaded_file=pdf())
    hold.refresh_from_db()
    assert hold.status == Hold.Status.LAPSED
    assert Case.objects.get(pk=pending.pk).status == S.PENDING_REVIEW


def test_the_beat_schedule_runs_the_lapse_task_by_a_registered_name():
    entries = [
        entry for entry in settings.CELERY_BEAT_SCHEDULE.values() if entry["task"] == "cases.tasks.lapse_due_holds"
    ]
    assert len(entries) == 1
    assert tasks.lapse_due_holds.name in celery_app.tasks
    assert entries[0]["options"]["expires"] <= entries[0]["schedule"]


def test_the_task_lapses_due_holds(pending, reviewer):
    overdue(place(pending, reviewer))
    assert tasks.lapse_due_holds.apply().get() == 1
