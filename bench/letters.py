"""Benchmark of the correspondence (issue 12): what a letter costs to render, and notices through a real broker.

    .venv/bin/python bench/letters.py [--postgres | --sqlite] [--runs 30] [--notices 1000]
                                      [--brokers redis,filesystem] [--redis-url URL] [--concurrency 1] [--keep]

Everything is set up in this process on a fresh database (a SQLite file in a temp dir by default, or PostgreSQL
``portal_bench_letters``): the catalog, then one letter of each kind made the way the portal makes them (the
reviewer's services: a hold, decisions approving, denying, partly approving and offering an alternative, an appeal
and its decision), each through the transactional outbox. Then

1. **Render cost.** Each kind's letter is rendered ``--runs`` times the way the worker renders it (the context read
   from the database, the template, WeasyPrint through the portal's locked-down URL fetcher with the letters'
   stylesheets and the thread's FontConfiguration), each run right after WeasyPrint renders a fixed one-page document
   with one table (the reference) twice: with the same FontConfiguration as the letters (like with like: the
   target's reference) and with WeasyPrint's default, a fresh one per PDF. Both see the same noise. Printed: p50/p95
   of each, the letter's pages, where its time goes (context, HTML, PDF), and the ratio letter / reference at p50
   and p95. Target (the issue): a letter costs at most 1.5 x the reference.
2. **Notices end to end.** For each broker, ``--notices`` letters with one email notice each are written (in bulk,
   already rendered: the render is part 1's figure), one real worker process is started on a queue of its own, and
   each letter's task is queued the way the decision's commit queues it (``services.letter_dispatch``). Timed from
   the first dispatch until every notice's delivery row is sent; the emails the worker wrote (the file backend) are
   then counted per address: lost = notices never sent, duplicated = emails beyond one per notice (or a delivery
   attempted twice). Target: under 30 s on Redis with 0 lost and 0 duplicated; the filesystem broker is reported.

It is a script that prints its figures, not a test: nothing fails, the target lines say OK or OVER. See
bench/README.md.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from case_bench.database import django_configure, drop_postgres_database, recreate_postgres_database
from case_bench.figures import database_line, machine_line, percentile
from case_bench.settings import ROOT, HarnessError

POSTGRES_BENCH_DB = "portal_bench_letters"
REDIS_URL = "redis://127.0.0.1:6379/13"
REDIS_OPTIONS = {"visibility_timeout": 6 * 60 * 60}  # portal/settings.py's, for a Redis CELERY_BROKER_URL
RENDER_TARGET_RATIO = 1.5
NOTICES_TARGET_S = 30.0
WARMUP_RUNS = 3
WORKER_READY_TIMEOUT_S = 60
# A run of notices ends when all are sent, or when none was sent for this long (the rest are counted as lost).
STALL_S = 30.0
EXIT_HARNESS_ERROR = 1
TASK_TIME = re.compile(r"letter_deliver\[[0-9a-f-]+\] succeeded in ([0-9.]+)s", re.M)

# The reference: a one-page document with one table, as WeasyPrint renders any page (its default fetcher). Rendered
# with the letters' FontConfiguration (the target's reference: the letters get no advantage the reference lacks) and
# with WeasyPrint's default, a fresh FontConfiguration per PDF (how it was measured before, for comparison).
REFERENCE_ROWS = "".join(
    f"<tr><td>{n}</td><td>E0{260 + n}</td><td>Item {n} of the request</td><td>{n} units</td><td>Approved</td></tr>"
    for n in range(1, 13)
)
REFERENCE_HTML = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Reference</title>
<style>
  @page {{ size: letter; margin: 2cm; }}
  body {{ font-family: sans-serif; font-size: 10pt; }}
  table {{ border-collapse: collapse; width: 100%; }}
  th, td {{ border: 1px solid #999; padding: 4pt; text-align: left; }}
</style></head>
<body><h1>Reference document</h1><p>A one-page document with one table.</p>
<table><thead><tr><th>Line</th><th>Code</th><th>Description</th><th>Units</th><th>Outcome</th></tr></thead>
<tbody>{REFERENCE_ROWS}</tbody></table></body></html>"""


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--postgres", dest="database", action="store_const", const="postgresql")
    where.add_argument("--sqlite", dest="database", action="store_const", const="sqlite")
    parser.set_defaults(database="sqlite")
    parser.add_argument("--runs", type=int, default=30, help="timed renders of each letter kind (and the reference)")
    parser.add_argument("--notices", type=int, default=1000, help="notices sent through each broker")
    parser.add_argument("--brokers", default="redis,filesystem", help="comma-separated: redis, filesystem")
    parser.add_argument("--redis-url", default=REDIS_URL)
    parser.add_argument("--concurrency", type=int, default=1, help="1: a solo worker; more: a prefork pool of N")
    parser.add_argument("--keep", action="store_true", help="keep the database and the temp dir")
    args = parser.parse_args(argv)
    args.brokers = [name.strip() for name in args.brokers.split(",") if name.strip()]
    unknown = set(args.brokers) - {"redis", "filesystem"}
    if unknown:
        parser.error(f"unknown broker(s): {', '.join(sorted(unknown))}")
    return args


