"""ECRM reads: the catalog, a user's favorites, and the one scope of tickets a user may see (SPEC ECRM, SEC-1)."""

import datetime
from dataclasses import dataclass

from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    ExpressionWrapper,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Lower, Trim

from ecrm.models import (
    Category,
    EcrmProfile,
    Favorite,
    FieldInstructions,
    RequestForm,
    RequestType,
    Ticket,
    TicketAttachment,
    TicketChange,
    TicketComment,
    TicketCopy,
    TicketState,
)
from practices.models import PracticeMembership
from reference.models import HealthPlan


def is_ecrm_user(user) -> bool:
    return bool(user.is_authenticated) and EcrmProfile.objects.filter(user=user).exists()


def ecrm_profile_state(user) -> tuple[bool, bool]:
    """(has an ECRM profile, is a member of a practice), in one query: ``is_ecrm_only`` is the first without the
    second. The membership is asked only when there is a profile."""
    memberships = PracticeMembership.objects.filter(user=OuterRef("user"))
    state = EcrmProfile.objects.filter(user=user).values_list(Exists(memberships), flat=True).first()
    return state is not None, bool(state)


def is_ecrm_only(user) -> bool:
    """An account registered for ECRM that no practice has taken in: it sees no page of the provider portal.

    Case pages are scoped by practice membership (``cases.permissions``); an ECRM registration never makes one
    (its tax ID stays on the ECRM profile), so such a user has nothing there, and is sent to ECRM instead.
    """
    if not user.is_authenticated or user.is_staff:
        return False
    has_profile, is_member = ecrm_profile_state(user)
    return has_profile and not is_member


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


def colleagues_of(user) -> QuerySet:
    """The colleagues ``user`` may copy on a ticket (ECRM-8): the other active ECRM users of their organization,
    by name. An organization is what ECRM registration records on the profile: the Organization Name (letter
    case and outer spaces aside) together with the Tax ID, so that typing a name alone joins no organization.
    Nobody for a user without an ECRM profile."""
    from accounts.models import User

    profile = EcrmProfile.objects.filter(user=user).first() if user.is_authenticated else None
    if profile is None:
        return User.objects.none()
    return (
        User.objects.filter(is_active=True, ecrm_profile__tax_id=profile.tax_id)
        .alias(organization=Lower(Trim("ecrm_profile__organization_name")))
        .filter(organization=profile.organization_name.strip().lower())
        .exclude(pk=user.pk)
        .order_by("last_name", "first_name", "pk")
    )


def tickets_visible_to(user) -> QuerySet[Ticket]:
    """Every ticket ``user`` may open on the ECRM pages (ECRM-8): their own, and those of their organization's
    colleagues who copied them on it. Any other number answers 404. The one scope every ticket page, its
    attachments and My Cases read.

    The copied tickets' ids are read first (one small query on the copies' user index), so that the database
    answers "own or copied" from two index scans rather than a pass over every ticket."""
    if not user.is_authenticated:
        return Ticket.objects.none()
    copied = list(TicketCopy.objects.filter(user=user).values_list("ticket_id", flat=True))
    mine = Q(reporter=user) | Q(pk__in=copied) if copied else Q(reporter=user)
    scope = Ticket.objects.filter(mine)
    return scope.select_related("request_form__category", "request_type", "subrequest", "reporter")


def is_requester(user, ticket: Ticket) -> bool:
    """The reporter, or a colleague the reporter copied on the ticket: the requester's side of its Activity."""
    if ticket.reporter_id == user.pk:
        return True
    return TicketCopy.objects.filter(ticket=ticket, user_id=user.pk).exists()


def requester_by_email(ticket: Ticket, address: str):
    """The active reporter or copied colleague of ``ticket`` whose email is ``address`` (a reply's From), else
    None. The reporter first, should a colleague share the address."""
    address = (address or "").strip().lower()
    if not address:
        return None
    people = [ticket.reporter, *ticket.copied_colleagues.order_by("pk")]
    return next(
        (person for person in people if person.is_active and (person.email or "").strip().lower() == address), None
    )


def copied_colleague_names(ticket: Ticket) -> list[str]:
    """The names of the colleagues copied on the ticket, as its pages list them."""
    people = ticket.copied_colleagues.order_by("last_name", "first_name", "pk")
    return [person.get_full_name() or person.get_username() for person in people]


