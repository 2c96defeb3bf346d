"""The P2P tool after Case Info (seed 002, P2P-4 to P2P-6): Questions, Schedule, P2P Contact Details, the
Confirmation, My P2P Requests with a request's Actions (Reschedule, Cancel).

The request being built lives in the session (``p2p.draft``): ids and choices only, never a case number or a date of
birth in a URL. Every step re-reads the draft's cases through the permission module and P2P eligibility, so a stale
draft grants nothing; the writes are ``p2p.booking``'s."""

import datetime
import re
import zoneinfo
from dataclasses import dataclass
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, Prefetch, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from audit.services import audit_record
from cases.permissions import cases_visible_to
from cases.views.common import request_grants
from p2p import booking, eligibility, slots
from p2p.draft import Draft, draft_clear, draft_get, draft_save
from p2p.forms_schedule import DAY_LABELS, NOON, CancelForm, ContactForm, QuestionsForm, SlotPickForm, hour_label
from p2p.models import US_TIME_ZONES, P2PRequest, P2PRequestCase, Reservation, Reviewer
from p2p.timefmt import appointment as when
from p2p.timefmt import clock
from p2p.views import tool_view

SLOTS_SHOWN = 4  # per day and reviewer before "Show more..." (the seed's table)
# Reviewers listed at first, and added by each "Show more reviewers": with 200 trained reviewers, a page of all of
# them is thousands of buttons (seen: 274 ms p95 in bench/p2p.py) and no office reads past the first few.
REVIEWERS_SHOWN = 10
WEEKS_AHEAD = 8  # the furthest week "Next Week" reaches
REQUESTS_PAGE_SIZE = 20
NOT_OPEN = "That time is not open any more."
REFUSAL_KEY = "p2p_schedule_refusal"  # why the Contact Details step sent the user back to pick another time
ZONE_LABELS = dict(US_TIME_ZONES)
_MORE = re.compile(r"([0-9]{1,9})-([0-9]{4}-[0-9]{2}-[0-9]{2})")


# --- Times as the seed prints them ------------------------------------------------------------------------------


def short_day(day: datetime.date) -> str:
    """ "Mon 5/18/20" (the Schedule's column headings and the summary)."""
    return f"{day:%a} {day.month}/{day.day}/{day:%y}"


def ordinal(number: int) -> str:
    suffix = "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    return f"{number}{suffix}"


# --- The draft's cases ------------------------------------------------------------------------------------------


@dataclass
class DraftCase:
    """One case of the request being built, as the Case Info panel shows it, with what booking needs."""

    case: object
    position: int
    level_of_review: str
    consultative_only: bool

    @property
    def heading(self) -> str:
        return f"{ordinal(self.position)} Case"


def _user_zone(request) -> str:
    return request.user.time_zone


def _draft_cases(request, draft: Draft) -> list[DraftCase] | None:
    """The draft's cases re-read through the permission module and P2P eligibility, in the draft's order; None when
    one is no longer visible or no longer one the user may request a P2P for (New P2P Request says why)."""
    if not draft.case_ids:
        return None
    grants = request_grants(request)
    if draft.rescheduling_request_id:
        # A reschedule keeps the request's cases and their level of review as booked (``booking.reschedule`` checks
        # who may change it).
        visible = cases_visible_to(request.user, grants=grants).filter(pk__in=draft.case_ids)
        booked = {
            row.case_id: row
            for row in P2PRequestCase.objects.filter(
                request_id=draft.rescheduling_request_id, case__in=visible
            ).select_related("case__member", "case__program", "case__health_plan")
        }
        if set(booked) != set(draft.case_ids):
            return None
        return [
            DraftCase(booked[pk].case, position, booked[pk].level_of_review, booked[pk].consultative_only)
            for position, pk in enumerate(draft.case_ids, start=1)
        ]
    checks = eligibility.request_cases(request.user, draft.case_ids, grants=grants)
    if len(checks) != len(draft.case_ids) or any(check.problem for check in checks):
        return None
    return [
        DraftCase(check.case, position, check.availability.level_of_review, check.availability.is_consultative)
        for position, check in enumerate(checks, start=1)
    ]


