"""Open P2P slots (P2P-4, P2P-7): computed from each reviewer's working hours (in their own zone), time off and
reservations, shown in the office's zone. INTERFACE DRAFT: the lead wrote the signatures; a helper implements."""

import datetime
from dataclasses import dataclass, field

WEEKDAYS = range(5)  # Mon-Fri, the days the Questions step offers
HOURS = range(7, 19)  # 7:00 to 7:00 pm: the hour each one-hour span starts


@dataclass(frozen=True)
class Slot:
    starts_at: datetime.datetime  # aware, UTC
    ends_at: datetime.datetime  # aware, UTC
    label: str  # in the office's zone, as the seed shows it: "6:30 pm EDT"


@dataclass
class SlotDay:
    day: datetime.date  # in the office's zone
    slots: list[Slot] = field(default_factory=list)


@dataclass
class ReviewerWeek:
    reviewer: object  # p2p.models.Reviewer
    priority: int  # 1 = "1st Priority by Skill"
    days: list[SlotDay] = field(default_factory=list)  # 7 days, Mon..Sun of the week, in the office's zone


def week_start(day: datetime.date) -> datetime.date:
    """The Monday of ``day``'s week."""
    return day - datetime.timedelta(days=day.weekday())


def week_slots(
    *,
    program,
    time_zone: str,
    monday: datetime.date,
    preferred_days=WEEKDAYS,
    preferred_hours=HOURS,
    now: datetime.datetime | None = None,
    exclude_reviewer_ids=(),
) -> list[ReviewerWeek]:
    """The reviewers trained for ``program`` (priority 1 first, then the others, by name) with their open
    slots in the week that starts on ``monday`` in ``time_zone``, keeping only slots that start on a
    preferred weekday and in a preferred hour (in ``time_zone``), that start after ``now`` (plus a short lead
    time) and that no active reservation or time off overlaps. Reviewers with no open slot that week are left
    out. A bounded number of queries whatever the number of reviewers."""
    raise NotImplementedError


def reviewer_slots(
    *, reviewer, start: datetime.datetime, end: datetime.datetime
) -> list[tuple[datetime.datetime, datetime.datetime]]:
    """Every slot of ``reviewer``'s working hours that starts in [start, end), as UTC (start, end) pairs,
    before time off and reservations are taken out; correct across DST changes (slots step in real time
    from the local start of each working span to its local end)."""
    raise NotImplementedError
