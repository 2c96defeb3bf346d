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
import logging
import random
import shutil
import signal
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from urllib.parse import urlencode

from case_bench.access import (
    ACCESS_WARMUP_ROUNDS,
    access_figures,
    access_round,
    access_subjects,
    explain_query,
    plan_nodes,
)
from case_bench.database import (
    django_configure,
    drop_postgres_database,
    recreate_postgres_database,
    settle_database,
    timed,
)
from case_bench.figures import (
    database_line,
    machine_line,
    percentile,
    print_lookup_figures,
    print_over_target_by_kind,
    print_repeated_statements,
    print_step_table,
)
from case_bench.lookup import explain_lookup, lookup_queries, time_selector_lookups
from case_bench.recorders import QueryCounter, Timer, Untimed, shortened
from case_bench.settings import (
    CEILING_PATH,
    EXIT_HARNESS_ERROR,
    LOOKUP_LIMIT,
    LOOKUP_TARGET_MS,
    OWNER,
    POSTGRES_BENCH_DB,
    SEED,
    SELECTOR_TARGET_MS,
    STEP_TARGET_MS,
    WALK_KINDS,
    WALKERS,
    HarnessError,
)
from case_bench.walks import Walk, member_with_most_open_cases, step_url, walk_member, walk_to_service, walk_whole
from case_bench.world import (
    case_templates,
    cases_bulk_create,
    practices_create,
    signed_in_client,
    users_create,
    world_for_walks,
)


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
