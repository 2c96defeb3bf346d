"""ECRM reads: the catalog, a user's favorites, and the one scope of tickets a user may see (SPEC ECRM, SEC-1)."""

from django.db.models import Exists, OuterRef, Prefetch, QuerySet

from ecrm.models import Category, EcrmProfile, Favorite, FieldInstructions, RequestForm, RequestType, Ticket
from practices.selectors import memberships_for
from reference.models import HealthPlan


def is_ecrm_user(user) -> bool:
    return bool(user.is_authenticated) and EcrmProfile.objects.filter(user=user).exists()


def is_ecrm_only(user) -> bool:
    """An account registered for ECRM that no practice has taken in: it sees no page of the provider portal.

    Case pages are scoped by practice membership (``cases.permissions``); an ECRM registration never makes one
    (its tax ID stays on the ECRM profile), so such a user has nothing there, and is sent to ECRM instead.
    """
    if not user.is_authenticated or user.is_staff:
        return False
    return is_ecrm_user(user) and not memberships_for(user).exists()


def categories_active() -> QuerySet[Category]:
    return Category.objects.filter(is_active=True)


def request_forms_of(*, category: Category, user) -> list[RequestForm]:
    """The category's active forms, the user's favorites first (seed 000: "Add to Favorites?")."""
    favorite = Favorite.objects.filter(user=user, request_form=OuterRef("pk"))
    forms = category.request_forms.filter(is_active=True).annotate(is_favorite=Exists(favorite))
    return list(forms.order_by("-is_favorite", "sort_order", "name"))


def request_form_active(*, slug: str) -> QuerySet[RequestForm]:
    types = RequestType.objects.prefetch_related("subrequests")
    return (
        RequestForm.objects.filter(slug=slug, is_active=True, category__is_active=True)
        .select_related("category")
        .prefetch_related(Prefetch("request_types", queryset=types), "field_instructions")
    )


def is_favorite(*, user, request_form: RequestForm) -> bool:
    return Favorite.objects.filter(user=user, request_form=request_form).exists()


def instructions_by_field(request_form: RequestForm) -> dict[str, str]:
    return {item.field: item.text for item in request_form.field_instructions.all()}


def field_names_with_instructions() -> tuple[str, ...]:
    return tuple(FieldInstructions.Field.values)


def health_plans() -> QuerySet[HealthPlan]:
    """The insurance carriers a ticket can name: the health plans of the reference data."""
    return HealthPlan.objects.order_by("name")


def tickets_visible_to(user) -> QuerySet[Ticket]:
    """Every ticket ``user`` may open on the ECRM pages: their own. Any other number answers 404."""
    if not user.is_authenticated:
        return Ticket.objects.none()
    return Ticket.objects.filter(reporter=user).select_related(
        "request_form__category", "request_type", "subrequest", "reporter"
    )


def ticket_with_options(queryset: QuerySet[Ticket]) -> QuerySet[Ticket]:
    return queryset.prefetch_related("health_plans", "attachments")


def attachment_readers_may(user, ticket: Ticket) -> bool:
    """Attachments are served to the reporter and to staff who may view tickets (ECRM agents), nobody else."""
    if not user.is_authenticated:
        return False
    if ticket.reporter_id == user.pk:
        return True
    return user.is_staff and user.has_perm("ecrm.view_ticket")