def _tool_state(request, *, need_questions: bool = False, need_hold: bool = False):
    """(draft, cases) for a step of the tool, or the redirect that step needs first: the cases (New P2P Request),
    the Questions, a held slot (``tool_view`` has seen to the time zone)."""
    draft = draft_get(request)
    cases = _draft_cases(request, draft) if draft else None
    if not cases:
        if draft and draft.rescheduling_request_id:
            draft_clear(request)  # New P2P Request starts afresh rather than rescheduling
        return None, redirect("p2p:cases")
    if need_questions and not (draft.questions_done or draft.rescheduling_request_id):
        return None, redirect("p2p:questions")
    if need_hold and not draft.reservation_id:
        return None, redirect("p2p:schedule")
    audit_record(
        action="p2p.cases_viewed",
        request=request,
        details={"page": request.resolver_match.url_name, "cases": [row.case.pk for row in cases]},
    )
    return (draft, cases), None


def _render(request, template: str, context: dict, *, status: int = 200):
    zone_name = _user_zone(request)
    context = {"zone_name": zone_name, "zone_label": ZONE_LABELS.get(zone_name, zone_name), **context}
    return render(request, template, context, status=status)


# --- Questions (P2P-4) --------------------------------------------------------------------------------------------


@tool_view
@never_cache
@require_http_methods(["GET", "POST"])
def questions(request):
    state, gate = _tool_state(request)
    if gate:
        return gate
    draft, cases = state
    posted = request.method == "POST"
    initial = {
        "preferred_days": [str(day) for day in draft.preferred_days],
        "preferred_hours": [str(hour) for hour in draft.preferred_hours],
    }
    form = QuestionsForm(request.POST if posted else None, initial=initial)
    if posted and form.is_valid():
        draft.preferred_days = form.cleaned_data["preferred_days"]
        draft.preferred_hours = form.cleaned_data["preferred_hours"]
        draft.questions_done = True
        draft_save(request, draft)
        return redirect("p2p:schedule")
    return _render(
        request,
        "p2p/questions.html",
        {"form": form, "cases": cases, "step": "questions"},
        status=400 if posted else 200,
    )


# --- Schedule (P2P-4, P2P-7) --------------------------------------------------------------------------------------


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
    zone_name = _user_zone(request)
    current = this_monday(zone_name)
    # After a refused pick, the week the user was looking at, with fresh slots.
    monday = chosen_week((request.POST if request.method == "POST" else request.GET).get("week"), zone_name=zone_name)
    weeks = slots.week_slots(
        program=cases[0].case.program,
        time_zone=zone_name,
        monday=monday,
        preferred_days=draft.preferred_days,
        preferred_hours=draft.preferred_hours,
    )
    last = current + datetime.timedelta(weeks=WEEKS_AHEAD)
    more = _more_of(request.GET.get("more"))
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
        "reviewers_hidden": len(weeks) - shown_count,
        "preferred_days": _preferred_days(draft.preferred_days),
        "preferred_hours": _preferred_hours(draft.preferred_hours),
    }
    return _render(request, "p2p/schedule.html", context, status=status)


@tool_view
@never_cache
@require_http_methods(["GET", "POST"])
def schedule(request):
    state, gate = _tool_state(request, need_questions=True)
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


# --- P2P Contact Details (P2P-5) ----------------------------------------------------------------------------------


def _held(request, draft: Draft) -> Reservation | None:
    """The user's own hold the draft names (possibly lapsed: ``booking`` retakes a lapsed hold whose time is
    still free, or says it was taken)."""
    return (
        Reservation.objects.select_related("reviewer")
        .filter(pk=draft.reservation_id, held_by=request.user)
        .exclude(state=Reservation.State.BOOKED)
        .first()
    )


def _contact_initial(request, cases: list[DraftCase]) -> dict:
    case = cases[0].case
    return {
        "requesting_provider_name": case.contact_provider_name,
        "contact_person_name": request.user.get_full_name(),
        "phone": case.contact_phone,
        "phone_ext": case.contact_phone_ext,
        "requesting_provider_email": case.contact_email or request.user.email,
    }