# --- The letters, made through the portal's services --------------------------------------------------------


def letters_of_each_kind() -> dict:
    """One letter of each kind, each written by its case event (the outbox), not yet rendered."""
    from cases.tests.post_decision_world import make_reviewer
    from correspondence.tests.conftest import one_letter_of_each_kind

    return one_letter_of_each_kind(make_reviewer())


# --- 1. Render cost ------------------------------------------------------------------------------------------


@dataclass
class RenderFigures:
    label: str
    pages: int
    total: list[float]
    context: list[float]
    html: list[float]
    pdf: list[float]


def render_letter_timed(letter) -> tuple[float, float, float, bytes]:
    """The worker's render (``letters.letter_render`` without its one UPDATE), in its three parts, in ms."""
    from django.template.loader import render_to_string

    from correspondence import letters

    started = time.perf_counter()
    context = letters.letter_context(letter)
    contexted = time.perf_counter()
    html = render_to_string(letters.template_for(letter.kind), context)  # letters.letter_html, in two parts
    htmled = time.perf_counter()
    document = letters.letter_pdf_from_html(html)
    done = time.perf_counter()
    return (contexted - started) * 1000, (htmled - contexted) * 1000, (done - htmled) * 1000, document


def render_reference_timed(*, shared_fonts: bool) -> float:
    from weasyprint import HTML

    from correspondence import pdf

    started = time.perf_counter()
    HTML(string=REFERENCE_HTML).write_pdf(font_config=pdf.font_config() if shared_fonts else None)
    return (time.perf_counter() - started) * 1000


def pages_of(document: bytes) -> int:
    import io

    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(document)).pages)


@dataclass
class References:
    shared_fonts: list[float]  # the target's
    default: list[float]


def render_costs(by_kind: dict, runs: int) -> tuple[References, list[RenderFigures]]:
    """Each letter's renders, each right after the reference's two renders; warm-up runs first, untimed."""
    reference = References([], [])
    figures = {kind: RenderFigures(letter.get_kind_display(), 0, [], [], [], []) for kind, letter in by_kind.items()}
    for run in range(WARMUP_RUNS + runs):
        for kind, letter in by_kind.items():
            default_ms = render_reference_timed(shared_fonts=False)
            shared_ms = render_reference_timed(shared_fonts=True)
            context_ms, html_ms, pdf_ms, document = render_letter_timed(letter)
            if run < WARMUP_RUNS:
                figures[kind].pages = pages_of(document)
                continue
            reference.shared_fonts.append(shared_ms)
            reference.default.append(default_ms)
            row = figures[kind]
            row.total.append(context_ms + html_ms + pdf_ms)
            row.context.append(context_ms)
            row.html.append(html_ms)
            row.pdf.append(pdf_ms)
    return reference, list(figures.values())


