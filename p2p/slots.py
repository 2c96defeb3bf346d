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

from django.db.models import Q
from django.utils import timezone

from p2p.models import Reservation, ReviewerSkill, TimeOff, WorkingHours, zone

WEEKDAYS = range(5)  # Mon-Fri, the days the Questions step offers
HOURS = range(7, 19)  # 7:00 to 7:00 pm: the hour each one-hour span starts
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


def label(local: datetime.datetime) -> str:
    """ "6:30 pm EDT": a local (aware) time as the seed's schedule shows it, with that day's zone abbreviation."""
    hour = local.hour % 12 or 12
    return f"{hour}:{local.minute:02d} {'am' if local.hour < 12 else 'pm'} {local.tzname()}"


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


def _slot_pairs(reviewer, hours, start: datetime.datetime, end: datetime.datetime):
    """(start, end) UTC pairs of ``reviewer``'s slots in ``hours`` (their WorkingHours rows) starting in
    [start, end), sorted, without duplicates."""
    tz = zone(reviewer.time_zone)
    step = datetime.timedelta(minutes=reviewer.slot_minutes)
    by_weekday = defaultdict(list)
    for span in hours:
        by_weekday[span.weekday].append(span)
    day, last = start.astimezone(tz).date() - _DAY, end.astimezone(tz).date()
    pairs = set()
    while day <= last:
        for span in by_weekday.get(day.weekday(), ()):
            moment = local_instant(day, span.starts, tz)
            span_end = local_instant(day, span.ends, tz, end=True)
            while moment + step <= span_end:
                if start <= moment < end:
                    pairs.add((moment, moment + step))
                moment += step
        day += _DAY
    return sorted(pairs)


def reviewer_slots(
    *, reviewer, start: datetime.datetime, end: datetime.datetime
) -> list[tuple[datetime.datetime, datetime.datetime]]:
    """Every slot of ``reviewer``'s working hours that starts in [start, end), as UTC (start, end) pairs,
    before time off and reservations are taken out; correct across DST changes (slots step in real time
    from the local start of each working span to its local end). Reads ``reviewer.working_hours`` (prefetch it
    for many reviewers)."""
    return _slot_pairs(reviewer, reviewer.working_hours.all(), start.astimezone(UTC), end.astimezone(UTC))


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


def _merged(intervals):
    """Sorted, overlapping or touching intervals merged: disjoint and in order."""
    merged = []
    for start, end in sorted(intervals):
        if merged and start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1][1] = end
        else:
            merged.append([start, end])
    return merged


def _free(pairs, busy):
    """The pairs (sorted) that overlap no busy interval (disjoint, sorted): one sweep."""
    index, count = 0, len(busy)
    for start, end in pairs:
        while index < count and busy[index][1] <= start:
            index += 1
        if index < count and busy[index][0] < end:
            continue
        yield start, end


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
    ids = [skill.reviewer_id for skill in skills]
    hours = defaultdict(list)
    for span in WorkingHours.objects.filter(reviewer_id__in=ids).order_by():
        hours[span.reviewer_id].append(span)
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
        for reviewer_id, start, end in rows.order_by().values_list("reviewer_id", "starts_at", "ends_at"):
            busy[reviewer_id].append((start, end))

    days, hours_wanted = frozenset(preferred_days), frozenset(preferred_hours)
    placed = {}  # start instant -> day index in the week and label, or None: shared by every reviewer
    made = {}  # (start, end) -> Slot: equal slots of different reviewers are one frozen object

    def place(start):
        if start not in placed:
            local = start.astimezone(office)
            index = (local.date() - monday).days
            wanted = local.weekday() in days and local.hour in hours_wanted and 0 <= index < 7
            placed[start] = (index, label(local)) if wanted else None
        return placed[start]

    weeks = []
    for skill in skills:
        reviewer = skill.reviewer
        pairs = _slot_pairs(reviewer, hours.get(reviewer.pk, ()), earliest, window_end)
        week = ReviewerWeek(
            reviewer=reviewer, priority=skill.priority, days=[SlotDay(monday + i * _DAY) for i in range(7)]
        )
        found = False
        for start, end in _free(pairs, _merged(busy.get(reviewer.pk, ()))):
            where = place(start)
            if where is None:
                continue
            slot = made.get((start, end))
            if slot is None:
                slot = made[(start, end)] = Slot(starts_at=start, ends_at=end, label=where[1])
            week.days[where[0]].slots.append(slot)
            found = True
        if found:
            weeks.append(week)
    return weeks