def ticket_with_options(queryset: QuerySet[Ticket]) -> QuerySet[Ticket]:
    """With the plans and the files submitted with the request (those added to a post show in the Activity)."""
    submitted = TicketAttachment.objects.filter(comment__isnull=True)
    return queryset.prefetch_related("health_plans", Prefetch("attachments", queryset=submitted))


def is_agent(user) -> bool:
    """Staff who may view tickets (ECRM agents)."""
    return bool(user.is_authenticated and user.is_staff and user.has_perm("ecrm.view_ticket"))


def attachments_visible_to(user, ticket: Ticket) -> QuerySet[TicketAttachment]:
    """The ticket's files ``user`` may download (after ``attachment_readers_may``): all of them for an agent;
    for the reporter and the colleagues copied on it, never a file of a work note."""
    if is_agent(user):
        return ticket.attachments.all()
    return ticket.attachments.exclude(comment__kind=TicketComment.Kind.WORK_NOTE)


def attachment_readers_may(user, ticket: Ticket) -> bool:
    """Attachments are served to those who see the ticket (its reporter and the colleagues copied on it) and to
    staff who may view tickets (ECRM agents), nobody else."""
    if not user.is_authenticated:
        return False
    return is_agent(user) or tickets_visible_to(user).filter(pk=ticket.pk).exists()


# --- My Cases (ECRM-5) ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class MyCasesTab:
    key: str
    label: str
    states: tuple[str, ...]


# Open: everything not Closed, a Resolved request too (its reporter may still answer it).
MY_CASES_TABS = (
    MyCasesTab(
        "open", "Open", (TicketState.NEW, TicketState.IN_PROGRESS, TicketState.AWAITING_INFO, TicketState.RESOLVED)
    ),
    MyCasesTab("closed", "Closed", (TicketState.CLOSED,)),
)
MY_CASES_TABS_BY_KEY = {tab.key: tab for tab in MY_CASES_TABS}
DEFAULT_MY_CASES_TAB = "open"


@dataclass(frozen=True)
class MyCasesColumn:
    key: str
    label: str
    order_by: str


# The seed's columns, in its order; each sorts by one field. The priority's stored value is its order ("1 -
# Critical" first); the state sorts in the workflow's order (New, In Progress, Awaiting Info, Resolved, Closed),
# not by its stored code.
MY_CASES_COLUMNS = (
    MyCasesColumn("number", "Number", "sequence"),
    MyCasesColumn("short_description", "Short description", "short_description"),
    MyCasesColumn("state", "State", "state_order"),
    MyCasesColumn("priority", "Priority", "priority"),
    MyCasesColumn("created", "Created", "created_at"),
    MyCasesColumn("updated", "Updated", "updated_at"),
)
MY_CASES_SORTS = {column.key: column for column in MY_CASES_COLUMNS}
DEFAULT_MY_CASES_SORT = "-number"
SEARCH_MAX_CHARS = 100
SEARCH_MAX_WORDS = 6


def my_cases_tab(value) -> str:
    return value if isinstance(value, str) and value in MY_CASES_TABS_BY_KEY else DEFAULT_MY_CASES_TAB


def my_cases_sort(value) -> str:
    """``"<key>"`` or ``"-<key>"`` of a column of the allow-list; anything else is the default."""
    value = value if isinstance(value, str) else ""
    return value if value.removeprefix("-") in MY_CASES_SORTS else DEFAULT_MY_CASES_SORT


def my_cases_term(value) -> str:
    """The search as typed, bounded: no NUL (PostgreSQL refuses it), spaces collapsed, at most 100 characters."""
    value = value if isinstance(value, str) else ""
    return " ".join(value.replace("\x00", "").split())[:SEARCH_MAX_CHARS]


def my_cases(user, *, term: str, tab: str, sort: str) -> tuple[dict[str, int], QuerySet[Ticket]]:
    """ "Search within My Cases": the Open and Closed counts (one aggregate) and the tab's tickets, sorted.

    Each word must match the number or the short description. Only the columns the list shows are read."""
    tickets = tickets_visible_to(user).select_related(None)
    for word in term.split()[:SEARCH_MAX_WORDS]:
        tickets = tickets.filter(Q(number__icontains=word) | Q(short_description__icontains=word))
    counts = tickets.order_by().aggregate(
        **{tab_.key: Count("pk", filter=Q(state__in=tab_.states)) for tab_ in MY_CASES_TABS}
    )
    sort = my_cases_sort(sort)
    descending = sort.startswith("-")
    field = MY_CASES_SORTS[sort.removeprefix("-")].order_by
    listed = (
        tickets.filter(state__in=MY_CASES_TABS_BY_KEY[my_cases_tab(tab)].states)
        .only("number", "short_description", "state", "priority", "created_at", "updated_at", "sequence")
        # "Copied": a colleague's ticket the user was copied on (ECRM-8).
        .annotate(is_copied=ExpressionWrapper(~Q(reporter_id=user.pk), output_field=BooleanField()))
    )
    if field == "state_order":
        workflow = [When(state=state, then=Value(index)) for index, state in enumerate(TicketState.values)]
        listed = listed.annotate(state_order=Case(*workflow, output_field=IntegerField()))
    # Then by number the same way, so that equal values keep one order from page to page.
    ordering = (f"-{field}", "-sequence") if descending else (field, "sequence")
    return counts, listed.order_by(*ordering)


