"""Benchmark of the case build (the CareCore wizard) and the diagnosis lookup, with 100,000 cases on file.

    .venv/bin/python bench/cases.py [--postgres | --sqlite] [--cases 100000] [--walks 30] [--lookups 300]
                                    [--access 100] [--keep]

Everything runs in this process: a fresh database (PostgreSQL ``portal_bench_cases`` by default, or a
SQLite file in a temp dir) is migrated and filled (ICD-10-CM, catalog, a synthetic world of providers,
sites and members, users in practices with their entitlements and shared worklists, and --cases cases in
every status, each in a practice of its creator), then

1. ``reference.selectors.diagnoses_search`` is timed over --lookups queries (code prefixes, words, phrases);
2. the whole wizard is walked --walks times through Django's test client (Home Health bundle, Home Health
   manual visits, DME with two codes and an upload), every GET and POST timed; each request is preceded by
   ``GET /health/db/`` on the same client, the ceiling its time is compared with;
3. the diagnosis lookup is timed again through the service step (``action=lookup_primary``);
4. one more walk of each kind counts the SQL statements of every request and flags repeated ones;
5. the pages and selectors the access model (``cases.permissions``) decides are timed --access times each:
   In Progress and the CareCore home for a member of a 50-user practice, a colleague's submitted case's
   summary, the summary for a worklist delegate, a 404 for another practice's case, and ``grants_of``,
   ``drafts_visible_to`` and ``cases_visible_to`` evaluated in this process; the drafts query is EXPLAINed.

"Server time" is the time spent inside ``client.get``/``client.post``: every middleware, the view, the
template and the queries; no socket, no WSGI server. Targets (the issue): diagnosis lookup p95 < 20 ms,
each wizard step's and access-model page's p95 < 50 ms, the permission selectors' p95 < 20 ms. See
bench/README.md.
"""

from __future__ import annotations

import argparse
import datetime
import logging
import os
import platform
import random
import re
import shutil
import signal
import string
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlencode, urlparse

ROOT = Path(__file__).resolve().parent.parent
POSTGRES = {"host": "127.0.0.1", "port": 5432, "user": "postgres"}
POSTGRES_BENCH_DB = "portal_bench_cases"
CEILING_PATH = "/health/db/"
LOOKUP_TARGET_MS = 20.0
STEP_TARGET_MS = 50.0
LOOKUP_LIMIT = 21  # what the service step asks for (cases.views.steps_service.DIAGNOSIS_RESULTS, and one more)
SEED = 20251218
BATCH = 5000
WALKERS = 6  # signed-in users who walk the wizard (each also owns its share of the bulk cases)
# The access model's world (cases.permissions): practices of PRACTICE_SIZES users (5 on average), one big
# practice of BIG_PRACTICE_USERS (the walkers among them), some users in two practices, a few with the
# correspondence entitlement only (they start no case), and worklists shared through User Access.
BIG_PRACTICE_USERS = 50
PRACTICE_SIZES = (1, 9)  # members of every other practice, uniform: 5 on average
SECOND_PRACTICE_SHARE = 0.10
CORRESPONDENCE_ONLY_SHARE = 0.01
APPEALS_SHARE = 0.10  # members (besides each practice's access manager) with precertification/appeals
WORKLIST_GRANT_SHARE = 0.03
# Indices in the users list (ordered by username) of the users the access-model figures are timed for.
READER = WALKERS  # the big practice and a second one, and a worklist shared with them: many drafts
OWNER = WALKERS + 1  # big practice; shares their worklist with the delegate
WALKERS_IN_TWO_PRACTICES = (1, 3)  # the program step then asks for the practice
SELECTOR_TARGET_MS = 20.0
WALK_KINDS = ("hh-bundle", "hh-manual", "dme")
# A statement run this many times in one request is listed as a possible N+1.
REPEAT_FLAG = 3
EXIT_HARNESS_ERROR = 1


class HarnessError(Exception):
    """The benchmark itself could not run (as opposed to a page being slow)."""


# --- Command line ----------------------------------------------------------------------------------------


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    database = parser.add_mutually_exclusive_group()
    database.add_argument(
        "--postgres",
        dest="database",
        action="store_const",
        const="postgresql",
        default="postgresql",
        help=f"PostgreSQL on 127.0.0.1:5432, database {POSTGRES_BENCH_DB} (default)",
    )
    database.add_argument(
        "--sqlite", dest="database", action="store_const", const="sqlite", help="a SQLite file in a temp dir"
    )
    parser.add_argument("--cases", type=int, default=100_000, help="cases on file (100000)")
    parser.add_argument("--users", type=int, default=2000, help="users the cases are spread over (2000)")
    parser.add_argument("--members", type=int, help="members generated (default: cases / 5, at least 1000)")
    parser.add_argument("--walks", type=int, default=30, help="timed walks through the whole wizard (30)")
    parser.add_argument("--lookups", type=int, default=300, help="timed diagnosis lookups, each way (300)")
    parser.add_argument(
        "--access", type=int, default=100, help="timed rounds of the access-model pages and selectors (100)"
    )
    parser.add_argument("--keep", action="store_true", help="keep the database and the temp dir afterwards")
    args = parser.parse_args(argv)
    minimum_users = 2 * (OWNER + 1)  # the big practice's special members, and as many users outside it
    if args.cases < 0 or args.users < minimum_users or args.walks < 1 or args.lookups < 1 or args.access < 1:
        parser.error(f"need --cases >= 0, --users >= {minimum_users}, --walks >= 1, --lookups >= 1, --access >= 1")
    if args.members is None:
        args.members = max(args.cases // 5, 1000)
    return args


# --- Database and Django ---------------------------------------------------------------------------------


def recreate_postgres_database() -> str:
    try:
        import psycopg
    except ImportError as exc:
        raise HarnessError("psycopg is not installed: run with .venv/bin/python") from exc
    try:
        # DROP/CREATE DATABASE cannot run in a transaction; FORCE ends sessions a killed run left behind.
        with psycopg.connect(**POSTGRES, dbname="postgres", autocommit=True, connect_timeout=3) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {POSTGRES_BENCH_DB} WITH (FORCE)")
            conn.execute(f"CREATE DATABASE {POSTGRES_BENCH_DB}")
    except psycopg.Error as exc:
        raise HarnessError(f"PostgreSQL on {POSTGRES['host']}:{POSTGRES['port']}: {exc}") from exc
    return f"postgres://{POSTGRES['user']}@{POSTGRES['host']}:{POSTGRES['port']}/{POSTGRES_BENCH_DB}"


def drop_postgres_database() -> None:
    import psycopg

    with psycopg.connect(**POSTGRES, dbname="postgres", autocommit=True, connect_timeout=3) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {POSTGRES_BENCH_DB} WITH (FORCE)")


def django_configure(database_url: str, workdir: Path) -> None:
    """Dev settings with DEBUG off (no query log, no debug pages), everything written under ``workdir``."""
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "portal.settings",
            "DJANGO_ENV": "dev",
            "DEBUG": "false",
            "DATABASE_URL": database_url,
            "PORTAL_VAR_DIR": str(workdir),  # uploads, mail, SMS, the Celery folder broker
            "CELERY_BROKER_URL": "filesystem://",
            "LOG_LEVEL": "WARNING",
        }
    )
    for name in ("MEDIA_ROOT", "CLINICAL_UPLOAD_ROOT", "CELERY_BROKER_DIR", "STATIC_ROOT"):
        os.environ.pop(name, None)
    # The project first, and not this folder: this file's name would shadow the ``cases`` app.
    here = Path(__file__).resolve().parent
    sys.path[:] = [str(ROOT), *(entry for entry in sys.path if Path(entry or ".").resolve() != here)]
    import django

    django.setup()


