"""ECRM pages (seed 000): registration, the landing page, Submit Case, a request form, Ticket Details, My Cases
and a ticket's two views (Activity, Submitted Details), and the reporter's edit while it is New."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_str
from django.utils.http import urlsafe_base64_decode
from django.utils.timesince import timesince
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import User
from accounts.tokens import email_verification_token
from audit.services import audit_record
from ecrm import registration, selectors, tickets
from ecrm.attachments import attachment_open
from ecrm.forms import (
    CommentForm,
    EcrmRegistrationForm,
    RejectResolutionForm,
    ResendForm,
    TicketEditForm,
    TicketForm,
)
from ecrm.models import EcrmProfile, Ticket, TicketState
from portal import navigation as nav
from portal.pagination import CountedPaginator

JUST_NOW_SECONDS = 60
MY_CASES_PAGE_SIZE = 25
# The search of My Cases may name a patient (a short description can): it is posted and kept in the session,
# never put in a URL (as My Worklist does, cases/views/worklist.py).
MY_CASES_SEARCH_KEY = "ecrm.my_cases.search"


def _render(request, template: str, context: dict | None = None, *, status: int = 200):
    """Every ECRM page: the ECRM bar ("Submit Case", "My Cases"); an ECRM-only account sees only ECRM in the
    header (the view's context outranks the navigation context processor)."""
    context = {"ecrm_links": nav.resolved(nav.ECRM_LINKS), **(context or {})}
    if selectors.is_ecrm_only(request.user):
        context.update(upx_links=(), portals_menu=nav.resolved(nav.ECRM_ONLY_PORTALS_MENU))
    return render(request, template, context, status=status)


# --- Registration (ECRM-1) ------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def register(request):
    form = EcrmRegistrationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        registration.ecrm_register(request=request, data=form.cleaned_data)
        return redirect("ecrm:register_sent")
    return _render(request, "ecrm/register.html", {"form": form}, status=400 if request.method == "POST" else 200)


@require_GET
def register_sent(request):
    return _render(request, "ecrm/register_sent.html")


@require_POST
def resend_verification(request):
    form = ResendForm(request.POST)
    if not form.is_valid():
        return _render(request, "ecrm/link_invalid.html", {"form": form}, status=400)
    registration.ecrm_verification_resend(request=request, email=form.cleaned_data["email"])
    return redirect("ecrm:register_sent")


def _registered_user(uidb64: str) -> User | None:
    """The ECRM registration a link names; portal registrations verify through their own page."""
    try:
        pk = int(force_str(urlsafe_base64_decode(uidb64)))
    except (ValueError, TypeError, OverflowError):
        return None
    profile = EcrmProfile.objects.select_related("user").filter(user_id=pk).first()
    return profile.user if profile else None


@never_cache
@require_GET
def verify_email(request, uidb64: str, token: str):
    """The "Verify Account" link: "Your email address has been verified.", then the password email."""
    user = _registered_user(uidb64)
    if user is None or not email_verification_token.check_token(user, token):
        return _render(request, "ecrm/link_invalid.html", {"form": ResendForm()}, status=400)
    registration.ecrm_email_verified(request=request, user=user)
    return _render(request, "ecrm/verified.html")


# --- Landing, Submit Case (ECRM-2) ---------------------------------------------------------------------


@require_GET
def landing(request):
    """Visitors read what ECRM is, with Log in and Register; signed-in users start here."""
    if not request.user.is_authenticated:
        return _render(request, "ecrm/welcome.html")
    return _render(request, "ecrm/landing.html", {"categories": selectors.categories_active()})


@login_required
@require_GET
def submit_case(request):
    return _render(request, "ecrm/submit_case.html", {"categories": selectors.categories_active()})


@login_required
@require_GET
def category(request, slug: str):
    chosen = get_object_or_404(selectors.categories_active(), slug=slug)
    context = {
        "categories": selectors.categories_active(),
        "category": chosen,
        "request_forms": selectors.request_forms_of(category=chosen, user=request.user),
    }
    return _render(request, "ecrm/submit_case.html", context)


# --- A request form (ECRM-3) and its ticket (ECRM-4) ----------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def request_form(request, slug: str):
    chosen = get_object_or_404(selectors.request_form_active(slug=slug))
    profile = EcrmProfile.objects.filter(user=request.user).first()
    initial = {
        "contact_name": request.user.get_full_name(),
        "contact_email": request.user.email,
        "contact_phone": profile.business_phone if profile else request.user.phone,
    }
    posted = request.method == "POST"
    form = TicketForm(
        request.POST if posted else None,
        request.FILES if posted else None,
        request_form=chosen,
        plans=selectors.health_plans(),
        colleagues=selectors.colleagues_of(request.user),
        initial=initial,
    )
    if posted and form.is_valid():
        ticket = tickets.ticket_submit(
            request=request,
            user=request.user,
            request_form=chosen,
            data=form.cleaned_data,
            files=form.cleaned_data["attachments"],
        )
        messages.success(request, "Your request has been submitted")
        return redirect("ecrm:ticket_detail", number=ticket.number)
    context = {
        "form": form,
        "request_form": chosen,
        "instructions": selectors.instructions_by_field(chosen),
        "is_favorite": selectors.is_favorite(user=request.user, request_form=chosen),
    }
    return _render(request, "ecrm/request_form.html", context, status=400 if posted else 200)


@login_required
@require_POST
def favorite_toggle(request, slug: str):
    """ "Add to Favorites?": a form's star, a POST that works without JavaScript."""
    chosen = get_object_or_404(selectors.request_form_active(slug=slug))
    starred = tickets.favorite_toggle(user=request.user, request_form=chosen)
    messages.success(request, f"{chosen.name} {'added to' if starred else 'removed from'} your favorites.")
    return redirect("ecrm:request_form", slug=chosen.slug)


def created_words(created_at, now) -> str:
    """ "just now" for the first minute (seed 000), then "5 minutes ago", "2 days ago"."""
    if (now - created_at).total_seconds() < JUST_NOW_SECONDS:
        return "just now"
    return f"{timesince(created_at, now, depth=1)} ago"


# --- My Cases (ECRM-5) ---------------------------------------------------------------------------------


def _my_cases_address(*, tab: str, sort: str, page=None) -> str:
    params = {"tab": tab, "sort": sort} | ({"page": page} if page is not None else {})
    return f"{reverse('ecrm:my_cases')}?{urlencode(params)}"


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def my_cases(request):
    """My Cases: "Search within My Cases", Open / Closed, the seed's six columns, each sortable by a link that
    works without JavaScript (``?sort=`` checked against the columns' allow-list), 25 to a page."""
    source = request.POST if request.method == "POST" else request.GET
    tab, sort = selectors.my_cases_tab(source.get("tab")), selectors.my_cases_sort(source.get("sort"))
    if request.method == "POST":
        term = "" if "clear" in request.POST else selectors.my_cases_term(request.POST.get("q"))
        if term:
            request.session[MY_CASES_SEARCH_KEY] = term
        else:
            request.session.pop(MY_CASES_SEARCH_KEY, None)
        return redirect(_my_cases_address(tab=tab, sort=sort))
    term = selectors.my_cases_term(request.session.get(MY_CASES_SEARCH_KEY, ""))
    counts, listed = selectors.my_cases(request.user, term=term, tab=tab, sort=sort)
    # The tab's count is already in the counts: the paginator does not count the list a second time.
    page = CountedPaginator(listed, MY_CASES_PAGE_SIZE, count=counts[tab]).get_page(request.GET.get("page"))
    tickets = list(page.object_list)
    if tickets:
        audit_record(
            action="ecrm.my_cases_viewed",
            request=request,
            details={"tab": tab, "sort": sort, "page": page.number, "tickets": [t.pk for t in tickets]},
        )
    current, descending = sort.removeprefix("-"), sort.startswith("-")
    columns = [
        {
            "label": column.label,
            # A click on the sorted column turns it around; another column sorts ascending first.
            "url": _my_cases_address(
                tab=tab, sort=f"-{column.key}" if column.key == current and not descending else column.key
            ),
            "aria_sort": ("descending" if descending else "ascending") if column.key == current else "",
        }
        for column in selectors.MY_CASES_COLUMNS
    ]
    context = {
        "tabs": [
            {
                "label": t.label,
                "count": counts[t.key],
                "url": _my_cases_address(tab=t.key, sort=sort),
                "current": t.key == tab,
            }
            for t in selectors.MY_CASES_TABS
        ],
        "tab": tab,
        "tab_label": selectors.MY_CASES_TABS_BY_KEY[tab].label,
        "sort": sort,
        "term": term,
        "columns": columns,
        # A phone stacks the table and hides its headers: the same sorts as a GET form.
        "sort_options": [
            (f"{prefix}{column.key}", f"{column.label}, {way}")
            for column in selectors.MY_CASES_COLUMNS
            for prefix, way in (("", "ascending"), ("-", "descending"))
        ],
        "tickets": tickets,
        "page_obj": page,
        "previous_url": _my_cases_address(tab=tab, sort=sort, page=page.previous_page_number())
        if page.has_previous()
        else "",
        "next_url": _my_cases_address(tab=tab, sort=sort, page=page.next_page_number()) if page.has_next() else "",
    }
    return _render(request, "ecrm/my_cases.html", context)


# --- A ticket: Activity, Submitted Details, edit while New ----------------------------------------------


def _reporter_only(request, ticket: Ticket) -> None:
    """A colleague copied on the ticket sees it but may not edit it nor answer its resolution: 403."""
    if ticket.reporter_id != request.user.pk:
        raise PermissionDenied("Only the reporter of this request may do this.")


def _ticket_context(request, ticket: Ticket, view: str) -> dict:
    """What both views show above their tab: the ticket's header and the two views' links."""
    is_reporter = ticket.reporter_id == request.user.pk
    return {
        "ticket": ticket,
        "created_words": created_words(ticket.created_at, timezone.now()),
        "is_reporter": is_reporter,
        "copied_colleagues": selectors.copied_colleague_names(ticket),
        "may_edit": is_reporter and ticket.state == TicketState.NEW,
        "view": view,
        "views": [
            ("activity", "Activity", reverse("ecrm:ticket_activity", kwargs={"number": ticket.number})),
            ("details", "Submitted Details", reverse("ecrm:ticket_detail", kwargs={"number": ticket.number})),
        ],
    }


@login_required
@never_cache
@require_GET
def ticket_detail(request, number: str):
    """Ticket Details, Submitted Details view: the reporter's tickets and those they were copied on (ECRM-8);
    any other number is a 404."""
    ticket = get_object_or_404(selectors.ticket_with_options(selectors.tickets_visible_to(request.user)), number=number)
    audit_record(action="ecrm.ticket_viewed", request=request, target=ticket)
    context = _ticket_context(request, ticket, "details") | {
        "plans": list(ticket.health_plans.all()),
        "attachments": list(ticket.attachments.all()),
    }
    return _render(request, "ecrm/ticket_detail.html", context)


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def ticket_activity(request, number: str):
    """The Activity view: the timeline newest first (never a work note), and "Type your message here..." with
    Post and "Add Attachments"."""
    ticket = get_object_or_404(selectors.tickets_visible_to(request.user), number=number)
    posted = request.method == "POST"
    form = CommentForm(request.POST, request.FILES) if posted else CommentForm()
    if posted and form.is_valid():
        try:
            tickets.ticket_comment_add(
                ticket=ticket,
                author=request.user,
                body=form.cleaned_data["body"],
                files=form.cleaned_data["attachments"],
                request=request,
            )
        except ValidationError as error:
            form.add_error("body", error)
        else:
            messages.success(request, "Your message has been posted.")
            return redirect("ecrm:ticket_activity", number=ticket.number)
    return _activity_render(request, ticket, form=form, status=400 if posted else 200)


def _activity_render(request, ticket: Ticket, *, form=None, reject_form=None, status: int = 200):
    audit_record(action="ecrm.ticket_viewed", request=request, target=ticket, details={"view": "activity"})
    now = timezone.now()
    may_answer = ticket.state == TicketState.RESOLVED and ticket.reporter_id == request.user.pk
    context = _ticket_context(request, ticket, "activity") | {
        "form": form or CommentForm(),
        "may_answer_resolution": may_answer,
        "reject_form": (reject_form or RejectResolutionForm()) if may_answer else None,
        "error_form": reject_form if reject_form is not None else form,
        "may_post": ticket.state != TicketState.CLOSED,
        "timeline": [
            {"entry": entry, "when_words": created_words(entry.when, now)}
            for entry in selectors.ticket_timeline(ticket)
        ],
    }
    return _render(request, "ecrm/ticket_activity.html", context, status=status)


@login_required
@never_cache
@require_POST
def ticket_accept(request, number: str):
    """The reporter accepts the resolution of their Resolved ticket: it closes."""
    ticket = get_object_or_404(selectors.tickets_visible_to(request.user), number=number)
    _reporter_only(request, ticket)
    try:
        tickets.ticket_resolution_accept(ticket=ticket, user=request.user, request=request)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"Thank you: {ticket.number} is Closed.")
    return redirect("ecrm:ticket_activity", number=ticket.number)


