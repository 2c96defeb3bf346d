"""What every signed-in request pays before its view, measured on pages of a kept worklist benchmark database: the
session timeout's session write and ECRM's "is this account ECRM-only?" query, as they are now and as they were
(the session saved on every request, the ECRM profile asked on every portal page), side by side in one run.

    BENCH_WORKLIST_DB=portal_bench_mine .venv/bin/python bench/worklist.py --keep ...   # once, to make a database
    .venv/bin/python bench/overhead.py --database portal_bench_mine [--iterations 100] [--admin]

It only reads the database (and signs its users in: a session row and an MFA device per client). For each mode
("now" and "before") a client signs in as the worklist benchmark's user (and, with ``--admin``, as its first
reviewer); each page is requested ``--iterations`` times round-robin, every request right after ``GET /health/db/``
on the same client (the ceiling, as case_bench's Timer does), the two modes interleaved so that the machine's
load falls on both alike. Then one request of each page per mode counts its SQL statements. It prints figures;
nothing fails.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections import defaultdict
from pathlib import Path

from case_bench.database import django_configure
from case_bench.figures import database_line, machine_line, percentile
from case_bench.harness import bench_main
from case_bench.settings import CEILING_PATH, POSTGRES, HarnessError

MODES = ("now", "before")


def legacy_middleware() -> list[str]:
    """settings.MIDDLEWARE with the session timeout and ECRM middleware as they were before the change."""
    from django.conf import settings

    replaced = {
        "accounts.middleware.SessionTimeoutMiddleware": "overhead.SavingSessionTimeoutMiddleware",
        "ecrm.middleware.EcrmOnlyMiddleware": "overhead.AskingEcrmOnlyMiddleware",
    }
    return [replaced.get(name, name) for name in settings.MIDDLEWARE]


def _legacy_classes():
    from django.shortcuts import redirect
    from django.utils import timezone

    from accounts import middleware as session_timeout
    from ecrm import middleware as ecrm_middleware
    from ecrm.selectors import is_ecrm_user
    from practices.selectors import memberships_for

    class SavingSessionTimeoutMiddleware(session_timeout.SessionTimeoutMiddleware):
        """The last activity written on every request but the warning's poll (the session saved each time)."""

        def __call__(self, request):
            now = timezone.now()
            active = request.user.is_authenticated and not request.path.startswith(session_timeout.PASSIVE_PATHS)
            if active and session_timeout.session_expired_reason(request.session, now) is None:
                session_timeout.activity_record(request.session, now, force=True)
            return super().__call__(request)

    class AskingEcrmOnlyMiddleware(ecrm_middleware.EcrmOnlyMiddleware):
        """The profile (and, with one, the memberships) asked on every portal page."""

        def __call__(self, request):
            user = request.user
            asked = user.is_authenticated and ecrm_middleware.is_portal_page(request.path) and not user.is_staff
            if asked and is_ecrm_user(user) and not memberships_for(user).exists():
                return redirect("ecrm:landing")
            return self.get_response(request)

    return SavingSessionTimeoutMiddleware, AskingEcrmOnlyMiddleware


def __getattr__(name: str):  # the legacy classes, imported by name from settings.MIDDLEWARE once Django is set up
    classes = dict(zip(("SavingSessionTimeoutMiddleware", "AskingEcrmOnlyMiddleware"), _legacy_classes(), strict=True))
    if name in classes:
        return classes[name]
    raise AttributeError(name)


def pages_for(user, rng, *, admin_user=None) -> list[tuple[str, str, str, dict | None]]:
    """(label, who, path, POST data or None)."""
    from django.urls import reverse

    from cases import permissions, worklist

    listed = worklist.submitted_cases(user, grants=permissions.grants_of(user))
    request_ids = list(listed.order_by("pk").values_list("request_id", flat=True)[:2000])
    request_id = rng.choice(request_ids)
    pages = [
        ("resources (no query of its own)", "user", reverse("resources:index"), None),
        ("CareCore home", "user", reverse("cases:carecore_home"), None),
        ("My Worklist, default tab", "user", reverse("cases:worklist"), None),
        ("case page", "user", reverse("cases:case_detail", args=[request_id]), None),
        ("Authorization Lookup (GET)", "user", reverse("cases:authorization_lookup"), None),
    ]
    if admin_user is not None:
        pages.append(("reviewer queue (admin)", "reviewer", reverse("admin:cases_case_changelist"), None))
    return pages


