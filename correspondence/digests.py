"""The daily and weekly email digests of new correspondence (COR-4, seed 004: "The Message Center can automatically
provide daily or weekly status updates via email").

Beat runs each digest every hour; a run sends the period's digest (the day's, or the week's from Monday) to each
user who has not had it yet, once the period's sending hour (``CORRESPONDENCE_DIGEST_HOUR``) has passed. So a run
lost with a killed worker or a stopped beat is made up by the next one, and no run sends a period's digest twice:
each user's digest for a period is a ``NoticeDigest`` row under a unique constraint, written in the transaction
that sends its email (a failed send rolls the row back, and the next run tries again).

An email carries counts and a link, never patient information: the letters are read on the portal, signed in.
"""

import datetime
import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Count, Q, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from correspondence import selectors
from correspondence.models import Letter, NoticeDigest, NoticeFrequency

logger = logging.getLogger(__name__)

PERIOD_LENGTH = {NoticeFrequency.DAILY: datetime.timedelta(days=1), NoticeFrequency.WEEKLY: datetime.timedelta(days=7)}
# Seed 004's subject lines for precertification correspondence.
SUBJECT_AVAILABLE = "Precertification correspondence now available."
SUBJECT_ACTION_REQUIRED = "Action required: Supporting documentation for precertification(s)."


def period_due(frequency: str, now: datetime.datetime | None = None) -> tuple[datetime.date, datetime.datetime]:
    """The period of ``frequency`` that ``now`` falls in (today, or this week from Monday) and when its digest is
    due: the period's first day at ``CORRESPONDENCE_DIGEST_HOUR``, local time."""
    local = timezone.localtime(now or timezone.now())
    start = local.date()
    if frequency == NoticeFrequency.WEEKLY:
        start -= datetime.timedelta(days=start.weekday())
    due = datetime.datetime.combine(start, datetime.time(hour=settings.CORRESPONDENCE_DIGEST_HOUR))
    return start, timezone.make_aware(due)


def digest_candidates(frequency: str, period_start: datetime.date) -> QuerySet:
    """Active users in a practice who have not had this period's digest of ``frequency``."""
    done = NoticeDigest.objects.filter(frequency=frequency, period_start=period_start).values("user_id")
    return (
        get_user_model()
        .objects.filter(is_active=True, practice_memberships__isnull=False)
        .exclude(pk__in=done)
        .distinct()
        .order_by("pk")
    )


def digests_send(*, frequency: str, now: datetime.datetime | None = None) -> int:
    """Send the current period's ``frequency`` digest to every user due one; how many emails went out. Nothing
    before the period's sending hour. Safe to run twice and at the same time as another run."""
    frequency = NoticeFrequency(frequency)
    if frequency == NoticeFrequency.OFF:
        raise ValueError("There is no digest for notices turned off")
    now = now or timezone.now()
    period_start, due = period_due(frequency, now)
    if now < due:
        return 0
    sent = 0
    for user in digest_candidates(frequency, period_start).iterator(chunk_size=500):
        try:
            sent += digest_send(user=user, frequency=frequency, period_start=period_start, now=now)
        except Exception as error:  # the mail server refused: nothing recorded, the next run tries this user again
            logger.warning("Digest for user %s not sent (%s); the next run retries", user.pk, type(error).__name__)
    return sent


def digest_send(*, user, frequency: str, period_start: datetime.date, now: datetime.datetime) -> bool:
    """``user``'s digest of ``frequency`` for the period starting ``period_start``: the number of new unread letters
    in their Message Center since their last digest of that frequency, from the practices where that is their
    notice frequency. Recorded even when there is nothing to tell (no email then), so the period is done; True
    when an email went out."""
    frequencies = selectors.notice_frequencies_of(user)
    practice_ids = [practice for practice, chosen in frequencies.items() if chosen == frequency]
    if not practice_ids:
        return False
    last = NoticeDigest.objects.filter(user=user, frequency=frequency).values_list("created_at", flat=True).first()
    since = last or period_due(frequency, now)[1] - PERIOD_LENGTH[frequency]
    unread = selectors.messages_of(user, now=now).filter(
        case__practice_id__in=practice_ids, created_at__gt=since, read_at__isnull=True
    )
    counts = unread.aggregate(total=Count("pk"), holds=Count("pk", filter=Q(kind=Letter.Kind.HOLD)))
    try:
        with transaction.atomic():
            NoticeDigest.objects.create(
                user=user,
                frequency=frequency,
                period_start=period_start,
                letter_count=counts["total"],
                action_required_count=counts["holds"],
                created_at=now,
            )
            if counts["total"] and user.email:
                _email(user, frequency=frequency, total=counts["total"], action_required=counts["holds"])
    except IntegrityError:  # another run recorded this period first: its digest is the one
        return False
    return bool(counts["total"] and user.email)


def _email(user, *, frequency: str, total: int, action_required: int) -> None:
    context = {
        "frequency": NoticeFrequency(frequency).label.lower(),
        "total": total,
        "action_required": action_required,
        "message_center_url": settings.PORTAL_URL + reverse("correspondence:message_center"),
        "preferences_url": settings.PORTAL_URL + reverse("correspondence:preferences"),
    }
    subject = SUBJECT_ACTION_REQUIRED if action_required else SUBJECT_AVAILABLE
    send_mail(subject, render_to_string("correspondence/email/digest.txt", context), None, [user.email])
