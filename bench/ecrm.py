"""Benchmark of ECRM's My Cases and the agents' ticket list in the admin with 200,000 tickets on file (issue 13's
performance requirement).

    .venv/bin/python bench/ecrm.py [--tickets 200000] [--mine 500] [--iterations 50] [--keep]

Everything runs in this process: a fresh PostgreSQL database (``portal_bench_ecrm``) is migrated, given the ECRM
catalog (the demo fixture) and --tickets tickets in SQL (``INSERT ... SELECT ... FROM generate_series``), spread over
2,000 reporters, two years and every state; the benchmark reporter owns --mine of them. Then each page variant is
requested --iterations times through Django's test client, round-robin, each right after ``GET /health/db/`` on the
same client (the ceiling, case_bench's Timer); a pass of its own counts each variant's SQL, and My Cases' for a
reporter with a handful of tickets, to show the count does not grow with the list.

Targets (p95 server time): My Cases < 50 ms and the agents' queue < 150 ms, each with a constant number of
queries. It prints figures; nothing fails. See bench/README.md.
"""

from __future__ import annotations

import argparse
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
from worklist_bench.pages import Variant, run_variant
from worklist_bench.report import print_group, print_slowest_plan, slowest_variant, target_line

BENCH_DB = "portal_bench_ecrm"
SEED = 13
REPORTERS = 2_000
SMALL_REPORTER_TICKETS = 5
TARGETS = {
    "my cases": ("My Cases (GET /ecrm/my-cases/)", 50.0),
    "agents' queue": ("Agents' ticket list (GET /admin/ecrm/ticket/)", 150.0),
}


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tickets", type=int, default=200_000, help="tickets on file (200000)")
    parser.add_argument("--mine", type=int, default=500, help="tickets of the benchmark reporter (500)")
    parser.add_argument("--iterations", type=int, default=50, help="timed requests of each variant (50)")
    parser.add_argument("--warmup", type=int, default=2, help="untimed rounds (2)")
    parser.add_argument("--keep", action="store_true", help="keep the database and the temp dir afterwards")
    args = parser.parse_args(argv)
    if args.mine < 30 or args.tickets < 10 * args.mine or args.iterations < 1:
        parser.error("need --mine >= 30, --tickets >= 10 x --mine, --iterations >= 1")
    return args


def reporters_create(count: int) -> list[int]:
    from django.contrib.auth.hashers import make_password

    from accounts.models import User

    password = make_password(None)
    users = [
        User(username=f"bench.ecrm{n:05d}", email=f"ecrm{n:05d}@office.example", password=password)
        for n in range(count)
    ]
    User.objects.bulk_create(users, batch_size=1000)
    return list(
        User.objects.filter(username__startswith="bench.ecrm").order_by("username").values_list("pk", flat=True)
    )


def tickets_insert(total: int, mine: int, reporters: list[int]) -> None:
    """``total`` tickets in SQL: the first reporter owns ``mine``, the second SMALL_REPORTER_TICKETS, the others
    the rest at random; states weighted toward Closed as a year of work leaves them; created over two years."""
    from django.db import connection

    from ecrm.models import RequestForm

    pairs = [
        (form.pk, rt) for form in RequestForm.objects.all() for rt in form.request_types.values_list("pk", flat=True)
    ]
    if not pairs:
        raise HarnessError("the ECRM catalog has no request form with a request type")
    bench, small, others = reporters[0], reporters[1], reporters[2:]
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMP TABLE bench_pairs (idx int, form_id bigint, type_id bigint)")
        cursor.executemany("INSERT INTO bench_pairs VALUES (%s, %s, %s)", [(i, f, t) for i, (f, t) in enumerate(pairs)])
        cursor.execute("CREATE TEMP TABLE bench_others (idx int, user_id bigint)")
        cursor.executemany("INSERT INTO bench_others VALUES (%s, %s)", list(enumerate(others)))
        cursor.execute(
            """
            INSERT INTO ecrm_ticket (
                sequence, number, reporter_id, request_form_id, short_description, description_html, carrier_scope,
                request_type_id, claim_number, contact_name, contact_phone, contact_email, reporter_type, state,
                priority, created_at, updated_at
            )
            SELECT g, 'EC' || lpad(g::text, 8, '0'),
                   CASE WHEN g <= %(mine)s THEN %(bench)s
                        WHEN g <= %(mine)s + %(small)s THEN %(small_user)s
                        ELSE (SELECT user_id FROM bench_others WHERE idx = (g * 7919) %% %(others)s) END,
                   p.form_id,
                   (ARRAY['Fax number update', 'Claim status question', 'Portal access problem',
                          'Eligibility discrepancy', 'Credentialing follow-up', 'Appeal status'])[1 + g %% 6]
                       || ' ' || g,
                   '<p>Synthetic request.</p>', 'all', p.type_id, '', 'Office contact', '8605550100',
                   'contact@office.example', '',
                   (ARRAY['new', 'in_progress', 'awaiting_info', 'resolved', 'closed', 'closed', 'closed',
                          'closed'])[1 + (g * 31) %% 8],
                   1 + (g * 17) %% 5, created, created + ((g %% 72) || ' hours')::interval
            FROM generate_series(1, %(total)s) AS g
            CROSS JOIN LATERAL (SELECT now() - ((%(total)s - g)::float8 / %(total)s) * interval '730 days'
                                AS created) AS c
            JOIN bench_pairs p ON p.idx = g %% %(pairs)s
            """,
            {
                "mine": mine,
                "bench": bench,
                "small": SMALL_REPORTER_TICKETS,
                "small_user": small,
                "others": len(others),
                "total": total,
                "pairs": len(pairs),
            },
        )
        cursor.execute("UPDATE ecrm_ticketnumbercounter SET last_value = %s", [total])
        cursor.execute("DROP TABLE bench_pairs")
        cursor.execute("DROP TABLE bench_others")