def run(args: argparse.Namespace, workdir: Path) -> None:
    database_url = f"postgres://{POSTGRES['user']}@{POSTGRES['host']}:{POSTGRES['port']}/{args.database}"
    django_configure(database_url, workdir)
    sys.modules.setdefault("overhead", sys.modules[__name__])

    from case_bench.world import signed_in_client
    from django.test import Client, override_settings
    from django.test.utils import CaptureQueriesContext

    from accounts.models import User
    from practices.models import Practice, PracticeMembership

    try:
        practice = Practice.objects.get(tin="700000000")
    except Practice.DoesNotExist as exc:
        raise HarnessError(f"{args.database} is not a kept bench/worklist.py database") from exc
    user = PracticeMembership.objects.filter(practice=practice).order_by("user__username")[0].user
    reviewer = User.objects.filter(username="bench.reviewer00").first() if args.admin else None
    rng = random.Random(20261201)  # noqa: S311 (a repeatable choice of case)
    pages = pages_for(user, rng, admin_user=reviewer)

    clients: dict[str, dict[str, Client]] = {}
    for mode in MODES:
        overrides = {} if mode == "now" else {"MIDDLEWARE": legacy_middleware()}
        with override_settings(**overrides):
            clients[mode] = {"user": signed_in_client(user)}
            if reviewer is not None:
                clients[mode]["reviewer"] = signed_in_client(reviewer)
            for who, client in clients[mode].items():  # the handler loads its middleware on its first request
                client.get(CEILING_PATH)
                for _label, page_who, path, _data in pages:
                    if page_who == who:
                        client.get(path)

    print(f"Database: {database_line()}")
    print(f"· {len(pages)} pages x {len(MODES)} modes x {args.iterations} requests, each after a ceiling request ...")
    times: dict[tuple[str, str], list[float]] = defaultdict(list)
    ceilings: dict[str, list[float]] = defaultdict(list)
    for _ in range(args.iterations):
        for mode in MODES:
            for label, who, path, _data in pages:
                client = clients[mode][who]
                started = time.perf_counter()
                client.get(CEILING_PATH)
                ceilings[mode].append((time.perf_counter() - started) * 1000)
                started = time.perf_counter()
                response = client.get(path)
                times[(mode, label)].append((time.perf_counter() - started) * 1000)
                if response.status_code != 200:
                    raise HarnessError(f"{mode} {label}: {response.status_code} {response.get('Location', '')}")
    from django.db import connection

    queries: dict[tuple[str, str], int] = {}
    for mode in MODES:
        for label, who, path, _data in [("ceiling (GET /health/db/)", "user", CEILING_PATH, None), *pages]:
            with CaptureQueriesContext(connection) as captured:
                clients[mode][who].get(path)
            queries[(mode, label)] = len(captured.captured_queries)

    print(f"\nMachine: {machine_line()}")
    print("Server time = time inside the test client's get (middleware, view, template, SQL), in ms.")
    print("'now': the session saved only when its recorded activity is a minute old, the ECRM answer kept in the")
    print("session; 'before': the session saved on every request, the ECRM profile asked on every portal page.")
    print("Ratios are to the 'now' ceiling's p50/p95 (the same trivial view in the same run).\n")
    base50, base95 = percentile(ceilings["now"], 50), percentile(ceilings["now"], 95)
    header = f"  {'page':<34} {'mode':<7} {'p50':>7} {'p95':>7} {'p50/ceil':>9} {'p95/ceil':>9} {'queries':>8}"
    print(header)
    print("  " + "-" * (len(header) - 2))
    for mode in MODES:
        label = "ceiling (GET /health/db/)"
        p50, p95 = percentile(ceilings[mode], 50), percentile(ceilings[mode], 95)
        print(
            f"  {label:<34} {mode:<7} {p50:7.2f} {p95:7.2f} {p50 / base50:8.2f}x {p95 / base95:8.2f}x "
            f"{queries[(mode, label)]:>8}"
        )
    for label, *_ in pages:
        for mode in MODES:
            samples = times[(mode, label)]
            p50, p95 = percentile(samples, 50), percentile(samples, 95)
            print(
                f"  {label:<34} {mode:<7} {p50:7.2f} {p95:7.2f} {p50 / base50:8.2f}x {p95 / base95:8.2f}x "
                f"{queries[(mode, label)]:>8}"
            )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", required=True, help="a database bench/worklist.py kept (--keep)")
    parser.add_argument("--iterations", type=int, default=100, help="timed requests of each page and mode (100)")
    parser.add_argument("--admin", action="store_true", help="also the reviewer queue in the admin, as a reviewer")
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    return bench_main(
        lambda workdir: run(args, workdir), prefix="portal-bench-overhead-", database=args.database, keep=True
    )


if __name__ == "__main__":
    sys.exit(main())