# --- A ticket's Activity (ECRM-5) -----------------------------------------------------------------------


@dataclass(frozen=True)
class TimelineEntry:
    """One line of the Activity: who, when, what ("Additional comments", "State changed", "Created")."""

    kind: str
    label: str
    who: str
    when: datetime.datetime
    body_html: str = ""
    text: str = ""
    attachments: tuple = ()
    pk: int = 0


def person_name(user) -> str:
    if user is None:
        return "System"
    return user.get_full_name() or user.get_username()


def comments_shown_to_reporter(ticket: Ticket) -> QuerySet[TicketComment]:
    """The posts a reporter may read: additional comments only. Work notes never leave the agents' side."""
    return ticket.comments.filter(kind=TicketComment.Kind.COMMENT)


def ticket_timeline(ticket: Ticket, *, with_work_notes: bool = False) -> list[TimelineEntry]:
    """The Activity, newest first: posts with their attachments, state and priority changes and edits, and the
    creation. ``with_work_notes`` is the agents' view (the admin): work notes and assignments too.
    Three queries whatever the length (posts, their attachments, changes)."""
    comments = ticket.comments.all() if with_work_notes else comments_shown_to_reporter(ticket)
    comments = comments.select_related("author").prefetch_related("attachments")
    entries = [
        TimelineEntry(
            kind=comment.kind,
            label=comment.get_kind_display(),
            who=person_name(comment.author),
            when=comment.created_at,
            body_html=comment.body_html,
            text="By email" if comment.source == TicketComment.Source.EMAIL else "",
            attachments=tuple(comment.attachments.all()),
            pk=comment.pk,
        )
        for comment in comments
    ]
    changes = ticket.changes.select_related("changed_by")
    if not with_work_notes:
        # Who works the ticket is the agents' business, like their work notes.
        changes = changes.exclude(kind=TicketChange.Kind.ASSIGNED)
    for change in changes:
        if change.kind == TicketChange.Kind.STATE:
            text = f"State: {TicketState(change.from_state).label} to {TicketState(change.to_state).label}"
            if change.reason and change.changed_by_id == ticket.reporter_id:
                # The reporter's own words (a rejected resolution's reason); agents' reasons stay internal.
                text = f"{text}: {change.reason}"
        elif change.kind == TicketChange.Kind.PRIORITY:
            text = f"Priority: {change.get_from_priority_display()} to {change.get_to_priority_display()}"
        elif change.kind == TicketChange.Kind.ASSIGNED:
            text = change.reason
        else:
            text = f"Changed: {', '.join(change.changed_fields)}"
        entries.append(
            TimelineEntry(
                kind=change.kind,
                label=change.get_kind_display(),
                who=person_name(change.changed_by),
                when=change.changed_at,
                text=text,
                pk=change.pk,
            )
        )
    entries.sort(key=lambda entry: entry.when, reverse=True)
    entries.append(
        TimelineEntry(
            kind="created",
            label="Created",
            who=person_name(ticket.reporter),
            when=ticket.created_at,
            text=f"{ticket.number} Created",
        )
    )
    return entries


def ticket_by_message_id(message_ids: list[str]) -> Ticket | None:
    """The ticket of the first of ``message_ids`` that is the Message-ID of one of its comments."""
    if not message_ids:
        return None
    comment = TicketComment.objects.filter(message_id__in=message_ids).select_related("ticket__reporter").first()
    return comment.ticket if comment else None


def ticket_by_number(number: str) -> Ticket | None:
    return Ticket.objects.select_related("reporter").filter(number=number).first()


def comment_source_by_message_id(message_id: str) -> str | None:
    """The source of the comment that carries this Message-ID ("email": a reply already threaded), or None."""
    return TicketComment.objects.filter(message_id=message_id).values_list("source", flat=True).first()