def agent_create():
    from django.contrib.auth.models import Group

    from accounts.models import User
    from ecrm.demo import AGENT_GROUP, ecrm_demo_ensure

    ecrm_demo_ensure()
    agent = User.objects.create(username="bench.agent", is_staff=True)
    agent.groups.add(Group.objects.get(name=AGENT_GROUP))
    return agent


def my_cases_variants(client, terms: list[str]) -> list[Variant]:
    from django.urls import reverse

    from ecrm import selectors

    url = reverse("ecrm:my_cases")
    variants = [
        Variant("my cases", "Open, newest first", client, lambda i: client.get(url)),
        Variant("my cases", "Closed", client, lambda i: client.get(url, {"tab": "closed"})),
        Variant("my cases", "Open, page 5", client, lambda i: client.get(url, {"page": 5})),
    ]
    for column in selectors.MY_CASES_COLUMNS:
        for sort in (column.key, f"-{column.key}"):
            variants.append(
                Variant("my cases", f"sorted by {sort}", client, lambda i, s=sort: client.get(url, {"sort": s}))
            )

    def search(i):
        client.post(url, {"q": terms[i % len(terms)], "tab": "open"})

    variants.append(Variant("my cases", "searched", client, lambda i: client.get(url), prepare=search))
    variants.append(
        Variant(
            "my cases",
            "search cleared",
            client,
            lambda i: client.get(url),
            prepare=lambda i: client.post(url, {"clear": "1", "tab": "open"}),
        )
    )
    return variants


def ticket_variants(client, numbers: list[str]) -> list[Variant]:
    from django.urls import reverse

    return [
        Variant(
            "my cases",
            "Ticket Details",
            client,
            lambda i: client.get(reverse("ecrm:ticket_detail", args=[numbers[i % len(numbers)]])),
        ),
        Variant(
            "my cases",
            "Activity",
            client,
            lambda i: client.get(reverse("ecrm:ticket_activity", args=[numbers[i % len(numbers)]])),
        ),
    ]


def admin_variants(client, numbers: list[str]) -> list[Variant]:
    from django.urls import reverse

    url = reverse("admin:ecrm_ticket_changelist")
    return [
        Variant("agents' queue", "every ticket, newest first", client, lambda i: client.get(url)),
        Variant("agents' queue", "New", client, lambda i: client.get(url, {"state__exact": "new"})),
        Variant("agents' queue", "In Progress", client, lambda i: client.get(url, {"state__exact": "in_progress"})),
        Variant("agents' queue", "priority 1 - Critical", client, lambda i: client.get(url, {"priority__exact": 1})),
        Variant("agents' queue", "page 40", client, lambda i: client.get(url, {"p": 40})),
        Variant(
            "agents' queue", "search by EC number", client, lambda i: client.get(url, {"q": numbers[i % len(numbers)]})
        ),
        Variant(
            "agents' queue",
            "a ticket's change page",
            client,
            lambda i: client.get(reverse("admin:ecrm_ticket_change", args=[1 + (i * 7919) % 1000])),
        ),
    ]


def query_counts(client, counter: QueryCounter, label: str) -> list[int]:
    """My Cases' statements for ``client``'s reporter on every tab and sort."""
    from django.urls import reverse

    from ecrm import selectors

    url = reverse("ecrm:my_cases")
    counts = []
    for tab in ("open", "closed"):
        for column in selectors.MY_CASES_COLUMNS:
            params = {"tab": tab, "sort": column.key}
            variant = Variant("count", f"{label} {tab} {column.key}", client, lambda i, p=params: client.get(url, p))
            run_variant(counter, variant, 0)
            counts.append(len(counter.statements[variant.key][-1]))
    return counts


