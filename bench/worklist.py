"""Benchmark of My Worklist, the Authorization Lookup, the case page and the admin's reviewer queue, with a
million cases on file (issue 11's performance requirement).

    .venv/bin/python bench/worklist.py [--cases 1000000] [--visible 10000] [--iterations 50] [--keep]

Everything runs in this process: a fresh PostgreSQL database (``portal_bench_worklist``) is migrated and
filled in SQL (``INSERT ... SELECT ... FROM generate_series``): practices and their users, members, providers
and sites, --cases cases in every status with their service lines and status changes, --visible of them in
the benchmark user's practice (where they hold case submission) plus a colleague's worklist shared with them.
Then every page variant is requested --iterations times through Django's test client, round-robin, each
right after ``GET /health/db/`` on the same client (the ceiling, case_bench's Timer); a pass of its own counts
each variant's SQL, and the worklist's across every tab x sort x search term for this user and for a user with
a few hundred cases. A page whose URL name does not reverse is skipped with "not available: <name> missing".

Targets (p95 server time): the worklist < 50 ms with a constant number of queries, the Authorization Lookup
< 50 ms, the admin's case list (the reviewer queue) < 150 ms. It prints figures; nothing fails. See
bench/README.md.
"""

from __future__ import annotations

import argparse
import gc
import logging
import random
import sys
import time
from pathlib import Path

from case_bench.database import (
    django_configure,
    recreate_postgres_database,
    settle_database,
    timed,
)
from case_bench.figures import database_line, machine_line, percentile, print_lookup_figures
from case_bench.harness import bench_main
from case_bench.recorders import QueryCounter, Timer, Untimed
from case_bench.settings import HarnessError
from case_bench.world import signed_in_client
from worklist_bench import pages
from worklist_bench.cases_sql import cases_insert, search_text_check
from worklist_bench.report import print_group, print_slowest_plan, slowest_variant, target_line
from worklist_bench.settings import (
    ADMIN_TARGET_MS,
    CASE_PAGE_TARGET_MS,
    LOOKUP_TARGET_MS,
    MIN_SAMPLES,
    POSTGRES_BENCH_DB,
    SEED,
    WARMUP_ROUNDS,
    WORKLIST_TARGET_MS,
)
from worklist_bench.world import (
    diagnoses_create,
    members_insert,
    practices_create,
    reviewers_create,
    sizes_for,
    templates_insert,
)

TARGETS = {
    "worklist": ("My Worklist (GET /cases/worklist/)", WORKLIST_TARGET_MS),
    "authorization lookup": ("Authorization Lookup (POST)", LOOKUP_TARGET_MS),
    "case page": ("Case page", CASE_PAGE_TARGET_MS),
    "admin queue": ("Reviewer queue (GET /admin/cases/case/)", ADMIN_TARGET_MS),
}


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=1_000_000, help="cases on file (1000000)")
    parser.add_argument("--visible", type=int, default=10_000, help="cases in the benchmark user's practice (10000)")
    parser.add_argument("--iterations", type=int, default=50, help="timed requests of each variant (50)")
    parser.add_argument(
        "--budget", type=float, default=60.0, help="seconds per variant after which it stops being timed (60)"
    )
    parser.add_argument("--warmup", type=int, default=WARMUP_ROUNDS, help=f"untimed rounds ({WARMUP_ROUNDS})")
    parser.add_argument(
        "--min-samples", type=int, default=MIN_SAMPLES, help=f"timed requests of a slow variant ({MIN_SAMPLES})"
    )
    parser.add_argument(
        "--quick-search", action="store_true", help="time the searched worklist on 3 views, not on every tab and sort"
    )
    parser.add_argument(
        "--every-view",
        action="store_true",
        help="time every tab with every sort both ways, with and without a term (252 views; with --iterations 20 "
        "about 5 minutes)",
    )
    parser.add_argument(
        "--reuse", action="store_true", help=f"measure the kept {POSTGRES_BENCH_DB} again, without loading it"
    )
    parser.add_argument("--keep", action="store_true", help="keep the database and the temp dir afterwards")
    parser.add_argument(
        "--no-freeze",
        action="store_true",
        help="leave Python's collector scanning the whole heap (the workers freeze theirs: docker/gunicorn.conf.py)",
    )
    args = parser.parse_args(argv)
    if args.visible < 100 or args.cases < 2 * args.visible or args.iterations < 1:
        parser.error("need --visible >= 100, --cases >= 2 x --visible, --iterations >= 1")
    return args


