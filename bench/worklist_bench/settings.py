"""The worklist benchmark's sizes, targets and fixed choices."""

from __future__ import annotations

import os

# BENCH_WORKLIST_DB names another database (two runs side by side, or a kept one to measure again).
POSTGRES_BENCH_DB = os.environ.get("BENCH_WORKLIST_DB", "portal_bench_worklist")


# Issue 11's targets, p95 server time.
WORKLIST_TARGET_MS = 50.0


LOOKUP_TARGET_MS = 50.0


ADMIN_TARGET_MS = 150.0


CASE_PAGE_TARGET_MS = 50.0  # no target of its own in the issue: a provider page, held to the worklist's


SEED = 20261130


WARMUP_ROUNDS = 2  # untimed rounds of every variant before the timed ones


MIN_SAMPLES = 5  # timed requests of a variant even when it exceeds --budget


# The world, per case on file: a practice has about CASES_PER_PRACTICE cases and 1 to 7 members (4 on
# average); members (patients) have about 5 cases each, providers 200, sites 500.
CASES_PER_PRACTICE = 500
PRACTICE_SIZES = (1, 7)
CASES_PER_MEMBER = 5
CASES_PER_PROVIDER = 200
CASES_PER_SITE = 500


BENCH_PRACTICE_USERS = 20  # the benchmark user's practice: they and 19 colleagues with case submission


REVIEWERS = 10  # staff with cases.review_case; half of the cases under review are assigned to one of them


# Search terms timed on the worklist, one per iteration in turn: a patient's last name, a HCPCS code
# (the service-line subquery), a part of a request ID, two words (a name and a code).
SEARCH_KINDS = ("last name", "HCPCS code", "request ID part", "name and code")
