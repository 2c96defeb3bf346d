"""Open P2P slots (P2P-4, P2P-7): computed from each reviewer's working hours (in their own zone), time off and
reservations, shown in the office's zone.

Slots step in real time. A working span is turned into two instants (the moment the reviewer's wall clock
reads its start, and its end) and slots of ``slot_minutes`` follow each other from the first instant until the
next would end after the second. So on the November change day a span 00:00-04:00 holds five real hours of
slots (the office sees "1:30 am EDT" and, an hour later, "1:30 am EST"), and on the March change day no slot
starts at a wall time that does not exist. A wall time read twice (November) starts a span at its first
instant and ends one at its last; a wall time that does not exist (March) is the moment the clock jumps.

Reads are bounded: ``week_slots`` runs four queries (the reviewers with their skill, their working hours, their
time off in the week, their active reservations in the week) whatever the number of reviewers.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import connections
from django.db.models import BigIntegerField, Func, Q
from django.utils import timezone

from p2p.models import Reservation, ReviewerSkill, TimeOff, WorkingHours, zone
from p2p.timefmt import local_clock

WEEKDAYS = range(5)  # Mon-Fri, the days the Questions step offers
HOURS = range(7, 19)  # 7:00 to 7:00 pm: the hour each one-hour span starts
REVIEWERS_PER_BATCH = 20  # with a limit, calendars read for this many reviewers at a time (at least twice the limit)
LEAD_TIME = datetime.timedelta(minutes=60)  # a slot starting sooner than this is not offered: the reviewer needs notice
# The longest reservation there can be: one slot of the longest slot length (p2p_reviewer_slot_minutes_range).
# Reservations are made only by ``p2p.booking.hold_slot``, one slot long; this bounds the week's reservation
# query from below as well, so it reads the (reviewer, starts_at) index over the week and not the whole past.
LONGEST_RESERVATION = datetime.timedelta(minutes=120)

UTC = datetime.UTC
_MINUTE = datetime.timedelta(minutes=1)
_DAY = datetime.timedelta(days=1)


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


def local_instant(day: datetime.date, time: datetime.time, tz, *, end: bool = False) -> datetime.datetime:
    """The instant (UTC) at which the wall clock in ``tz`` reads ``time`` on ``day``.

    Read twice (the November change): the first instant, or the last when ``end`` (a span then covers every
    instant whose wall time lies in it). Never read (the March change): the instant the clock jumps."""
    wall = datetime.datetime.combine(day, time, tzinfo=tz)
    first, second = wall.astimezone(UTC), wall.replace(fold=1).astimezone(UTC)
    if first == second:
        return first
    if first < second:  # ambiguous: fold 0 is the earlier reading
        return second if end else first
    # Nonexistent: fold 0 takes the offset before the change (a later instant), fold 1 the one after (earlier).
    # The change lies between them: find the first minute with the new offset.
    before, after = second, first
    new_offset = after.astimezone(tz).utcoffset()
    while after - before > _MINUTE:
        middle = before + ((after - before) // _MINUTE // 2) * _MINUTE
        if middle.astimezone(tz).utcoffset() == new_offset:
            after = middle
        else:
            before = middle
    return after


class EpochSeconds(Func):
    """A datetime column as whole seconds since 1970 (UTC). The week's reservations are read as integers: psycopg
    loads an integer in C, an aware timestamp through Django's loader in Python, five times slower."""

    output_field = BigIntegerField()
    template = "CAST(FLOOR(EXTRACT(EPOCH FROM %(expressions)s)) AS bigint)"

    def as_sqlite(self, compiler, connection, **extra):
        # julianday() reads Django's stored 'YYYY-MM-DD HH:MM:SS[.ffffff]' (UTC); 2440587.5 is 1970-01-01.
        template = "CAST(ROUND((julianday(%(expressions)s) - 2440587.5) * 86400) AS INTEGER)"
        return super().as_sql(compiler, connection, template=template, **extra)


class _Spans:
    """Slot starts (seconds since 1970) of working spans, each span's computed once per call: reviewers of one
    zone with the same hours share them."""

    def __init__(self):
        self.cache = {}

    def starts(self, time_zone: str, step: int, day: datetime.date, starts: datetime.time, ends: datetime.time):
        key = (time_zone, step, day, starts, ends)
        found = self.cache.get(key)
        if found is None:
            tz = zone(time_zone)
            first = int(local_instant(day, starts, tz).timestamp())
            last = int(local_instant(day, ends, tz, end=True).timestamp())
            found = self.cache[key] = range(first, last - step + 1, step)
        return found