def print_render_costs(reference: References, rows: list[RenderFigures]) -> bool:
    ref50, ref95 = percentile(reference.shared_fonts, 50), percentile(reference.shared_fonts, 95)
    default50 = percentile(reference.default, 50)
    print("\n1. Render cost: each letter vs the reference (WeasyPrint, a one-page document with one table), ms")
    print("   ref: the reference with the letters' FontConfiguration (the target's); default ref: a fresh one per PDF")
    header = (
        f"  {'document':<28} {'pages':>5} {'n':>4} {'p50':>8} {'p95':>8} {'ctx p50':>8} {'html p50':>9} "
        f"{'pdf p50':>8} {'p50/ref':>8} {'p95/ref':>8} {'p50/ref/page':>12} {'p50/default ref':>15}"
    )
    print(header)
    print("  " + "-" * (len(header) - 2))
    n = len(reference.shared_fonts)
    print(f"  {'reference (one table)':<28} {1:>5} {n:>4} {ref50:>8.1f} {ref95:>8.1f}")
    print(
        f"  {'default ref (fresh fonts)':<28} {1:>5} {n:>4} {default50:>8.1f} {percentile(reference.default, 95):>8.1f}"
    )
    worst = max(rows, key=lambda row: percentile(row.total, 50) / ref50)
    for row in rows:
        p50, p95 = percentile(row.total, 50), percentile(row.total, 95)
        print(
            f"  {row.label:<28} {row.pages:>5} {len(row.total):>4} {p50:>8.1f} {p95:>8.1f} "
            f"{percentile(row.context, 50):>8.1f} {percentile(row.html, 50):>9.1f} {percentile(row.pdf, 50):>8.1f} "
            f"{p50 / ref50:>7.2f}x {p95 / ref95:>7.2f}x {p50 / ref50 / max(row.pages, 1):>11.2f}x "
            f"{p50 / default50:>14.2f}x"
        )
    ratio = percentile(worst.total, 50) / ref50
    ok = ratio <= RENDER_TARGET_RATIO
    print(
        f"  costliest letter: {worst.label}, p50 {ratio:.2f} x the reference (target <= {RENDER_TARGET_RATIO}): "
        f"{'OK' if ok else 'OVER'}"
    )
    return ok


# --- 2. Notices end to end ------------------------------------------------------------------------------------


@dataclass
class NoticeFigures:
    broker: str
    notices: int
    not_queued: int
    dispatch_s: float
    end_to_end_s: float
    sent: int
    lost: int
    duplicated: int
    worker_start_s: float
    task_ms: list[float]


def use_broker(url: str, transport_options: dict) -> None:
    """Point this process's Celery app (what the web process sends with) at ``url``. The pool it leaves stays open
    in kombu's registry of pools (keyed by URL and options), to be found again when that broker is used again."""
    from portal.celery import app

    os.environ["CELERY_BROKER_URL"] = url  # Celery reads the environment's before its configuration's
    app.conf.broker_url = url
    app.conf.broker_transport_options = transport_options
    app._pool = None
    app.amqp._producer_pool = None  # as Celery's own _after_fork resets it


def redis_reachable(url: str) -> str | None:
    """None when Redis at ``url`` answers, else why not."""
    import redis

    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=2)
        client.ping()
        client.close()
    except redis.RedisError as exc:
        return str(exc)
    return None


def notice_letters(count: int, template, tag: str) -> list[int]:
    """``count`` letters like ``template`` (already rendered), each with one pending email notice to an address
    of its own, written in bulk: one event, one letter, one delivery each."""
    from django.db import transaction
    from django.utils import timezone

    from cases.models import CaseEvent
    from correspondence.models import Delivery, Letter

    now = timezone.now()
    with transaction.atomic():
        events = CaseEvent.objects.bulk_create(
            CaseEvent(
                case_id=template.case_id, kind=template.event.kind, created_at=now, payload=template.event.payload
            )
            for _ in range(count)
        )
        letters = Letter.objects.bulk_create(
            Letter(
                case_id=template.case_id,
                kind=template.kind,
                event=event,
                created_at=now,
                pdf=template.pdf,
                sha256=template.sha256,
                rendered_at=now,
            )
            for event in events
        )
        Delivery.objects.bulk_create(
            Delivery(
                letter=letter,
                channel=Delivery.Channel.EMAIL,
                recipient=Delivery.Recipient.CONTACT,
                destination=f"notice-{tag}-{letter.pk}@bench.example",
                created_at=now,
            )
            for letter in letters
        )
    return [letter.pk for letter in letters]


class Worker:
    """One real Celery worker process on ``queue``, with the environment of this process plus ``env``."""

    def __init__(self, queue: str, env: dict, log_path: Path, concurrency: int):
        pool = ["--pool=solo"] if concurrency == 1 else ["--pool=prefork", f"--concurrency={concurrency}"]
        command = [
            sys.executable,
            *("-m", "celery", "-A", "portal", "worker", *pool, "--loglevel=INFO"),
            *(f"--queues={queue}", f"--hostname={queue}@%h"),
            *("--without-heartbeat", "--without-mingle", "--without-gossip"),
        ]
        self.log_path = log_path
        with open(log_path, "w") as log:
            self.process = subprocess.Popen(
                command, cwd=ROOT, env={**os.environ, **env}, stdout=log, stderr=subprocess.STDOUT
            )

    def wait_ready(self) -> float:
        started = time.perf_counter()
        while "ready." not in self.log_path.read_text(errors="replace"):
            if self.process.poll() is not None or time.perf_counter() - started > WORKER_READY_TIMEOUT_S:
                tail = self.log_path.read_text(errors="replace")[-3000:]
                raise HarnessError(f"the worker did not start (exit {self.process.poll()}):\n{tail}")
            time.sleep(0.05)
        return time.perf_counter() - started

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def emails_by_address(mail_dir: Path) -> Counter:
    """Emails the file backend wrote (it appends several messages to a file), counted by their To address."""
    found = Counter()
    for path in mail_dir.glob("*.log") if mail_dir.exists() else []:
        found.update(re.findall(r"^To: (\S+)$", path.read_text(errors="replace"), re.M))
    return found


