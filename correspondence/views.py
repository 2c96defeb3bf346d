"""A letter's PDF, the Message Center and Settings & Preferences."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from audit.services import audit_record
from cases.permissions import CaseAction, case_permits, grants_of
from correspondence import letters, selectors, services
from correspondence.forms import (
    MessageActionForm,
    MessageFilterForm,
    MessageTypesForm,
    NoticePreferencesForm,
    PracticeCorrespondenceForm,
)
from correspondence.models import Category
from correspondence.selectors import Tab, letters_visible_to
from correspondence.services import MessageAction
from practices.selectors import practices_managed_by


@login_required
@require_GET
def letter_pdf(request, pk: int):
    """A letter's stored PDF, for the users who may view its case or whose Message Center holds it
    (``selectors.letters_visible_to``; 404 for anyone else, and until it is rendered); the read is audited."""
    letter = get_object_or_404(letters_visible_to(request.user), pk=pk)
    if not letter.is_rendered:
        raise Http404("This letter is being prepared.")
    audit_record(
        action="correspondence.letter_viewed",
        request=request,
        target=letter.case,
        details={"letter": letter.pk, "kind": letter.kind},
    )
    response = HttpResponse(letters.letter_pdf(letter), content_type="application/pdf")
    filename = f"{letter.kind.replace('_', '-')}-letter-{letter.pk}.pdf"
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


# --- The Message Center (COR-3, seed 004) ---------------------------------------------------------------------

PAGE_SIZE = 20
# The categories whose letters are not written yet: their filter shows why the list is empty.
NO_LETTERS_YET = {Category.ECRM: "ECRM tickets", Category.P2P: "peer-to-peer consultations"}
ACTION_DONE = {
    MessageAction.FLAG: "The message was flagged.",
    MessageAction.UNFLAG: "The flag was removed.",
    MessageAction.ARCHIVE: "The message was moved to the Archive.",
    MessageAction.MOVE_TO_INBOX: "The message was moved to the Inbox.",
    MessageAction.DELETE: "The message was deleted from your Message Center. It stays on the request's correspondence.",
}


def _message_center_url(state: dict[str, str]) -> str:
    query = urlencode(state)
    return reverse("correspondence:message_center") + (f"?{query}" if query else "")


@login_required
@require_GET
def message_center(request):
    """The user's inbox of the letters of their own requests and of their Correspondence practices' cases
    (``selectors.messages_of``), newest first, under its tab, category and type; the letters listed are audited (a
    list of PHI, like the worklist). A user with neither reads why and whom to ask."""
    refusal = selectors.message_center_refusal(request.user)
    if refusal:
        return render(request, "correspondence/message_center.html", {"refusal": refusal, "tab_label": Tab.INBOX.label})
    form = MessageFilterForm(request.GET)
    state = form.state()
    tab, category, kind = state.get("tab", Tab.INBOX), state.get("category", ""), state.get("type", "")
    mine = selectors.messages_of(request.user)
    listed = selectors.messages_in_tab(selectors.messages_filtered(mine, category=category, kind=kind), tab)
    page = Paginator(listed, PAGE_SIZE).get_page(state.get("page"))
    grants = grants_of(request.user)
    rows = [_message_row(letter, state, request.user, grants) for letter in page.object_list]
    if rows:
        audit_record(
            action="message_center.viewed",
            request=request,
            details={"tab": tab, "page": page.number, "letters": [row["letter"].pk for row in rows]},
        )
    unread = selectors.message_tab_counts(mine)
    base = {key: value for key, value in state.items() if key in ("category", "type")}
    return render(
        request,
        "correspondence/message_center.html",
        {
            "form": form,
            "tab": tab,
            "tab_label": Tab(tab).label,
            "tabs": [
                {
                    "label": label,
                    "unread": unread[key],
                    "current": key == tab,
                    "url": _message_center_url({**base, "tab": key} if key != Tab.INBOX else base),
                }
                for key, label in Tab.choices
            ],
            "filtered": bool(category or kind),
            "clear_url": (category or kind) and _message_center_url({"tab": tab} if tab != Tab.INBOX else {}),
            "empty_message": _empty_message(tab, category, filtered=bool(category or kind)),
            "page_obj": page,
            "rows": rows,
            "previous_url": page.has_previous() and _message_center_url({**state, "page": page.previous_page_number()}),
            "next_url": page.has_next() and _message_center_url({**state, "page": page.next_page_number()}),
            "state": state,
        },
    )


def _empty_message(tab: str, category: str, *, filtered: bool) -> str:
    if category in NO_LETTERS_YET:
        return (
            f"There is no {Category(category).label} correspondence in your Message Center yet. Letters about "
            f"{NO_LETTERS_YET[category]} will be listed here when they are sent."
        )
    with_filters = " with these filters" if filtered else ""
    if tab == Tab.FLAGGED:
        return f"No flagged messages{with_filters}. Flag a message to find it here."
    if tab == Tab.ARCHIVE:
        return f"No archived messages{with_filters}. Archive a message to move it here from the Inbox."
    return f"No messages{with_filters}. Letters about your requests appear here when they are sent."


def _message_row(letter, state, user, grants) -> dict:
    """One message, whether its request's page opens for the user (a Correspondence-only member reads the letter,
    not the case), and the buttons it offers (Flag or Unflag, Archive or Move to inbox), decided here."""
    return {
        "letter": letter,
        "case_link": case_permits(user, letter.case, CaseAction.VIEW, grants=grants),
        # What each button acts on, for screen readers: "Flag: Hold Letter of A001393861".
        "about": f"{letter.get_kind_display()} of {letter.case.case_number or letter.case.request_id}",
        "unread": letter.read_at is None,
        "flag_action": MessageAction.UNFLAG if letter.flagged else MessageAction.FLAG,
        "archive_action": MessageAction.MOVE_TO_INBOX if letter.archived_at else MessageAction.ARCHIVE,
    }


@login_required
@require_POST
def message_action(request, pk: int):
    """Review, flag or unflag, archive or move to the inbox, or delete one message of the user's (404 for a letter
    not in their Message Center); back to the list they were on, or to the letter's PDF for Review."""
    letter = selectors.message_get(request.user, pk)
    form = MessageActionForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest("Choose one of the message's buttons.")
    action = form.cleaned_data["action"]
    back = _message_center_url(form.state())
    if action == MessageAction.REVIEW and not letter.is_rendered:
        messages.info(request, "This letter is being prepared. Try again in a minute.")
        return redirect(back)
    services.message_act(user=request.user, letter=letter, action=action, request=request)
    if action == MessageAction.REVIEW:
        return redirect("correspondence:letter_pdf", pk=letter.pk)
    messages.success(request, ACTION_DONE[action])
    return redirect(back)