def timed(label: str, timings: dict, function: Callable, *args, **kwargs):
    print(f"· {label} ...", flush=True)
    started = time.perf_counter()
    result = function(*args, **kwargs)
    timings[label] = time.perf_counter() - started
    return result


def settle_database() -> str:
    """Production tables are vacuumed and analyzed; a fresh bulk load is not until autovacuum runs."""
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("VACUUM (ANALYZE)")
            cursor.execute("CHECKPOINT")
            return "VACUUM (ANALYZE) + CHECKPOINT"
        cursor.execute("ANALYZE")
        return "ANALYZE"


# --- The world: users, their providers, cases ------------------------------------------------------------


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


# --- Signing in ------------------------------------------------------------------------------------------


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


# --- Recorders: what happens around each request ---------------------------------------------------------


class Untimed:
    """Runs the request and nothing else (the walks that prepare the world or park a case)."""

    def __call__(self, client, label: str, call: Callable):
        return call()


class Timer:
    """Times each request; before each one, times GET /health/db/ on the same client: the ceiling."""

    def __init__(self):
        self.samples: dict[str, list[float]] = defaultdict(list)
        self.by_kind: dict[tuple[str, str], list[float]] = defaultdict(list)
        self.ceiling: list[float] = []
        self.kind = ""  # the walk being timed, set by the caller

    def __call__(self, client, label: str, call: Callable):
        started = time.perf_counter()
        response = client.get(CEILING_PATH)
        self.ceiling.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise HarnessError(f"{CEILING_PATH} answered {response.status_code}")
        started = time.perf_counter()
        response = call()
        elapsed = (time.perf_counter() - started) * 1000
        self.samples[label].append(elapsed)
        self.by_kind[(label, self.kind)].append(elapsed)
        return response


class QueryCounter:
    """Captures the SQL of each request (on a pass of its own: capturing costs time)."""

    def __init__(self):
        self.statements: dict[str, list[list[str]]] = defaultdict(list)
        self.kinds: dict[str, list[str]] = defaultdict(list)
        self.kind = ""  # the walk being counted, set by the caller

    def __call__(self, client, label: str, call: Callable):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as captured:
            response = call()
        # Every statement is a round trip to the database, BEGIN, COMMIT and savepoints included.
        sql = [q["sql"] for q in captured.captured_queries]
        self.statements[label].append(sql)
        self.kinds[label].append(self.kind)
        return response


_LITERALS = re.compile(r"'(?:[^']|'')*'|\b\d+(?:\.\d+)?\b")
_IN_LIST = re.compile(r"IN \((?:\?, )*\?\)")


_COLUMNS = re.compile(r"^SELECT .+? FROM ", re.DOTALL)


def normalized(sql: str) -> str:
    return _IN_LIST.sub("IN (...)", _LITERALS.sub("?", sql))


def shortened(sql: str) -> str:
    """The statement with its first column list folded: the table and the WHERE clause are what tell."""
    return _COLUMNS.sub("SELECT ... FROM ", sql, count=1)


# --- The walks -------------------------------------------------------------------------------------------


class Walk:
    """One request after another through the wizard, each checked for the status the test suite expects."""

    def __init__(self, client, recorder):
        self.client = client
        self.recorder = recorder

    def get(self, label: str, path: str, expect: int = 200):
        return self._send(f"{label} GET", lambda: self.client.get(path), path, expect)

    def post(self, label: str, path: str, data: dict, expect: int = 302):
        return self._send(f"{label} POST", lambda: self.client.post(path, data), path, expect)

    def _send(self, label: str, call: Callable, path: str, expect: int):
        response = self.recorder(self.client, label, call)
        if response.status_code != expect:
            body = response.content.decode(errors="replace")
            errors = re.findall(r'class="[^"]*error[^"]*"[^>]*>(.*?)<', body)
            detail = response.get("Location") or "; ".join(e.strip() for e in errors if e.strip())[:600] or body[:600]
            raise HarnessError(f"{label} {path}: expected {expect}, got {response.status_code} ({detail})")
        return response


def step_url(request_id: str, slug: str) -> str:
    from django.urls import reverse

    return reverse("cases:step", args=[request_id, slug])


def clinical_url(request_id: str, key: str) -> str:
    from django.urls import reverse

    return reverse("cases:clinical_page", args=[request_id, key])


def request_id_from(response) -> str:
    from django.urls import resolve

    return resolve(urlparse(response["Location"]).path).kwargs["request_id"]


