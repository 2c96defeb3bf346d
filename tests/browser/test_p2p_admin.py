"""P2P in the admin, in the browser (REV-5, P2P-6): a P2P reviewer opens the day's appointments, opens a call that
has started, is refused without an outcome (the error summary), records "Decision changed" with a note and sees
the reconsideration it opened; staff open a reviewer's setup page (skills, working hours, time off) and the
emails' outbox. Every page is checked with axe-core."""

import datetime

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from accounts.tests.factories import UserFactory
from cases.models import Reconsideration
from cases.tests.post_decision_world import decided_case, make_reviewer
from p2p import notifications
from p2p.models import P2PRequest, zone
from p2p.tests.factories import ReviewerFactory, TimeOffFactory, WorkingHoursFactory
from p2p.tests.notify_world import scheduled_request
from reference.services import catalog_load

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_p2p_reviewer_records_the_outcome_of_todays_call(page, live_url, audit, sign_in):
    catalog_load()
    case = decided_case("ddd", by=make_reviewer())
    reviewer = ReviewerFactory(display_name="Dr. Rosa Diaz, MD", user__first_name="Rosa", user__last_name="Diaz")
    reviewer.user.user_permissions.add(Permission.objects.get(codename="work_p2p"))
    starts_at = timezone.now() - datetime.timedelta(minutes=5)
    p2p_request = scheduled_request(cases=[case], reviewer=reviewer, starts_at=starts_at)
    # The list shows today's calls in the reviewer's zone; five minutes after midnight the call was yesterday's.
    eastern = zone(reviewer.time_zone)
    same_day = timezone.localdate(starts_at, eastern) == timezone.localdate(timezone=eastern)

    sign_in(reviewer.user)
    audit.check()
    page.goto(live_url + reverse("admin:p2p_p2prequest_changelist") + ("" if same_day else "?day=yesterday"))
    expect(page.get_by_role("link", name=p2p_request.number)).to_be_visible()
    audit.check()
    page.get_by_role("link", name=p2p_request.number).click()
    expect(page.get_by_role("heading", name="Outcome of the call")).to_be_visible()
    expect(page.get_by_text("(555) 555-5555 ext. 12345").first).to_be_visible()
    audit.check()

    page.get_by_role("button", name="Record the outcome").click()
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    audit.check()
    page.get_by_label("Decision changed").check()
    page.get_by_label("Note").fill("The trial of a standard wheelchair was documented on the call.")
    page.get_by_role("button", name="Record the outcome").click()
    expect(page.get_by_text(f"{p2p_request.number}: Decision changed, recorded.")).to_be_visible()
    expect(page.get_by_text(f"A reconsideration of case {case.case_number} waits for its decision")).to_be_visible()
    audit.check()
    assert P2PRequest.objects.get(pk=p2p_request.pk).outcome == P2PRequest.Outcome.DECISION_CHANGED
    assert Reconsideration.objects.filter(case=case, status="submitted").count() == 1


def test_staff_open_a_reviewers_setup_and_the_emails_outbox(page, live_url, audit, sign_in):
    catalog_load()
    reviewer = ReviewerFactory(display_name="Dr. Rosa Diaz, MD")
    WorkingHoursFactory(reviewer=reviewer)
    TimeOffFactory(reviewer=reviewer, reason="Conference")
    case = decided_case("ddd", by=make_reviewer())
    notifications.booked(scheduled_request(cases=[case], reviewer=reviewer))
    staff = UserFactory(is_staff=True, is_superuser=True)

    sign_in(staff)
    audit.check()
    page.goto(live_url + reverse("admin:p2p_reviewer_change", args=[reviewer.pk]))
    expect(page.get_by_role("heading", name="Working hours (weekly, in the reviewer's time zone)")).to_be_visible()
    audit.check()
    page.goto(live_url + reverse("admin:p2p_p2pnotice_changelist"))
    expect(page.get_by_role("heading", name="Select P2P notice to view")).to_be_visible()
    audit.check()
