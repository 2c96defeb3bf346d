"""Questions (P2P-4): the preferred days and hours the Schedule offers times in."""

from django.shortcuts import redirect
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from p2p.draft import draft_save
from p2p.forms_schedule import QuestionsForm
from p2p.views.common import render_step, tool_state, tool_view


@tool_view
@never_cache
@require_http_methods(["GET", "POST"])
def questions(request):
    state, gate = tool_state(request)
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
    return render_step(
        request,
        "p2p/questions.html",
        {"form": form, "cases": cases, "step": "questions"},
        status=400 if posted else 200,
    )