def walk_to_service(walk: Walk, user, world: dict, member, program: str, *, dme_delivered: bool) -> str:
    """The wizard from "Request Authorization" up to the service step (not saved); returns the request ID."""
    from django.urls import reverse
    from django.utils import timezone

    from cases import rules
    from practices.selectors import providers_on_account

    rng = world["rng"]
    walk.get("carecore home", reverse("cases:carecore_home"))
    walk.get("in-progress", reverse("cases:in_progress"))
    walk.get("program", reverse("cases:request_authorization"))
    field = "dme_role" if program == "dme" else "hh_role"
    # The practice is posted always: a radio button when the user has several, else the hidden field's value.
    response = walk.post(
        "program",
        reverse("cases:request_authorization"),
        {"program": program, field: "referring_physician", "practice": world["walk_practice_id"]},
    )
    rid = request_id_from(response)
    provider = providers_on_account(user=user).first()
    walk.get("provider", step_url(rid, "provider"))
    walk.post("provider", step_url(rid, "provider"), {"action": "select", "provider": provider.pk})
    walk.get("insurer", step_url(rid, "insurer"))
    walk.post(
        "insurer",
        step_url(rid, "insurer"),
        {"health_plan": world["plan"].pk, "provider_address": provider.address_display},
    )
    walk.get("contact", step_url(rid, "contact"))
    walk.post(
        "contact",
        step_url(rid, "contact"),
        {
            "contact_provider_name": provider.display_name,
            "contact_name": user.get_full_name(),
            "contact_fax": "(860) 666-4321",
            "contact_phone": "860-666-1234",
            "contact_email": user.email,
            "notify_by_email": "on",
        },
    )
    today = timezone.localdate()
    walk.get("date", step_url(rid, "date"))
    if program == "home-health":
        data = {"start_of_care": (today + datetime.timedelta(days=3)).strftime("%m/%d/%Y")}
    elif dme_delivered:
        delivered = today - datetime.timedelta(days=1)
        while not rules.is_business_day(delivered):
            delivered -= datetime.timedelta(days=1)
        data = {"delivered": "yes", "delivered_on": delivered.strftime("%m/%d/%Y")}
    else:
        data = {"delivered": "no"}
    walk.post("date", step_url(rid, "date"), data)
    lookup = {
        "member_id": member.member_id,
        "date_of_birth": member.date_of_birth.strftime("%m/%d/%Y"),
        "last_name": member.last_name.lower(),
    }
    walk.get("patient", step_url(rid, "patient"))
    walk.post("patient lookup", step_url(rid, "patient"), {**lookup, "action": "lookup"}, expect=200)
    walk.post("patient", step_url(rid, "patient"), {**lookup, "action": "select", "member": member.pk})
    walk.get("patient-contact", step_url(rid, "patient-contact"))
    walk.post("patient-contact", step_url(rid, "patient-contact"), {"patient_cell_phone": "", "patient_email": ""})
    walk.get("service", step_url(rid, "service"))
    query = rng.choice(
        ("talus", "S92.15", "fracture of foot") if program == "home-health" else ("Z89.51", "absence of leg")
    )
    walk.post(
        "service lookup", step_url(rid, "service"), {"primary_query": query, "action": "lookup_primary"}, expect=200
    )
    return rid


