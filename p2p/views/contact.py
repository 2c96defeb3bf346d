"""P2P Contact Details (P2P-5): who the reviewer calls, for the time held; Submit books it (``booking.book``), or
moves the request being rescheduled to it (``booking.reschedule``), then the Confirmation. A hold lost meanwhile
sends the user back to the Schedule, which says why."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from p2p import booking
from p2p.draft import Draft, draft_clear, draft_save
from p2p.forms_schedule import ContactForm
from p2p.models import Reservation
from p2p.timefmt import appointment as when
from p2p.timefmt import clock
from p2p.views.common import (
    NOT_OPEN,
    REFUSAL_KEY,
    DraftCase,
    render_step,
    requests_visible_to,
    tool_state,
    tool_view,
    user_zone,
)


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
    state, gate = tool_state(request, need_questions=True, need_hold=True)
    if gate:
        return gate
    draft, cases = state
    reservation = _held(request, draft)
    if reservation is None:
        return _back_to_schedule_taken(request, draft, NOT_OPEN)
    rescheduling = None
    if draft.rescheduling_request_id:
        rescheduling = get_object_or_404(requests_visible_to(request.user), pk=draft.rescheduling_request_id)
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
                    time_zone=user_zone(request),
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
    zone_name = user_zone(request)
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
    return render_step(request, "p2p/contact.html", context, status=400 if posted else 200)