def load(args: argparse.Namespace, rng: random.Random) -> dict:
    """The database filled and settled; returns who is who and the load's timings."""
    from django.core.management import call_command
    from django.db import connection

    from reference import demo
    from reference.models import HealthPlan, Program, Site
    from reference.services import catalog_load

    timings: dict[str, float] = {}
    sizes = sizes_for(args.cases)
    timed("migrate", timings, call_command, "migrate", interactive=False, verbosity=0)
    timed("catalog", timings, catalog_load)
    timed(f"{sizes['providers']} providers", timings, demo.providers_generate, sizes["providers"])
    timed(f"{sizes['sites']} sites", timings, demo.sites_generate, sizes["sites"])
    timed(f"{sizes['members']} members", timings, members_insert, sizes["members"], rng.random())
    world = timed(f"{sizes['practices']} practices, users", timings, practices_create, sizes["practices"], rng)
    reviewers = reviewers_create()
    templates = templates_insert(rng)
    programs = dict(Program.objects.values_list("code", "pk"))
    plans = dict(HealthPlan.objects.values_list("code", "pk"))
    from reference.models import Member, Provider

    reference = {
        "hh": programs["home-health"],
        "dme": programs["dme"],
        "hh_templates": templates["home-health"],
        "dme_templates": templates["dme"],
        "commercial": plans["cigna-commercial"],
        "medicare": plans["cigna-medicare"],
        "providers": list(Provider.objects.values_list("pk", flat=True)),
        "members": list(Member.objects.values_list("pk", flat=True)),
        "hh_sites": list(Site.objects.filter(kind=Site.Kind.HOME_HEALTH_AGENCY).values_list("pk", flat=True)),
        "dme_sites": list(Site.objects.filter(kind=Site.Kind.DME_SUPPLIER).values_list("pk", flat=True)),
        "diagnoses": diagnoses_create(),
        "reviewers": reviewers,
    }
    started = time.perf_counter()
    timings.update(cases_insert(args.cases, args.visible, world, reference, rng.random()))
    search_text_check()
    with connection.cursor() as cursor:
        cursor.execute("SELECT status, count(*) FROM cases_case GROUP BY status ORDER BY 2 DESC")
        world["statuses"] = cursor.fetchall()
        cursor.execute("SELECT count(*) FROM cases_serviceline")
        world["service lines"] = cursor.fetchone()[0]
        for table in ("bench_cases", "bench_templates", "bench_template_lines", "bench_practices"):
            cursor.execute(f"DROP TABLE {table}")
        cursor.execute("SELECT user_id FROM bench_submitters WHERE idx = 2 AND n = 0")
        world["small_user_id"] = cursor.fetchone()[0]
        cursor.execute("DROP TABLE bench_submitters")
    timings["cases, lines, changes (total)"] = time.perf_counter() - started
    timed("VACUUM (ANALYZE) + CHECKPOINT", timings, settle_database)
    world["timings"] = timings
    world["reviewer_id"] = reviewers[0]
    return world