def walk_whole(walk: Walk, user, world: dict, member, kind: str, *, dme_delivered: bool = False) -> str:
    """Every step of one request, from the CareCore home page to the summary after submission."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    program = "dme" if kind == "dme" else "home-health"
    rid = walk_to_service(walk, user, world, member, program, dme_delivered=dme_delivered)
    code = "S92.151A" if program == "home-health" else "Z89.512"
    walk.post("service", step_url(rid, "service"), {"primary_query": code, "primary_code": code, "action": "continue"})
    site = world["rng"].choice(world["sites"][program])
    walk.get("site", step_url(rid, "site"))
    walk.post(
        "site lookup",
        step_url(rid, "site"),
        {"action": "lookup", "zip_code": site.zip_code[:5], "match": "starts"},
        expect=200,
    )
    walk.post("site select", step_url(rid, "site"), {"action": "select", "site": site.pk}, expect=200)
    walk.post(
        "site",
        step_url(rid, "site"),
        {"action": "continue", "site": site.pk, "site_fax": site.fax, "site_phone": site.phone, "site_email": ""},
    )
    if program == "dme" and dme_delivered:
        walk.get("site-dispensed", step_url(rid, "site-dispensed"))
        walk.post("site-dispensed", step_url(rid, "site-dispensed"), {"urgent_basis": "no", "after_hours": "yes"})
    walk.get("attest", step_url(rid, "attest"))
    walk.post("attest", step_url(rid, "attest"), {"attest": "on"})
    walk.get("clinical (redirect)", step_url(rid, "clinical"), expect=302)

    def page(key: str, data: dict) -> None:
        walk.get(f"clinical:{key}", clinical_url(rid, key))
        walk.post(f"clinical:{key}", clinical_url(rid, key), data)

    if kind == "hh-bundle":
        page("homebound", {"homebound": "yes"})
        page("admitting-diagnosis", {"admitting_diagnosis": "orthopedic"})
        page("bundle-offer", {"bundle": "yes"})
    elif kind == "hh-manual":
        page("homebound", {"homebound": "no-unknown"})
        page(
            "manual-services",
            {
                "skilled_nurse_visits": "2",
                "physical_therapy_visits": "2",
                "occupational_therapy_visits": "0",
                "speech_therapy_visits": "0",
                "social_worker_visits": "1",
                "home_health_aide_visits": "3",
                "dietitian_visits": "0",
                "timeframe_days": "45",
            },
        )
    else:
        page("hcpcs-line.0", {"hcpcs_code": "E0260", "hcpcs_units": "2"})
        page("hcpcs-line.0.more", {"hcpcs_more": "yes"})
        page("hcpcs-line.1", {"hcpcs_code": "K0005", "hcpcs_units": "1"})
        page("hcpcs-line.1.more", {"hcpcs_more": "no"})
    walk.get("clinical-summary", step_url(rid, "clinical-summary"))
    walk.post("clinical-summary", step_url(rid, "clinical-summary"), {"action": "continue"})
    if kind != "hh-bundle":
        walk.get("urgency", step_url(rid, "urgency"))
        if kind == "dme":
            walk.post("urgency", step_url(rid, "urgency"), {"is_routine": "no", "urgency_criterion": "jeopardy"})
        else:
            walk.post("urgency", step_url(rid, "urgency"), {"is_routine": "yes"})
        walk.get("upload", step_url(rid, "upload"))
        if kind == "dme":
            from cases.tests.files import pdf_bytes  # the tests' real PDF (needs Django set up first)

            upload = SimpleUploadedFile("office-notes.pdf", pdf_bytes(), content_type="application/pdf")
            walk.post("upload file", step_url(rid, "upload"), {"action": "upload", "files": [upload]})
        walk.post("upload", step_url(rid, "upload"), {"action": "continue", "additional_notes": ""})
    walk.get("review", step_url(rid, "review"))
    walk.post("review (submit)", step_url(rid, "review"), {"action": "submit"})
    walk.get("summary", reverse("cases:summary", args=[rid]))
    return rid


def walk_member(world: dict):
    return world["members"].get(pk=world["rng"].choice(world["member_ids"]))


def member_with_most_open_cases(world: dict, program_code: str):
    """A covered member with the most open or approved cases of ``program_code``: the conflict check's worst
    case, for the query-count pass."""
    from django.db.models import Count

    from cases.models import OPEN_OR_APPROVED, Case

    row = (
        Case.objects.filter(status__in=OPEN_OR_APPROVED, program__code=program_code, member_id__in=world["member_ids"])
        .values("member_id")
        .annotate(n=Count("id"))
        .order_by("-n", "member_id")
        .first()
    )
    if row is None:
        return walk_member(world), 0
    return world["members"].get(pk=row["member_id"]), row["n"]


# --- The access model: the pages and selectors cases.permissions decides --------------------------------

ACCESS_WARMUP_ROUNDS = 5


def access_subjects(access: dict) -> dict:
    """The request IDs the access-model pages open: submitted cases of READER's big practice started by
    colleagues, OWNER's submitted cases (the delegate sees them through the shared worklist only), cases READER
    may view (for the one-case selector) and submitted cases READER may not view (the 404)."""
    from cases import permissions
    from cases.models import Case

    reader, owner = access["reader"], access["owner"]
    big = access["big_practice_id"]
    submitted = Case.objects.filter(submitted_at__isnull=False).order_by("pk")
    subjects = {
        "colleague": submitted.filter(practice_id=big).exclude(created_by=reader),
        # The delegate is a member of no big-practice TIN: they see these through the worklist grant alone.
        "delegated": submitted.filter(practice_id=big, created_by=owner),
        "visible": permissions.cases_visible_to(reader).order_by("pk"),
        "foreign": submitted.exclude(pk__in=permissions.cases_visible_to(reader).values("pk")),
    }
    found = {name: list(qs.values_list("request_id", flat=True)[:2000]) for name, qs in subjects.items()}
    empty = [name for name, ids in found.items() if not ids]
    if empty:
        raise HarnessError(f"no case for the access-model pages: {', '.join(empty)} (too few --cases?)")
    return found


def access_requests(access: dict, subjects: dict, clients: dict, rng: random.Random) -> list[tuple]:
    """One round of the access-model figures, as (client, label, call, expected status or None for a selector).

    Pages go through the test client like the wizard's; the selectors are called in this process and
    evaluated (``list()``, ``count()``, ``get()``) as the views evaluate them, grants read each time."""
    from django.urls import reverse

    from cases import permissions
    from cases import selectors as case_selectors

    reader, delegate = access["reader"], access["delegate"]

    def summary(name: str) -> str:
        return reverse("cases:summary", args=[rng.choice(subjects[name])])

    visible = rng.choice(subjects["visible"])
    return [
        (clients["reader"], "in-progress, big practice", reverse("cases:in_progress"), 200),
        (clients["reader"], "carecore home, big practice", reverse("cases:carecore_home"), 200),
        # "Start from a previous request" (issue 10, item 15): the list and a search by provider name.
        (clients["reader"], "request an authorization, previous requests", reverse("cases:request_authorization"), 200),
        (
            clients["reader"],
            "request an authorization, previous requests search",
            reverse("cases:request_authorization") + "?previous=a",
            200,
        ),
        (clients["reader"], "summary, a colleague's case", summary("colleague"), 200),
        (clients["delegate"], "summary, worklist delegate", summary("delegated"), 200),
        (clients["reader"], "summary, another practice's case (404)", summary("foreign"), 404),
        (clients["reader"], "grants_of(reader)", lambda: permissions.grants_of(reader), None),
        (
            clients["reader"],
            "drafts_visible_to(reader)[:200]",
            lambda: list(permissions.drafts_visible_to(reader)[:200]),
            None,
        ),
        (
            clients["reader"],
            "drafts_visible_to(reader).count()",
            lambda: permissions.drafts_visible_to(reader).count(),
            None,
        ),
        (
            clients["reader"],
            "cases_visible_to(reader).get(request_id)",
            lambda: permissions.cases_visible_to(reader).get(request_id=visible),
            None,
        ),
        (
            clients["reader"],
            "cases_visible_to(reader), 50 newest",
            lambda: list(permissions.cases_visible_to(reader).order_by("-last_saved_at")[:50]),
            None,
        ),
        (
            clients["reader"],
            "previous_requests(reader)[:11]",
            lambda: list(case_selectors.previous_requests(reader)[:11]),
            None,
        ),
        (
            clients["reader"],
            "cases_visible_to(reader).count()",
            lambda: permissions.cases_visible_to(reader).count(),
            None,
        ),
        (
            clients["delegate"],
            "cases_visible_to(delegate), 50 newest",
            lambda: list(permissions.cases_visible_to(delegate).order_by("-last_saved_at")[:50]),
            None,
        ),
    ]


def access_round(recorder, access: dict, subjects: dict, clients: dict, rng: random.Random) -> list[str]:
    """Every access-model page and selector once, each after its ceiling request when ``recorder`` is a Timer;
    returns the selectors' labels."""
    selectors = []
    for client, label, target, expect in access_requests(access, subjects, clients, rng):
        if expect is None:
            recorder(client, label, target)
            selectors.append(label)
        else:
            Walk(client, recorder).get(label, target, expect=expect)
    return selectors


