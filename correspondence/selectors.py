"""Reads of the correspondence: the letters a user may open, each user's Message Center and their email notice
preferences.

Who sees what (COR-3, seed 004: "Users with claim search and precertification entitlements will have access to
the respective digital correspondence"):

- The Message Center lists the letters of the requests the user created themself, and every letter of the cases of
  the practices where they hold the Correspondence entitlement (``message_center_cases``). Not the letters of a
  worklist shared with them, nor of the practice's other cases they view through case submission or appeals
  alone: those stay on each case's page.
- A letter's PDF opens for whoever may view its case (the case page lists its letters) and for whoever's Message
  Center holds it (``letters_visible_to``); anyone else gets 404.
"""

import datetime

from django.db import models
from django.db.models import Count, Exists, F, FilteredRelation, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404
from django.utils import timezone

from cases.models import Case
from cases.permissions import cases_visible_to
from correspondence.models import (
    ALWAYS_SHOWN_KINDS,
    DEFAULT_NOTICE_FREQUENCY,
    Category,
    HiddenMessageType,
    Letter,
    NoticeFrequency,
    NoticePreference,
    PracticeNoticeDefault,
    kinds_in,
)
from practices.selectors import entitlement_refusal, memberships_for, practices_with_entitlement

# The entitlement that brings a practice's letters to a member's Message Center (practices.PracticeMembership).
CORRESPONDENCE = "correspondence"


def letters_visible_to(user, *, now: datetime.datetime | None = None) -> QuerySet[Letter]:
    """The letters whose PDF ``user`` may open; anything else answers 404. Every letter of the cases they may view
    (``cases_visible_to``: the case page lists them), and the letters of the last two years of the cases their
    Message Center covers (``message_center_cases``), deleted from it or of a hidden type included: deleting or
    hiding takes a letter off the list, not the right to read it."""
    on_case_page = Q(case__in=cases_visible_to(user).values("pk"))
    in_message_center = Q(case__in=message_center_cases(user).values("pk"), created_at__gte=retention_start(now))
    return Letter.objects.filter(on_case_page | in_message_center).select_related("case")


def letters_for_case(case: Case) -> QuerySet[Letter]:
    """A case's letters, newest first, without their PDFs (the case page lists kind, date and link)."""
    return Letter.objects.filter(case=case).defer("pdf").order_by("-created_at", "-pk")


# --- The Message Center (COR-3, seed 004) ---------------------------------------------------------------------

# Seed 004: "Digital correspondence will be available online for a rolling two-year period."
RETENTION_YEARS = 2


class Tab(models.TextChoices):
    INBOX = "inbox", "Inbox"
    FLAGGED = "flagged", "Flagged"
    ARCHIVE = "archive", "Archive"


def message_center_cases(user) -> QuerySet[Case]:
    """The cases whose letters reach ``user``'s Message Center: the requests they created, and every case of the
    practices where they hold the Correspondence entitlement (the case's ``practice``)."""
    if not (user.is_authenticated and user.is_active):
        return Case.objects.none()
    practices = practices_with_entitlement(user=user, entitlement=CORRESPONDENCE).values("pk")
    return Case.objects.filter(Q(created_by=user) | Q(practice__in=practices))


def message_center_refusal(user) -> dict | None:
    """Why ``user``'s Message Center can list nothing, with whom to ask (``entitlement_refusal``'s shape): they
    hold the Correspondence entitlement in no practice and have no request of their own. None otherwise."""
    if Case.objects.filter(created_by=user).exists():
        return None
    return entitlement_refusal(
        user=user, entitlement=CORRESPONDENCE, purpose="receive your practice's letters in the Message Center"
    )


def retention_start(now: datetime.datetime | None = None) -> datetime.datetime:
    """The oldest moment a letter is still listed: the same day and time two years ago (28 February for a
    29 February)."""
    now = now or timezone.now()
    try:
        return now.replace(year=now.year - RETENTION_YEARS)
    except ValueError:
        return now.replace(year=now.year - RETENTION_YEARS, day=28)


def messages_of(user, *, now: datetime.datetime | None = None) -> QuerySet[Letter]:
    """Every letter in ``user``'s Message Center, newest first: the letters of ``message_center_cases`` from the
    last two years that they have not deleted, of the types they have not hidden, each annotated with their own
    ``read_at``, ``flagged`` and ``archived_at`` (one outer join on their receipt and subqueries of their cases and
    hidden types: the query count does not grow with the list)."""
    return (
        Letter.objects.filter(case__in=message_center_cases(user).values("pk"), created_at__gte=retention_start(now))
        .exclude(kind__in=HiddenMessageType.objects.filter(user=user).values("kind"))
        .annotate(receipt=FilteredRelation("receipts", condition=Q(receipts__user=user)))
        .filter(receipt__deleted_at__isnull=True)
        .annotate(
            read_at=F("receipt__read_at"),
            flagged=Coalesce(F("receipt__flagged"), Value(False)),
            archived_at=F("receipt__archived_at"),
        )
        .defer("pdf")
        .select_related("case__member")
        .order_by("-created_at", "-pk")
    )


