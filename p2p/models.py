"""Peer-to-peer consultation scheduling (P2P-1 to P2P-7, seed 002 "Peer-to-Peer (P2P) Scheduling Tool").

- A ``Reviewer`` is a clinical reviewer who takes P2P calls: their zone, their slot length, their skills
  (programs, with a priority: "1st Priority by Skill" first), their weekly ``WorkingHours`` in their own zone
  and their ``TimeOff``. Staff set all of it in the admin; open slots are computed from it (``p2p.slots``).
- A ``P2PRequest`` is one appointment request made by a provider's office for one or more cases
  (``P2PRequestCase``): the preferences asked on the Questions step, the contact details, the state
  (Scheduled, Cancelled, Completed), the outcome the reviewer records, and the invitation's stable UID and
  SEQUENCE (RFC 5545: calendars update the same event when SEQUENCE rises).
- A ``Reservation`` is a reviewer's time taken: a slot Held for 10 minutes while the office fills the contact
  details, then Booked for the request; Released when it lapses, is cancelled or is rescheduled. The database
  refuses two active reservations of one reviewer that overlap (migration 0002: an exclusion constraint over
  the reviewer and the time range on PostgreSQL, triggers on SQLite), so double booking is impossible
  whatever the application does. Times are stored in UTC.
"""

import uuid
import zoneinfo

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from reference.models import Program

# The US zones the scheduling tool offers (P2P-2), labelled as the seed shows them ("US/Eastern").
US_TIME_ZONES = [
    ("America/New_York", "US/Eastern"),
    ("America/Chicago", "US/Central"),
    ("America/Denver", "US/Mountain"),
    ("America/Phoenix", "US/Arizona (no daylight saving)"),
    ("America/Los_Angeles", "US/Pacific"),
    ("America/Anchorage", "US/Alaska"),
    ("Pacific/Honolulu", "US/Hawaii"),
]
US_TIME_ZONE_NAMES = frozenset(name for name, _ in US_TIME_ZONES)


def zone(name: str) -> zoneinfo.ZoneInfo:
    """The ``ZoneInfo`` of one of the offered zones (anything else is a programming error)."""
    if name not in US_TIME_ZONE_NAMES:
        raise ValueError(f"Not an offered time zone: {name!r}")
    return zoneinfo.ZoneInfo(name)


def _user_fk(related_name, **kwargs):
    return models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name=related_name, **kwargs)