def access_figures(access: dict) -> dict:
    """What READER and the delegate see: the sizes behind the access-model figures."""
    from cases import permissions

    reader, delegate = access["reader"], access["delegate"]
    grants = permissions.grants_of(reader)
    return {
        "reader practices": len(grants.submission_practice_ids),
        "reader drafts": permissions.drafts_visible_to(reader).count(),
        "reader cases": permissions.cases_visible_to(reader).count(),
        "reader's own submitted requests": permissions.cases_visible_to(reader)
        .filter(created_by=reader, submitted_at__isnull=False)
        .count(),
        "reader shared worklists": len(grants.delegated_owner_ids),
        "delegate cases": permissions.cases_visible_to(delegate).count(),
    }


def explain_query(qs) -> str:
    from django.db import connection

    if connection.vendor == "postgresql":
        return qs.explain(analyze=True, buffers=True)
    return qs.explain()


def plan_nodes(plan: str) -> list[str]:
    """A PostgreSQL plan's nodes, conditions and times, without the buffer and memory details (SQLite's: whole)."""
    keep = ("->", "Index Cond", "Recheck Cond", "Filter", "Sort Key", "Planning Time", "Execution Time")
    lines = plan.splitlines()
    if not any("->" in line for line in lines):
        return lines
    return lines[:1] + [line for line in lines[1:] if line.strip().startswith(keep)]


# --- Diagnosis lookup ------------------------------------------------------------------------------------

CODE_PREFIXES = (
    "S92.15", "E11", "M17.1", "Z89", "I10", "J44", "M54.5", "S72.0", "G20", "N18",
    "E11.6", "I50", "R26", "M16", "Z96.6", "S82", "L89", "C34", "F03", "T81.4",
)  # fmt: skip
WORDS = (
    "talus", "diabetes", "fracture", "knee", "hip", "pneumonia", "stroke", "ulcer", "wound", "femur",
    "parkinson", "dementia", "amputation", "osteoarthritis", "hypertension", "sepsis", "oxygen",
    "lymphedema", "neuropathy", "obstructive", "wheelchair", "heart", "fract", "dia",
)  # fmt: skip
PHRASES = (
    "displaced talus", "type 2 diabetes", "type 2 diabetes mellitus with", "pressure ulcer of sacral region",
    "heart failure", "chronic obstructive pulmonary", "primary osteoarthritis right knee", "fracture of femur",
    "acquired absence of leg", "diabetes foot ulcer", "fract talus", "right knee", "left hip fracture",
    "initial encounter", "chronic kidney disease stage 3", "dependence on wheelchair", "fracture of foot",
)  # fmt: skip


def lookup_queries(count: int, rng: random.Random) -> list[str]:
    """A third code prefixes (fixed, and prefixes of random billable codes), a third words, a third phrases."""
    from reference.models import DiagnosisCode

    codes = list(DiagnosisCode.objects.filter(is_billable=True).order_by("?").values_list("code", flat=True)[:count])
    random_prefixes = [code[: rng.randint(3, min(7, len(code)))] for code in codes]
    queries = []
    for i in range(count):
        kind = i % 3
        if kind == 0:
            queries.append(rng.choice(CODE_PREFIXES) if i % 2 == 0 else random_prefixes[i % len(random_prefixes)])
        elif kind == 1:
            queries.append(rng.choice(WORDS))
        else:
            queries.append(rng.choice(PHRASES))
    return queries


def time_selector_lookups(queries: list[str]) -> tuple[list[float], list[tuple[float, str, int]]]:
    from reference.selectors import diagnoses_search

    for query in queries[:30]:  # warm-up: connection, plan caches, the index pages
        list(diagnoses_search(query=query, billable_only=True, limit=LOOKUP_LIMIT))
    times, detail = [], []
    for query in queries:
        started = time.perf_counter()
        rows = list(diagnoses_search(query=query, billable_only=True, limit=LOOKUP_LIMIT))
        elapsed = (time.perf_counter() - started) * 1000
        times.append(elapsed)
        detail.append((elapsed, query, len(rows)))
    return times, detail


def explain_lookup(query: str) -> str:
    from django.db import connection

    from reference.selectors import diagnoses_search

    qs = diagnoses_search(query=query, billable_only=True, limit=LOOKUP_LIMIT)
    if connection.vendor == "postgresql":
        return qs.explain(analyze=True, buffers=True)
    return qs.explain()


# --- Figures ---------------------------------------------------------------------------------------------


