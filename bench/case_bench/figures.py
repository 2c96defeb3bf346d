"""Percentiles and the tables the benchmark prints."""

from __future__ import annotations

import os
import platform
from collections import Counter, defaultdict

from case_bench.recorders import QueryCounter, Timer, normalized, shortened
from case_bench.settings import REPEAT_FLAG, STEP_TARGET_MS, WALK_KINDS


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
