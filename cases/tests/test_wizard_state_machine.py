"""Random walks through the case build with the Django test client (issue 9 item 6).

A hypothesis state machine starts a Home Health or DME request, then posts steps with valid and invalid
values, goes Back, reopens earlier steps and changes earlier answers (insurer, date of service, patient, DME
delivered), confirms, answers the clinical questions and submits. After every move: no page failed, every step
marked complete still holds its data, a selected patient is eligible, and a confirmed draft holds everything
the submission needs.

Each example runs in its own savepoint, rolled back at its end: the signed-in user and the reference data
are made once per test.
"""

import datetime

import pytest
from django.db import transaction
from django.urls import resolve, reverse
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from accounts.tests.factories import UserFactory
from cases import rules, selectors, wizard
from cases.models import Case
from cases.tests.factories import diagnosis, submitter
from practices.models import AccountProvider
from reference.models import HealthPlan, Site
from reference.tests.factories import EligibilityFactory, MemberFactory, ProviderFactory, SiteFactory

pytestmark = pytest.mark.django_db

# Sized for under 60 s on a 2-core machine, on SQLite and on PostgreSQL (about 20 s of CPU).
MACHINE_SETTINGS = settings(
    max_examples=30,
    stateful_step_count=35,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
# What each step saves that must be there while the step counts as complete.
STEP_DATA = {
    "provider": ("ordering_provider",),
    "insurer": ("health_plan", "provider_address"),
    "date": ("date_of_service",),
    "patient": ("member",),
    "service": ("primary_diagnosis",),
    "site": ("site",),
    "site-dispensed": ("dispensed_on_urgent_basis", "dispensed_after_hours"),
}
PRE_ATTESTATION = [step.slug for step in wizard.STEPS if step.before_attestation]
CLINICAL_ANSWERS = {
    "homebound": {"homebound": "yes"},
    "admitting-diagnosis": {"admitting_diagnosis": "orthopedic"},
    "bundle-offer": {"bundle": "yes"},
    "hcpcs-line.0": {"hcpcs_code": "E0260", "hcpcs_units": "1"},
    "hcpcs-line.0.more": {"hcpcs_more": "no"},
}
CONTACT = {
    "contact_provider_name": "Ada Okafor MD",
    "contact_name": "Maria Johnson",
    "contact_fax": "(860) 666-4321",
    "contact_phone": "860-666-1234",
    "contact_email": "maria@office.example",
    "notify_by_email": "on",
}


def business_days_ago(count: int) -> datetime.date:
    day = timezone.localdate()
    for _ in range(count):
        day -= datetime.timedelta(days=1)
        while not rules.is_business_day(day):
            day -= datetime.timedelta(days=1)
    return day


def us_date(day: datetime.date) -> str:
    return day.strftime("%m/%d/%Y")


@pytest.fixture
def world(catalog):
    plans = {plan.code: plan for plan in HealthPlan.objects.all()}
    patients = {}
    for key, plan, coverage_end in (
        ("rivera", "cigna-commercial", None),
        ("chen", "cigna-commercial", None),
        ("medicare-only", "cigna-medicare", None),
        ("keystone-only", "keystone-community", None),  # Keystone delegates neither program: never eligible
        ("lapsed", "cigna-commercial", datetime.date(2021, 12, 31)),
    ):
        member = MemberFactory(last_name=key.title().replace("-", ""))
        EligibilityFactory(
            member=member, health_plan=plans[plan], coverage_start=datetime.date(2020, 1, 1), coverage_end=coverage_end
        )
        patients[key] = member
    diagnosis()
    diagnosis("Z89.512", "Acquired absence of left leg below knee")
    return {
        "plans": plans,
        "patients": patients,
        "provider": ProviderFactory(last_name="Okafor", first_name="Ada"),
        "newcomer": ProviderFactory(last_name="Nakamura", first_name="Ken"),
        "sites": {
            "home-health": SiteFactory(kind=Site.Kind.HOME_HEALTH_AGENCY, name="Hartford Visiting Nurses"),
            "dme": SiteFactory(kind=Site.Kind.DME_SUPPLIER, name="Hartford Medical Supply"),
        },
    }


def plan_rules(case: Case) -> rules.DateOfServiceRules:
    """The plan's date-of-service rules for the case's program, as the date step applies them."""
    plan_program = selectors.plan_program_for(case)
    if plan_program is None:
        return rules.DateOfServiceRules(True, None, "")
    return rules.DateOfServiceRules(plan_program.same_day_requests_online, plan_program.retro_window_business_days, "")


def _is_empty(case: Case, name: str) -> bool:
    return getattr(case, Case._meta.get_field(name).attname) in (None, "")


def test_random_walks_never_fail_and_never_confirm_an_incomplete_request(world, signed_in_client):
    user = submitter(UserFactory(first_name="Maria", last_name="Johnson"))
    AccountProvider.objects.create(user=user, provider=world["provider"])
    client = signed_in_client(user)
    plans, patients = world["plans"], world["patients"]

    class CaseBuild(RuleBasedStateMachine):
        def __init__(self):
            super().__init__()
            # Hypothesis runs every example inside this one test: each one's rows go with its savepoint.
            self.savepoint = transaction.atomic()
            self.savepoint.__enter__()
            self.case = None
            self.page = "provider"

        def teardown(self):
            transaction.set_rollback(True)
            self.savepoint.__exit__(None, None, None)

        # --- Moves ---------------------------------------------------------------------------------

        def send(self, method, url, data=None):
            response = getattr(client, method)(url, data or {})
            assert response.status_code < 500, f"{method.upper()} {url} {data}: {response.status_code}"
            target = response["Location"] if response.status_code == 302 else url
            match = resolve(target.split("?")[0])
            if match.url_name == "step":
                self.page = match.kwargs["slug"]
            self.case.refresh_from_db()
            return response

        def post_step(self, slug, data):
            return self.send("post", reverse("cases:step", args=[self.case.request_id, slug]), data)

        @initialize(
            program=st.sampled_from(["home-health", "dme"]),
            supplier=st.booleans(),
            head_start=st.integers(min_value=0, max_value=len(PRE_ATTESTATION)),
        )
        def start(self, program, supplier, head_start):
            """A new request, its first ``head_start`` steps completed: the changes below then find answers."""
            roles = {"dme": ("dme_role", "dme_provider"), "home-health": ("hh_role", "home_health_agency")}
            field, supplier_role = roles[program]
            response = client.post(
                reverse("cases:request_authorization"),
                {"program": program, field: supplier_role if supplier else "referring_physician"},
            )
            assert response.status_code == 302, response.content.decode()[-2000:]
            self.case = Case.objects.get(request_id=resolve(response["Location"]).kwargs["request_id"])
            self.complete_steps(head_start, before_attestation=True)

        @rule(moves=st.integers(min_value=1, max_value=9), then_confirm=st.booleans())
        def continue_with_valid_answers(self, moves, then_confirm):
            """What a careful provider does, ``moves`` times: complete the first step still to complete, up to
            the attestation; then, if asked and every step is complete, "Confirm and continue"."""
            self.complete_steps(moves, before_attestation=True)
            if then_confirm and wizard.first_incomplete_step(self.case).slug == "attest":
                self.post_step("attest", {"attest": "on"})

        @precondition(lambda self: self.case.attested_at is not None and self.case.is_draft)
        @rule(moves=st.integers(min_value=1, max_value=8))
        def answer_clinical_questions_and_submit(self, moves):
            self.complete_steps(moves, before_attestation=False)

        def complete_steps(self, moves, *, before_attestation):
            for _ in range(moves):
                step = wizard.first_incomplete_step(self.case)
                if not self.case.is_draft or step.before_attestation != before_attestation:
                    return
                answers = self.case.clinical_answers
                self.complete_next_step()
                if (wizard.first_incomplete_step(self.case), self.case.clinical_answers) == (step, answers):
                    return  # refused (a patient no plan covers): another move must change an answer first

        def complete_next_step(self):
            case, slug = self.case, wizard.first_incomplete_step(self.case).slug
            plan = case.health_plan or plans["cigna-commercial"]
            if slug == "provider":
                data = {"action": "select", "provider": world["provider"].pk, "health_plan": plan.pk}
            elif slug == "insurer":
                data = {"health_plan": plan.pk, "provider_address": case.ordering_provider.address_display}
            elif slug == "contact":
                data = CONTACT
            elif slug == "date" and case.is_home_health:
                data = {"start_of_care": us_date(timezone.localdate() + datetime.timedelta(days=3))}
            elif slug == "date":
                data = {"delivered": "no"}
            elif slug == "patient":
                key = {"cigna-commercial": "rivera", "cigna-medicare": "medicare-only"}.get(plan.code, "keystone-only")
                return self.select_patient(key)
            elif slug == "patient-contact":
                data = {"patient_cell_phone": "8605550101", "patient_email": ""}
            elif slug == "service":
                data = {"primary_query": "Z89.512" if case.is_dme else "S92.151A", "action": "continue"}
            elif slug == "site":
                site = world["sites"][case.program.code]
                data = {"action": "continue", "site": site.pk, "site_fax": site.fax, "site_phone": site.phone}
            elif slug == "site-dispensed":
                data = {"urgent_basis": "no", "after_hours": "yes"}
            elif slug == "attest":
                data = {"attest": "on"}
            elif slug == "clinical":
                response = self.send("get", reverse("cases:step", args=[case.request_id, "clinical"]))
                match = resolve(response["Location"])
                if match.url_name == "clinical_page":
                    self.send("post", response["Location"], CLINICAL_ANSWERS[match.kwargs["key"]])
                return
            elif slug == "clinical-summary":
                data = {"action": "continue"}
            elif slug == "urgency":
                data = {"is_routine": "yes"}
            elif slug == "upload":
                data = {"action": "continue", "additional_notes": ""}
            else:
                data = {"action": "submit"}
            self.post_step(slug, data)

        @rule(which=st.sampled_from(["account", "newcomer", "unknown"]), plan=st.sampled_from(sorted(plans)))
        def choose_provider(self, which, plan):
            provider = {"account": world["provider"], "newcomer": world["newcomer"]}.get(which)
            action = "add_select" if which == "newcomer" and not self.case.builds_as_supplier else "select"
            data = {"action": action, "provider": provider.pk if provider else 999999, "health_plan": plans[plan].pk}
            self.post_step("provider", data)

        @rule(plan=st.sampled_from([*sorted(plans), ""]), address_ok=st.booleans())
        def choose_insurer(self, plan, address_ok):
            provider = self.case.ordering_provider
            address = provider.address_display if provider and address_ok else "Nowhere"
            self.post_step("insurer", {"health_plan": plans[plan].pk if plan else "", "provider_address": address})

        @rule(valid=st.booleans())
        def enter_contact(self, valid):
            self.post_step("contact", CONTACT if valid else {**CONTACT, "contact_fax": "123"})

        @precondition(lambda self: self.case.is_home_health)
        @rule(days=st.sampled_from([-30, -1, 0, 1, 3, 10, 400, None]))
        def enter_start_of_care(self, days):
            """Today and past dates: Cigna refuses both online; Keystone has no such rule."""
            text = "13/45/2026" if days is None else us_date(timezone.localdate() + datetime.timedelta(days=days))
            self.post_step("date", {"start_of_care": text})

        @precondition(lambda self: self.case.is_dme)
        @rule(answer=st.sampled_from(["no", "yesterday", "two days ago", "40 days ago", "tomorrow", "no date", "none"]))
        def enter_dme_delivered(self, answer):
            """Delivered 40 days ago is past the 15 business days; tomorrow is refused; Keystone takes no past date."""
            days = {
                "yesterday": business_days_ago(1),
                "two days ago": business_days_ago(2),
                "40 days ago": timezone.localdate() - datetime.timedelta(days=40),
                "tomorrow": timezone.localdate() + datetime.timedelta(days=1),
            }
            if answer in days:
                data = {"delivered": "yes", "delivered_on": us_date(days[answer])}
            else:
                data = {"no": {"delivered": "no"}, "no date": {"delivered": "yes"}, "none": {}}[answer]
            self.post_step("date", data)

        @rule(key=st.sampled_from([*sorted(patients), "unknown"]))
        def select_patient(self, key):
            member = patients.get(key)
            lookup = {
                "member_id": member.member_id if member else "NOPE1",
                "date_of_birth": us_date(member.date_of_birth) if member else "01/01/1950",
                "last_name": member.last_name if member else "Nobody",
            }
            action = {"action": "select", "member": member.pk} if member else {"action": "lookup"}
            self.post_step("patient", {**lookup, **action})

        @rule(valid=st.booleans())
        def enter_patient_contact(self, valid):
            self.post_step("patient-contact", {"patient_cell_phone": "", "patient_email": "" if valid else "not-mail"})

        @rule(code=st.sampled_from(["S92.151A", "Z89.512", "XYZ", ""]))
        def choose_diagnosis(self, code):
            self.post_step("service", {"primary_query": code, "action": "continue"})

        @rule(which=st.sampled_from(["right kind", "wrong kind", "no fax", "none"]))
        def choose_site(self, which):
            program = self.case.program.code
            site = world["sites"][program if which != "wrong kind" else {"dme": "home-health"}.get(program, "dme")]
            data = {"action": "continue", "site": site.pk, "site_fax": site.fax, "site_phone": site.phone}
            if which == "no fax":
                data["site_fax"] = ""
            elif which == "none":
                data["site"] = ""
            self.post_step("site", data)

        @rule(answers=st.sampled_from([("yes", "no"), ("no", "yes"), ("", "no")]))
        def answer_dispensed(self, answers):
            self.post_step("site-dispensed", {"urgent_basis": answers[0], "after_hours": answers[1]})

        @rule(checked=st.booleans())
        def confirm(self, checked):
            self.post_step("attest", {"attest": "on"} if checked else {})

        @rule(where=st.sampled_from(["Back", "resume", "Finish Later", *(step.slug for step in wizard.STEPS)]))
        def navigate(self, where):
            """Back (the step before the page shown), any step's address, resume, or Finish Later."""
            request_id = self.case.request_id
            if where == "Back":
                if self.case.is_draft and self.page in [step.slug for step in wizard.applicable_steps(self.case)]:
                    previous = wizard.step_before(self.case, self.page)
                    if previous is not None:
                        self.send("get", reverse("cases:step", args=[request_id, previous.slug]))
            elif where == "resume":
                self.send("get", reverse("cases:resume", args=[request_id]))
            elif where == "Finish Later":
                self.post_step(self.page, {"action": "finish_later"})
            else:
                self.send("get", reverse("cases:step", args=[request_id, where]))

        # --- What must always hold ---------------------------------------------------------------

        @invariant()
        def confirmed_requests_hold_what_submission_needs(self):
            case = self.case
            if case is None or case.attested_at is None:
                return
            problems = [p for p in selectors.case_submission_problems(case) if p != "Answer every clinical question."]
            assert problems == [], f"Request {case.request_id} was confirmed with: {problems}"
            for step in wizard.applicable_steps(case):
                if step.before_attestation:
                    assert step.slug in case.completed_steps, f"confirmed without {step.title}"

        @invariant()
        def open_drafts_keep_steps_and_data_together(self):
            case = self.case
            if case is None or case.is_locked:
                return
            for slug in case.completed_steps:
                missing = [name for name in STEP_DATA.get(slug, ()) if _is_empty(case, name)]
                assert not missing, f"the {slug} step is marked complete without {missing}"
            if case.member_id:
                assert selectors.eligibility_problem(member=case.member, case=case) is None
            if "date" in case.completed_steps:
                problem = rules.date_of_service_problem(
                    date_of_service=case.date_of_service, today=timezone.localdate(), rules=plan_rules(case)
                )
                assert problem is None, f"the date step is complete with a date its plan refuses: {problem}"

    run_state_machine_as_test(CaseBuild, settings=MACHINE_SETTINGS)
