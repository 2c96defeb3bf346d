"""Load benchmark of the portal: gunicorn under production settings, driven by wrk on loopback.

    .venv/bin/python bench/run.py [--postgres] [--duration 10] [--connections 16] [--threads 2] [--scale N]

Every page gets the same wrk load, one after another, and is compared with the ceiling (/health/db/:
one indexed query, no template) measured in the same run. See bench/README.md.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import json
import os
import platform
import re
import secrets
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections import Counter
from dataclasses import asdict, dataclass
from pathlib import Path
from statistics import median

# Pages measured, in this order. The first one is the ceiling every page is compared with. Add a page
# here as (label, path), or for one run on the command line with --path LABEL=/path.
PAGES: list[tuple[str, str]] = [
    ("ceiling", "/health/db/"),
    ("home", "/"),
    ("health", "/health/"),
]
# Signed-in pages, measured with the Cookie header given by --cookie (none yet).
SESSION_PAGES: list[tuple[str, str]] = []

TARGET_LABEL = "home"
TARGET_RATIO = 0.60

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = ROOT / ".venv" / "bin"
WRK = Path("/usr/bin/wrk")
WRK_REPORT_SCRIPT = Path(__file__).resolve().with_name("wrk_report.lua")

POSTGRES = {"host": "127.0.0.1", "port": 5432, "user": "postgres"}
POSTGRES_BENCH_DB = "portal_bench"
REDIS_HOST, REDIS_PORT = "127.0.0.1", 6379
REDIS_BROKER_URL = f"redis://{REDIS_HOST}:{REDIS_PORT}/14"
FILESYSTEM_BROKER_URL = "filesystem://"

HEALTH_URL_PATH = "/health/db/"
HEALTH_TIMEOUT_S = 30
EXIT_HARNESS_ERROR = 1
EXIT_NO_WRK = 2
# seed_demo prints one line per step: "  reference data: 98186 added (4.3 s)".
SEED_STEP_LINE = re.compile(r"^\s+(?P<step>[\w ]+): \d+ added \((?P<seconds>[\d.]+) s\)$", re.MULTILINE)


class HarnessError(Exception):
    """The benchmark itself could not run (as opposed to a page being slow)."""


@dataclass
class Page:
    label: str
    path: str
    with_session: bool = False


@dataclass
class PageResult:
    label: str
    path: str
    requests_per_s: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    requests: int
    errors: int
    error_detail: dict[str, int]
    first_non2xx_status: int | None
    ratio_to_ceiling: float = 0.0


@dataclass
class SetupTiming:
    database: str
    migrate_s: float
    seed_demo_s: float | None
    seed_steps_s: dict[str, float]
    settle_s: float | None = None


# --- Command line ----------------------------------------------------------------------------------------


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--postgres", action="store_true", help="serve from PostgreSQL and Redis, not SQLite")
    parser.add_argument("--duration", type=int, default=10, help="seconds of measured load per page (10)")
    parser.add_argument("--warmup", type=int, default=2, help="seconds of unmeasured load per page first (2)")
    parser.add_argument("--rounds", type=int, default=1, help="measure every page N times, report medians (1)")
    parser.add_argument("--connections", type=int, default=16, help="wrk -c (16)")
    parser.add_argument("--threads", type=int, default=2, help="wrk -t (2)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers (2)")
    parser.add_argument("--scale", type=int, help="passed on as seed_demo --scale N")
    parser.add_argument("--no-seed", action="store_true", help="skip seed_demo (empty reference tables)")
    parser.add_argument("--path", action="append", default=[], metavar="LABEL=/path", help="one more page")
    parser.add_argument(
        "--session-path",
        action="append",
        default=[],
        metavar="LABEL=/path",
        help="one more page, requested with the --cookie header",
    )
    parser.add_argument("--cookie", help='Cookie header for session pages, e.g. "sessionid=abc"')
    parser.add_argument("--json", type=Path, metavar="FILE", help="also write every figure to FILE")
    parser.add_argument("--keep", action="store_true", help="keep the temp dir (database, logs) afterwards")
    args = parser.parse_args(argv)
    if args.duration < 1 or args.warmup < 0 or args.rounds < 1:
        parser.error("need --duration >= 1, --warmup >= 0, --rounds >= 1")
    if not 1 <= args.threads <= args.connections:
        parser.error("need 1 <= --threads <= --connections")
    return args


def pages_to_measure(args: argparse.Namespace) -> list[Page]:
    pages = [Page(label, path) for label, path in PAGES]
    pages += [Page(*parse_page_flag(value)) for value in args.path]
    pages += [Page(label, path, with_session=True) for label, path in SESSION_PAGES]
    pages += [Page(*parse_page_flag(value), with_session=True) for value in args.session_path]
    labels = [page.label for page in pages]
    if len(set(labels)) != len(labels):
        raise HarnessError(f"page labels must be unique: {labels}")
    if TARGET_LABEL not in labels:
        raise HarnessError(f"the target page {TARGET_LABEL!r} is not among {labels}")
    if any(page.with_session for page in pages) and not args.cookie:
        raise HarnessError("session pages need --cookie 'sessionid=...'")
    return pages


def parse_page_flag(value: str) -> tuple[str, str]:
    label, sep, path = value.partition("=")
    if not sep or not label or not path.startswith("/"):
        raise HarnessError(f"expected LABEL=/path, got {value!r}")
    return label, path


# --- Tools and servers -----------------------------------------------------------------------------------


def ensure_wrk() -> None:
    if WRK.exists():
        return
    if os.geteuid() != 0:
        print(f"{WRK} is missing and only root may install it: sudo apt-get install -y wrk", file=sys.stderr)
        sys.exit(EXIT_NO_WRK)
    print("· installing wrk with apt-get ...", flush=True)
    apt_env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for command in (["apt-get", "update"], ["apt-get", "install", "-y", "wrk"]):
        result = subprocess.run(command, env=apt_env, capture_output=True, text=True, timeout=600)
        if result.returncode != 0:
            raise HarnessError(f"{' '.join(command)} failed:\n{tail(result.stderr)}")
    if not WRK.exists():
        raise HarnessError(f"apt-get installed wrk but {WRK} is still missing")


def postgres_status() -> tuple[bool, str]:
    """(reachable, the server's version or why it is not reachable)."""
    try:
        import psycopg
    except ImportError:
        return False, "psycopg is not installed"
    try:
        with psycopg.connect(**POSTGRES, dbname="postgres", connect_timeout=3) as conn:
            version = conn.execute("SHOW server_version").fetchone()[0]
    except psycopg.Error as exc:
        return False, f"{type(exc).__name__}: {str(exc).strip().splitlines()[0]}"
    return True, version


def recreate_postgres_database() -> str:
    """A fresh, empty portal_bench; its DATABASE_URL."""
    import psycopg

    # DROP/CREATE DATABASE cannot run in a transaction; FORCE ends sessions a killed run left behind.
    with psycopg.connect(**POSTGRES, dbname="postgres", autocommit=True, connect_timeout=3) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {POSTGRES_BENCH_DB} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {POSTGRES_BENCH_DB}")
    return f"postgres://{POSTGRES['user']}@{POSTGRES['host']}:{POSTGRES['port']}/{POSTGRES_BENCH_DB}"


def settle_postgres() -> float:
    """VACUUM ANALYZE and CHECKPOINT the fresh bench database; the seconds it took.

    A bulk load sets off autovacuum and a checkpoint a little later, which would then compete with the
    load test for the same 2 cores (seen: the first page measured at half the speed of the same page
    measured last). Production tables are vacuumed and analyzed, so this is also the state to measure."""
    import psycopg

    started = time.perf_counter()
    with psycopg.connect(**POSTGRES, dbname=POSTGRES_BENCH_DB, autocommit=True, connect_timeout=3) as conn:
        conn.execute("VACUUM (ANALYZE)")
        conn.execute("CHECKPOINT")
    return time.perf_counter() - started


def redis_reachable() -> bool:
    try:
        with socket.create_connection((REDIS_HOST, REDIS_PORT), timeout=2) as conn:
            conn.sendall(b"PING\r\n")
            return conn.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# --- Environment, databases and manage.py ------------------------------------------------------------------


def production_env(workdir: Path, database_url: str, broker_url: str) -> dict[str, str]:
    """What gunicorn sees: production settings and nothing inherited that could change them."""
    env = {key: os.environ[key] for key in ("PATH", "HOME", "LANG", "LC_ALL", "TZ") if key in os.environ}
    broker_dir = workdir / "celery"
    for folder in ("queue", "processed", "control"):
        (broker_dir / folder).mkdir(parents=True, exist_ok=True)
    env.update(
        DJANGO_SETTINGS_MODULE="portal.settings",
        DJANGO_ENV="production",
        SECRET_KEY=secrets.token_urlsafe(48),  # 64 characters
        ALLOWED_HOSTS="127.0.0.1",
        DATABASE_URL=database_url,
        SECURE_SSL_REDIRECT="false",  # wrk speaks plain HTTP, as the app does behind a TLS proxy
        STATIC_ROOT=str(workdir / "static"),
        PORTAL_VAR_DIR=str(workdir / "var"),
        CELERY_BROKER_URL=broker_url,
        CELERY_BROKER_DIR=str(broker_dir),
        LOG_LEVEL="WARNING",
        DB_CONN_MAX_AGE="600",  # persistent connections, as in production
    )
    return env


def setup_env(workdir: Path, database_url: str) -> dict[str, str]:
    """For migrate and seed_demo: seed_demo creates the demo logins only outside production, and signed-in
    pages will need them. DEBUG stays off so that Django does not keep a log of every query."""
    return {**production_env(workdir, database_url, FILESYSTEM_BROKER_URL), "DJANGO_ENV": "dev", "DEBUG": "false"}


def python_bin() -> str:
    venv_python = VENV_BIN / "python"
    return str(venv_python) if venv_python.exists() else sys.executable


def timed_manage(command: list[str], env: dict[str, str], log: Path) -> float:
    """Run `manage.py COMMAND` with its output in LOG; the seconds it took."""
    started = time.perf_counter()
    with log.open("w") as out:
        result = subprocess.run(
            [python_bin(), "manage.py", *command],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            timeout=1800,
        )
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        output = log.read_text()
        hint = " (not written yet? --no-seed skips it)" if "Unknown command" in output else ""
        raise HarnessError(f"manage.py {' '.join(command)} failed{hint}:\n{tail(output)}")
    return elapsed


def prepare_database(name: str, database_url: str, workdir: Path, args: argparse.Namespace) -> SetupTiming:
    """Migrate and seed one fresh database, timing each step."""
    env = setup_env(workdir, database_url)
    print(f"· {name}: migrate ...", flush=True)
    migrate_s = timed_manage(["migrate", "--noinput"], env, workdir / f"migrate-{name}.log")
    if args.no_seed:
        return SetupTiming(name, round(migrate_s, 3), None, {})
    seed_command = ["seed_demo"] + (["--scale", str(args.scale)] if args.scale else [])
    print(f"· {name}: {' '.join(seed_command)} ...", flush=True)
    seed_log = workdir / f"seed-{name}.log"
    seed_s = timed_manage(seed_command, env, seed_log)
    steps = {m["step"]: float(m["seconds"]) for m in SEED_STEP_LINE.finditer(seed_log.read_text())}
    return SetupTiming(name, round(migrate_s, 3), round(seed_s, 3), steps)


def prepare_databases(workdir: Path, args: argparse.Namespace) -> tuple[str, str, list[SetupTiming]]:
    """Migrate and seed SQLite, and PostgreSQL too when it is reachable, so that both timings appear in
    every run; the chosen database's URL and description, and the timings."""
    postgres_up, postgres_version = postgres_status()
    if args.postgres and not postgres_up:
        raise HarnessError(
            f"--postgres: PostgreSQL on {POSTGRES['host']}:{POSTGRES['port']} is not reachable ({postgres_version})"
        )
    sqlite_url = f"sqlite:///{workdir / 'bench.sqlite3'}"
    timings = [prepare_database("sqlite", sqlite_url, workdir, args)]
    postgres_url = None
    if postgres_up:
        postgres_url = recreate_postgres_database()
        timing = prepare_database("postgresql", postgres_url, workdir, args)
        print("· postgresql: VACUUM ANALYZE, CHECKPOINT ...", flush=True)
        timing.settle_s = round(settle_postgres(), 3)
        timings.append(timing)
    else:
        print(f"· PostgreSQL is not reachable ({postgres_version}): SQLite timings only", flush=True)
    if args.postgres:
        return postgres_url, f"PostgreSQL {postgres_version}", timings
    return sqlite_url, f"SQLite {sqlite3.sqlite_version}", timings


def tail(text: str, lines: int = 30) -> str:
    return "\n".join(text.rstrip().splitlines()[-lines:])


# --- gunicorn ----------------------------------------------------------------------------------------------


def start_gunicorn(env: dict[str, str], workdir: Path, port: int, workers: int) -> subprocess.Popen:
    command = [str(VENV_BIN / "gunicorn"), "portal.wsgi:application"]
    command += ["--workers", str(workers), "--bind", f"127.0.0.1:{port}"]
    command += ["--pid", str(workdir / "gunicorn.pid"), "--log-level", "warning"]
    with (workdir / "gunicorn.log").open("w") as log:
        # Its own session, so that Ctrl-C reaches only this script, whose finally stops gunicorn.
        return subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )


def wait_until_healthy(server: subprocess.Popen, base_url: str, workdir: Path) -> float:
    """Seconds until GET /health/db/ answered 200."""
    started = time.perf_counter()
    while time.perf_counter() - started < HEALTH_TIMEOUT_S:
        if server.poll() is not None:
            raise HarnessError(f"gunicorn exited with {server.returncode}:\n{gunicorn_log_tail(workdir)}")
        if http_status(base_url + HEALTH_URL_PATH) == 200:
            return time.perf_counter() - started
        time.sleep(0.2)
    raise HarnessError(f"{HEALTH_URL_PATH} did not answer 200 in {HEALTH_TIMEOUT_S} s:\n{gunicorn_log_tail(workdir)}")


def http_status(url: str) -> int | None:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code
    except OSError:  # refused while gunicorn boots; URLError is an OSError
        return None


def stop_gunicorn(server: subprocess.Popen) -> None:
    if server.poll() is not None:
        return
    server.terminate()  # graceful: the master stops its workers
    try:
        server.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)  # its own process group: this master and its workers
        server.wait(timeout=5)


def gunicorn_log_tail(workdir: Path) -> str:
    log = workdir / "gunicorn.log"
    return tail(log.read_text()) if log.exists() else "(no log)"


def gunicorn_log_summary(workdir: Path, limit: int = 10) -> str:
    """The most frequent log lines without their timestamps: thousands of failed requests log alike."""
    log = workdir / "gunicorn.log"
    lines = log.read_text().splitlines() if log.exists() else []
    counts = Counter(line.split(" ", 2)[-1] for line in lines)
    return "\n".join(f"  {count:>7} x {line}" for line, count in counts.most_common(limit)) or "  (empty)"