def _back_to_schedule_taken(request, draft: Draft, message: str):
    """Back to the Schedule, which shows ``message`` in its error summary once, over fresh slots."""
    draft.reservation_id = None
    draft_save(request, draft)
    request.session[REFUSAL_KEY] = message
    return redirect("p2p:schedule")


@tool_view
@never_cache
@require_http_methods(["GET", "POST"])
def contact(request):
    state, gate = _tool_state(request, need_questions=True, need_hold=True)
    if gate:
        return gate
    draft, cases = state
    reservation = _held(request, draft)
    if reservation is None:
        return _back_to_schedule_taken(request, draft, NOT_OPEN)
    rescheduling = None
    if draft.rescheduling_request_id:
        rescheduling = get_object_or_404(_requests_visible_to(request.user), pk=draft.rescheduling_request_id)
    posted = request.method == "POST"
    form = (
        None
        if rescheduling
        else ContactForm(request.POST if posted else None, initial=_contact_initial(request, cases))
    )
    if posted and (rescheduling or form.is_valid()):
        try:
            if rescheduling:
                p2p_request = booking.reschedule(
                    user=request.user, p2p_request=rescheduling, reservation=reservation, request=request
                )
            else:
                p2p_request = booking.book(
                    user=request.user,
                    reservation=reservation,
                    cases=[row.case for row in cases],
                    level_of_review={row.case.pk: row.level_of_review for row in cases},
                    consultative_only={row.case.pk: row.consultative_only for row in cases},
                    time_zone=_user_zone(request),
                    preferred_days=draft.preferred_days,
                    preferred_hours=draft.preferred_hours,
                    contact=booking.Contact(**form.cleaned_data),
                    request=request,
                )
        except booking.SlotTaken:
            return _back_to_schedule_taken(request, draft, booking.TAKEN)
        except ValueError:  # no longer this user's hold (held again in another tab, or booked already)
            return _back_to_schedule_taken(request, draft, NOT_OPEN)
        except ValidationError as error:  # the request being rescheduled was cancelled or its time came meanwhile
            draft_clear(request)
            messages.error(request, " ".join(error.messages))
            return redirect("p2p:request_detail", pk=rescheduling.pk) if rescheduling else redirect("p2p:cases")
        draft_clear(request)
        return redirect("p2p:confirmation", pk=(p2p_request or rescheduling).pk)
    zone_name = _user_zone(request)
    context = {
        "step": "schedule",
        "cases": cases,
        "form": form,
        "rescheduling": rescheduling,
        "reservation": reservation,
        "slot_when": when(reservation.starts_at, zone_name),
        "held_until": clock(reservation.held_until, zone_name) if reservation.held_until else "",
        # Lapsed (or swept): Submit still books it while nobody else has taken the time (``booking.book``).
        "hold_lapsed": reservation.state != Reservation.State.HELD or reservation.held_until <= timezone.now(),
        "hold_minutes": booking.HOLD_MINUTES,
    }
    return _render(request, "p2p/contact.html", context, status=400 if posted else 200)


# --- The requests: Confirmation, My P2P Requests, a request and its Actions (P2P-5, P2P-6) ------------------------


def _requests_visible_to(user):
    """The P2P requests ``user`` made, and those about a case they may view; any other answers 404."""
    on_visible_case = P2PRequestCase.objects.filter(
        request=OuterRef("pk"), case__in=cases_visible_to(user).values("pk")
    )
    return (
        P2PRequest.objects.filter(Q(requested_by=user) | Q(Exists(on_visible_case)))
        .select_related("reviewer")
        .prefetch_related(
            Prefetch(
                "request_cases",
                queryset=P2PRequestCase.objects.select_related("case__member", "case__program", "case__health_plan"),
            )
        )
    )


def _may_change(user, p2p_request, now=None) -> bool:
    """Reschedule and Cancel are offered on a Scheduled request whose call is still ahead, to those
    ``booking.may_manage`` lets change it (the service checks both again)."""
    return (
        p2p_request.status == P2PRequest.Status.SCHEDULED
        and p2p_request.starts_at > (now or timezone.now())
        and booking.may_manage(user, p2p_request)
    )


