"""P2P in the admin (REV-5, P2P-6): staff set up reviewers (skills, working hours in the reviewer's zone, time off);
a P2P reviewer sees the day's appointments (their own, today's by default), opens one read-only and records the
call's outcome through ``p2p.outcomes``; the emails' outbox lets staff retry a failed notice."""

import datetime
from pathlib import Path

import pytest
from django.contrib.auth.models import Permission
from django.contrib.staticfiles import finders
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import UserFactory
from audit.models import AuditEvent
from cases.models import Reconsideration
from cases.tests.post_decision_world import decided_case, make_reviewer
from p2p import notifications
from p2p.models import P2PNotice, P2PRequest, Reviewer, zone
from p2p.tests.factories import ReviewerFactory
from p2p.tests.notify_world import scheduled_request

pytestmark = pytest.mark.django_db
Outcome = P2PRequest.Outcome
LIST = "admin:p2p_p2prequest_changelist"


def p2p_reviewer(**fields) -> Reviewer:
    reviewer = ReviewerFactory(**fields)
    reviewer.user.user_permissions.add(Permission.objects.get(codename="work_p2p"))
    return reviewer


def local_noon(reviewer, days=0) -> datetime.datetime:
    day = timezone.localdate(timezone=zone(reviewer.time_zone)) + datetime.timedelta(days=days)
    return datetime.datetime.combine(day, datetime.time(12), tzinfo=zone(reviewer.time_zone))


@pytest.fixture
def denied(catalog):
    return decided_case("ddd", by=make_reviewer())


@pytest.fixture
def reviewer():
    return p2p_reviewer(time_zone="America/Los_Angeles")


def listed(response) -> list:
    assert response.status_code == 200
    return list(response.context["cl"].result_list)


def test_a_reviewer_sees_their_own_appointments_of_today_by_default(denied, reviewer, signed_in_client):
    today = scheduled_request(cases=[denied], reviewer=reviewer, starts_at=local_noon(reviewer))
    tomorrow = scheduled_request(cases=[denied], reviewer=reviewer, starts_at=local_noon(reviewer, 1))
    someone_elses = scheduled_request(cases=[denied], starts_at=local_noon(reviewer))
    client = signed_in_client(reviewer.user)

    assert listed(client.get(reverse(LIST))) == [today]
    assert listed(client.get(reverse(LIST), {"day": "tomorrow"})) == [tomorrow]
    assert listed(client.get(reverse(LIST), {"day": "all"})) == [today, tomorrow]
    response = client.get(reverse(LIST))
    assert "Time (reviewer&#x27;s zone)" in response.content.decode()
    assert "12:00 pm P" in response.content.decode()  # noon in the reviewer's own zone (PST or PDT)
    assert client.get(reverse("admin:p2p_p2prequest_change", args=[someone_elses.pk])).status_code == 302  # gone


def test_staff_who_are_not_reviewers_see_every_reviewers_day_and_find_a_request_by_number(
    denied, reviewer, signed_in_client
):
    first = scheduled_request(cases=[denied], reviewer=reviewer, starts_at=local_noon(reviewer))
    second = scheduled_request(cases=[denied], starts_at=local_noon(reviewer) + datetime.timedelta(hours=1))
    supervisor = UserFactory(is_staff=True)
    supervisor.user_permissions.add(Permission.objects.get(codename="work_p2p"))
    client = signed_in_client(supervisor)
    assert listed(client.get(reverse(LIST), {"day": "all"})) == [first, second]
    assert listed(client.get(reverse(LIST), {"day": "all", "q": second.number})) == [second]
    assert listed(client.get(reverse(LIST), {"day": "all", "q": str(first.pk)})) == [first]
    assert listed(client.get(reverse(LIST), {"day": "all", "q": "P2Pnot-a-number"})) == []


