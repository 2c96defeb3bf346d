"""What the P2P tool's pages share: ``tool_view``, the draft's cases and the page every step renders.

Every page of the tool is wrapped in ``tool_view``: signed in, and the default time zone confirmed first (P2P-2:
"Upon first login, you will be asked to confirm your default time zone"); a user without one is sent to the time
zone page and brought back to the page they asked for.

The request being built lives in the session (``p2p.draft``): ids and choices only, never a case number or a date of
birth in a URL. Every step re-reads the draft's cases through the permission module and P2P eligibility, so a stale
draft grants nothing; the writes are ``p2p.booking``'s.
"""

import functools
from dataclasses import dataclass
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.db.models import Exists, OuterRef, Prefetch, Q
from django.shortcuts import redirect, render
from django.urls import reverse

from audit.services import audit_record
from cases.permissions import cases_visible_to
from cases.views.common import request_grants
from p2p import eligibility
from p2p.draft import Draft, draft_clear, draft_get
from p2p.models import US_TIME_ZONE_NAMES, US_TIME_ZONES, P2PRequest, P2PRequestCase

NOT_OPEN = "That time is not open any more."
REFUSAL_KEY = "p2p_schedule_refusal"  # why the Contact Details step sent the user back to pick another time
ZONE_LABELS = dict(US_TIME_ZONES)


def has_time_zone(user) -> bool:
    return getattr(user, "time_zone", "") in US_TIME_ZONE_NAMES


def tool_view(view):
    """Decorate a P2P tool view: login required, then the time zone confirmed (else a redirect there, ``next``
    carrying the page asked for; only a GET's own path is carried back, never a POST)."""

    @login_required
    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        if not has_time_zone(request.user):
            target = reverse("p2p:time_zone")
            if request.method == "GET":
                target += "?" + urlencode({"next": request.get_full_path()})
            return redirect(target)
        return view(request, *args, **kwargs)

    return wrapped


def ordinal(number: int) -> str:
    suffix = "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    return f"{number}{suffix}"


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


def user_zone(request) -> str:
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


def tool_state(request, *, need_questions: bool = False, need_hold: bool = False):
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


def render_step(request, template: str, context: dict, *, status: int = 200):
    """``template`` with the user's time zone (name and label) added to ``context``."""
    zone_name = user_zone(request)
    context = {"zone_name": zone_name, "zone_label": ZONE_LABELS.get(zone_name, zone_name), **context}
    return render(request, template, context, status=status)


def requests_visible_to(user):
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