def _require_may_change(user, p2p_request) -> None:
    """403 with the reason for a request the user may view but not change now."""
    if p2p_request.status != P2PRequest.Status.SCHEDULED or p2p_request.starts_at <= timezone.now():
        raise PermissionDenied(
            f"P2P request {p2p_request.number} is {p2p_request.get_status_display()} and its "
            "time has passed or it was cancelled: it can no longer be changed."
        )
    if not booking.may_manage(user, p2p_request):
        raise PermissionDenied(
            "Only the user who requested this P2P, or a user who may request a P2P for each of "
            "its cases, can change it."
        )


def _request_context(request, p2p_request) -> dict:
    zone_name = _user_zone(request)
    rows = [
        DraftCase(row.case, row.position, row.level_of_review, row.consultative_only)
        for row in p2p_request.request_cases.all()
    ]
    return {
        "p2p_request": p2p_request,
        "cases": rows,
        "when": when(p2p_request.starts_at, zone_name),
        "may_change": _may_change(request.user, p2p_request),
    }


def _visible_request(request, pk: int) -> P2PRequest:
    p2p_request = get_object_or_404(_requests_visible_to(request.user), pk=pk)
    audit_record(action="p2p.request_viewed", request=request, target=p2p_request)
    return p2p_request


@tool_view
@never_cache
@require_GET
def confirmation(request, pk: int):
    p2p_request = _visible_request(request, pk)
    return _render(request, "p2p/confirmation.html", {"step": "confirmation", **_request_context(request, p2p_request)})


@tool_view
@never_cache
@require_GET
def my_requests(request):
    zone_name = _user_zone(request)
    visible = _requests_visible_to(request.user).order_by("-created_at", "-pk")
    page = Paginator(visible, REQUESTS_PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [
        {
            "p2p_request": p2p_request,
            "when": when(p2p_request.starts_at, zone_name),
            "cases": [row.case for row in p2p_request.request_cases.all()],
        }
        for p2p_request in page.object_list
    ]
    audit_record(
        action="p2p.requests_listed", request=request, details={"requests": [row["p2p_request"].pk for row in rows]}
    )
    return _render(request, "p2p/my_requests.html", {"page_obj": page, "rows": rows, "p2p_menu": "mine"})


@tool_view
@never_cache
@require_GET
def request_detail(request, pk: int):
    p2p_request = _visible_request(request, pk)
    return _render(request, "p2p/request_detail.html", {"p2p_menu": "mine", **_request_context(request, p2p_request)})


@tool_view
@require_POST
def reschedule_start(request, pk: int):
    """Actions > Reschedule: a draft for the request's cases, then the Schedule as the first time."""
    p2p_request = get_object_or_404(_requests_visible_to(request.user), pk=pk)
    _require_may_change(request.user, p2p_request)
    draft_save(
        request,
        Draft(
            case_ids=[row.case_id for row in p2p_request.request_cases.all()],
            preferred_days=list(p2p_request.preferred_days) or list(slots.WEEKDAYS),
            preferred_hours=list(p2p_request.preferred_hours) or list(slots.HOURS),
            questions_done=True,
            rescheduling_request_id=p2p_request.pk,
        ),
    )
    return redirect("p2p:schedule")


@tool_view
@never_cache
@require_http_methods(["GET", "POST"])
def cancel(request, pk: int):
    """Actions > Cancel: "Cancellation reason" (required), then ``booking.cancel``."""
    p2p_request = _visible_request(request, pk)
    _require_may_change(request.user, p2p_request)
    posted = request.method == "POST"
    form = CancelForm(request.POST if posted else None)
    if posted and form.is_valid():
        try:
            booking.cancel(
                user=request.user, p2p_request=p2p_request, reason=form.cleaned_data["reason"], request=request
            )
        except ValidationError as error:
            form.add_error("reason" if hasattr(error, "error_dict") else None, error)
        else:
            messages.success(request, f"P2P request {p2p_request.number} was cancelled.")
            return redirect("p2p:request_detail", pk=p2p_request.pk)
    context = {"p2p_menu": "mine", "form": form, **_request_context(request, p2p_request)}
    return _render(request, "p2p/cancel.html", context, status=400 if posted else 200)