def run(args: argparse.Namespace, workdir: Path) -> None:
    started = time.perf_counter()
    database_url = recreate_postgres_database(BENCH_DB)
    django_configure(database_url, workdir)

    from django.core.management import call_command

    from accounts.models import User
    from ecrm.models import Ticket
    from reference.services import catalog_load

    rng = random.Random(SEED)  # noqa: S311 (repeatable synthetic data, not secrets)
    timings: dict[str, float] = {}
    timed("migrate", timings, call_command, "migrate", interactive=False, verbosity=0)
    timed("catalog", timings, catalog_load)
    agent = timed("ECRM catalog, agent", timings, agent_create)
    reporters = timed(f"{REPORTERS} reporters", timings, reporters_create, REPORTERS)
    timed(f"{args.tickets} tickets", timings, tickets_insert, args.tickets, args.mine, reporters)
    timed("VACUUM (ANALYZE) + CHECKPOINT", timings, settle_database)
    print(f"Database: {database_line()}", flush=True)
    print("\nData load")
    for label, seconds in timings.items():
        print(f"  {label:<32} {seconds:8.1f} s")
    print(f"  {'total':<32} {time.perf_counter() - started:8.1f} s")
    reporter, small = User.objects.get(pk=reporters[0]), User.objects.get(pk=reporters[1])
    owned = {who: Ticket.objects.filter(reporter=who).count() for who in (reporter, small)}
    print(
        f"  tickets on file: {Ticket.objects.count()}; the benchmark reporter has {owned[reporter]}, "
        f"the small one {owned[small]}"
    )

    client, agent_client = signed_in_client(reporter), signed_in_client(agent)
    mine = list(Ticket.objects.filter(reporter=reporter).values_list("number", "short_description"))
    picks = rng.sample(mine, 20)
    terms = [number[-5:] for number, _ in picks[:10]] + [description.split()[0] for _, description in picks[10:]]
    numbers = [number for number, _ in picks]
    everyone = list(Ticket.objects.order_by("?").values_list("number", flat=True)[:200])
    variants = (
        my_cases_variants(client, terms) + ticket_variants(client, numbers) + admin_variants(agent_client, everyone)
    )

    logging.getLogger("django.request").setLevel(logging.ERROR)
    working = []
    for variant in variants:
        try:
            for iteration in range(args.warmup):
                run_variant(Untimed(), variant, iteration)
            working.append(variant)
        except HarnessError as exc:
            print(f"  not measured: {exc}")
    print(f"· {len(working)} variants x {args.iterations} timed requests, each after a ceiling request ...", flush=True)
    timer = Timer()
    for iteration in range(args.iterations):
        for variant in working:
            run_variant(timer, variant, iteration)
    print("· query-count pass ...", flush=True)
    counter = QueryCounter()
    for variant in working:
        run_variant(counter, variant, 0)
    counts = {
        f"benchmark reporter ({args.mine} tickets)": query_counts(client, counter, "big"),
        f"small reporter ({SMALL_REPORTER_TICKETS} tickets)": query_counts(signed_in_client(small), counter, "small"),
    }

    ceiling_p95 = percentile(timer.ceiling, 95)
    print(f"\nMachine: {machine_line()}")
    print(f"Database: {database_line()}; {Ticket.objects.count()} tickets on file")
    print("Server time = time inside the test client's get/post (in-process: middleware, view, template, SQL).")
    print("\nCeiling: GET /health/db/, same signed-in client, before every timed request")
    print_lookup_figures("ceiling", timer.ceiling)
    slowest = {}
    for group, (title, target) in TARGETS.items():
        slowest[group] = print_group(title, target, [v for v in working if v.group == group], timer, counter)
    print("\nMy Cases SQL statements per request, every tab and sort")
    for who, numbers_of in counts.items():
        print(f"  {who:<32} {', '.join(map(str, sorted(set(numbers_of))))}")
    distinct = {n for numbers_of in counts.values() for n in numbers_of}
    constant = "constant" if len(distinct) == 1 else f"NOT constant ({sorted(distinct)})"
    for group in TARGETS:
        variant = slowest_variant([v for v in working if v.group == group], timer)
        if variant is not None:
            print_slowest_plan(f"Slowest statement of the slowest {group} variant", variant)
    print("\nTargets (p95 server time)")
    for group, (_title, target) in TARGETS.items():
        print(target_line(group, slowest[group], target, ceiling_p95))
    print(f"  My Cases queries       {constant} across tabs, sorts and list sizes")


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    return bench_main(
        lambda workdir: run(args, workdir),
        prefix="portal-bench-ecrm-",
        database=BENCH_DB,
        keep=args.keep,
    )


if __name__ == "__main__":
    sys.exit(main())