def _slot_starts(reviewer, hours, start: float, end: float, spans: _Spans) -> list[int]:
    """The starts (seconds since 1970) of ``reviewer``'s slots in ``hours`` (their (weekday, starts, ends)
    working spans) that start in [start, end), sorted, without duplicates."""
    tz = zone(reviewer.time_zone)
    step = reviewer.slot_minutes * 60
    by_weekday = defaultdict(list)
    for weekday, starts, ends in hours:
        by_weekday[weekday].append((starts, ends))
    day = datetime.datetime.fromtimestamp(start, tz).date() - _DAY
    last = datetime.datetime.fromtimestamp(end, tz).date()
    found, overlapping = [], False
    while day <= last:
        day_spans = by_weekday.get(day.weekday(), ())
        overlapping = overlapping or len(day_spans) > 1
        for starts, ends in day_spans:
            found.extend(
                moment for moment in spans.starts(reviewer.time_zone, step, day, starts, ends) if start <= moment < end
            )
        day += _DAY
    return sorted(set(found)) if overlapping else found


def _utc(seconds: int) -> datetime.datetime:
    return datetime.datetime.fromtimestamp(seconds, UTC)


def reviewer_slots(
    *, reviewer, start: datetime.datetime, end: datetime.datetime
) -> list[tuple[datetime.datetime, datetime.datetime]]:
    """Every slot of ``reviewer``'s working hours that starts in [start, end), as UTC (start, end) pairs,
    before time off and reservations are taken out; correct across DST changes (slots step in real time
    from the local start of each working span to its local end). Reads ``reviewer.working_hours`` (prefetch it
    for many reviewers)."""
    hours = [(span.weekday, span.starts, span.ends) for span in reviewer.working_hours.all()]
    step = datetime.timedelta(minutes=reviewer.slot_minutes)
    found = _slot_starts(reviewer, hours, start.timestamp(), end.timestamp(), _Spans())
    return [(_utc(moment), _utc(moment) + step) for moment in found]


def active_reservations(now: datetime.datetime) -> Q:
    """Reservations that block their time at ``now``: Booked, or Held and not yet lapsed."""
    return Q(state=Reservation.State.BOOKED) | Q(state=Reservation.State.HELD, held_until__gt=now)


def open_slot(*, reviewer, starts_at: datetime.datetime, now: datetime.datetime | None = None):
    """The (start, end) of ``reviewer``'s slot that starts at ``starts_at`` if it is offered now (an active
    reviewer, in their working hours, after the lead time, no time off over it), else None. Reservations are
    not read: the database's no-overlap rule answers for them when the slot is held."""
    now = now or timezone.now()
    starts_at = starts_at.astimezone(UTC)
    if not reviewer.is_active or starts_at < now + LEAD_TIME:
        return None
    pairs = reviewer_slots(reviewer=reviewer, start=starts_at, end=starts_at + _MINUTE)
    pair = next((pair for pair in pairs if pair[0] == starts_at), None)
    if pair is None:
        return None
    off = TimeOff.objects.filter(reviewer=reviewer, starts_at__lt=pair[1], ends_at__gt=pair[0])
    return None if off.exists() else pair


def _fetch(queryset) -> list[tuple]:
    """The rows of a ``values_list`` of plain values (integers) straight from the cursor: thousands of
    reservations a week, without the ORM's per-row steps (it has nothing to convert here)."""
    connection = connections[queryset.db]
    sql, params = queryset.query.get_compiler(connection=connection).as_sql()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _merged(intervals):
    """Intervals merged where they overlap or touch: disjoint and in order."""
    merged = []
    for start, end in sorted(intervals):
        if merged and start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1][1] = end
        else:
            merged.append([start, end])
    return merged


