"""Benchmark of the P2P Schedule step's data with 200 reviewers and a year of appointments (issue 14's performance
requirement: the slots of a week answer under 100 ms at the 95th percentile, as a ratio to the ceiling).

    .venv/bin/python bench/p2p.py [--reviewers 200] [--per-day 6] [--iterations 50] [--keep]

Everything runs in this process on a fresh PostgreSQL database (``portal_bench_p2p``, dropped afterwards unless
--keep): ``migrate``, the reference catalog, --reviewers reviewers (Monday to Friday 8:00 to 18:00 in their own zone,
a mix of the seven US zones, 15-minute slots; every one trained for the benchmarked program, a third of them as
"1st Priority by Skill", and each for one other program too), a week of time off a quarter each, and a year of
appointments (half a year back, half ahead: --per-day booked reservations a working day each, with their P2P
requests, Completed in the past, Scheduled ahead, one in twenty Cancelled and its time released), written with
``bulk_create``; then live and lapsed holds in the weeks measured.

What is timed: ``p2p.slots.week_slots`` for the program, as the Schedule step asks for it (an office in New York,
every weekday and hour preferred), for the upcoming week (the seed's default), the current one (partly past) and
one three months ahead, each --iterations times round-robin, each call right after ``GET /health/db/`` through
Django's test client (the ceiling, in the same run: the machine is shared). When the Schedule page itself
(``p2p:schedule``) can be reached with a draft in the session, it is timed the same way; otherwise the output says
so and the slots are what is measured. A pass of its own counts the SQL statements of ``week_slots`` (4, whatever
the number of reviewers). It prints figures; nothing fails. See bench/README.md.
"""

from __future__ import annotations

import argparse
import datetime
import gc
import random
import sys
import time
from pathlib import Path

from case_bench.database import django_configure, recreate_postgres_database, settle_database, timed
from case_bench.figures import database_line, machine_line, percentile
from case_bench.harness import bench_main
from case_bench.settings import CEILING_PATH, HarnessError

BENCH_DB = "portal_bench_p2p"
SEED = 14
TARGET_MS = 100.0
PAGE = "Schedule page (GET)"
OFFICE_ZONE = "America/New_York"
ZONES = [
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Phoenix",
    "America/Los_Angeles",
    "America/Anchorage",
    "Pacific/Honolulu",
]
OFFICES = 50  # the users who booked the appointments


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reviewers", type=int, default=200, help="reviewers, all trained for the program (200)")
    parser.add_argument("--per-day", type=int, default=6, help="appointments per reviewer per working day (6)")
    parser.add_argument("--iterations", type=int, default=50, help="timed calls of each variant (50)")
    parser.add_argument("--warmup", type=int, default=3, help="untimed rounds (3)")
    parser.add_argument("--keep", action="store_true", help="keep the database and the temp dir afterwards")
    parser.add_argument("--reuse", action="store_true", help="time the database a --keep run left (implies --keep)")
    args = parser.parse_args(argv)
    args.keep = args.keep or args.reuse
    if args.reviewers < 1 or not 0 <= args.per_day <= 40 or args.iterations < 1:
        parser.error("need --reviewers >= 1, 0 <= --per-day <= 40 (slots in a 10-hour day), --iterations >= 1")
    return args


def users_create(prefix: str, count: int, **fields) -> list:
    from django.contrib.auth.hashers import make_password

    from accounts.models import User

    password = make_password(None)
    User.objects.bulk_create(
        [
            User(username=f"{prefix}{n:05d}", email=f"{prefix}{n:05d}@bench.example", password=password, **fields)
            for n in range(count)
        ],
        batch_size=1000,
    )
    return list(User.objects.filter(username__startswith=prefix).order_by("username"))


def reviewers_create(count: int, program, rng: random.Random):
    """``count`` reviewers trained for ``program`` (a third at priority 1) and one other program each,
    Monday-Friday 8:00-18:00 in a mix of zones."""
    from p2p.models import Reviewer, ReviewerSkill, WorkingHours
    from reference.models import Program

    others = list(Program.objects.exclude(pk=program.pk))
    if not others:
        raise HarnessError("the catalog has one program only")
    users = users_create("bench.reviewer", count, is_staff=True)
    Reviewer.objects.bulk_create(
        Reviewer(user=user, display_name=f"Dr. Bench Reviewer {n:03d}, MD", time_zone=ZONES[n % len(ZONES)])
        for n, user in enumerate(users)
    )
    reviewers = list(Reviewer.objects.filter(user__in=users).order_by("pk"))
    skills = []
    for n, reviewer in enumerate(reviewers):
        skills.append(ReviewerSkill(reviewer=reviewer, program=program, priority=1 if n % 3 == 0 else 2))
        skills.append(ReviewerSkill(reviewer=reviewer, program=rng.choice(others), priority=1))
    ReviewerSkill.objects.bulk_create(skills)
    WorkingHours.objects.bulk_create(
        WorkingHours(reviewer=reviewer, weekday=day, starts=datetime.time(8), ends=datetime.time(18))
        for reviewer in reviewers
        for day in range(5)
    )
    return reviewers