# --- Settings & Preferences (COR-3, seed 004) -----------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request):
    """The user's email notices of new correspondence, per practice, and the types of letter their Message Center
    shows; for the practices they manage, a link to the practice's own settings. Two forms, told apart by the
    message types form's ``section`` field."""
    choices = selectors.notice_choices_of(request.user)
    posted = request.POST if request.method == "POST" else None
    posted_types = posted is not None and posted.get("section") == "message_types"
    form = NoticePreferencesForm(None if posted_types else posted, choices=choices)
    types_form = MessageTypesForm(posted if posted_types else None)
    if types_form.is_bound and types_form.is_valid():
        services.message_types_set(user=request.user, shown=set(types_form.cleaned_data["shown"]), request=request)
        messages.success(request, "The messages shown in your Message Center were saved.")
        return redirect("correspondence:preferences")
    if form.is_bound and form.is_valid():
        services.notice_preferences_set(user=request.user, choices=form.choices(), request=request)
        messages.success(request, "Your notification preferences were saved.")
        return redirect("correspondence:preferences")
    context = {
        "form": form,
        "choices": choices,
        "types_form": types_form,
        "message_types": _numbered(selectors.message_type_choices(request.user)),
    }
    return render(request, "correspondence/preferences.html", context)


def _numbered(groups: list[dict]) -> list[dict]:
    # Each box's id, numbered across the groups as Django numbers one field's boxes (id_shown_0, _1, ...), so the
    # error summary's link to the field lands on the first box.
    boxes = (item for group in groups for item in group["kinds"])
    for number, item in enumerate(boxes):
        item["id"] = f"id_shown_{number}"
    return groups


@login_required
@require_http_methods(["GET", "POST"])
def practice_preferences(request, practice_id: int):
    """A practice's default email notices and paper delivery: its website access managers only (404 for anyone
    else, as for the practice's other manager pages)."""
    practice = get_object_or_404(practices_managed_by(request.user), pk=practice_id)
    initial = {
        "frequency": selectors.practice_notice_default(practice),
        "paper_precertification_letters": practice.paper_precertification_letters,
        "paper_claim_letters": practice.paper_claim_letters,
    }
    form = PracticeCorrespondenceForm(request.POST or None, initial=initial)
    if form.is_bound and form.is_valid():
        services.practice_correspondence_set(
            manager=request.user, practice=practice, **form.cleaned_data, request=request
        )
        messages.success(request, f"Settings for TIN {practice.tin} were saved.")
        return redirect("correspondence:practice_preferences", practice_id=practice.pk)
    return render(request, "correspondence/practice_preferences.html", {"form": form, "practice": practice})