def test_the_request_page_is_read_only_audited_and_records_the_outcome(denied, reviewer, signed_in_client):
    p2p_request = scheduled_request(
        cases=[denied], reviewer=reviewer, starts_at=timezone.now() - datetime.timedelta(minutes=5)
    )
    client = signed_in_client(reviewer.user)
    page = client.get(reverse("admin:p2p_p2prequest_change", args=[p2p_request.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "(555) 555-5555 ext. 12345" in text and "Select option 4, ask for Dr. Doe" in text
    assert f"Case {denied.case_number}" in text and "Reconsideration P2P" in text
    assert "Record the outcome" in text and 'name="_save"' not in text
    assert AuditEvent.objects.filter(action="p2p.request_viewed", target_id=str(p2p_request.pk)).count() == 1

    url = reverse("admin:p2p_p2prequest_outcome", args=[p2p_request.pk])
    refused = client.post(url, {"outcome-note": "No choice made."})
    assert refused.status_code == 400
    assert "There is a problem" in refused.content.decode()
    assert "Choose the outcome of the call." in refused.content.decode()

    needs_note = client.post(url, {"outcome-outcome": Outcome.DECISION_CHANGED})
    assert needs_note.status_code == 400
    assert "Enter what changed and why" in needs_note.content.decode()

    done = client.post(url, {"outcome-outcome": Outcome.DECISION_CHANGED, "outcome-note": "Trial documented."})
    assert done.status_code == 302
    page = client.get(done["Location"])
    text = page.content.decode()
    assert f"{p2p_request.number}: Decision changed, recorded." in text
    assert f"A reconsideration of case {denied.case_number} waits for its decision" in text
    assert "The outcome of" in text and "is recorded: Decision changed." in text  # no form any more
    assert Reconsideration.objects.get(case=denied).reason == f"Peer-to-peer consultation {p2p_request.number}"
    assert P2PRequest.objects.get(pk=p2p_request.pk).status == P2PRequest.Status.COMPLETED


def test_a_consultative_only_call_is_not_offered_decision_changed(denied, reviewer, signed_in_client):
    p2p_request = scheduled_request(
        cases=[denied],
        reviewer=reviewer,
        starts_at=timezone.now() - datetime.timedelta(minutes=5),
        consultative_only=True,
    )
    client = signed_in_client(reviewer.user)
    page = client.get(reverse("admin:p2p_p2prequest_change", args=[p2p_request.pk])).content.decode()
    assert 'value="upheld"' in page and 'value="decision_changed"' not in page
    response = client.post(
        reverse("admin:p2p_p2prequest_outcome", args=[p2p_request.pk]),
        {"outcome-outcome": Outcome.DECISION_CHANGED, "outcome-note": "Changed."},
    )
    assert response.status_code == 400
    assert not Reconsideration.objects.exists()


def test_a_call_not_started_shows_when_its_outcome_can_be_recorded(denied, reviewer, signed_in_client):
    later = timezone.now() + datetime.timedelta(hours=2)
    p2p_request = scheduled_request(cases=[denied], reviewer=reviewer, starts_at=later)
    client = signed_in_client(reviewer.user)
    page = client.get(reverse("admin:p2p_p2prequest_change", args=[p2p_request.pk])).content.decode()
    assert "The call has not started yet" in page and "Record the outcome" not in page
    response = client.post(
        reverse("admin:p2p_p2prequest_outcome", args=[p2p_request.pk]), {"outcome-outcome": Outcome.UPHELD}
    )
    assert response.status_code == 400
    assert P2PRequest.objects.get(pk=p2p_request.pk).status == P2PRequest.Status.SCHEDULED


def test_without_work_p2p_no_list_and_no_outcome_and_another_reviewers_call_is_missing(
    denied, reviewer, signed_in_client
):
    started = timezone.now() - datetime.timedelta(minutes=5)
    p2p_request = scheduled_request(cases=[denied], starts_at=started)  # another reviewer's
    url = reverse("admin:p2p_p2prequest_outcome", args=[p2p_request.pk])
    case_reviewer = signed_in_client(make_reviewer())
    assert case_reviewer.get(reverse(LIST)).status_code == 403
    assert case_reviewer.post(url, {"outcome-outcome": Outcome.UPHELD}).status_code == 403
    assert signed_in_client(reviewer.user).post(url, {"outcome-outcome": Outcome.UPHELD}).status_code == 404
    assert signed_in_client(reviewer.user).get(url).status_code == 405
    assert P2PRequest.objects.get(pk=p2p_request.pk).status == P2PRequest.Status.SCHEDULED


def test_staff_set_up_a_reviewer_with_skills_working_hours_and_time_off(catalog, signed_in_client):
    from reference.models import Program

    staff = UserFactory(is_staff=True, is_superuser=True)
    client = signed_in_client(staff)
    page = client.get(reverse("admin:p2p_reviewer_add")).content.decode()
    assert "Working hours (weekly, in the reviewer&#x27;s time zone)" in page
    assert "In the reviewer's time zone, as 09:00." in page
    doctor = UserFactory(is_staff=True)
    program = Program.objects.get(code="dme")
    data = {
        "user": doctor.pk,
        "display_name": "Dr. Rosa Diaz, MD",
        "time_zone": "America/Chicago",
        "slot_minutes": "15",
        "is_active": "on",
        **formset("skills", {"program": program.pk, "priority": "1"}),
        **formset("working_hours", {"weekday": "0", "starts": "09:00", "ends": "17:00"}),
        **formset(
            "time_off",
            {"starts_at": "2026-12-24T00:00", "ends_at": "2026-12-26T00:00", "reason": "Holidays"},
        ),
    }
    response = client.post(reverse("admin:p2p_reviewer_add"), data)
    assert response.status_code == 302, response.context["errors"] if response.context else response
    reviewer = Reviewer.objects.get(user=doctor)
    assert list(reviewer.skills.values_list("program__code", "priority")) == [("dme", 1)]
    assert [str(hours) for hours in reviewer.working_hours.all()] == ["Monday 09:00-17:00"]
    [off] = reviewer.time_off.all()
    assert off.starts_at == datetime.datetime(2026, 12, 24, 5, 0, tzinfo=datetime.UTC)  # midnight US/Eastern


def formset(prefix: str, row: dict) -> dict:
    return {
        f"{prefix}-TOTAL_FORMS": "1",
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
        **{f"{prefix}-0-{name}": value for name, value in row.items()},
    }


def test_staff_retry_a_failed_notice_once(denied, signed_in_client, django_capture_on_commit_callbacks):
    p2p_request = scheduled_request(cases=[denied])
    failed = notifications.notice_write(p2p_request, P2PNotice.Kind.BOOKED)
    pending = notifications.notice_write(p2p_request, P2PNotice.Kind.REMINDER)
    P2PNotice.objects.filter(pk=failed.pk).update(status=P2PNotice.Status.FAILED, attempts=5)
    client = signed_in_client(UserFactory(is_staff=True, is_superuser=True))
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(
            reverse("admin:p2p_p2pnotice_changelist"),
            {"action": "retry", "_selected_action": [failed.pk, pending.pk]},
        )
    assert response.status_code == 302
    assert len(callbacks) == 1
    rows = dict(P2PNotice.objects.values_list("pk", "status"))
    assert rows == {failed.pk: "pending", pending.pk: "pending"}
    assert P2PNotice.objects.get(pk=failed.pk).attempts == 0


def test_a_reviewer_is_a_staff_account(catalog, signed_in_client):
    client = signed_in_client(UserFactory(is_staff=True, is_superuser=True))
    provider = UserFactory()
    data = {
        "user": provider.pk,
        "display_name": "Dr. Not Staff",
        "time_zone": "America/Chicago",
        "slot_minutes": "15",
        **formset("skills", {}),
        **formset("working_hours", {}),
        **formset("time_off", {}),
    }
    response = client.post(reverse("admin:p2p_reviewer_add"), data)
    assert response.status_code == 200
    assert "Choose an active staff account: reviewers work in the admin." in response.content.decode()
    assert not Reviewer.objects.exists()


def test_the_setup_pages_forms_css_is_djangos_without_its_import():
    # static/p2p/admin-forms.css: Django's admin forms.css less its @import of widgets.css (axe re-reads an @import
    # by injecting a style element, which the CSP refuses). A Django upgrade that changes forms.css fails here
    # until the copy is made again from it.
    first, rest = Path(finders.find("admin/css/forms.css")).read_text().split("\n", 1)
    assert first == "@import url('widgets.css');"
    copy = Path(finders.find("p2p/admin-forms.css")).read_text()
    assert copy.endswith(rest.replace("url(../img/", "url(../admin/img/"))