def week_slots(
    *,
    program,
    time_zone: str,
    monday: datetime.date,
    preferred_days=WEEKDAYS,
    preferred_hours=HOURS,
    now: datetime.datetime | None = None,
    exclude_reviewer_ids=(),
    limit: int | None = None,
) -> list[ReviewerWeek]:
    """The reviewers trained for ``program`` (priority 1 first, then the others, by name) with their open
    slots in the week that starts on ``monday`` in ``time_zone``, keeping only slots that start on a
    preferred weekday and in a preferred hour (in ``time_zone``), that start after ``now`` (plus a short lead
    time) and that no active reservation or time off overlaps. Reviewers with no open slot that week are left
    out. A bounded number of queries whatever the number of reviewers. With ``limit``, the first ``limit`` reviewers
    with an open slot only: their slots are all that is computed (the Schedule lists ten reviewers of two hundred)."""
    office = zone(time_zone)
    now = now or timezone.now()
    monday = week_start(monday)
    window_start = local_instant(monday, datetime.time(0), office)
    window_end = local_instant(monday + 7 * _DAY, datetime.time(0), office)
    earliest = max(window_start, now + LEAD_TIME)
    if earliest >= window_end:
        return []
    skills = list(
        ReviewerSkill.objects.filter(program=program, reviewer__is_active=True)
        .exclude(reviewer_id__in=list(exclude_reviewer_ids))
        .select_related("reviewer")
        .order_by("priority", "reviewer__display_name", "reviewer_id")
    )
    if not skills:
        return []
    days, hours_wanted = frozenset(preferred_days), frozenset(preferred_hours)
    placed = {}  # start -> (day index in the week, label) or None: shared by every reviewer
    spans = _Spans()
    window = (earliest.timestamp(), window_end.timestamp())
    offered = {}  # (zone, slot length, working hours) -> the slots they offer this week, before busy times

    def offer(reviewer, reviewer_hours):
        """[(start, end, day index, Slot)] of the reviewer's working hours that the office would pick from;
        computed once for all the reviewers of one zone, slot length and hours (one Slot object for all)."""
        step = reviewer.slot_minutes * 60
        key = (reviewer.time_zone, step, tuple(sorted(reviewer_hours)))
        if key not in offered:
            rows = []
            for start in _slot_starts(reviewer, reviewer_hours, *window, spans):
                if start not in placed:
                    local = _utc(start).astimezone(office)
                    index = (local.date() - monday).days
                    wanted = local.weekday() in days and local.hour in hours_wanted and 0 <= index < 7
                    placed[start] = (index, local_clock(local)) if wanted else None
                where = placed[start]
                if where is not None:
                    rows.append((start, start + step, where[0], Slot(_utc(start), _utc(start + step), where[1])))
            offered[key] = rows
        return offered[key]

    weeks = []
    # With a limit, the reviewers' calendars are read a batch at a time, so the first ten of two hundred cost the
    # reservations of a few dozen; without one, in one batch (3 queries).
    batch = len(skills) if limit is None else max(2 * limit, REVIEWERS_PER_BATCH)
    for first in range(0, len(skills), batch):
        part = skills[first : first + batch]
        hours, busy = _calendars([skill.reviewer_id for skill in part], earliest, window_end, now)
        for skill in part:
            candidates = offer(skill.reviewer, hours.get(skill.reviewer_id, ()))
            week = _reviewer_week(skill, candidates, _merged(busy.get(skill.reviewer_id, ())), monday)
            if week is not None:
                weeks.append(week)
                if len(weeks) == limit:
                    return weeks
    return weeks


def _calendars(ids, earliest, window_end, now) -> tuple[dict, dict]:
    """The reviewers' working hours ({id: [(weekday, starts, ends)]}) and the times their time off and active
    reservations take in the window ({id: [(start, end)]}, epoch seconds): three queries."""
    hours = defaultdict(list)
    rows = WorkingHours.objects.filter(reviewer_id__in=ids).order_by()
    for reviewer_id, weekday, starts, ends in rows.values_list("reviewer_id", "weekday", "starts", "ends"):
        hours[reviewer_id].append((weekday, starts, ends))
    busy = defaultdict(list)
    time_off = TimeOff.objects.filter(reviewer_id__in=ids, starts_at__lt=window_end, ends_at__gt=earliest)
    reservations = Reservation.objects.filter(
        active_reservations(now),
        reviewer_id__in=ids,
        starts_at__gt=earliest - LONGEST_RESERVATION,
        starts_at__lt=window_end,
        ends_at__gt=earliest,
    )
    for rows in (time_off, reservations):
        rows = rows.order_by().annotate(start_s=EpochSeconds("starts_at"), end_s=EpochSeconds("ends_at"))
        for reviewer_id, start, end in _fetch(rows.values_list("reviewer_id", "start_s", "end_s")):
            busy[reviewer_id].append((start, end))
    return hours, busy


def _reviewer_week(skill, candidates, taken, monday) -> ReviewerWeek | None:
    """The reviewer's week: each slot of ``candidates`` (their working hours' slots the office would pick from) that
    no interval of ``taken`` (merged, sorted) overlaps; None when every one is taken."""
    index, count = 0, len(taken)
    week_days = [SlotDay(monday + i * _DAY) for i in range(7)]
    found = False
    for start, end, day_index, slot in candidates:
        while index < count and taken[index][1] <= start:
            index += 1
        if index < count and taken[index][0] < end:
            continue
        week_days[day_index].slots.append(slot)
        found = True
    return ReviewerWeek(reviewer=skill.reviewer, priority=skill.priority, days=week_days) if found else None
