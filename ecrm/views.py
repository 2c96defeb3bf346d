"""ECRM pages (seed 000): registration, the landing page, Submit Case, a request form, Ticket Details."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.encoding import force_str
from django.utils.http import urlsafe_base64_decode
from django.utils.timesince import timesince
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import User
from accounts.tokens import email_verification_token
from audit.services import audit_record
from ecrm import selectors, services
from ecrm.attachments import attachment_open
from ecrm.forms import EcrmRegistrationForm, ResendForm, TicketForm
from ecrm.models import EcrmProfile, Ticket
from portal import navigation as nav

JUST_NOW_SECONDS = 60


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
        services.ecrm_register(request=request, data=form.cleaned_data)
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
    services.ecrm_verification_resend(request=request, email=form.cleaned_data["email"])
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
    services.ecrm_email_verified(request=request, user=user)
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
        initial=initial,
    )
    if posted and form.is_valid():
        ticket = services.ticket_submit(
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
    starred = services.favorite_toggle(user=request.user, request_form=chosen)
    messages.success(request, f"{chosen.name} {'added to' if starred else 'removed from'} your favorites.")
    return redirect("ecrm:request_form", slug=chosen.slug)


def created_words(created_at, now) -> str:
    """ "just now" for the first minute (seed 000), then "5 minutes ago", "2 days ago"."""
    if (now - created_at).total_seconds() < JUST_NOW_SECONDS:
        return "just now"
    return f"{timesince(created_at, now, depth=1)} ago"


@login_required
@never_cache
@require_GET
def ticket_detail(request, number: str):
    """Ticket Details: only the reporter's own tickets; any other number is a 404 (SEC-1)."""
    ticket = get_object_or_404(selectors.ticket_with_options(selectors.tickets_visible_to(request.user)), number=number)
    audit_record(action="ecrm.ticket_viewed", request=request, target=ticket)
    context = {
        "ticket": ticket,
        "created_words": created_words(ticket.created_at, timezone.now()),
        "plans": list(ticket.health_plans.all()),
        "attachments": list(ticket.attachments.all()),
    }
    return _render(request, "ecrm/ticket_detail.html", context)


@login_required
@require_GET
def attachment_download(request, number: str, pk: int):
    """An attachment, to its ticket's reporter or to staff who may view tickets; always as a download."""
    ticket = Ticket.objects.filter(number=number).first()
    if ticket is None or not selectors.attachment_readers_may(request.user, ticket):
        raise Http404("No such attachment.")
    attachment = get_object_or_404(ticket.attachments, pk=pk)
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
