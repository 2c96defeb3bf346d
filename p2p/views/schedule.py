"""The Schedule (P2P-4, P2P-7): a week of each trained reviewer's open times in the user's time zone, the first
REVIEWERS_SHOWN reviewers and SLOTS_SHOWN times a day each, with "Show more..."; picking a time holds it
(``booking.hold_slot``) and goes on to P2P Contact Details."""

import datetime
import re
import zoneinfo
from urllib.parse import urlencode

from django import forms
from django.shortcuts import redirect
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from p2p import booking, slots
from p2p.draft import Draft, draft_save
from p2p.forms_schedule import DAY_LABELS, NOON, SlotPickForm, hour_label
from p2p.models import Reviewer
from p2p.views.common import NOT_OPEN, REFUSAL_KEY, DraftCase, render_step, tool_state, tool_view, user_zone

SLOTS_SHOWN = 4  # per day and reviewer before "Show more..." (the seed's table)
# Reviewers listed at first, and added by each "Show more reviewers": with 200 trained reviewers, a page of all of
# them is thousands of buttons (seen: 274 ms p95 in bench/p2p.py) and no office reads past the first few.
REVIEWERS_SHOWN = 10
REVIEWERS_ASKED_AT_MOST = 1000  # ?reviewers= beyond this is this (more than any program has trained)
WEEKS_AHEAD = 8  # the furthest week "Next Week" reaches
_MORE = re.compile(r"([0-9]{1,9})-([0-9]{4}-[0-9]{2}-[0-9]{2})")


def short_day(day: datetime.date) -> str:
    """ "Mon 5/18/20" (the Schedule's column headings)."""
    return f"{day:%a} {day.month}/{day.day}/{day:%y}"


def this_monday(zone_name: str, now=None) -> datetime.date:
    return slots.week_start((now or timezone.now()).astimezone(zoneinfo.ZoneInfo(zone_name)).date())


def chosen_week(value, *, zone_name: str, now=None) -> datetime.date:
    """The Monday of the week ``?week=`` names; anything unreadable, past or beyond WEEKS_AHEAD is this week."""
    current = this_monday(zone_name, now)
    try:
        day = datetime.date.fromisoformat(str(value or ""))
    except ValueError:
        return current
    monday = slots.week_start(day)
    if monday < current or monday > current + datetime.timedelta(weeks=WEEKS_AHEAD):
        return current
    return monday


def _more_of(value) -> tuple[int, datetime.date] | None:
    """``?more=<reviewer id>-<YYYY-MM-DD>``: the reviewer and day whose every slot is shown."""
    match = _MORE.fullmatch(str(value or ""))
    if not match:
        return None
    try:
        return int(match.group(1)), datetime.date.fromisoformat(match.group(2))
    except ValueError:
        return None


def _week_label(monday: datetime.date, current: datetime.date) -> str:
    sunday = monday + datetime.timedelta(days=6)
    label = f"{monday.month}/{monday.day}/{monday.year} - {sunday.month}/{sunday.day}/{sunday.year}"
    if monday == current:
        return f"{label} (Current week)"
    if monday == current + datetime.timedelta(weeks=1):
        return f"{label} (Upcoming week)"
    return label


def reviewers_shown(value, *, available: int, more=None, weeks=()) -> int:
    """How many reviewers the Schedule lists: ``?reviewers=`` (a number; anything else is REVIEWERS_SHOWN), at least
    REVIEWERS_SHOWN, at most ``available``, and far enough to include the reviewer whose day ``more`` expands."""
    try:
        count = int(str(value or ""))
    except ValueError:
        count = REVIEWERS_SHOWN
    if more:
        position = next((index for index, week in enumerate(weeks) if week.reviewer.pk == more[0]), -1)
        count = max(count, position + 1)
    return max(0, min(max(count, REVIEWERS_SHOWN), available))


def _schedule_tables(weeks, *, monday: datetime.date, more, shown_count: int) -> list[dict]:
    """Each reviewer's week as the seed's table: a column per day, the first SLOTS_SHOWN times in each, then
    "Show more..." (a link that shows the rest of that day, no JavaScript needed); the first ``shown_count``
    reviewers only."""
    tables = []
    for week in weeks[:shown_count]:
        reviewer = week.reviewer
        columns = []
        for slot_day in week.days:
            expanded = more == (reviewer.pk, slot_day.day)
            shown = slot_day.slots if expanded else slot_day.slots[:SLOTS_SHOWN]
            hidden = len(slot_day.slots) - len(shown)
            more_url = ""
            if hidden:
                shown_day = f"{reviewer.pk}-{slot_day.day.isoformat()}"
                query = {"week": monday.isoformat(), "more": shown_day, "reviewers": shown_count}
                more_url = f"?{urlencode(query)}#reviewer-{reviewer.pk}"
            columns.append(
                {
                    "day": slot_day.day,
                    "heading": short_day(slot_day.day),
                    "slots": [{"value": slot.starts_at.isoformat(), "label": slot.label} for slot in shown],
                    "more_url": more_url,
                    "more_count": hidden,
                }
            )
        depth = max([len(column["slots"]) for column in columns] + [1])
        rows = [
            [(column, column["slots"][index] if index < len(column["slots"]) else None) for column in columns]
            for index in range(depth)
        ]
        tables.append(
            {
                "reviewer": reviewer,
                "title": "1st Priority by Skill" if week.priority == 1 else "Other reviewers",
                "columns": columns,
                "rows": rows,
                "has_more": any(column["more_url"] for column in columns),
            }
        )
    return tables


