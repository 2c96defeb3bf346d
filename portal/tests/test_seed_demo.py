import datetime
import io
import itertools

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.demo import DEMO_USERS
from accounts.models import User
from cases import holds, permissions, services, worklist
from cases.models import (
    AlternativeAcceptance,
    Appeal,
    AuthorizationExtension,
    Case,
    CaseEvent,
    CaseStatus,
    CaseStatusChange,
    Determination,
    Hold,
    Reconsideration,
)
from correspondence.models import Delivery, Letter
from reference.models import DiagnosisCode, Eligibility, HcpcsCode, Member, PlanProgram, Program, Provider, Site
from reference.validators import is_valid_npi
from resources.models import ClinicalGuideline

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("icd10cm")]


def world_fingerprint():
    return {
        "members": list(Member.objects.order_by("member_id").values_list("member_id", "last_name", "date_of_birth")),
        "spans": Eligibility.objects.count(),
        "providers": list(Provider.objects.order_by("npi").values_list("npi", "last_name", "organization_name")),
        "sites": list(Site.objects.order_by("npi").values_list("npi", "name")),
        "users": list(User.objects.order_by("username").values_list("username", "password")),
        "reference": [
            model.objects.count() for model in (DiagnosisCode, HcpcsCode, Program, PlanProgram, ClinicalGuideline)
        ],
        "delegations": list(PlanProgram.objects.order_by("pk").values_list("pk", "phone", "fax")),
    }


def test_seed_demo_twice_changes_nothing():
    call_command("seed_demo", scale=120)
    first = world_fingerprint()
    call_command("seed_demo", scale=120)
    assert world_fingerprint() == first
    assert len(first["members"]) == 120


def test_the_generator_makes_the_same_people_on_every_run():
    call_command("seed_demo", scale=50)
    first = world_fingerprint()
    # Built for some of these people; their letters are records a case never takes with it (PROTECT).
    Delivery.objects.filter(letter__case__in=demo_cases()).delete()
    Letter.objects.filter(case__in=demo_cases()).delete()
    demo_cases().delete()
    Member.objects.all().delete()
    Provider.objects.all().delete()
    Site.objects.all().delete()
    call_command("seed_demo", scale=50)
    regenerated = world_fingerprint()
    for key in ("members", "providers", "sites"):
        assert regenerated[key] == first[key]


def test_a_larger_scale_appends_members_without_touching_the_first_ones():
    call_command("seed_demo", scale=40)
    first_ids = set(Member.objects.values_list("member_id", flat=True))
    call_command("seed_demo", scale=90)
    assert Member.objects.count() == 90
    assert first_ids <= set(Member.objects.values_list("member_id", flat=True))


def test_every_generated_npi_has_a_valid_check_digit_and_every_member_has_coverage():
    call_command("seed_demo", scale=200)
    assert all(is_valid_npi(npi) for npi in Provider.objects.values_list("npi", flat=True))
    assert all(is_valid_npi(npi) for npi in Site.objects.values_list("npi", flat=True))
    assert not Member.objects.filter(eligibility_spans__isnull=True).exists()
    # Some members are covered now, some lapsed, some on a plan that does not delegate HH or DME.
    assert Eligibility.objects.filter(coverage_end__isnull=False).exists()
    assert Eligibility.objects.filter(health_plan__code="keystone-community").exists()


def test_every_demo_login_works_with_the_demo_password(settings):
    call_command("seed_demo", scale=10)
    for demo in DEMO_USERS:
        client = Client()
        response = client.post("/accounts/login/", {"username": demo.username, "password": settings.DEMO_PASSWORD})
        assert response.status_code == 302, demo.username
    assert User.objects.get(username="rnreviewer").groups.filter(name="Clinical reviewers").exists()


def test_demo_logins_are_not_created_in_production(settings):
    settings.PRODUCTION = True
    call_command("seed_demo", scale=10)
    assert not User.objects.exists()


def test_scale_must_be_positive():
    with pytest.raises(CommandError):
        call_command("seed_demo", scale=0)


def test_every_demo_login_can_pass_mfa_with_the_pin_from_the_email(settings):
    import re

    from django.core import mail

    call_command("seed_demo", scale=10)
    for demo in DEMO_USERS:
        client = Client()
        client.post("/accounts/login/", {"username": demo.username, "password": settings.DEMO_PASSWORD})
        verify = client.get("/", follow=True)
        assert "Verify your identity" in verify.content.decode(), demo.username
        pin = re.search(r"\b(\d{6})\b", mail.outbox[-1].body).group(1)
        response = client.post("/mfa/verify/", {"code": pin}, follow=True)
        assert "Welcome," in response.content.decode(), demo.username