def reused_world() -> dict:
    """Who is who in a kept database (``--reuse``): practices_create's users by their fixed names."""
    from django.db import connection

    from accounts.models import User
    from practices.models import Practice, PracticeMembership

    def first_member(tin: str):
        practice = Practice.objects.get(tin=tin)
        return practice, PracticeMembership.objects.filter(practice=practice).order_by("user__username")[0].user_id

    bench_practice, bench_user = first_member("700000000")
    owner_practice, owner = first_member("700000001")
    _, small_user = first_member("700000002")
    with connection.cursor() as cursor:
        cursor.execute("SELECT status, count(*) FROM cases_case GROUP BY status ORDER BY 2 DESC")
        statuses = cursor.fetchall()
        cursor.execute("SELECT count(*) FROM cases_serviceline")
        lines = cursor.fetchone()[0]
    return {
        "timings": {"(reused database: not loaded)": 0.0},
        "statuses": statuses,
        "service lines": lines,
        "practices": Practice.objects.filter(tin__startswith="7").count(),
        "users": User.objects.filter(username__startswith="bench.w").count(),
        "memberships": PracticeMembership.objects.count(),
        "worklist_grants": 0,
        "bench_user_id": bench_user,
        "bench_practice_id": bench_practice.pk,
        "owner_id": owner,
        "owner_practice_id": owner_practice.pk,
        "small_user_id": small_user,
        "reviewer_id": User.objects.get(username="bench.reviewer00").pk,
    }


