"""The synthetic world: users in practices with their entitlements and shared worklists, the walkers' reference
data, and the cases in every status created in bulk."""

from __future__ import annotations

import datetime
import random
import string
from collections import Counter, defaultdict

from case_bench.settings import (
    APPEALS_SHARE,
    BATCH,
    BIG_PRACTICE_USERS,
    CORRESPONDENCE_ONLY_SHARE,
    OWNER,
    PRACTICE_SIZES,
    READER,
    SECOND_PRACTICE_SHARE,
    WALKERS,
    WALKERS_IN_TWO_PRACTICES,
    WORKLIST_GRANT_SHARE,
    HarnessError,
)


def users_create(count: int, rng: random.Random) -> list:
    from django.contrib.auth.hashers import make_password
    from django.utils import timezone

    from accounts.models import User
    from practices.models import AccountProvider
    from reference.models import Provider

    now = timezone.now()
    unusable = make_password(None)  # force_login needs no password; hashing 2,000 would take minutes
    first = ("Maria", "James", "Aisha", "Wei", "Carlos", "Fatima", "Olga", "Kwame", "Priya", "Liam")
    last = ("Johnson", "Garcia", "Nguyen", "Okafor", "Smith", "Patel", "Kowalski", "Haddad", "Rossi", "Kim")
    User.objects.bulk_create(
        [
            User(
                username=f"bench.user{i:05d}",
                first_name=rng.choice(first),
                last_name=rng.choice(last),
                email=f"bench.user{i:05d}@office.example",
                password=unusable,
                email_verified_at=now,
            )
            for i in range(count)
        ],
        batch_size=BATCH,
    )
    users = list(User.objects.filter(username__startswith="bench.user").order_by("username"))
    provider_ids = list(Provider.objects.values_list("pk", flat=True))
    links = []
    for user in users:
        for provider_id in rng.sample(provider_ids, min(3, len(provider_ids))):
            links.append(AccountProvider(user=user, provider_id=provider_id))
    AccountProvider.objects.bulk_create(links, batch_size=BATCH)
    return users


