"""The benchmark's sizes, targets and fixed choices, shared by its modules."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


POSTGRES = {"host": "127.0.0.1", "port": 5432, "user": "postgres"}


POSTGRES_BENCH_DB = "portal_bench_cases"


CEILING_PATH = "/health/db/"


LOOKUP_TARGET_MS = 20.0


STEP_TARGET_MS = 50.0


LOOKUP_LIMIT = 21  # what the service step asks for (cases.views.steps_service.DIAGNOSIS_RESULTS, and one more)


SEED = 20251218


BATCH = 5000


WALKERS = 6  # signed-in users who walk the wizard (each also owns its share of the bulk cases)


# The access model's world (cases.permissions): practices of PRACTICE_SIZES users (5 on average), one big
# practice of BIG_PRACTICE_USERS (the walkers among them), some users in two practices, a few with the
# correspondence entitlement only (they start no case), and worklists shared through User Access.
BIG_PRACTICE_USERS = 50


PRACTICE_SIZES = (1, 9)  # members of every other practice, uniform: 5 on average


SECOND_PRACTICE_SHARE = 0.10


CORRESPONDENCE_ONLY_SHARE = 0.01


APPEALS_SHARE = 0.10  # members (besides each practice's access manager) with precertification/appeals


WORKLIST_GRANT_SHARE = 0.03


# Indices in the users list (ordered by username) of the users the access-model figures are timed for.
READER = WALKERS  # the big practice and a second one, and a worklist shared with them: many drafts


OWNER = WALKERS + 1  # big practice; shares their worklist with the delegate


WALKERS_IN_TWO_PRACTICES = (1, 3)  # the program step then asks for the practice


SELECTOR_TARGET_MS = 20.0


WALK_KINDS = ("hh-bundle", "hh-manual", "dme")


# A statement run this many times in one request is listed as a possible N+1.
REPEAT_FLAG = 3


EXIT_HARNESS_ERROR = 1


class HarnessError(Exception):
    """The benchmark itself could not run (as opposed to a page being slow)."""