# --- The demo cases (issue 11 item 15) -----------------------------------------------------------------------


def demo_cases():
    return Case.objects.filter(practice__memberships__user__username="mjohnson", additional_notes__startswith="Demo")


def test_the_demo_office_has_a_case_in_every_status_reached_through_its_history():
    call_command("seed_demo", scale=60)
    cases = demo_cases()
    statuses = set(cases.values_list("status", flat=True))
    # Submitted is where every submission passes on its way to review or the bundle's approval, never a stop.
    assert statuses == set(CaseStatus.values) - {CaseStatus.EXPIRED, CaseStatus.SUBMITTED}, statuses
    for case in cases.exclude(status=CaseStatus.DRAFT):
        changes = list(CaseStatusChange.objects.filter(case=case).order_by("changed_at", "pk"))
        path = [changes[0].from_status] + [change.to_status for change in changes]
        assert path[:2] == [CaseStatus.DRAFT, CaseStatus.SUBMITTED] and path[-1] == case.status, path
        assert all(a.to_status == b.from_status for a, b in itertools.pairwise(changes)), path
        # The history reads as lived: submitted before it was decided, nothing in the future.
        assert case.submitted_at <= changes[-1].changed_at <= timezone.now()


def test_every_worklist_tab_of_the_demo_provider_lists_cases_and_the_reviewers_queue_has_work():
    call_command("seed_demo", scale=60)
    office = User.objects.get(username="mjohnson")
    counts = worklist.tab_counts(worklist.submitted_cases(office, grants=permissions.grants_of(office)))
    assert all(counts[tab.key] for tab in worklist.TABS), counts
    assert permissions.drafts_visible_to(office).exists()

    queue = permissions.cases_in_review_queue(User.objects.get(username="rnreviewer"))
    waiting = queue.filter(status__in=worklist.PENDING_STATUSES)
    assert waiting.filter(decision_due_at__lt=timezone.now()).exists()  # overdue
    assert waiting.filter(
        decision_due_at__gt=timezone.now(), decision_due_at__lt=timezone.now() + datetime.timedelta(days=2)
    ).exists()  # due soon
    assert waiting.filter(status=CaseStatus.ON_HOLD).exists()


def test_the_demo_decisions_carry_their_validity_numbers_and_reasons():
    call_command("seed_demo", scale=60)
    cases = demo_cases()
    approved = cases.filter(status__in=[CaseStatus.APPROVED, CaseStatus.PARTIALLY_APPROVED])
    assert {case.program.code for case in approved.filter(status=CaseStatus.APPROVED)} == {"dme", "home-health"}
    assert not approved.filter(authorization_number__isnull=True).exists()
    assert not approved.filter(valid_from__isnull=True).exists() and not approved.filter(valid_to__isnull=True).exists()
    refusals = Determination.objects.filter(line__case__in=cases).exclude(outcome="approved")
    partial = refusals.filter(line__case__status=CaseStatus.PARTIALLY_APPROVED)
    assert partial.exists() and refusals.filter(line__case__status=CaseStatus.DENIED, outcome="denied").exists()
    assert refusals.filter(outcome="alternative_offered").exclude(alternative="").exists()
    for refusal in refusals:
        assert refusal.criterion_not_met and refusal.documentation_needed and refusal.guideline_id
        assert refusal.guideline.program_id == refusal.line.case.program_id
        assert refusal.decided_by.username == "rnreviewer"

    on_hold = cases.get(status=CaseStatus.ON_HOLD)
    assert holds.hold_open(on_hold).items and holds.hold_open(on_hold).due_on > timezone.localdate()
    lapsed = Hold.objects.get(case__in=cases, status=Hold.Status.LAPSED)
    assert holds.decide_on_original(lapsed.case)


def test_the_demo_has_a_reconsideration_an_appeal_a_draft_appeal_an_accepted_alternative_and_an_extension():
    call_command("seed_demo", scale=60)
    cases = demo_cases()
    reconsideration = Reconsideration.objects.get(case__in=cases)
    assert reconsideration.status == Reconsideration.Status.SUBMITTED
    assert reconsideration.case.status == CaseStatus.DENIED and reconsideration.documentation
    submitted = Appeal.objects.get(case__in=cases, status=Appeal.Status.SUBMITTED)
    assert submitted.due_at > timezone.now() and submitted.case.status == CaseStatus.DENIED
    draft = Appeal.objects.get(case__in=cases, status=Appeal.Status.DRAFT)
    assert draft.reason and draft.draft_expires_at > timezone.now() + datetime.timedelta(days=4)
    acceptance = AlternativeAcceptance.objects.get(determination__line__case__in=cases)
    assert acceptance.determination.line.case.status == CaseStatus.PARTIALLY_APPROVED
    extension = AuthorizationExtension.objects.get(case__in=cases)
    assert extension.status == AuthorizationExtension.Status.REQUESTED
    assert extension.requested_valid_to > extension.previous_valid_to >= timezone.localdate()
    # Each went through its service: the event the timeline shows is there.
    kinds = set(CaseEvent.objects.filter(case__in=cases).values_list("kind", flat=True))
    assert {"reconsideration_requested", "appeal_submitted", "alternative_accepted", "extension_requested"} <= kinds