def practices_create(users: list, rng: random.Random) -> dict:
    """Practices (TINs), memberships with their entitlements, and shared worklists, as ``cases.permissions``
    reads them; returns who is where (``submission_practices``: user id -> the practices where they hold case
    submission, which the bulk cases are spread over) and the users the access-model figures are timed for.

    The first ``BIG_PRACTICE_USERS`` users (the walkers, READER and OWNER among them) form one big practice;
    the others are shuffled into practices of PRACTICE_SIZES members. Each practice's first member is its
    website access manager with every entitlement; the others hold case submission (plus correspondence for
    half of them and precertification/appeals for APPEALS_SHARE), except CORRESPONDENCE_ONLY_SHARE of the
    users, who hold correspondence only. SECOND_PRACTICE_SHARE of the submitters (READER and the
    WALKERS_IN_TWO_PRACTICES always) are members of a second, small practice with case submission too.
    OWNER shares their worklist with the delegate (a user outside the big practice), a user of a third practice
    shares theirs with READER, and WORKLIST_GRANT_SHARE of the users share theirs with a random user.
    """
    from practices.models import Practice, PracticeMembership, WorklistAccess

    ids = [user.pk for user in users]
    big_size = min(BIG_PRACTICE_USERS, len(ids) // 2)
    rest = ids[big_size:]
    rng.shuffle(rest)
    groups = [ids[:big_size]]
    while rest:
        size = rng.randint(*PRACTICE_SIZES)
        groups.append(rest[:size])
        rest = rest[size:]
    Practice.objects.bulk_create(
        [
            Practice(tin=f"{800_000_000 + n:09d}", name="Big Bench Medical Group" if n == 0 else f"Bench Practice {n}")
            for n in range(len(groups))
        ],
        batch_size=BATCH,
    )
    practice_ids = list(
        Practice.objects.filter(tin__gte="800000000", tin__lt="900000000").order_by("tin").values_list("pk", flat=True)
    )
    big = practice_ids[0]
    reader, owner = ids[READER], ids[OWNER]
    delegate = ids[big_size]  # the first user outside the big practice (usernames are in order)
    special = {*ids[:WALKERS], reader, owner, delegate}
    correspondence_only = {
        uid for uid in ids[big_size:] if uid not in special and rng.random() < CORRESPONDENCE_ONLY_SHARE
    }

    memberships = []
    practices_of: dict[int, list[int]] = defaultdict(list)
    submission_practices: dict[int, list[int]] = defaultdict(list)

    def join(user_id: int, practice_id: int, *, manager: bool = False) -> None:
        if user_id in correspondence_only:
            fields = {"correspondence": True}
        elif manager:
            fields = {"is_access_manager": True, "case_submission": True, "precertification_appeals": True}
            fields["correspondence"] = True
        else:
            fields = {
                "case_submission": True,
                "correspondence": rng.random() < 0.5,
                "precertification_appeals": user_id != reader and rng.random() < APPEALS_SHARE,
            }
        memberships.append(PracticeMembership(user_id=user_id, practice_id=practice_id, **fields))
        practices_of[user_id].append(practice_id)
        if fields.get("case_submission"):
            submission_practices[user_id].append(practice_id)

    for practice_id, members in zip(practice_ids, groups, strict=True):
        for position, user_id in enumerate(members):
            # The big practice's manager is its last member: the timed users stay ordinary members.
            join(user_id, practice_id, manager=position == (len(members) - 1 if practice_id == big else 0))
    small = practice_ids[1:]
    forced = {reader, *(ids[i] for i in WALKERS_IN_TWO_PRACTICES)}
    for user_id in ids:
        if user_id in correspondence_only or user_id == delegate:
            continue
        if user_id in forced or rng.random() < SECOND_PRACTICE_SHARE:
            choices = [p for p in rng.sample(small, min(5, len(small))) if p not in practices_of[user_id]]
            if choices:
                join(user_id, choices[0])
    PracticeMembership.objects.bulk_create(memberships, batch_size=BATCH)

    # Worklists shared through User Access (active grants, one per pair).
    third = next(
        uid
        for uid in ids[big_size:]
        if uid not in special and submission_practices[uid] and not set(practices_of[uid]) & set(practices_of[reader])
    )
    pairs = {(owner, delegate), (third, reader)}
    for user_id in ids:
        if rng.random() < WORKLIST_GRANT_SHARE:
            grantee = rng.choice(ids)
            if grantee != user_id:
                pairs.add((user_id, grantee))
    WorklistAccess.objects.bulk_create(
        [WorklistAccess(owner_id=o, grantee_id=g) for o, g in sorted(pairs)], batch_size=BATCH
    )
    by_pk = {user.pk: user for user in users}
    return {
        "big_practice_id": big,
        "big_practice_users": big_size,
        "submission_practices": dict(submission_practices),
        "practices": len(practice_ids),
        "memberships": len(memberships),
        "in_two_practices": sum(1 for practices in practices_of.values() if len(practices) > 1),
        "correspondence_only": len(correspondence_only),
        "worklist_grants": len(pairs),
        "reader": by_pk[reader],
        "owner": by_pk[owner],
        "delegate": by_pk[delegate],
    }


def world_for_walks(rng: random.Random) -> dict:
    """What the walks need: the plan, sites of each kind, members covered by the plan today."""
    from django.utils import timezone

    from reference.models import Eligibility, HealthPlan, Member, Site

    plan = HealthPlan.objects.get(code="cigna-commercial")
    covered_since = timezone.localdate() - datetime.timedelta(days=30)
    member_ids = list(
        Eligibility.objects.filter(health_plan=plan, coverage_start__lte=covered_since, coverage_end__isnull=True)
        .order_by("member_id")
        .values_list("member_id", flat=True)
    )
    if not member_ids:
        raise HarnessError("no member is covered by cigna-commercial today: the synthetic world is empty")
    return {
        "plan": plan,
        "member_ids": member_ids,
        "members": Member.objects,
        "sites": {
            "home-health": list(Site.objects.filter(kind=Site.Kind.HOME_HEALTH_AGENCY).order_by("pk")[:200]),
            "dme": list(Site.objects.filter(kind=Site.Kind.DME_SUPPLIER).order_by("pk")[:200]),
        },
        "rng": rng,
    }


def case_templates(request_ids: dict[str, str]) -> dict[str, dict]:
    """The clinical answers, questionnaire and service lines of one walked case of each kind: the bulk cases
    copy them, so that their answers have the shape the engine reads (conflicts, requested periods)."""
    from cases.models import Case
    from cases.questionnaires import engine
    from reference.models import HcpcsCode

    hcpcs = {code: (pk, basis) for code, pk, basis in HcpcsCode.objects.values_list("code", "pk", "billing_basis")}
    templates = {}
    for kind, request_id in request_ids.items():
        case = Case.objects.select_related("program").get(request_id=request_id)
        qs = engine.question_set_for(case.program.code)
        result = engine.outcome(qs, case.clinical_answers)
        templates[kind] = {
            "answers": case.clinical_answers,
            "questionnaire_id": case.questionnaire_id,
            "questionnaire_version": case.questionnaire_version,
            "lines": [(*hcpcs[line.hcpcs_code], line.label, line.quantity) for line in result.service_lines],
            "period_days": result.period_days or 30,
        }
    return templates


# Status mix of the cases on file (weights): mostly decided, a few open drafts per user.
STATUS_MIX = (
    ("draft", 8),
    ("expired", 10),
    ("cancelled-draft", 2),
    ("submitted", 0.5),
    ("pending_review", 12),
    ("on_hold", 2),
    ("approved", 50),
    ("partially_approved", 3),
    ("denied", 8.5),
    ("cancelled", 4),
)


PRE_ATTESTATION_STEPS = ("provider", "insurer", "contact", "date", "patient", "patient-contact", "service", "site")


ALPHANUMERIC = "".join(c for c in string.ascii_uppercase + string.digits if c not in "IO01")


def cases_bulk_create(
    count: int, submission_practices: dict[int, list[int]], templates: dict, rng: random.Random
) -> Counter:
    """``count`` cases in realistic statuses, with their status changes and (once submitted) service lines.

    Each is created by a user who holds case submission somewhere (``submission_practices``: user id -> those
    practices) and belongs to one of that user's practices, as ``case_start`` requires."""
    from django.db import transaction
    from django.utils import timezone

    from cases.models import BuilderRole, Case, CaseStatusChange, ServiceLine
    from cases.rules import service_unit
    from reference.models import DiagnosisCode, HealthPlan, Member, Program, Provider, Site

    now = timezone.now()
    programs = {program.code: program.pk for program in Program.objects.filter(code__in=["home-health", "dme"])}
    plans = dict(HealthPlan.objects.filter(code__in=["cigna-commercial", "cigna-medicare"]).values_list("code", "pk"))
    provider_ids = list(Provider.objects.values_list("pk", flat=True))
    site_ids = {
        "home-health": list(Site.objects.filter(kind=Site.Kind.HOME_HEALTH_AGENCY).values_list("pk", flat=True)),
        "dme": list(Site.objects.filter(kind=Site.Kind.DME_SUPPLIER).values_list("pk", flat=True)),
    }
    member_ids = list(Member.objects.values_list("pk", flat=True))
    diagnosis_ids = list(DiagnosisCode.objects.filter(is_billable=True).values_list("pk", flat=True))
    diagnosis_ids = rng.sample(diagnosis_ids, min(5000, len(diagnosis_ids)))
    user_ids = sorted(submission_practices)

    # Identifiers as the app draws them (cases.identifiers): random, unique, one shape per kind.
    request_ids = [str(v) for v in rng.sample(range(10**9, 10**10), count)]
    case_numbers = [f"A{v:09d}" for v in rng.sample(range(10**9), count)]
    episode_ids = [str(v) for v in rng.sample(range(10**10, 10**11), count)]
    authorizations: set[str] = set()
    while len(authorizations) < count:
        authorizations.add("AU" + "".join(rng.choices(ALPHANUMERIC, k=8)))
    authorization_numbers = list(authorizations)

    statuses, weights = zip(*STATUS_MIX, strict=True)
    made = Counter()
    for first in range(0, count, BATCH):
        batch = []
        for i in range(first, min(first + BATCH, count)):
            status = rng.choices(statuses, weights)[0]
            program = "home-health" if rng.random() < 0.5 else "dme"
            if program == "dme":
                template = templates["dme"]
            elif status in ("approved", "partially_approved"):
                template = templates["hh-bundle"]
            else:
                template = templates["hh-manual"]
            submitted = status not in ("draft", "expired", "cancelled-draft")
            if status == "draft":
                created = now - datetime.timedelta(hours=rng.uniform(0, 47))
            elif status in ("submitted", "pending_review", "on_hold"):
                created = now - datetime.timedelta(days=rng.uniform(0, 14))
            else:
                created = now - datetime.timedelta(days=rng.uniform(3, 730))
            steps_done = len(PRE_ATTESTATION_STEPS) if submitted else rng.randint(0, len(PRE_ATTESTATION_STEPS))
            done = PRE_ATTESTATION_STEPS[:steps_done]
            day_of_service = timezone.localdate(created) + datetime.timedelta(days=rng.randint(1, 10))
            role = BuilderRole.REFERRING_PHYSICIAN
            if rng.random() < 0.15:
                role = BuilderRole.DME_PROVIDER if program == "dme" else BuilderRole.HOME_HEALTH_AGENCY
            creator = rng.choice(user_ids)
            case = Case(
                request_id=request_ids[i],
                status="cancelled" if status == "cancelled-draft" else status,
                program_id=programs[program],
                builder_role=role,
                created_by_id=creator,
                practice_id=rng.choice(submission_practices[creator]),
                created_at=created,
                last_saved_at=created + datetime.timedelta(minutes=rng.uniform(1, 30)),
                current_step=PRE_ATTESTATION_STEPS[steps_done] if steps_done < len(PRE_ATTESTATION_STEPS) else "attest",
                completed_steps=list(done),
                expires_at=created + datetime.timedelta(days=2) if status in ("draft", "expired") else None,
                ordering_provider_id=rng.choice(provider_ids) if "provider" in done else None,
                health_plan_id=(plans["cigna-commercial"] if rng.random() < 0.8 else plans["cigna-medicare"])
                if "insurer" in done
                else None,
                provider_address="1 Main St, Hartford, CT 06103" if "insurer" in done else "",
                contact_provider_name="Dr Bench" if "contact" in done else "",
                contact_name="Office Contact" if "contact" in done else "",
                contact_fax="8606664321" if "contact" in done else "",
                contact_phone="8606661234" if "contact" in done else "",
                contact_email="office@office.example" if "contact" in done else "",
                date_of_service=day_of_service if "date" in done else None,
                dme_already_dispensed=False if program == "dme" and "date" in done else None,
                member_id=rng.choice(member_ids) if "patient" in done else None,
                primary_diagnosis_id=rng.choice(diagnosis_ids) if "service" in done else None,
                site_id=rng.choice(site_ids[program]) if "site" in done else None,
                site_fax="8606660000" if "site" in done else "",
                site_phone="8606660001" if "site" in done else "",
                place_of_service="12 - Home" if program == "dme" and "site" in done else "",
            )
            if submitted:
                submitted_at = created + datetime.timedelta(minutes=rng.uniform(10, 120))
                urgent = program == "dme" and rng.random() < 0.05
                case.completed_steps = [*done, "attest", "clinical-summary", "urgency", "upload"]
                case.current_step = "summary"
                case.attested_at = created + datetime.timedelta(minutes=5)
                case.clinical_answers = template["answers"]
                case.questionnaire_id = template["questionnaire_id"]
                case.questionnaire_version = template["questionnaire_version"]
                case.is_routine = not urgent
                case.urgency_criterion = "jeopardy" if urgent else ""
                case.is_urgent = urgent
                case.submitted_at = submitted_at
                case.case_number = case_numbers[i]
                case.episode_id = episode_ids[i]
                case.decision_due_at = submitted_at + datetime.timedelta(hours=72 if urgent else 24 * 7)
                if status in ("approved", "partially_approved", "denied"):
                    bundle = template is templates["hh-bundle"]
                    case.decided_at = submitted_at + (
                        datetime.timedelta(0) if bundle else datetime.timedelta(hours=rng.uniform(4, 120))
                    )
                if status in ("approved", "partially_approved"):
                    case.authorization_number = authorization_numbers[i]
                    case.valid_from = day_of_service
                    case.valid_to = day_of_service + datetime.timedelta(days=template["period_days"] - 1)
            case.template = template  # for its service lines below (not a model field)
            batch.append(case)
            made[status] += 1
        with transaction.atomic():
            Case.objects.bulk_create(batch)
            changes, lines = [], []
            for case in batch:
                changes += status_history(case, CaseStatusChange)
                if case.submitted_at:
                    lines += [
                        ServiceLine(
                            case_id=case.pk,
                            hcpcs_id=hcpcs_id,
                            label=label,
                            quantity=quantity,
                            billing_basis=basis,
                            unit=service_unit(basis),
                            line_number=n,
                        )
                        for n, (hcpcs_id, basis, label, quantity) in enumerate(case.template["lines"], start=1)
                    ]
            CaseStatusChange.objects.bulk_create(changes, batch_size=BATCH)
            ServiceLine.objects.bulk_create(lines, batch_size=BATCH)
            made["status changes"] += len(changes)
            made["service lines"] += len(lines)
    return made


def status_history(case, model) -> list:
    """The transitions ``case_transition`` would have written to bring the case to its status."""
    status = case.status
    if status == "draft":
        return []
    if case.submitted_at is None:  # expired, or cancelled before submission
        return [model(case_id=case.pk, from_status="draft", to_status=status, changed_at=case.last_saved_at)]
    at = case.submitted_at
    history = [model(case_id=case.pk, from_status="draft", to_status="submitted", changed_at=at)]
    if status == "submitted":
        return history
    if status == "approved" and case.decided_at == at:  # the Home Health bundle: approved at once
        return [*history, model(case_id=case.pk, from_status="submitted", to_status="approved", changed_at=at)]
    history.append(model(case_id=case.pk, from_status="submitted", to_status="pending_review", changed_at=at))
    if status != "pending_review":
        history.append(
            model(case_id=case.pk, from_status="pending_review", to_status=status, changed_at=case.decided_at or at)
        )
    return history


def signed_in_client(user):
    """A test client signed in as ``user`` and past MFA through the real pages (as the root conftest.py's
    ``signed_in_client`` does, without factory_boy): an authenticator-app device and its current code."""
    from django.test import Client
    from django.urls import reverse
    from django_otp.oath import totp

    from mfa.models import AuthenticatorAppDevice

    client = Client()
    client.force_login(user)
    device = AuthenticatorAppDevice.objects.create(user=user, name="Authenticator app", confirmed=True)
    client.post(reverse("mfa:choose"), {"device": device.persistent_id})
    response = client.post(reverse("mfa:verify"), {"code": f"{totp(device.bin_key):06d}"})
    if response.status_code != 302:
        raise HarnessError(f"MFA was not passed for {user.username}: {response.status_code}")
    return client