def _working_days(first: datetime.date, last: datetime.date):
    day = first
    while day <= last:
        if day.weekday() < 5:
            yield day
        day += datetime.timedelta(days=1)


def time_off_create(reviewers, today: datetime.date, rng: random.Random) -> int:
    """A week off a quarter for each reviewer, at random over the year."""
    from p2p.models import TimeOff, zone

    rows = []
    for reviewer in reviewers:
        tz = zone(reviewer.time_zone)
        for quarter in range(4):
            monday = today - datetime.timedelta(days=182 - quarter * 91 - rng.randrange(85))
            monday -= datetime.timedelta(days=monday.weekday())
            start = datetime.datetime.combine(monday, datetime.time(0), tzinfo=tz)
            rows.append(TimeOff(reviewer=reviewer, starts_at=start, ends_at=start + datetime.timedelta(days=5)))
    TimeOff.objects.bulk_create(rows)
    return len(rows)


def appointments_create(reviewers, offices, today: datetime.date, per_day: int, rng: random.Random) -> int:
    """A year of appointments: ``per_day`` random slots of each reviewer's working day from half a year back to half
    a year ahead, each a P2P request with its booked reservation (Completed in the past, Scheduled ahead; one in
    twenty Cancelled, its reservation released)."""
    from django.utils import timezone

    from p2p.models import P2PRequest, Reservation, zone

    now = timezone.now()
    days = list(_working_days(today - datetime.timedelta(days=182), today + datetime.timedelta(days=182)))
    step = datetime.timedelta(minutes=15)
    total = 0
    for reviewer in reviewers:
        tz = zone(reviewer.time_zone)
        requests, reservations = [], []
        for day in days:
            opening = datetime.datetime.combine(day, datetime.time(8), tzinfo=tz).astimezone(datetime.UTC)
            for index in rng.sample(range(40), per_day):
                starts_at = opening + index * step
                office = offices[rng.randrange(len(offices))]
                cancelled = rng.random() < 0.05
                past = starts_at < now
                status = "cancelled" if cancelled else ("completed" if past else "scheduled")
                request = P2PRequest(
                    status=status,
                    requested_by=office,
                    reviewer=reviewer,
                    starts_at=starts_at,
                    ends_at=starts_at + step,
                    time_zone=OFFICE_ZONE,
                    preferred_days=[0, 1, 2, 3, 4],
                    preferred_hours=list(range(7, 19)),
                    requesting_provider_name="Dr. Jane Doe",
                    phone="5555555555",
                    cancel_reason="Resolved by phone." if cancelled else "",
                    cancelled_at=starts_at - datetime.timedelta(days=1) if cancelled else None,
                    outcome="upheld" if status == "completed" else "",
                    created_at=starts_at - datetime.timedelta(days=3),
                    updated_at=starts_at - datetime.timedelta(days=3),
                )
                requests.append(request)
                reservations.append(
                    Reservation(
                        reviewer=reviewer,
                        starts_at=starts_at,
                        ends_at=starts_at + step,
                        state="released" if cancelled else "booked",
                        held_by=office,
                        request=request,
                        created_at=starts_at - datetime.timedelta(days=3),
                    )
                )
        P2PRequest.objects.bulk_create(requests, batch_size=2000)  # PostgreSQL returns the ids
        for reservation in reservations:
            reservation.request_id = reservation.request.pk
        Reservation.objects.bulk_create(reservations, batch_size=2000)
        total += len(requests)
    return total


def holds_create(reviewers, mondays, offices, rng: random.Random) -> int:
    """In each measured week, a live hold (someone filling the contact details) and a lapsed one on a few
    reviewers, in free slots."""
    from django.db import IntegrityError, transaction
    from django.utils import timezone

    from p2p.models import Reservation, zone

    now = timezone.now()
    made = 0
    for monday in mondays:
        for reviewer in rng.sample(reviewers, min(20, len(reviewers))):
            tz = zone(reviewer.time_zone)
            for minutes_left in (7, -30):
                day = monday + datetime.timedelta(days=rng.randrange(5))
                start = datetime.datetime.combine(day, datetime.time(8), tzinfo=tz) + datetime.timedelta(
                    minutes=15 * rng.randrange(40)
                )
                try:
                    with transaction.atomic():
                        Reservation.objects.create(
                            reviewer=reviewer,
                            starts_at=start,
                            ends_at=start + datetime.timedelta(minutes=15),
                            held_by=rng.choice(offices),
                            held_until=now + datetime.timedelta(minutes=minutes_left),
                        )
                    made += 1
                except IntegrityError:
                    pass  # booked already: the database refuses it, as it would refuse an office
    return made