# --- wrk ---------------------------------------------------------------------------------------------------


def wrk_command(url: str, seconds: int, args: argparse.Namespace, cookie: str | None, report: bool) -> list[str]:
    command = [str(WRK), f"-t{args.threads}", f"-c{args.connections}", f"-d{seconds}s", "--timeout", "5s"]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    if report:
        command += ["-s", str(WRK_REPORT_SCRIPT)]
    return [*command, url]


def run_wrk(command: list[str], seconds: int) -> str:
    result = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 30)
    if result.returncode != 0:
        raise HarnessError(f"{' '.join(command)} failed ({result.returncode}):\n{result.stderr or result.stdout}")
    return result.stdout


def measure_page(page: Page, base_url: str, args: argparse.Namespace, warm_up: bool) -> PageResult:
    url = base_url + page.path
    cookie = args.cookie if page.with_session else None
    if warm_up and args.warmup:
        # Unmeasured: the workers import views and fill template and connection caches first.
        run_wrk(wrk_command(url, args.warmup, args, cookie, report=False), args.warmup)
    output = run_wrk(wrk_command(url, args.duration, args, cookie, report=True), args.duration)
    figures = parse_report(output)
    latency, errors = figures["latency_us"], figures["errors"]
    return PageResult(
        label=page.label,
        path=page.path,
        requests_per_s=round(figures["requests_per_s"], 1),
        p50_ms=round(latency["p50"] / 1000, 2),
        p95_ms=round(latency["p95"] / 1000, 2),
        p99_ms=round(latency["p99"] / 1000, 2),
        requests=figures["requests"],
        errors=sum(errors.values()),
        error_detail=errors,
        first_non2xx_status=figures["first_non2xx_status"] or None,
    )