def test_the_demo_cases_and_ecrm_tickets_are_built_once():
    from ecrm.demo import DEMO_TICKETS
    from ecrm.models import Ticket, TicketChange, TicketComment, TicketCopy

    def counts():
        rows = (Case, CaseStatusChange, CaseEvent, Determination, Hold, Reconsideration, Appeal, AuthorizationExtension)
        ecrm_rows = (Ticket, TicketComment, TicketChange, TicketCopy)
        return [model.objects.count() for model in (*rows, *ecrm_rows)]

    call_command("seed_demo", scale=60)
    first = counts()
    assert first[0] >= 17
    assert Ticket.objects.filter(reporter__username="frontdesk").count() == len(DEMO_TICKETS)
    out = io.StringIO()
    call_command("seed_demo", scale=60, stdout=out)
    assert counts() == first
    assert "demo cases: 0 added" in out.getvalue()
    assert "demo ECRM tickets: 0 added" in out.getvalue()


def test_an_expired_demo_draft_is_started_anew_on_the_next_run():
    call_command("seed_demo", scale=60)
    draft = demo_cases().get(status=CaseStatus.DRAFT)
    assert services.drafts_expire(now=draft.expires_at) == 1
    call_command("seed_demo", scale=60)
    assert demo_cases().filter(status=CaseStatus.DRAFT).count() == 1
    assert demo_cases().filter(status=CaseStatus.EXPIRED).count() == 1


def test_the_demo_provider_opens_every_demo_case_and_the_reviewer_the_queue(signed_in_client):
    call_command("seed_demo", scale=60)
    office = signed_in_client(User.objects.get(username="mjohnson"))
    assert office.get(reverse("cases:worklist")).status_code == 200
    for case in demo_cases().exclude(status=CaseStatus.DRAFT):
        for page in ("cases:case_detail", "cases:summary"):
            response = office.get(reverse(page, args=[case.request_id]))
            assert response.status_code == 200, (page, case.additional_notes)
    for appeal in Appeal.objects.filter(case__in=demo_cases()):
        response = office.get(reverse("cases:appeal", args=[appeal.case.request_id, appeal.sequence]))
        assert response.status_code == 200, appeal.case.additional_notes
    reviewer = signed_in_client(User.objects.get(username="rnreviewer"))
    response = reviewer.get(reverse("admin:cases_case_changelist"))
    assert response.status_code == 200
    for case in demo_cases().filter(status__in=worklist.PENDING_STATUSES):
        assert case.case_number in response.content.decode()
        assert reviewer.get(reverse("admin:cases_case_change", args=[case.pk])).status_code == 200
    mine = reviewer.get(reverse("admin:cases_case_changelist"), {"assigned": "mine"}).content.decode()
    assert demo_cases().get(status=CaseStatus.ON_HOLD).case_number in mine


def test_the_demo_p2p_reviewers_offer_times_for_the_demo_offices_denied_case_and_are_made_once():
    import datetime

    from p2p import eligibility, slots
    from p2p.demo import DEMO_LOGIN, P2P_REVIEWER_GROUP
    from p2p.models import Reviewer, ReviewerSkill, WorkingHours

    call_command("seed_demo", scale=60)
    counts = [model.objects.count() for model in (Reviewer, ReviewerSkill, WorkingHours)]
    assert counts[0] == 3
    reviewer_login = User.objects.get(username=DEMO_LOGIN)
    assert reviewer_login.has_perm("p2p.work_p2p") and reviewer_login.groups.filter(name=P2P_REVIEWER_GROUP).exists()
    denied = demo_cases().filter(status=CaseStatus.DENIED).first()
    assert eligibility.p2p_availability(denied).result != eligibility.NOT_ELIGIBLE
    next_monday = slots.week_start(timezone.localdate()) + datetime.timedelta(days=7)
    weeks = slots.week_slots(program=denied.program, time_zone="America/New_York", monday=next_monday)
    assert weeks and all(any(day.slots for day in week.days) for week in weeks)
    out = io.StringIO()
    call_command("seed_demo", scale=60, stdout=out)
    assert [model.objects.count() for model in (Reviewer, ReviewerSkill, WorkingHours)] == counts
    assert "P2P reviewers: 0 added" in out.getvalue()