@login_required
@never_cache
@require_POST
def ticket_reject(request, number: str):
    """The reporter rejects the resolution with a reason: the ticket returns to In Progress."""
    ticket = get_object_or_404(selectors.tickets_visible_to(request.user), number=number)
    _reporter_only(request, ticket)
    form = RejectResolutionForm(request.POST)
    if form.is_valid():
        try:
            tickets.ticket_resolution_reject(
                ticket=ticket, user=request.user, reason=form.cleaned_data["reason"], request=request
            )
        except ValidationError as error:
            if not hasattr(error, "error_dict"):
                messages.error(request, " ".join(error.messages))
                return redirect("ecrm:ticket_activity", number=ticket.number)
            form.add_error("reason", error.error_dict.get("reason"))
        else:
            messages.success(request, f"{ticket.number} is reopened: an agent will look at it again.")
            return redirect("ecrm:ticket_activity", number=ticket.number)
    return _activity_render(request, ticket, reject_form=form, status=400)


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def ticket_edit(request, number: str):
    """The reporter edits the request while it is New; after that the page says why not, from the Activity."""
    ticket = get_object_or_404(selectors.tickets_visible_to(request.user), number=number)
    _reporter_only(request, ticket)
    if ticket.state != TicketState.NEW:
        messages.error(request, tickets.not_editable_message(ticket))
        return redirect("ecrm:ticket_activity", number=ticket.number)
    posted = request.method == "POST"
    form = TicketEditForm(
        request.POST if posted else None,
        ticket=ticket,
        plans=selectors.health_plans(),
        colleagues=selectors.colleagues_of(request.user),
    )
    if posted and form.is_valid():
        try:
            change = tickets.ticket_update(ticket=ticket, user=request.user, data=form.cleaned_data, request=request)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("ecrm:ticket_activity", number=ticket.number)
        messages.success(request, "Your request has been updated." if change else "Nothing was changed.")
        return redirect("ecrm:ticket_detail", number=ticket.number)
    context = {
        "form": form,
        "ticket": ticket,
        "request_form": ticket.request_form,
        "instructions": selectors.instructions_by_field(ticket.request_form),
    }
    return _render(request, "ecrm/ticket_edit.html", context, status=400 if posted else 200)


@login_required
@require_GET
def attachment_download(request, number: str, pk: int):
    """An attachment, to those who see its ticket (the reporter, the colleagues copied on it) or to staff who may
    view tickets; never a work note's file but to staff; always as a download."""
    ticket = Ticket.objects.filter(number=number).first()
    if ticket is None or not selectors.attachment_readers_may(request.user, ticket):
        raise Http404("No such attachment.")
    attachment = get_object_or_404(selectors.attachments_visible_to(request.user, ticket), pk=pk)
    audit_record(
        action="ecrm.attachment_downloaded", request=request, target=ticket, details={"attachment": attachment.pk}
    )
    response = FileResponse(
        attachment_open(attachment.stored_name),
        as_attachment=True,
        filename=attachment.original_name,
        content_type="application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