class Reviewer(models.Model):
    """A physician reviewer who takes P2P calls, as staff set them up in the admin (P2P-4, REV-5)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="p2p_reviewer")
    display_name = models.CharField(max_length=120, help_text='As providers see it, e.g. "Dr. Rosa Diaz, MD".')
    time_zone = models.CharField(max_length=40, choices=US_TIME_ZONES, help_text="Working hours are in this zone.")
    slot_minutes = models.PositiveSmallIntegerField(default=15, help_text="Length of one P2P appointment.")
    is_active = models.BooleanField(default=True, help_text="Inactive reviewers offer no slots.")
    programs = models.ManyToManyField(Program, through="ReviewerSkill", related_name="p2p_reviewers")

    class Meta:
        ordering = ["display_name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(slot_minutes__gte=5, slot_minutes__lte=120), name="p2p_reviewer_slot_minutes_range"
            ),
        ]

    def __str__(self):
        return self.display_name


class ReviewerSkill(models.Model):
    """A reviewer is trained for a program (a modality); priority 1 is "1st Priority by Skill"."""

    reviewer = models.ForeignKey(Reviewer, on_delete=models.CASCADE, related_name="skills")
    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="+")
    priority = models.PositiveSmallIntegerField(default=1, help_text="1 is the first priority for this program.")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["reviewer", "program"], name="p2p_skill_unique_reviewer_program"),
            models.CheckConstraint(condition=Q(priority__gte=1), name="p2p_skill_priority_positive"),
        ]
        indexes = [models.Index(fields=["program", "priority"], name="p2p_skill_program_idx")]

    def __str__(self):
        return f"{self.program} (priority {self.priority})"


class WorkingHours(models.Model):
    """One weekday's working span, in the reviewer's own zone (a reviewer may have several per day)."""

    class Weekday(models.IntegerChoices):
        MONDAY = 0, "Monday"
        TUESDAY = 1, "Tuesday"
        WEDNESDAY = 2, "Wednesday"
        THURSDAY = 3, "Thursday"
        FRIDAY = 4, "Friday"
        SATURDAY = 5, "Saturday"
        SUNDAY = 6, "Sunday"

    reviewer = models.ForeignKey(Reviewer, on_delete=models.CASCADE, related_name="working_hours")
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    starts = models.TimeField()
    ends = models.TimeField()

    class Meta:
        ordering = ["weekday", "starts"]
        verbose_name_plural = "working hours"
        constraints = [
            models.CheckConstraint(condition=Q(ends__gt=F("starts")), name="p2p_hours_end_after_start"),
            models.CheckConstraint(condition=Q(weekday__lte=6), name="p2p_hours_weekday_range"),
        ]

    def __str__(self):
        return f"{self.get_weekday_display()} {self.starts:%H:%M}-{self.ends:%H:%M}"


class TimeOff(models.Model):
    """A span the reviewer takes no calls (vacation, a meeting), as instants (stored in UTC)."""

    reviewer = models.ForeignKey(Reviewer, on_delete=models.CASCADE, related_name="time_off")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    reason = models.CharField(max_length=120, blank=True)

    class Meta:
        ordering = ["starts_at"]
        verbose_name_plural = "time off"
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="p2p_time_off_end_after_start"),
        ]
        indexes = [models.Index(fields=["reviewer", "starts_at"], name="p2p_time_off_reviewer_idx")]

    def __str__(self):
        return f"{self.reviewer}: {self.starts_at:%m/%d/%Y %H:%M} UTC"


class P2PRequest(models.Model):
    """An office's request for a peer-to-peer call about one or more cases (P2P-3 to P2P-6)."""

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", "Scheduled"
        CANCELLED = "cancelled", "Cancelled"
        COMPLETED = "completed", "Completed"

    class Outcome(models.TextChoices):
        DECISION_CHANGED = "decision_changed", "Decision changed"
        UPHELD = "upheld", "Decision upheld"
        CONSULTATIVE_ONLY = "consultative_only", "Consultative only"
        NO_SHOW = "no_show", "No show"

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)  # the invitation's UID, never changes
    sequence = models.PositiveIntegerField(default=0)  # the invitation's SEQUENCE: +1 on reschedule and cancel
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.SCHEDULED)
    requested_by = _user_fk("p2p_requests")
    reviewer = models.ForeignKey(Reviewer, on_delete=models.PROTECT, related_name="requests")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    time_zone = models.CharField(max_length=40, choices=US_TIME_ZONES)  # the office's zone when it booked
    consultative_only = models.BooleanField(default=False)

    # Questions (P2P-4): weekdays 0-4 and hours 7-18 (the hour a one-hour span starts), in ``time_zone``.
    preferred_days = models.JSONField(default=list)
    preferred_hours = models.JSONField(default=list)

    # P2P Contact Details (P2P-5), labelled as the seed's form.
    requesting_provider_name = models.CharField("Name of Provider Requesting P2P", max_length=120)
    contact_person_name = models.CharField("Contact Person Name", max_length=120, blank=True)
    contact_person_location = models.CharField("Contact Person Location", max_length=120, blank=True)
    phone = models.CharField("Phone Number for P2P", max_length=10)
    phone_ext = models.CharField("Phone Ext.", max_length=8, blank=True)
    alternate_phone = models.CharField("Alternate Phone", max_length=10, blank=True)
    alternate_phone_ext = models.CharField("Phone Ext.", max_length=8, blank=True)
    requesting_provider_email = models.EmailField("Requesting Provider Email", blank=True)
    contact_instructions = models.TextField("Contact Instructions", max_length=1000, blank=True)

    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.TextField("Cancellation reason", max_length=1000, blank=True)
    cancelled_by = _user_fk("+", null=True, blank=True)
    reminder_sent_at = models.DateTimeField(null=True, blank=True)

    outcome = models.CharField(max_length=20, choices=Outcome.choices, blank=True)
    outcome_note = models.TextField(max_length=2000, blank=True)
    outcome_recorded_at = models.DateTimeField(null=True, blank=True)
    outcome_recorded_by = _user_fk("+", null=True, blank=True)

    class Meta:
        ordering = ["-starts_at"]
        permissions = [("work_p2p", "Can see P2P appointments and record their outcome")]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="p2p_request_end_after_start"),
            models.CheckConstraint(
                condition=~Q(status="cancelled") | ~Q(cancel_reason=""), name="p2p_request_cancel_has_reason"
            ),
            models.CheckConstraint(
                condition=Q(outcome="") | Q(status="completed"), name="p2p_request_outcome_when_completed"
            ),
        ]
        indexes = [
            models.Index(fields=["requested_by", "-starts_at"], name="p2p_request_user_idx"),
            models.Index(fields=["reviewer", "starts_at"], name="p2p_request_reviewer_idx"),
            models.Index(fields=["status", "starts_at"], name="p2p_request_status_idx"),
        ]

    def __str__(self):
        return self.number

    @property
    def number(self) -> str:
        """The request's reference as offices quote it: "P2P" and 8 digits."""
        return f"P2P{self.pk:08d}" if self.pk else "P2P (unsaved)"


