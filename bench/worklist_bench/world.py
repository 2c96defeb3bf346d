"""The benchmark's world apart from the cases: users in practices with their entitlements, a shared worklist,
reviewers, providers and sites (``reference.demo``), members in SQL, and the clinical answer sets the cases copy."""

from __future__ import annotations

import random

from worklist_bench.settings import (
    BENCH_PRACTICE_USERS,
    CASES_PER_MEMBER,
    CASES_PER_PRACTICE,
    CASES_PER_PROVIDER,
    CASES_PER_SITE,
    PRACTICE_SIZES,
    REVIEWERS,
)

BATCH = 5000


def sizes_for(cases: int) -> dict[str, int]:
    return {
        "practices": max(cases // CASES_PER_PRACTICE, 20),
        "members": max(cases // CASES_PER_MEMBER, 1000),
        "providers": max(cases // CASES_PER_PROVIDER, 100),
        "sites": max(cases // CASES_PER_SITE, 40),
    }


def practices_create(practice_count: int, rng: random.Random) -> dict:
    """Practices of 1-7 users (the benchmark user's of BENCH_PRACTICE_USERS), every member with case submission,
    the last member of each its access manager; a user of another practice shares their worklist with the
    benchmark user, and 3 % of the users share theirs with someone. Writes ``bench_submitters`` (practice index,
    position, user id) and ``bench_practices`` (index, id, size) for the cases' SQL to pick creators from."""
    from django.contrib.auth.hashers import make_password
    from django.db import connection
    from django.utils import timezone

    from accounts.models import User
    from practices.models import Practice, PracticeMembership, WorklistAccess

    sizes = [BENCH_PRACTICE_USERS] + [rng.randint(*PRACTICE_SIZES) for _ in range(practice_count - 1)]
    unusable, now = make_password(None), timezone.now()
    first = ("Maria", "James", "Aisha", "Wei", "Carlos", "Fatima", "Olga", "Kwame", "Priya", "Liam")
    last = ("Johnson", "Garcia", "Nguyen", "Okafor", "Smith", "Patel", "Kowalski", "Haddad", "Rossi", "Kim")
    User.objects.bulk_create(
        [
            User(
                username=f"bench.w{i:06d}",
                first_name=rng.choice(first),
                last_name=rng.choice(last),
                email=f"bench.w{i:06d}@office.example",
                password=unusable,
                email_verified_at=now,
            )
            for i in range(sum(sizes))
        ],
        batch_size=BATCH,
    )
    user_ids = list(
        User.objects.filter(username__startswith="bench.w").order_by("username").values_list("pk", flat=True)
    )
    Practice.objects.bulk_create(
        [
            Practice(tin=f"{700_000_000 + n:09d}", name="Bench Worklist Group" if n == 0 else f"Bench Practice {n}")
            for n in range(practice_count)
        ],
        batch_size=BATCH,
    )
    practice_ids = list(
        Practice.objects.filter(tin__gte="700000000", tin__lt="800000000").order_by("tin").values_list("pk", flat=True)
    )
    memberships, submitters, groups, start = [], [], [], 0
    for index, (practice_id, size) in enumerate(zip(practice_ids, sizes, strict=True)):
        members = user_ids[start : start + size]
        start += size
        groups.append(members)
        for position, user_id in enumerate(members):
            manager = position == size - 1
            memberships.append(
                PracticeMembership(
                    user_id=user_id,
                    practice_id=practice_id,
                    is_access_manager=manager,
                    case_submission=True,
                    correspondence=manager or rng.random() < 0.5,
                    precertification_appeals=manager or (index > 0 and rng.random() < 0.1),
                )
            )
            submitters.append((index, position, user_id))
    PracticeMembership.objects.bulk_create(memberships, batch_size=BATCH)

    bench_user, owner = groups[0][0], groups[1][0]
    pairs = {(owner, bench_user)}
    for user_id in user_ids:
        if rng.random() < 0.03:
            grantee = rng.choice(user_ids)
            if grantee != user_id and grantee != bench_user:
                pairs.add((user_id, grantee))
    WorklistAccess.objects.bulk_create([WorklistAccess(owner_id=o, grantee_id=g) for o, g in sorted(pairs)])

    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE bench_practices (idx int PRIMARY KEY, practice_id int, size int)")
        cursor.execute("CREATE TABLE bench_submitters (idx int, n int, user_id int, PRIMARY KEY (idx, n))")
        cursor.executemany(
            "INSERT INTO bench_practices VALUES (%s, %s, %s)",
            [(i, p, s) for i, (p, s) in enumerate(zip(practice_ids, sizes, strict=True))],
        )
        cursor.executemany("INSERT INTO bench_submitters VALUES (%s, %s, %s)", submitters)
    return {
        "practices": len(practice_ids),
        "users": len(user_ids),
        "memberships": len(memberships),
        "worklist_grants": len(pairs),
        "bench_user_id": bench_user,
        "bench_practice_id": practice_ids[0],
        "owner_id": owner,
        "owner_practice_id": practice_ids[1],
    }


def reviewers_create() -> list[int]:
    """Staff with ``cases.review_case``: who works the admin's queue."""
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import Permission

    from accounts.models import User

    permission = Permission.objects.get(content_type__app_label="cases", codename="review_case")
    reviewers = []
    for n in range(REVIEWERS):
        user = User.objects.create(
            username=f"bench.reviewer{n:02d}",
            first_name="Rita",
            last_name=f"Reviewer{n:02d}",
            email=f"bench.reviewer{n:02d}@review.example",
            password=make_password(None),
            is_staff=True,
        )
        user.user_permissions.add(permission)
        reviewers.append(user.pk)
    return reviewers


def members_insert(count: int, seed: float) -> int:
    """``count`` members in one INSERT ... SELECT (Faker's en_US name lists, ages 18-95, US addresses), each
    covered by a plan since 2022: 80 % Cigna Commercial, the rest Cigna Medicare."""
    from django.db import connection
    from faker.providers.person.en_US import Provider as Names

    from reference.demo import STATES

    params = {
        "count": count,
        "female": list(dict.fromkeys(Names.first_names_female)),
        "male": list(dict.fromkeys(Names.first_names_male)),
        "last": list(dict.fromkeys(Names.last_names)),
        "states": list(STATES),
        "seed": seed,
    }
    with connection.cursor() as cursor:
        cursor.execute("SELECT setseed(%(seed)s)", params)
        cursor.execute(
            """
            INSERT INTO reference_member (member_id, first_name, last_name, date_of_birth, sex, phone,
                                          address_line1, address_line2, city, state, zip_code)
            SELECT 'U' || lpad(((g::bigint * 7919 + 10000019) %% 100000000)::text, 8, '0')
                       || lpad((g %% 100)::text, 2, '0'),
                   CASE WHEN g %% 2 = 0
                        THEN (%(female)s::text[])[1 + floor(random() * cardinality(%(female)s::text[]))::int]
                        ELSE (%(male)s::text[])[1 + floor(random() * cardinality(%(male)s::text[]))::int] END,
                   (%(last)s::text[])[1 + floor(random() * cardinality(%(last)s::text[]))::int],
                   date '2026-01-01' - (18 * 365 + floor(random() * 77 * 365))::int,
                   CASE WHEN g %% 2 = 0 THEN 'F' ELSE 'M' END,
                   (201 + floor(random() * 788))::text || (200 + floor(random() * 799))::text
                       || lpad(floor(random() * 10000)::text, 4, '0'),
                   (1 + floor(random() * 9998))::text || ' Bench Street', '',
                   'Benchville',
                   (%(states)s::text[])[1 + floor(random() * cardinality(%(states)s::text[]))::int],
                   lpad((1000 + floor(random() * 98000))::text, 5, '0')
            FROM generate_series(1, %(count)s) AS g
            """,
            params,
        )
        cursor.execute(
            """
            INSERT INTO reference_eligibility (member_id, health_plan_id, group_number, coverage_start, coverage_end)
            SELECT m.id,
                   CASE WHEN random() < 0.8 THEN (SELECT id FROM reference_healthplan WHERE code = 'cigna-commercial')
                        ELSE (SELECT id FROM reference_healthplan WHERE code = 'cigna-medicare') END,
                   (1000000 + floor(random() * 2999999))::text, date '2022-01-01', NULL
            FROM reference_member m
            """
        )
    return count


def diagnoses_create() -> list[int]:
    """A few billable ICD-10-CM codes for the cases' primary diagnosis (the worklist does not show it)."""
    from reference.models import DiagnosisCode

    codes = {
        "S92.151A": "Displaced avulsion fracture (chip fracture) of right talus, initial encounter",
        "Z89.512": "Acquired absence of left leg below knee",
        "M17.11": "Unilateral primary osteoarthritis, right knee",
        "I50.9": "Heart failure, unspecified",
        "J44.9": "Chronic obstructive pulmonary disease, unspecified",
        "E11.9": "Type 2 diabetes mellitus without complications",
        "G35": "Multiple sclerosis",
        "S72.001A": "Fracture of unspecified part of neck of right femur, initial encounter",
    }
    return [
        DiagnosisCode.objects.get_or_create(code=c, defaults={"description": d, "is_billable": True})[0].pk
        for c, d in codes.items()
    ]


def _answered(program: str, pages: list[dict]) -> dict:
    """Answers as the clinical pages store them, each page answered in turn as the wizard does."""
    from cases.questionnaires import engine

    question_set = engine.question_set_for(program)
    answers = {}
    for data in pages:
        page = engine.next_page(question_set, answers)
        form = engine.page_form(question_set, answers, page, data=data)
        if not form.is_valid():
            raise ValueError(f"{program} {page.key}: {form.errors}")
        answers = engine.apply_answer(question_set, answers, page, form.cleaned_data)
    return answers


HH_DISCIPLINES = (
    "skilled_nurse_visits",  # two lines (G0299 and G0300)
    "physical_therapy_visits",
    "occupational_therapy_visits",
    "home_health_aide_visits",
    "social_worker_visits",
    "speech_therapy_visits",
    "dietitian_visits",
)


def templates_insert(rng: random.Random) -> dict[str, int]:
    """The answer sets the cases copy and their service lines (``engine.outcome``), into ``bench_templates``
    (program, position, answers) and ``bench_template_lines``: Home Health the bundle (6 lines) or manual
    visits (1-6 lines), DME 1-6 HCPCS lines."""
    import json

    from django.db import connection

    from cases.questionnaires import engine
    from cases.rules import service_unit
    from reference.models import HcpcsCode, Program

    hcpcs = {code: (pk, basis) for code, pk, basis in HcpcsCode.objects.values_list("code", "pk", "billing_basis")}
    sets: dict[str, list[dict]] = {"home-health": [], "dme": []}
    base = [{"homebound": "yes"}, {"admitting_diagnosis": "orthopedic"}]
    sets["home-health"].append(_answered("home-health", [*base, {"bundle": "yes"}]))
    for chosen in ((1,), (0,), (0, 1), (0, 1, 2), (0, 1, 2, 3), (0, 1, 2, 3, 4)):
        visits = {name: str(rng.randint(2, 12)) if i in chosen else "0" for i, name in enumerate(HH_DISCIPLINES)}
        sets["home-health"].append(
            _answered("home-health", [*base, {"bundle": "no"}, {**visits, "timeframe_days": "60"}])
        )
    dme_codes = list(
        HcpcsCode.objects.filter(program__code="dme", requires_prior_auth=True)
        .order_by("code")
        .values_list("code", flat=True)
    )
    for count in range(1, 7):
        pages = []
        for n, code in enumerate(rng.sample(dme_codes, min(count, len(dme_codes)))):
            pages += [
                {"hcpcs_code": code, "hcpcs_units": str(rng.randint(1, 2))},
                {"hcpcs_more": "yes" if n < count - 1 else "no"},
            ]
        sets["dme"].append(_answered("dme", pages))
    programs = dict(Program.objects.filter(code__in=sets).values_list("code", "pk"))
    made = {}
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE bench_templates (program_id int, n int, answers jsonb, questionnaire_id text, "
            "questionnaire_version text, period_days int, line_count int, PRIMARY KEY (program_id, n))"
        )
        cursor.execute(
            "CREATE TABLE bench_template_lines (program_id int, n int, line_number int, hcpcs_id int, label text, "
            "quantity int, billing_basis text, unit text)"
        )
        for code, answer_sets in sets.items():
            question_set = engine.question_set_for(code)
            made[code] = len(answer_sets)
            for n, answers in enumerate(answer_sets):
                result = engine.outcome(question_set, answers)
                lines = result.service_lines
                cursor.execute(
                    "INSERT INTO bench_templates VALUES (%s, %s, %s, %s, %s, %s, %s)",
                    (
                        programs[code],
                        n,
                        json.dumps(answers),
                        question_set.id,
                        question_set.version,
                        int(result.period_days or 30),
                        len(lines),
                    ),
                )
                for number, line in enumerate(lines, start=1):
                    pk, basis = hcpcs[line.hcpcs_code]
                    cursor.execute(
                        "INSERT INTO bench_template_lines VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
                        (programs[code], n, number, pk, line.label[:300], line.quantity, basis, service_unit(basis)),
                    )
    return made