def denied_case_create():
    """A submitted Home Health request, denied two days ago (through the case services, as the tests' factories
    build it): the case the Schedule page is opened for. None when the factories are not installed."""
    try:
        from cases.tests.factories import submitted_case
    except ImportError:  # factory_boy: a dev requirement
        return None
    from django.utils import timezone

    from cases import services
    from cases.models import CaseStatus

    case = submitted_case()
    services.case_transition(case=case, to=CaseStatus.DENIED, reason="Not medically necessary.")
    case.decided_at = timezone.now() - datetime.timedelta(days=2)
    case.save(update_fields=["decided_at"])
    return case


def schedule_page_client(case):
    """(client, url) on the Schedule page, the case's author signed in with a draft for it, or (None, why not)."""
    from dataclasses import asdict

    from django.urls import NoReverseMatch, reverse

    try:
        url = reverse("p2p:schedule")
    except NoReverseMatch:
        return None, "the Schedule page (p2p:schedule) does not exist yet"
    if case is None:
        return None, "no case to schedule for (factory_boy is not installed)"
    try:
        from case_bench.world import signed_in_client

        from p2p.draft import SESSION_KEY, Draft

        user = case.created_by
        user.time_zone = OFFICE_ZONE
        user.save(update_fields=["time_zone"])
        client = signed_in_client(user)
        session = client.session
        session[SESSION_KEY] = asdict(Draft(case_ids=[case.pk], questions_done=True))
        session.save()
        response = client.get(url)
        if response.status_code != 200:
            return None, f"GET {url} answered {response.status_code}"
        return (client, url), ""
    except Exception as exc:  # the page is another part's work in progress: report it, measure the data
        return None, f"the Schedule page could not be set up: {exc.__class__.__name__}: {exc}"


def run(args: argparse.Namespace, workdir: Path) -> None:
    started = time.perf_counter()
    if args.reuse:
        from case_bench.settings import POSTGRES

        database_url = f"postgres://{POSTGRES['user']}@{POSTGRES['host']}:{POSTGRES['port']}/{BENCH_DB}"
    else:
        database_url = recreate_postgres_database(BENCH_DB)
    django_configure(database_url, workdir)

    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from p2p import slots
    from p2p.models import P2PRequest, Reservation
    from reference.models import Program
    from reference.services import catalog_load

    rng = random.Random(SEED)  # noqa: S311 (repeatable synthetic data, not secrets)
    timings: dict[str, float] = {}
    today = timezone.localdate()
    upcoming = slots.week_start(today) + datetime.timedelta(weeks=1)
    weeks = {
        "upcoming week": upcoming,
        "current week": slots.week_start(today),
        "13 weeks ahead": upcoming + datetime.timedelta(weeks=12),
    }
    if args.reuse:  # the database a run with --keep left: its data, its case
        from cases.models import Case

        case = Case.objects.filter(status="denied").order_by("pk").first()
        program = case.program if case is not None else Program.objects.order_by("sort_order", "name").first()
    else:
        timed("migrate", timings, call_command, "migrate", interactive=False, verbosity=0)
        timed("catalog", timings, catalog_load)
        case = timed("a denied case", timings, denied_case_create)
        program = case.program if case is not None else Program.objects.order_by("sort_order", "name").first()
        reviewers = timed(f"{args.reviewers} reviewers", timings, reviewers_create, args.reviewers, program, rng)
        offices = timed(f"{OFFICES} office users", timings, users_create, "bench.office", OFFICES)
        timed("time off", timings, time_off_create, reviewers, today, rng)
        timed("a year of appointments", timings, appointments_create, reviewers, offices, today, args.per_day, rng)
        timed("holds", timings, holds_create, reviewers, list(weeks.values()), offices, rng)
        timed("VACUUM (ANALYZE) + CHECKPOINT", timings, settle_database)
    print(f"Database: {database_line()}", flush=True)
    print("\nData load")
    for label, seconds in timings.items():
        print(f"  {label:<32} {seconds:8.1f} s")
    print(f"  {'total':<32} {time.perf_counter() - started:8.1f} s")
    print(
        f"  {P2PRequest.objects.count()} P2P requests, {Reservation.objects.count()} reservations "
        f"({Reservation.objects.filter(state='booked').count()} booked); program {program}"
    )

    def week_of(monday):
        return lambda: slots.week_slots(program=program, time_zone=OFFICE_ZONE, monday=monday)

    variants = {label: week_of(monday) for label, monday in weeks.items()}
    page, why_not = schedule_page_client(case)
    if page is not None:
        page_client, url = page
        variants[PAGE] = lambda: page_client.get(url)

    shown, queries = {}, {}
    for label, monday in weeks.items():
        with CaptureQueriesContext(connection) as captured:
            found = slots.week_slots(program=program, time_zone=OFFICE_ZONE, monday=monday)
        queries[label] = len(captured)
        shown[label] = (len(found), sum(len(day.slots) for week in found for day in week.days))

    print(f"\nMachine: {machine_line()}")
    print(f"Database: {database_line()}")
    print("Time = wall time of the call in this process (the page: inside the test client's get).")
    print(f"The Schedule step's slots: week_slots(program={program}, time_zone={OFFICE_ZONE}, default preferences)")
    if page is None:
        print(f"Schedule page not measured: {why_not}. The figures are the page's data, week_slots.")
    verdicts = []
    for title in (
        "Python's collector as it is (the full collections scan the whole heap this process holds)",
        "startup heap frozen (gc.freeze(), as a server can do once the app is loaded)",
    ):
        if verdicts:
            gc.collect()
            gc.freeze()
        samples, ceiling, full_collections = measure(variants, args)
        worst = print_table(title, samples, ceiling, shown, queries, full_collections)
        page_p95 = percentile(samples[PAGE], 95) if PAGE in samples else None
        verdicts.append((title.split(" (")[0], worst, page_p95, percentile(ceiling, 95)))
    print(f"\nTarget: a week's slots p95 < {TARGET_MS:.0f} ms (the page computes only the reviewers it lists)")
    for title, worst, page_p95, ceiling_p95 in verdicts:
        for what, p95 in (("week_slots, every reviewer", worst), ("Schedule page", page_p95)):
            if p95 is None:
                continue
            verdict = "OK" if p95 < TARGET_MS else "OVER"
            ratio = p95 / ceiling_p95
            print(f"  {title:<28} {what:<27} p95 {p95:6.1f} ms ({ratio:4.1f}x the ceiling's p95): {verdict}")