def run(args: argparse.Namespace, workdir: Path) -> None:
    started = time.perf_counter()
    if args.reuse:
        from case_bench.settings import POSTGRES

        database_url = f"postgres://{POSTGRES['user']}@{POSTGRES['host']}:{POSTGRES['port']}/{POSTGRES_BENCH_DB}"
    else:
        database_url = recreate_postgres_database(POSTGRES_BENCH_DB)
    django_configure(database_url, workdir)

    from accounts.models import User
    from cases import permissions, worklist
    from cases.models import Case

    rng = random.Random(SEED)  # noqa: S311 (repeatable synthetic data, not secrets)
    print(f"Database: {database_line()}", flush=True)
    world = reused_world() if args.reuse else load(args, rng)
    print("\nData load")
    for label, seconds in world["timings"].items():
        print(f"  {label:<32} {seconds:8.1f} s")
    print(f"  {'total':<32} {time.perf_counter() - started:8.1f} s")
    print(f"  cases on file: {Case.objects.count()} ({', '.join(f'{s} {n}' for s, n in world['statuses'])})")
    print(
        f"  service lines {world['service lines']}; {world['practices']} practices, {world['users']} users, "
        f"{world['memberships']} memberships, {world['worklist_grants']} shared worklists"
    )

    user = User.objects.get(pk=world["bench_user_id"])
    small_user = User.objects.get(pk=world["small_user_id"])
    grants = permissions.grants_of(user)
    listed = worklist.submitted_cases(user, grants=grants)
    shared = listed.filter(created_by_id=world["owner_id"], practice_id=world["owner_practice_id"]).count()
    small_listed = worklist.submitted_cases(small_user, grants=permissions.grants_of(small_user)).count()
    print(
        f"  the benchmark user ({user.username}) sees {permissions.cases_visible_to(user, grants=grants).count()} "
        f"cases, {listed.count()} of them submitted (the worklist's All Statuses), {shared} through a shared "
        f"worklist; the small-practice user sees {small_listed}"
    )

    client = signed_in_client(user)
    terms = pages.search_terms(user, rng)
    variants = pages.worklist_variants(client, terms, quick=args.quick_search, every=args.every_view)
    print("\nPages")
    if pages.available("cases:authorization_lookup"):
        variants += pages.lookup_variants(client, pages.lookup_subjects(user, rng))
    else:
        pages.not_available("cases:authorization_lookup")
    sample_ids = list(listed.order_by("?").values_list("request_id", flat=True)[:200])
    if pages.available("cases:case_detail"):
        variants += pages.case_page_variants(client, sample_ids)
    else:
        pages.not_available("cases:case_detail")
    if pages.available("admin:cases_case_changelist"):
        reviewer_client = signed_in_client(User.objects.get(pk=world["reviewer_id"]))
        numbers = list(
            Case.objects.filter(submitted_at__isnull=False).order_by("?").values_list("case_number", flat=True)[:200]
        )
        variants += pages.admin_variants(reviewer_client, numbers)
    else:
        pages.not_available("admin:cases_case_changelist")

    logging.getLogger("django.request").setLevel(logging.ERROR)
    working = []
    for variant in variants:  # a variant that does not work is named and left out, the others still run
        try:
            for iteration in range(args.warmup):
                pages.run_variant(Untimed(), variant, iteration)
            working.append(variant)
        except HarnessError as exc:
            print(f"  not measured: {exc}")
    if not args.no_freeze:
        # As each gunicorn worker does once the app is loaded (docker/gunicorn.conf.py): a full collection then
        # scans what the requests allocate, not everything this process has loaded and built so far.
        gc.collect()
        gc.freeze()
    heap = "collector as it is" if args.no_freeze else "startup heap frozen (gc.freeze(), as the workers do)"
    print(
        f"· {len(working)} variants x {args.iterations} timed requests, each after a ceiling request ({heap}) ...",
        flush=True,
    )
    timer = Timer()
    spent = dict.fromkeys((v.key for v in working), 0.0)
    for iteration in range(args.iterations):
        for variant in working:
            # A slow variant stops at --budget seconds (with MIN_SAMPLES at least): the run stays within minutes.
            if iteration >= args.min_samples and spent[variant.key] > args.budget:
                continue
            started = time.perf_counter()
            pages.run_variant(timer, variant, iteration)
            spent[variant.key] += time.perf_counter() - started
    print("· query-count pass ...", flush=True)
    counter = QueryCounter()
    for variant in working:
        pages.run_variant(counter, variant, 0)
    matrix = {
        "benchmark user": pages.worklist_query_matrix(
            client, "benchmark user", terms, counter, quick=args.quick_search, every=args.every_view
        ),
        "small-practice user": pages.worklist_query_matrix(
            signed_in_client(small_user),
            "small-practice user",
            pages.search_terms(small_user, rng),
            counter,
            quick=args.quick_search,
            every=args.every_view,
        ),
    }

    # --- Report ---
    ceiling = timer.ceiling
    ceiling_p95 = percentile(ceiling, 95)
    print(f"\nMachine: {machine_line()}")
    print(f"Database: {database_line()}; {Case.objects.count()} cases on file")
    print("Server time = time inside the test client's get/post (in-process: middleware, view, template, SQL).")
    print(f"Python's collector: {heap}.")
    print("\nCeiling: GET /health/db/, same signed-in client, before every timed request")
    print_lookup_figures("ceiling", ceiling)
    slowest = {}
    for group, (title, target) in TARGETS.items():
        group_variants = [v for v in working if v.group == group]
        slowest[group] = print_group(title, target, group_variants, timer, counter)
    print("\nWorklist SQL statements per request: every tab and sort without a term; tabs and joined sorts with one")
    for who, counts in matrix.items():
        line = "; ".join(f"{when}: {', '.join(map(str, sorted(n)))}" for when, n in counts.items())
        print(f"  {who:<20} {line}")
    # Per kind of page with rows (without a term; with one, which PostgreSQL reads with its counts in one
    # statement): the same number whatever the tab, the sort, the term and the size of the list.
    by_kind: dict[str, set[int]] = {}
    for counts in matrix.values():
        for key, values in counts.items():
            if "rows" in key:
                by_kind.setdefault(key, set()).update(values)
    numbers = "; ".join(f"{key}: {', '.join(map(str, sorted(values)))}" for key, values in by_kind.items())
    constant = "constant" if all(len(values) == 1 for values in by_kind.values()) else "NOT constant"
    constant += f" for every page with rows ({numbers})"
    print(f"  -> {constant} across tabs, sorts, terms and list sizes")
    for group in TARGETS:
        variant = slowest_variant([v for v in working if v.group == group], timer)
        if variant is not None:
            print_slowest_plan(f"Slowest statement of the slowest {group} variant", variant)
    print("\nTargets (p95 server time)")
    for group, (_title, target) in TARGETS.items():
        print(target_line(group, slowest[group], target, ceiling_p95))
    print(f"  worklist queries       {constant}")


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    return bench_main(
        lambda workdir: run(args, workdir),
        prefix="portal-bench-worklist-",
        database=POSTGRES_BENCH_DB,
        keep=args.keep or args.reuse,
    )


if __name__ == "__main__":
    sys.exit(main())