def messages_in_tab(messages: QuerySet[Letter], tab: str) -> QuerySet[Letter]:
    """The Inbox holds what is not archived; Flagged what is flagged, archived or not; Archive what is archived."""
    if tab == Tab.FLAGGED:
        return messages.filter(flagged=True)
    if tab == Tab.ARCHIVE:
        return messages.filter(archived_at__isnull=False)
    return messages.filter(archived_at__isnull=True)


def messages_filtered(messages: QuerySet[Letter], *, category: str = "", kind: str = "") -> QuerySet[Letter]:
    """Narrowed to one category (its kinds of letter) and one type (a kind of letter)."""
    if category:
        messages = messages.filter(kind__in=kinds_in(category))
    if kind:
        messages = messages.filter(kind=kind)
    return messages


def message_tab_counts(messages: QuerySet[Letter]) -> dict[str, int]:
    """The unread letters under each tab, in one query."""
    unread = Q(read_at__isnull=True)
    return messages.aggregate(
        inbox=Count("pk", filter=unread & Q(archived_at__isnull=True)),
        flagged=Count("pk", filter=unread & Q(flagged=True)),
        archive=Count("pk", filter=unread & Q(archived_at__isnull=False)),
    )


def message_get(user, pk: int) -> Letter:
    """One letter of ``user``'s Message Center; 404 for another's, one older than two years, or one they deleted."""
    return get_object_or_404(messages_of(user), pk=pk)


def message_type_choices(user) -> list[dict]:
    """The Settings & Preferences list of the types of letter by category, each with whether ``user`` sees it in
    their Message Center and whether they may hide it (hold letters are always shown). Categories without letters
    yet (ECRM, P2P) are left out. One query."""
    hidden = set(HiddenMessageType.objects.filter(user=user).values_list("kind", flat=True))
    groups = []
    for category in Category:
        kinds = [
            {
                "kind": kind,
                "label": Letter.Kind(kind).label,
                "shown": kind not in hidden,
                "fixed": kind in ALWAYS_SHOWN_KINDS,
            }
            for kind in kinds_in(category)
        ]
        if kinds:
            groups.append({"category": category, "label": category.label, "kinds": kinds})
    return groups


# --- Email notice preferences and digests (COR-3, COR-4) -----------------------------------------------------


def notice_frequencies_of(user) -> dict[int, str]:
    """The email notice frequency in effect for ``user`` in each of their practices: their own choice, else the
    practice's default, else ``DEFAULT_NOTICE_FREQUENCY``. One query."""
    memberships = (
        memberships_for(user)
        .annotate(
            own=Subquery(
                NoticePreference.objects.filter(user=user, practice=OuterRef("practice_id")).values("frequency")[:1]
            ),
            practice_default=F("practice__notice_default__frequency"),
        )
        .values_list("practice_id", "own", "practice_default")
    )
    return {
        practice_id: own or practice_default or DEFAULT_NOTICE_FREQUENCY
        for practice_id, own, practice_default in memberships
    }


def notice_choices_of(user) -> list[dict]:
    """For Settings & Preferences: each of ``user``'s practices with their own choice ("" for the practice's
    default), the practice's default, whether they manage the practice, and whether its letters can reach their
    Message Center (``notices``: they hold Correspondence or case submission there, or have requests of their own
    in it), the practices whose email notices they may choose. One query."""
    rows = (
        memberships_for(user)
        .select_related("practice__notice_default")
        .annotate(
            own=Subquery(
                NoticePreference.objects.filter(user=user, practice=OuterRef("practice_id")).values("frequency")[:1]
            ),
            has_own_requests=Exists(Case.objects.filter(created_by=user, practice=OuterRef("practice_id"))),
        )
        .order_by("practice__tin")
    )
    choices = []
    for membership in rows:
        practice = membership.practice
        default = getattr(practice, "notice_default", None)
        frequency = default.frequency if default else DEFAULT_NOTICE_FREQUENCY
        choices.append(
            {
                "practice": practice,
                "own": membership.own or "",
                "practice_default": frequency,
                "practice_default_label": NoticeFrequency(frequency).label,
                "is_access_manager": membership.is_access_manager,
                "notices": membership.correspondence or membership.case_submission or membership.has_own_requests,
            }
        )
    return choices


def practice_notice_default(practice) -> str:
    default = PracticeNoticeDefault.objects.filter(practice=practice).values_list("frequency", flat=True).first()
    return default or DEFAULT_NOTICE_FREQUENCY