def measure(variants: dict, args: argparse.Namespace):
    """Each variant --iterations times round-robin, each call right after the ceiling; the samples, the ceiling's
    and how many full (generation 2) collections ran during the timed calls."""
    from django.test import Client

    full = [0]

    def count(phase, info):
        if phase == "start" and info["generation"] == 2:
            full[0] += 1

    ceiling_client = Client()
    for _ in range(args.warmup):
        for call in variants.values():
            ceiling_client.get(CEILING_PATH)
            call()
    print(f"· {len(variants)} variants x {args.iterations} timed calls, each after a ceiling request ...", flush=True)
    samples: dict[str, list[float]] = {label: [] for label in variants}
    ceiling: list[float] = []
    gc.callbacks.append(count)
    try:
        for _ in range(args.iterations):
            for label, call in variants.items():
                begun = time.perf_counter()
                if ceiling_client.get(CEILING_PATH).status_code != 200:
                    raise HarnessError(f"{CEILING_PATH} did not answer 200")
                ceiling.append((time.perf_counter() - begun) * 1000)
                begun = time.perf_counter()
                result = call()
                samples[label].append((time.perf_counter() - begun) * 1000)
                if label == PAGE and result.status_code != 200:
                    raise HarnessError(f"the Schedule page answered {result.status_code}")
                del result
    finally:
        gc.callbacks.remove(count)
    return samples, ceiling, full[0]


def print_table(title, samples, ceiling, shown, queries, full_collections) -> float:
    """The figures of one pass; the worst p95 of the week_slots variants."""
    ceiling_p50, ceiling_p95 = percentile(ceiling, 50), percentile(ceiling, 95)
    print(f"\n{title}: {full_collections} full collections during the pass")
    print(f"  ceiling GET {CEILING_PATH}: n={len(ceiling)}  p50 {ceiling_p50:6.2f}  p95 {ceiling_p95:6.2f} ms")
    print(f"  {'variant':<22} {'reviewers':>9} {'slots':>6} {'SQL':>4} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} ratio")
    worst = 0.0
    for label, times in samples.items():
        p95 = percentile(times, 95)
        if label != PAGE:
            worst = max(worst, p95)
        reviewers_shown, slots_shown = shown.get(label, ("", ""))
        print(
            f"  {label:<22} {reviewers_shown!s:>9} {slots_shown!s:>6} {queries.get(label, '')!s:>4} "
            f"{percentile(times, 50):8.2f} {p95:8.2f} {max(times):8.2f} {p95 / ceiling_p95:5.1f}x"
        )
    return worst


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    return bench_main(lambda workdir: run(args, workdir), prefix="portal-bench-p2p-", database=BENCH_DB, keep=args.keep)


if __name__ == "__main__":
    sys.exit(main())