def _refusal(message: str) -> forms.Form:
    """A form with no fields carrying ``message``: the error summary at the top of the Schedule."""
    form = forms.Form(data={})
    form.is_valid()
    form.add_error(None, message)
    return form


def _preferred_days(days) -> str:
    return "Mon to Fri" if list(days) == list(slots.WEEKDAYS) else ", ".join(DAY_LABELS[day] for day in days)


def _preferred_hours(hours) -> str:
    if list(hours) == list(slots.HOURS):
        return "7:00 am to 7:00 pm"
    return ", ".join(f"{hour_label(hour)} ({'morning' if hour < NOON else 'afternoon'})" for hour in hours)


def _schedule_page(request, draft: Draft, cases: list[DraftCase], *, refusal=None, status: int = 200):
    zone_name = user_zone(request)
    current = this_monday(zone_name)
    # After a refused pick, the week the user was looking at, with fresh slots.
    monday = chosen_week((request.POST if request.method == "POST" else request.GET).get("week"), zone_name=zone_name)
    more = _more_of(request.GET.get("more"))
    # The reviewers listed and one more (is there a "Show more reviewers"?): only their slots are computed. A day
    # expanded by "Show more..." may be further down, so then every reviewer's week is.
    asked = reviewers_shown(request.GET.get("reviewers"), available=REVIEWERS_ASKED_AT_MOST)
    weeks = slots.week_slots(
        program=cases[0].case.program,
        time_zone=zone_name,
        monday=monday,
        preferred_days=draft.preferred_days,
        preferred_hours=draft.preferred_hours,
        limit=None if more else asked + 1,
    )
    last = current + datetime.timedelta(weeks=WEEKS_AHEAD)
    shown_count = reviewers_shown(request.GET.get("reviewers"), available=len(weeks), more=more, weeks=weeks)
    more_reviewers_url = ""
    if shown_count < len(weeks):
        query = {"week": monday.isoformat(), "reviewers": shown_count + REVIEWERS_SHOWN}
        more_reviewers_url = f"?{urlencode(query)}#reviewer-{weeks[shown_count].reviewer.pk}"
    context = {
        "step": "schedule",
        "cases": cases,
        "form": refusal,
        "rescheduling": bool(draft.rescheduling_request_id),
        "week": monday.isoformat(),
        "week_label": _week_label(monday, current),
        "prev_week": (monday - datetime.timedelta(weeks=1)).isoformat() if monday > current else "",
        "next_week": (monday + datetime.timedelta(weeks=1)).isoformat() if monday < last else "",
        "tables": _schedule_tables(weeks, monday=monday, more=more, shown_count=shown_count),
        "more_reviewers_url": more_reviewers_url,
        "preferred_days": _preferred_days(draft.preferred_days),
        "preferred_hours": _preferred_hours(draft.preferred_hours),
    }
    return render_step(request, "p2p/schedule.html", context, status=status)


@tool_view
@never_cache
@require_http_methods(["GET", "POST"])
def schedule(request):
    state, gate = tool_state(request, need_questions=True)
    if gate:
        return gate
    draft, cases = state
    if request.method == "GET":
        refused = request.session.pop(REFUSAL_KEY, None)
        return _schedule_page(request, draft, cases, refusal=_refusal(refused) if refused else None)
    form = SlotPickForm(request.POST)
    if not form.is_valid():
        return _schedule_page(request, draft, cases, refusal=_refusal(NOT_OPEN), status=400)
    reviewer = Reviewer.objects.filter(pk=form.cleaned_data["reviewer"], is_active=True).first()
    try:
        if reviewer is None:
            raise ValueError(NOT_OPEN)
        reservation = booking.hold_slot(user=request.user, reviewer=reviewer, starts_at=form.cleaned_data["starts_at"])
    except booking.SlotTaken:
        return _schedule_page(request, draft, cases, refusal=_refusal(booking.TAKEN), status=409)
    except ValueError:
        return _schedule_page(request, draft, cases, refusal=_refusal(NOT_OPEN), status=409)
    draft.reservation_id = reservation.pk
    draft_save(request, draft)
    return redirect("p2p:contact")
