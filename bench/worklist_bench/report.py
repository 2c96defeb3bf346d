"""What the run prints after its measurements: each page's table against its target (case_bench's figures), the
worklist's query counts, and the plan of the slowest statement of each page's slowest variant."""

from __future__ import annotations

from case_bench.access import plan_nodes
from case_bench.figures import percentile, print_step_table
from case_bench.recorders import shortened


def print_group(title: str, target_ms: float, variants: list, timer, counter) -> tuple[float, str, int, int] | None:
    labels = [v.key for v in variants]
    if not labels:
        return None
    print(f"\n{title} (target p95 < {target_ms:.0f} ms)")
    return print_step_table(timer, counter, timer.ceiling, dict.fromkeys(labels, target_ms), labels)


def target_line(name: str, slowest, target_ms: float, ceiling_p95: float) -> str:
    if slowest is None:
        return f"  {name:<22} not measured"
    p95, label, over, total = slowest
    verdict = "OK" if over == 0 else "OVER"
    return (
        f"  {name:<22} slowest p95 {p95:7.2f} ms = {p95 / ceiling_p95:5.1f} x ceiling ({label}); "
        f"{over} of {total} variants at or over {target_ms:.0f} ms: {verdict}"
    )


def slowest_statement(variant, iteration: int = 0) -> tuple[float, str, int]:
    """The variant once with its SQL captured: its slowest statement (ms, SQL) and how many there were."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from worklist_bench.pages import run_variant

    with CaptureQueriesContext(connection) as captured:
        run_variant(lambda client, label, call: call(), variant, iteration)
    timed = [
        (float(q["time"]) * 1000, q["sql"])
        for q in captured.captured_queries
        if q["sql"].lstrip().upper().startswith("SELECT")
    ]
    ms, sql = max(timed) if timed else (0.0, "")
    return ms, sql, len(captured.captured_queries)


def print_slowest_plan(title: str, variant) -> None:
    from django.db import connection

    ms, sql, statements = slowest_statement(variant)
    print(f"\n{title}: {variant.label}: {statements} statements; the slowest took {ms:.1f} ms:")
    print(f"  {shortened(sql)[:700]}")
    if not sql:
        return
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    for line in plan_nodes(plan)[:40]:
        print(f"    {line}")


def slowest_variant(variants: list, timer):
    return max(variants, key=lambda v: percentile(timer.samples[v.key], 95)) if variants else None