def queue_delete(queue: str) -> None:
    from portal.celery import app

    with app.connection_for_write() as connection:
        connection.default_channel.queue_delete(queue)


def notices_through(broker: str, url: str, args, template, workdir: Path, workers: list) -> NoticeFigures:
    from django.conf import settings
    from django.db.models import Max
    from django.utils import timezone

    from correspondence import services
    from correspondence.models import Delivery

    # This process was configured on the filesystem broker; on Redis it sends with the settings' Redis options.
    options = REDIS_OPTIONS if broker == "redis" else settings.CELERY_BROKER_TRANSPORT_OPTIONS
    use_broker(url, dict(options))
    queue = f"bench-letters-{uuid.uuid4().hex[:10]}"
    settings.CORRESPONDENCE_QUEUE = queue
    letter_pks = notice_letters(args.notices, template, broker)
    deliveries = Delivery.objects.filter(letter_id__in=letter_pks)

    env = {"CELERY_BROKER_URL": url, "CORRESPONDENCE_QUEUE": queue, "PORTAL_VAR_DIR": str(workdir / f"var-{broker}")}
    if broker == "filesystem":
        env["CELERY_BROKER_DIR"] = str(settings.CELERY_BROKER_DIR)  # this process's folder
    worker = Worker(queue, env, workdir / f"worker-{broker}.log", args.concurrency)
    workers.append(worker)
    try:
        worker_start_s = worker.wait_ready()
        print(f"· {broker}: worker ready in {worker_start_s:.1f} s; dispatching {args.notices} notices ...", flush=True)
        started_at, started = timezone.now(), time.perf_counter()
        not_queued = sum(not services.letter_dispatch(pk) for pk in letter_pks)
        dispatch_s = time.perf_counter() - started
        sent, progress_at = 0, time.perf_counter()
        while sent < args.notices and time.perf_counter() - progress_at < STALL_S:
            time.sleep(0.05)
            now_sent = deliveries.filter(status=Delivery.Status.SENT).count()
            if now_sent != sent:
                sent, progress_at = now_sent, time.perf_counter()
        last_sent_at = deliveries.aggregate(last=Max("sent_at"))["last"]
        end_to_end_s = (last_sent_at - started_at).total_seconds() if last_sent_at else float("nan")
    finally:
        worker.stop()
        try:
            queue_delete(queue)
        except Exception as exc:  # cleanup must not hide the run's figures or error
            print(f"  (could not delete queue {queue}: {exc})", file=sys.stderr)
    emails = emails_by_address(workdir / f"var-{broker}" / "mail")
    expected = dict(deliveries.values_list("destination", "status"))
    lost = sum(1 for address, status in expected.items() if status != Delivery.Status.SENT or not emails[address])
    duplicated = sum(count - 1 for address, count in emails.items() if count > 1 and address in expected)
    duplicated = max(duplicated, deliveries.filter(attempts__gt=1).count())
    # The worker's own time per task (its "succeeded in" lines): what is left of the end-to-end time is the broker's
    # trips, the worker's fetching and logging, and waiting for this process's dispatching.
    task_ms = [float(s) * 1000 for s in TASK_TIME.findall(worker.log_path.read_text(errors="replace"))]
    return NoticeFigures(
        broker, args.notices, not_queued, dispatch_s, end_to_end_s, sent, lost, duplicated, worker_start_s, task_ms
    )