def parse_report(wrk_output: str) -> dict:
    """The JSON line that wrk_report.lua's done() printed."""
    for line in wrk_output.splitlines():
        if line.startswith("BENCH_JSON "):
            return json.loads(line.removeprefix("BENCH_JSON "))
    raise HarnessError(f"wrk printed no BENCH_JSON line:\n{wrk_output}")


def measure_rounds(pages: list[Page], base_url: str, args: argparse.Namespace) -> list[list[PageResult]]:
    """Every page once per round; each round's ratios use that round's ceiling (the closest in time)."""
    rounds = []
    for number in range(1, args.rounds + 1):
        results = []
        for page in pages:
            prefix = f"round {number}/{args.rounds}: " if args.rounds > 1 else ""
            print(f"· {prefix}wrk {page.label} {page.path} ...", flush=True)
            results.append(measure_page(page, base_url, args, warm_up=number == 1))
        ceiling_rps = results[0].requests_per_s
        for result in results:
            result.ratio_to_ceiling = round(result.requests_per_s / ceiling_rps, 4) if ceiling_rps else 0.0
        rounds.append(results)
    return rounds


def median_of_rounds(rounds: list[list[PageResult]]) -> list[PageResult]:
    """Per page: the median of every figure, and all the errors of all rounds."""
    if len(rounds) == 1:
        return rounds[0]
    combined = []
    for samples in zip(*rounds, strict=True):
        combined.append(
            PageResult(
                label=samples[0].label,
                path=samples[0].path,
                requests_per_s=round(median(s.requests_per_s for s in samples), 1),
                p50_ms=round(median(s.p50_ms for s in samples), 2),
                p95_ms=round(median(s.p95_ms for s in samples), 2),
                p99_ms=round(median(s.p99_ms for s in samples), 2),
                requests=sum(s.requests for s in samples),
                errors=sum(s.errors for s in samples),
                error_detail={kind: sum(s.error_detail[kind] for s in samples) for kind in samples[0].error_detail},
                first_non2xx_status=next((s.first_non2xx_status for s in samples if s.first_non2xx_status), None),
                ratio_to_ceiling=round(median(s.ratio_to_ceiling for s in samples), 4),
            )
        )
    return combined