def percentile(values: list[float], p: float) -> float:
    """Linear interpolation between closest ranks (numpy's default)."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    rank = (len(ordered) - 1) * p / 100
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def query_counts(statements: list[list[str]]) -> str:
    counts = sorted({len(sql) for sql in statements})
    return str(counts[0]) if len(counts) == 1 else f"{counts[0]}-{counts[-1]}"


def print_lookup_figures(title: str, times: list[float], ceiling_p95: float | None = None) -> None:
    line = (
        f"  {title:<34} n={len(times):<4} p50 {percentile(times, 50):6.2f}  p95 {percentile(times, 95):6.2f}  "
        f"p99 {percentile(times, 99):6.2f}  max {max(times):6.2f} ms"
    )
    if ceiling_p95:
        line += f"  p95 = {percentile(times, 95) / ceiling_p95:.1f} x ceiling"
    print(line)


def print_step_table(
    timer: Timer,
    counter: QueryCounter,
    ceiling: list[float],
    targets: dict[str, float] | None = None,
    labels: list[str] | None = None,
) -> tuple[float, str, int, int]:
    """One line per request: p50, p95 and max in ms, p50 and p95 as multiples of the ceiling's, the queries.

    ``targets``: the p95 target of each label (STEP_TARGET_MS when missing). Returns the slowest p95, its label,
    how many labels are over their target and how many there are."""
    labels = labels if labels is not None else list(timer.samples)
    targets = targets or {}
    ceiling_p50, ceiling_p95 = percentile(ceiling, 50), percentile(ceiling, 95)
    width = max(len("request"), *(len(label) for label in labels))
    header = (
        f"  {'request':<{width}} {'n':>4} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'p50/ceil':>9} {'p95/ceil':>9} "
        f"{'queries':>8}"
    )
    print(header)
    print("  " + "-" * (len(header) - 2))
    slowest = (0.0, "", 0, len(labels))
    for label in labels:
        samples = timer.samples[label]
        p50, p95 = percentile(samples, 50), percentile(samples, 95)
        target = targets.get(label, STEP_TARGET_MS)
        if p95 > slowest[0]:
            slowest = (p95, label, *slowest[2:])
        if p95 >= target:
            slowest = (*slowest[:2], slowest[2] + 1, slowest[3])
        queries = query_counts(counter.statements[label]) if label in counter.statements else "-"
        flag = f"  OVER (target {target:.0f} ms)" if p95 >= target else ""
        print(
            f"  {label:<{width}} {len(samples):>4} {p50:>8.2f} {p95:>8.2f} {max(samples):>8.2f} "
            f"{p50 / ceiling_p50:>8.1f}x {p95 / ceiling_p95:>8.1f}x {queries:>8}{flag}"
        )
    return slowest


def print_over_target_by_kind(timer: Timer, counter: QueryCounter) -> None:
    """The requests over target, split by the kind of walk that made them (their work differs by program)."""
    over = [label for label, samples in timer.samples.items() if percentile(samples, 95) >= STEP_TARGET_MS]
    if not over:
        return
    print("\nRequests over target, by walk kind")
    width = max(len(label) for label in over) + 12
    for label in over:
        for kind in WALK_KINDS:
            samples = timer.by_kind.get((label, kind))
            if not samples:
                continue
            runs = [sql for sql, k in zip(counter.statements[label], counter.kinds[label], strict=True) if k == kind]
            queries = str(len(runs[0])) if runs else "-"
            name = f"{label} [{kind}]"
            print(
                f"  {name:<{width}} n={len(samples):<3} p50 {percentile(samples, 50):6.2f}  "
                f"p95 {percentile(samples, 95):6.2f} ms  queries {queries}"
            )


def print_repeated_statements(counter: QueryCounter) -> None:
    """Statements run REPEAT_FLAG+ times in one request: each once, with the requests (and walks) that ran it."""
    by_statement: dict[str, list[tuple[int, str, str]]] = defaultdict(list)
    for label, runs in counter.statements.items():
        for sql, kind in zip(runs, counter.kinds[label], strict=True):
            for statement, times in Counter(normalized(s) for s in sql).items():
                if times >= REPEAT_FLAG and statement not in ("BEGIN", "COMMIT"):
                    by_statement[statement].append((times, label, kind))
    print(f"\nStatements run {REPEAT_FLAG}+ times within one request (possible N+1), from the query-count pass")
    if not by_statement:
        print("  none")
    for statement, uses in sorted(by_statement.items(), key=lambda item: -max(u[0] for u in item[1])):
        print(f"  {shortened(statement)[:400]}")
        listed = ", ".join(f"{label} [{kind}] {times}x" for times, label, kind in sorted(uses, reverse=True))
        print(f"    in: {listed}")


def machine_line() -> str:
    import django

    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    return (
        f"{len(os.sched_getaffinity(0))} CPUs, load average {load}; Python {platform.python_version()}, "
        f"Django {django.get_version()}"
    )


def database_line() -> str:
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            version = cursor.fetchone()[0]
        return f"PostgreSQL {version} ({connection.settings_dict['NAME']})"
    import sqlite3

    return f"SQLite {sqlite3.sqlite_version} ({connection.settings_dict['NAME']})"


# --- Main ------------------------------------------------------------------------------------------------


def run(args: argparse.Namespace, workdir: Path) -> None:
    timings: dict[str, float] = {}
    started = time.perf_counter()
    if args.database == "postgresql":
        database_url = timed("create database", timings, recreate_postgres_database)
    else:
        database_url = f"sqlite:///{workdir / 'bench.sqlite3'}"
    django_configure(database_url, workdir)

    from django.core.management import call_command
    from django.db import connection
    from django.urls import reverse

    from cases import permissions
    from cases.models import Case
    from practices.selectors import worklist_owners_visible_to
    from reference import demo
    from reference.services import catalog_load, diagnosis_codes_load

    rng = random.Random(SEED)  # noqa: S311 (repeatable synthetic data, not secrets)
    print(f"Database: {database_line()}", flush=True)
    timed("migrate", timings, call_command, "migrate", interactive=False, verbosity=0)
    timed("catalog", timings, catalog_load)
    icd_codes = timed("ICD-10-CM codes", timings, diagnosis_codes_load)
    timed(f"{max(args.members // 20, 40)} providers", timings, demo.providers_generate, max(args.members // 20, 40))
    timed(f"{max(args.members // 40, 20)} sites", timings, demo.sites_generate, max(args.members // 40, 20))
    timed(f"{args.members} members", timings, demo.members_generate, args.members)
    users = timed(f"{args.users} users", timings, users_create, args.users, rng)
    access = timed("practices, worklists", timings, practices_create, users, rng)
    world = world_for_walks(rng)
    world["walk_practice_id"] = access["big_practice_id"]
    walkers = users[:WALKERS]
    clients = [signed_in_client(user) for user in walkers]

    # One untimed walk of each kind: checks the walk works, warms every code path, and gives the bulk
    # cases their clinical answers.
    print("· one untimed walk of each kind ...", flush=True)
    template_ids = {}
    for index, kind in enumerate(WALK_KINDS):
        walk = Walk(clients[index], Untimed())
        template_ids[kind] = walk_whole(walk, walkers[index], world, walk_member(world), kind, dme_delivered=True)
    templates = case_templates(template_ids)
    made = timed(
        f"{args.cases} cases", timings, cases_bulk_create, args.cases, access["submission_practices"], templates, rng
    )
    print("· settle the database ...", flush=True)
    settle_started = time.perf_counter()
    settled_by = settle_database()
    timings[settled_by] = time.perf_counter() - settle_started
    load_s = time.perf_counter() - started

    print("\nData load")
    for label, seconds in timings.items():
        print(f"  {label:<28} {seconds:8.1f} s")
    print(f"  {'total (with the warm-up walks)':<28} {load_s:8.1f} s")
    statuses = ", ".join(f"{status} {n}" for status, n in made.items() if " " not in status)
    print(f"  cases on file: {Case.objects.count()} ({statuses})")
    print(
        f"  status changes {made['status changes']}, service lines {made['service lines']}, "
        f"ICD-10-CM codes loaded {icd_codes}"
    )
    print(
        f"  {access['practices']} practices ({access['big_practice_users']} users in the biggest, the walkers "
        f"among them), {access['memberships']} memberships, {access['in_two_practices']} users in two practices, "
        f"{access['correspondence_only']} with correspondence only, {access['worklist_grants']} shared worklists"
    )

    # 1. The diagnosis lookup, straight through the selector.
    print("\n· diagnosis lookups through the selector ...", flush=True)
    queries = lookup_queries(args.lookups, rng)
    lookup_times, lookup_detail = time_selector_lookups(queries)

    # 2. The wizard, walked --walks times, every request timed after a ceiling request.
    print(f"· {args.walks} timed walks through the wizard ...", flush=True)
    timer = Timer()
    walks_started = time.perf_counter()
    for number in range(args.walks):
        kind = WALK_KINDS[number % len(WALK_KINDS)]
        index = number % WALKERS
        walk = Walk(clients[index], timer)
        timer.kind = kind
        walk_whole(walk, walkers[index], world, walk_member(world), kind, dme_delivered=number % 2 == 0)
    walks_s = time.perf_counter() - walks_started

    # 3. The lookup through the service step: a case parked there, the same queries posted.
    print("· diagnosis lookups through the service step ...", flush=True)
    parked = walk_to_service(
        Walk(clients[0], Untimed()), walkers[0], world, walk_member(world), "home-health", dme_delivered=False
    )
    http = Walk(clients[0], timer)
    for query in queries:
        http.post(
            "service lookup (all queries)",
            step_url(parked, "service"),
            {"primary_query": query, "action": "lookup_primary"},
            expect=200,
        )
    # The same queries as the lookup box's suggestions (JSON, at most 20), as the service step's script asks.
    suggestions_path = reverse("cases:diagnoses", args=[parked])
    for query in queries:
        http.get("suggestions (all queries)", f"{suggestions_path}?{urlencode({'q': query})}")

    # 4. SQL statements per request: one more walk of each kind, with the member who has the most open
    # or approved cases of that program (the conflict check's worst case).
    print("· query-count pass ...", flush=True)
    counter = QueryCounter()
    conflict_members = {}
    for index, kind in enumerate(WALK_KINDS):
        program = "dme" if kind == "dme" else "home-health"
        member, open_cases = member_with_most_open_cases(world, program)
        conflict_members[kind] = open_cases
        counter.kind = kind
        walk_whole(Walk(clients[index], counter), walkers[index], world, member, kind, dme_delivered=True)

    # 5. The access model: In Progress and the summary for users whose access comes from their practices or a
    # shared worklist, a 404, and the permission selectors; each after a ceiling request on the same client.
    print(f"· {args.access} timed rounds of the access-model pages and selectors ...", flush=True)
    subjects = access_subjects(access)
    access_clients = {"reader": signed_in_client(access["reader"]), "delegate": signed_in_client(access["delegate"])}
    logging.getLogger("django.request").setLevel(logging.ERROR)  # not a "Not Found" line per timed 404
    for _ in range(ACCESS_WARMUP_ROUNDS):
        access_round(Untimed(), access, subjects, access_clients, rng)
    access_timer = Timer()
    for _ in range(args.access):
        selector_labels = access_round(access_timer, access, subjects, access_clients, rng)
    counter.kind = "access"
    access_round(counter, access, subjects, access_clients, rng)
    sizes = access_figures(access)
    reader = access["reader"]
    drafts_qs = permissions.drafts_visible_to(reader)[:200]
    drafts_plan = explain_query(drafts_qs)
    cases_plan = explain_query(permissions.cases_visible_to(reader).order_by("-last_saved_at")[:50])
    owners_plan = explain_query(worklist_owners_visible_to(reader).exclude(pk=reader.pk).values_list("pk", flat=True))

    # --- Report ---
    ceiling = timer.ceiling
    ceiling_p50, ceiling_p95 = percentile(ceiling, 50), percentile(ceiling, 95)
    print(f"\nMachine: {machine_line()}")
    print(f"Database: {database_line()}; {Case.objects.count()} cases on file after the walks")
    print("Server time = time inside the test client's get/post (in-process: middleware, view, template, SQL).")
    print(f"\nCeiling: GET {CEILING_PATH}, same signed-in client, before every timed request")
    print_lookup_figures("ceiling", ceiling)

    print(
        f"\nDiagnosis lookup (limit {LOOKUP_LIMIT}, billable only, {len(queries)} queries: "
        "code prefixes, words, phrases)"
    )
    print_lookup_figures("diagnoses_search() + list()", lookup_times, ceiling_p95)
    service_lookups = timer.samples.pop("service lookup (all queries) POST")
    print_lookup_figures("service step POST lookup_primary", service_lookups, ceiling_p95)
    print_lookup_figures(
        "GET /cases/<id>/diagnoses/?q=", timer.samples.pop("suggestions (all queries) GET"), ceiling_p95
    )
    rows_by_query = {query: rows for _, query, rows in lookup_detail}
    print("  slowest through the service step:")
    for elapsed, query in sorted(zip(service_lookups, queries, strict=True), reverse=True)[:3]:
        print(f"    {elapsed:7.2f} ms  {query!r} ({rows_by_query[query]} rows)")
    full = [t for t, q in zip(service_lookups, queries, strict=True) if rows_by_query[q] >= LOOKUP_LIMIT]
    short = [t for t, q in zip(service_lookups, queries, strict=True) if rows_by_query[q] < LOOKUP_LIMIT]
    if full and short:
        print(
            f"    by result size: {len(full)} lookups listing {LOOKUP_LIMIT} codes p95 {percentile(full, 95):.2f} ms; "
            f"{len(short)} listing fewer p95 {percentile(short, 95):.2f} ms"
        )
    from reference.selectors import _CODE_PREFIX as code_query  # how the selector tells a code from words

    by_path: dict[str, list[float]] = defaultdict(list)
    for elapsed, query, _rows in lookup_detail:
        by_path["code prefix (B-tree range)" if code_query.fullmatch(query.strip()) else "words (word index)"].append(
            elapsed
        )
    for path, times in by_path.items():
        print_lookup_figures(f"  selector, {path}", times)
    print("  slowest selector calls:")
    for elapsed, query, rows in sorted(lookup_detail, reverse=True)[:5]:
        print(f"    {elapsed:7.2f} ms  {query!r} ({rows} rows)")
    slowest_query = max(lookup_detail)[1]
    print(f"  query plan of the slowest ({slowest_query!r}):")
    for line in explain_lookup(slowest_query).splitlines():
        print(f"    {line}")

    print(
        f"\nWizard: {args.walks} walks ({', '.join(WALK_KINDS)} in turn; DME delivered on every other DME walk) "
        f"in {walks_s:.1f} s; queries from one more walk of each kind"
    )
    print(f"  (query-count pass: members with {conflict_members} open or approved cases of the program)")
    slowest_p95, slowest_label, over, requests = print_step_table(timer, counter, ceiling)
    print(
        f"  ceiling p50 {ceiling_p50:.2f} ms, p95 {ceiling_p95:.2f} ms; p50/ceil and p95/ceil = this request's p50 "
        "and p95 / the ceiling's;"
    )
    print("  queries = SQL statements (round trips, BEGIN/COMMIT included) of the request in the query-count pass")
    print_over_target_by_kind(timer, counter)
    print_repeated_statements(counter)

    access_ceiling = access_timer.ceiling
    access_labels = list(access_timer.samples)
    print(
        f"\nAccess model ({args.access} rounds, each request after a ceiling request): reader {reader.username} "
        f"(case submission in {sizes['reader practices']} practices, the big one among them, and "
        f"{sizes['reader shared worklists']} worklist shared with them) sees {sizes['reader drafts']} drafts and "
        f"{sizes['reader cases']} cases; the delegate {access['delegate'].username} (another practice; "
        f"{access['owner'].username}'s worklist) sees {sizes['delegate cases']} cases"
    )
    print_lookup_figures("ceiling (this section)", access_ceiling)
    targets = dict.fromkeys(selector_labels, SELECTOR_TARGET_MS)
    print_step_table(access_timer, counter, access_ceiling, targets, access_labels)
    print(
        f"  ceiling p50 {percentile(access_ceiling, 50):.2f} ms, p95 {percentile(access_ceiling, 95):.2f} ms; pages "
        f"(GET) target p95 < {STEP_TARGET_MS:.0f} ms, selectors (in-process, evaluated) < {SELECTOR_TARGET_MS:.0f} ms"
    )
    index = "case_practice_status_idx"
    print(f"\n  drafts query of the reader (In Progress, {sizes['reader drafts']} drafts in their practices):")
    print(f"    {shortened(str(drafts_qs.query))}")
    print(f"  query plan ({index} {'used' if index in drafts_plan else 'NOT used'}):")
    for line in drafts_plan.splitlines():
        print(f"    {line}")
    for title, plan in (
        ("cases_visible_to(reader), 50 newest", cases_plan),
        ("grants_of(reader)'s shared worklists (worklist_owners_visible_to)", owners_plan),
    ):
        print(f"  query plan of {title}, nodes only:")
        for line in plan_nodes(plan):
            print(f"    {line}")

    lookup_p95 = percentile(lookup_times, 95)
    print()
    print(
        f"diagnosis lookup p95 = {lookup_p95:.2f} ms ({lookup_p95 / ceiling_p95:.1f} x ceiling) "
        f"(target < {LOOKUP_TARGET_MS:.0f} ms): {'OK' if lookup_p95 < LOOKUP_TARGET_MS else 'OVER'}"
    )
    service_p95 = percentile(service_lookups, 95)
    print(
        f"diagnosis lookup through the service step p95 = {service_p95:.2f} ms ({service_p95 / ceiling_p95:.1f} x "
        f"ceiling) (a wizard request, target < {STEP_TARGET_MS:.0f} ms): "
        f"{'OK' if service_p95 < STEP_TARGET_MS else 'OVER'}"
    )
    print(
        f"slowest wizard step p95 = {slowest_p95:.2f} ms ({slowest_p95 / ceiling_p95:.1f} x ceiling) at "
        f"{slowest_label} (target < {STEP_TARGET_MS:.0f} ms): {'OK' if slowest_p95 < STEP_TARGET_MS else 'OVER'} "
        f"({over} of {requests} wizard requests over)"
    )
    access_ceiling_p95 = percentile(access_ceiling, 95)
    for kind, labels, target in (
        ("page", [label for label in access_labels if label not in targets], STEP_TARGET_MS),
        ("selector", list(targets), SELECTOR_TARGET_MS),
    ):
        p95, label = max((percentile(access_timer.samples[label], 95), label) for label in labels)
        over = sum(1 for name in labels if percentile(access_timer.samples[name], 95) >= target)
        print(
            f"slowest access-model {kind} p95 = {p95:.2f} ms ({p95 / access_ceiling_p95:.1f} x ceiling) at {label} "
            f"(target < {target:.0f} ms): {'OK' if p95 < target else 'OVER'} ({over} of {len(labels)} over)"
        )
    connection.close()


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    # `kill` cleans up like Ctrl-C: SystemExit runs the finally block that drops the database.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    workdir = Path(tempfile.mkdtemp(prefix="portal-bench-cases-"))
    try:
        run(args, workdir)
        return 0
    except HarnessError as exc:
        print(f"\nBENCHMARK ERROR: {exc}", file=sys.stderr)
        return EXIT_HARNESS_ERROR
    except KeyboardInterrupt:
        print("\nInterrupted.", file=sys.stderr)
        return 130
    finally:
        if "django" in sys.modules:
            from django.db import connections

            connections.close_all()
        if args.keep:
            where = POSTGRES_BENCH_DB if args.database == "postgresql" else workdir / "bench.sqlite3"
            print(f"Kept {workdir} and the database ({where})")
        else:
            if args.database == "postgresql":
                try:
                    drop_postgres_database()
                except Exception as exc:  # cleanup must not hide the run's own error
                    print(f"Could not drop {POSTGRES_BENCH_DB}: {exc}", file=sys.stderr)
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