def print_notices(rows: list[NoticeFigures], skipped: dict[str, str], concurrency: int) -> None:
    worker = "one solo worker process" if concurrency == 1 else f"one worker, prefork pool of {concurrency}"
    print(f"\n2. Notices end to end: dispatched as a decision's commit does, sent by {worker}")
    header = (
        f"  {'broker':<11} {'notices':>7} {'dispatch s':>10} {'end to end s':>12} {'notices/s':>9} {'sent':>6} "
        f"{'lost':>5} {'duplicated':>10} {'not queued':>10} {'task p50 ms':>11} {'tasks s':>7}"
    )
    print(header)
    print("  " + "-" * (len(header) - 2))
    for row in rows:
        rate = row.sent / row.end_to_end_s if row.end_to_end_s == row.end_to_end_s and row.end_to_end_s else 0
        print(
            f"  {row.broker:<11} {row.notices:>7} {row.dispatch_s:>10.2f} {row.end_to_end_s:>12.2f} {rate:>9.1f} "
            f"{row.sent:>6} {row.lost:>5} {row.duplicated:>10} {row.not_queued:>10} "
            f"{percentile(row.task_ms, 50):>11.1f} {sum(row.task_ms) / 1000:>7.2f}"
        )
    for broker, why in skipped.items():
        print(f"  {broker:<11} skipped: {why}")
    for row in rows:
        clean = row.lost == 0 and row.duplicated == 0
        verdict = "OK" if clean and row.end_to_end_s < NOTICES_TARGET_S else "OVER"
        target = f"(target < {NOTICES_TARGET_S:.0f} s, 0 lost, 0 duplicated)"
        if row.broker != "redis":
            target, verdict = "(reported)", "OK" if clean else "LOST OR DUPLICATED"
        print(
            f"  {row.broker}: {row.notices} notices in {row.end_to_end_s:.1f} s, {row.lost} lost, "
            f"{row.duplicated} duplicated {target}: {verdict}"
        )


# --- The run -------------------------------------------------------------------------------------------------


def run(args: argparse.Namespace, workdir: Path, workers: list) -> None:
    if args.database == "postgresql":
        database_url = recreate_postgres_database(POSTGRES_BENCH_DB)
    else:
        database_url = f"sqlite:///{workdir / 'bench.sqlite3'}"
    django_configure(database_url, workdir)
    from django.core.management import call_command

    from correspondence import letters
    from reference.services import catalog_load

    print(f"Machine: {machine_line()}")
    print(f"Database: {database_line()}", flush=True)
    started = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0)
    catalog_load()
    by_kind = letters_of_each_kind()
    print(f"· migrated, one letter of each of {len(by_kind)} kinds written in {time.perf_counter() - started:.1f} s")

    print(f"· rendering each letter and the reference {args.runs} times ({WARMUP_RUNS} untimed first) ...", flush=True)
    reference, rows = render_costs(by_kind, args.runs)

    template = letters.letter_render(letter=by_kind["hold"])  # the notices' letter, rendered once
    template.refresh_from_db()
    notices, skipped = [], {}
    for broker in args.brokers:
        if broker == "redis":
            why = redis_reachable(args.redis_url)
            if why:
                skipped[broker] = f"Redis at {args.redis_url} does not answer ({why})"
                continue
            notices.append(notices_through(broker, args.redis_url, args, template, workdir, workers))
        else:
            notices.append(notices_through(broker, "filesystem://", args, template, workdir, workers))

    print(f"\nMachine after the run: {machine_line()}")
    print_render_costs(reference, rows)
    print_notices(notices, skipped, args.concurrency)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    # `kill` cleans up like Ctrl-C: SystemExit runs the finally block (workers stopped, database dropped).
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    workdir = Path(tempfile.mkdtemp(prefix="portal-bench-letters-"))
    workers: list[Worker] = []
    try:
        run(args, workdir, workers)
        return 0
    except HarnessError as exc:
        print(f"\nBENCHMARK ERROR: {exc}", file=sys.stderr)
        return EXIT_HARNESS_ERROR
    except KeyboardInterrupt:
        print("\nInterrupted.", file=sys.stderr)
        return 130
    finally:
        for worker in workers:
            worker.stop()
        if "django" in sys.modules:
            from django.db import connections

            connections.close_all()
        if args.keep:
            where = POSTGRES_BENCH_DB if args.database == "postgresql" else workdir / "bench.sqlite3"
            print(f"Kept {workdir} and the database ({where})")
        else:
            if args.database == "postgresql":
                try:
                    drop_postgres_database(POSTGRES_BENCH_DB)
                except Exception as exc:  # cleanup must not hide the run's own error
                    print(f"Could not drop {POSTGRES_BENCH_DB}: {exc}", file=sys.stderr)
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