# --- Report ------------------------------------------------------------------------------------------------


def machine_context(args: argparse.Namespace, database: str, broker_url: str) -> dict:
    return {
        "nproc": len(os.sched_getaffinity(0)),
        "cpu": cpu_model(),
        "load_average_before_load": [round(value, 2) for value in os.getloadavg()],
        "python": platform.python_version(),
        "django": package_version("django"),
        "gunicorn": f"{package_version('gunicorn')}, {args.workers} sync workers",
        "database": database,
        "broker": broker_url,
        "wrk": f"{wrk_version()}: -t{args.threads} -c{args.connections} -d{args.duration}s, "
        f"warm-up {args.warmup}s per page, {args.rounds} round(s), 127.0.0.1",
    }


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def package_version(name: str) -> str:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return "unknown (run with .venv/bin/python)"


def wrk_version() -> str:
    result = subprocess.run([str(WRK), "-v"], capture_output=True, text=True, timeout=10)
    words = (result.stdout or result.stderr).split()
    return " ".join(words[:2]) if words else "wrk"


def print_context(context: dict) -> None:
    print("\nMachine and run")
    for key, value in context.items():
        print(f"  {key:<26} {value}")


def print_setup_timings(timings: list[SetupTiming], collectstatic_s: float, boot_s: float) -> None:
    print("\nSetup on a fresh database (seconds)")
    print(f"  {'database':<12} {'migrate':>8} {'seed_demo':>10} {'total':>7}")
    for timing in timings:
        seed = "skipped" if timing.seed_demo_s is None else f"{timing.seed_demo_s:.2f}"
        total = timing.migrate_s + (timing.seed_demo_s or 0)
        print(f"  {timing.database:<12} {timing.migrate_s:>8.2f} {seed:>10} {total:>7.2f}")
    for timing in timings:
        if timing.seed_steps_s:
            steps = ", ".join(f"{step} {seconds:.1f}" for step, seconds in timing.seed_steps_s.items())
            print(f"  seed_demo steps on {timing.database}: {steps}")
        if timing.settle_s is not None:
            print(f"  then on {timing.database}: VACUUM ANALYZE + CHECKPOINT {timing.settle_s:.2f} (not in total)")
    print(f"  collectstatic {collectstatic_s:.2f}; gunicorn answered {HEALTH_URL_PATH} after {boot_s:.2f}")


