"""What each request of a walk is measured with: nothing (warm-up), a timer with its ceiling request, or a query
counter."""

from __future__ import annotations

import re
import time
from collections import defaultdict
from collections.abc import Callable

from case_bench.settings import CEILING_PATH, HarnessError


class Untimed:
    """Runs the request and nothing else (the walks that prepare the world or park a case)."""

    def __call__(self, client, label: str, call: Callable):
        return call()


class Timer:
    """Times each request; before each one, times GET /health/db/ on the same client: the ceiling."""

    def __init__(self):
        self.samples: dict[str, list[float]] = defaultdict(list)
        self.by_kind: dict[tuple[str, str], list[float]] = defaultdict(list)
        self.ceiling: list[float] = []
        self.kind = ""  # the walk being timed, set by the caller

    def __call__(self, client, label: str, call: Callable):
        started = time.perf_counter()
        response = client.get(CEILING_PATH)
        self.ceiling.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise HarnessError(f"{CEILING_PATH} answered {response.status_code}")
        started = time.perf_counter()
        response = call()
        elapsed = (time.perf_counter() - started) * 1000
        self.samples[label].append(elapsed)
        self.by_kind[(label, self.kind)].append(elapsed)
        return response


class QueryCounter:
    """Captures the SQL of each request (on a pass of its own: capturing costs time)."""

    def __init__(self):
        self.statements: dict[str, list[list[str]]] = defaultdict(list)
        self.kinds: dict[str, list[str]] = defaultdict(list)
        self.kind = ""  # the walk being counted, set by the caller

    def __call__(self, client, label: str, call: Callable):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as captured:
            response = call()
        # Every statement is a round trip to the database, BEGIN, COMMIT and savepoints included.
        sql = [q["sql"] for q in captured.captured_queries]
        self.statements[label].append(sql)
        self.kinds[label].append(self.kind)
        return response


_LITERALS = re.compile(r"'(?:[^']|'')*'|\b\d+(?:\.\d+)?\b")


_IN_LIST = re.compile(r"IN \((?:\?, )*\?\)")


_COLUMNS = re.compile(r"^SELECT .+? FROM ", re.DOTALL)


def normalized(sql: str) -> str:
    return _IN_LIST.sub("IN (...)", _LITERALS.sub("?", sql))


def shortened(sql: str) -> str:
    """The statement with its first column list folded: the table and the WHERE clause are what tell."""
    return _COLUMNS.sub("SELECT ... FROM ", sql, count=1)