class P2PRequestCase(models.Model):
    """A case discussed in the call; the first one (``position`` 1) is the "1st Case"."""

    request = models.ForeignKey(P2PRequest, on_delete=models.CASCADE, related_name="request_cases")
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="p2p_request_cases")
    position = models.PositiveSmallIntegerField(default=1)
    level_of_review = models.CharField(max_length=40)  # "Reconsideration P2P", "Pre-decision P2P", ...
    consultative_only = models.BooleanField(default=False)

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["request", "case"], name="p2p_request_case_unique"),
            models.UniqueConstraint(fields=["request", "position"], name="p2p_request_case_position_unique"),
        ]

    def __str__(self):
        return f"{self.request.number} #{self.position}"


class Reservation(models.Model):
    """A reviewer's time taken: held for an office while it fills the contact details, then booked.

    Only Held and Booked reservations block the time; the database refuses two of them of one reviewer that
    overlap (migration 0002). A Held one lapses at ``held_until`` (``p2p.booking`` releases it before anyone
    else's hold of the same time, and a scheduled job sweeps the rest)."""

    class State(models.TextChoices):
        HELD = "held", "Held"
        BOOKED = "booked", "Booked"
        RELEASED = "released", "Released"

    reviewer = models.ForeignKey(Reviewer, on_delete=models.PROTECT, related_name="reservations")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    state = models.CharField(max_length=10, choices=State.choices, default=State.HELD)
    held_by = _user_fk("p2p_holds")
    held_until = models.DateTimeField(null=True, blank=True)
    request = models.ForeignKey(
        P2PRequest, on_delete=models.PROTECT, null=True, blank=True, related_name="reservations"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="p2p_reservation_end_after_start"),
            models.CheckConstraint(
                condition=~Q(state="held") | Q(held_until__isnull=False), name="p2p_reservation_hold_has_expiry"
            ),
            models.CheckConstraint(
                condition=~Q(state="booked") | Q(request__isnull=False), name="p2p_reservation_booking_has_request"
            ),
            # One active booking per request: a reschedule releases the old one in the same transaction.
            models.UniqueConstraint(
                fields=["request"], condition=Q(state="booked"), name="p2p_reservation_one_booking_per_request"
            ),
        ]
        indexes = [
            models.Index(fields=["reviewer", "starts_at"], name="p2p_reservation_reviewer_idx"),
            models.Index(fields=["state", "held_until"], name="p2p_reservation_state_idx"),
        ]

    def __str__(self):
        return f"{self.reviewer} {self.starts_at:%Y-%m-%d %H:%M} UTC ({self.get_state_display()})"


class P2PNotice(models.Model):
    """One email about a request (P2P-6, COR-5): an outbox row written in the transaction of the booking,
    rescheduling or cancelling that causes it (or by the reminder job), sent by a task after the commit.

    It keeps what the email says as it was then: the invitation's SEQUENCE, the times and the addresses, so a
    notice sent late never claims a newer state. One notice per request, kind and SEQUENCE (a constraint), and a
    notice sent is never sent again (``p2p.notifications.notice_send`` re-checks it under its row lock)."""

    class Kind(models.TextChoices):
        BOOKED = "booked", "Booked"
        RESCHEDULED = "rescheduled", "Rescheduled"
        CANCELLED = "cancelled", "Cancelled"
        REMINDER = "reminder", "Reminder"

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"

    request = models.ForeignKey(P2PRequest, on_delete=models.PROTECT, related_name="notices")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    sequence = models.PositiveIntegerField()
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    recipients = models.JSONField(default=list)  # the addresses, copied when the notice was written
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(default=timezone.now)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)  # a failed attempt's retry
    last_error = models.CharField(max_length=300, blank=True)  # the exception's class and message, no PHI
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["request", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["request", "kind", "sequence"], name="p2p_notice_once_per_sequence"),
            models.CheckConstraint(
                condition=Q(status="sent", sent_at__isnull=False) | ~Q(status="sent") & Q(sent_at__isnull=True),
                name="p2p_notice_sent_has_time",
            ),
        ]
        indexes = [
            # The sweep's rows: the pending ones by age.
            models.Index(fields=["created_at"], condition=Q(status="pending"), name="p2p_notice_pending_idx"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} notice of {self.request.number} ({self.get_status_display()})"