def print_table(results: list[PageResult]) -> None:
    label_width = max(len("page"), *(len(r.label) for r in results))
    path_width = max(len("path"), *(len(r.path) for r in results))
    header = (
        f"{'page':<{label_width}}  {'path':<{path_width}}  {'req/s':>9} {'p50 ms':>8} {'p95 ms':>8} "
        f"{'p99 ms':>8} {'errors':>7} {'ratio':>6}"
    )
    print("\n" + header)
    print("-" * len(header))
    for r in results:
        print(
            f"{r.label:<{label_width}}  {r.path:<{path_width}}  {r.requests_per_s:>9.1f} {r.p50_ms:>8.2f} "
            f"{r.p95_ms:>8.2f} {r.p99_ms:>8.2f} {r.errors:>7} {r.ratio_to_ceiling:>6.2f}{'  !' if r.errors else ''}"
        )
    for r in results:
        if r.errors:
            detail = ", ".join(f"{kind} {count}" for kind, count in r.error_detail.items() if count)
            if r.first_non2xx_status:
                detail += f"; first non-2xx status {r.first_non2xx_status}"
            print(
                f"ERRORS: {r.label} ({r.path}): {r.errors} of {r.requests} requests failed ({detail}); "
                "its figures do not describe a working page."
            )


def target_verdict(results: list[PageResult]) -> dict:
    target = next(r for r in results if r.label == TARGET_LABEL)
    ceiling = results[0]
    had_errors = bool(target.errors or ceiling.errors)
    passed = target.ratio_to_ceiling >= TARGET_RATIO and not had_errors
    line = (
        f"{TARGET_LABEL} page: {target.ratio_to_ceiling:.0%} of ceiling (target >= {TARGET_RATIO:.0%}): "
        f"{'PASS' if passed else 'FAIL'}"
    )
    if had_errors:
        line += f" (errors on {TARGET_LABEL} or {ceiling.label}: the ratio is not valid)"
    return {
        "page": TARGET_LABEL,
        "ratio": target.ratio_to_ceiling,
        "target": TARGET_RATIO,
        "passed": passed,
        "line": line,
    }


# --- Main --------------------------------------------------------------------------------------------------


def run(args: argparse.Namespace, workdir: Path) -> dict:
    pages = pages_to_measure(args)
    ensure_wrk()
    broker_url = FILESYSTEM_BROKER_URL
    if args.postgres:
        if not redis_reachable():
            raise HarnessError(f"--postgres: Redis on {REDIS_HOST}:{REDIS_PORT} is not reachable")
        broker_url = REDIS_BROKER_URL
    database_url, database, timings = prepare_databases(workdir, args)
    env = production_env(workdir, database_url, broker_url)
    print("· collectstatic ...", flush=True)
    collectstatic_s = timed_manage(["collectstatic", "--noinput"], env, workdir / "collectstatic.log")

    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    server = start_gunicorn(env, workdir, port, args.workers)
    try:
        boot_s = wait_until_healthy(server, base_url, workdir)
        context = machine_context(args, database, broker_url)
        rounds = measure_rounds(pages, base_url, args)
    finally:
        stop_gunicorn(server)

    results = median_of_rounds(rounds)
    if any(r.errors for r in results):
        print(f"\ngunicorn log, most frequent lines:\n{gunicorn_log_summary(workdir)}")
    print_context(context)
    print_setup_timings(timings, collectstatic_s, boot_s)
    print_table(results)
    verdict = target_verdict(results)
    print("\n" + verdict["line"])
    return {
        "context": context,
        "setup": {
            "timings": [asdict(t) for t in timings],
            "collectstatic_s": round(collectstatic_s, 3),
            "boot_s": round(boot_s, 3),
        },
        "pages": [asdict(r) for r in results],
        "rounds": [[asdict(r) for r in round_results] for round_results in rounds] if len(rounds) > 1 else [],
        "target": verdict,
    }


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    # `kill` cleans up like Ctrl-C: SystemExit runs the finally blocks that stop gunicorn.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    workdir = Path(tempfile.mkdtemp(prefix="portal-bench-"))
    try:
        report = run(args, workdir)
        if args.json:
            args.json.write_text(json.dumps(report, indent=2) + "\n")
            print(f"Figures written to {args.json}")
        return 0
    except HarnessError as exc:
        print(f"\nBENCHMARK ERROR: {exc}", file=sys.stderr)
        return EXIT_HARNESS_ERROR
    except KeyboardInterrupt:
        print("\nInterrupted; gunicorn stopped.", file=sys.stderr)
        return 130
    finally:
        if args.keep:
            print(f"Kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
