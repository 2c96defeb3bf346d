"""The requests (P2P-5, P2P-6): the Confirmation, My P2P Requests, a request, and its Actions (Reschedule,
Cancel). A request is seen by who made it and by those who may view one of its cases; any other answers 404."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from audit.services import audit_record
from p2p import booking, slots
from p2p.draft import Draft, draft_save
from p2p.forms_schedule import CancelForm
from p2p.models import P2PRequest
from p2p.timefmt import appointment as when
from p2p.views.common import DraftCase, render_step, requests_visible_to, tool_view, user_zone

REQUESTS_PAGE_SIZE = 20


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
    zone_name = user_zone(request)
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
    p2p_request = get_object_or_404(requests_visible_to(request.user), pk=pk)
    audit_record(action="p2p.request_viewed", request=request, target=p2p_request)
    return p2p_request


def _request_page(request, pk: int, template: str, **context):
    """A page about one visible request (the Confirmation, the request's own page)."""
    p2p_request = _visible_request(request, pk)
    return render_step(request, template, {**context, **_request_context(request, p2p_request)})


@tool_view
@never_cache
@require_GET
def confirmation(request, pk: int):
    return _request_page(request, pk, "p2p/confirmation.html", step="confirmation")


@tool_view
@never_cache
@require_GET
def my_requests(request):
    zone_name = user_zone(request)
    visible = requests_visible_to(request.user).order_by("-created_at", "-pk")
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
    return render_step(request, "p2p/my_requests.html", {"page_obj": page, "rows": rows, "p2p_menu": "mine"})


@tool_view
@never_cache
@require_GET
def request_detail(request, pk: int):
    return _request_page(request, pk, "p2p/request_detail.html", p2p_menu="mine")


@tool_view
@require_POST
def reschedule_start(request, pk: int):
    """Actions > Reschedule: a draft for the request's cases, then the Schedule as the first time."""
    p2p_request = get_object_or_404(requests_visible_to(request.user), pk=pk)
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
    return render_step(request, "p2p/cancel.html", context, status=400 if posted else 200)
