"""What happens to a case after submission besides its determinations: holds, reconsiderations, appeals, an
accepted alternative, a one-time extension of the authorization, and extensions of the decision due time.

Each is its own row with its own status, moved only by ``cases.lifecycle.row_transition`` (the twin of
``case_transition``: the row locked, the move checked against a map, an event written). A decided row is never
edited: a later reconsideration or appeal is a new row, and its determinations a new round.
"""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from cases.models.case import Case, Determination


class HoldItem(models.TextChoices):
    """What a hold asks for (seed 001, "If clinical information is needed ...")."""

    PHYSICIAN_ORDER = "physician_order", "Current physicians order/script"
    INVOICE = "invoice", "Current detailed invoice listing all requested equipment"
    PROGRESS_NOTES = "progress_notes", "Clinical and/or therapy progress notes"
    MEDICATION_LIST = "medication_list", "Medication list"
    DISCHARGE_DATE = "discharge_date", "Anticipated date of discharge"
    DISCHARGE_PLANS = "discharge_plans", "Discharge plans and/or summary (when available)"
    WOUND = "wound", "Wound or incision/location and stage (if applicable)"
    TIME_AUDIT = "time_audit", "Time Audit Tool-required for PDN services"
    THERAPY_GOALS = "therapy_goals", "Therapy goals and level of functioning"


def _actor(related_name: str, **kwargs):
    return models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name=related_name, **kwargs)


class Hold(models.Model):
    """A request for additional clinical information (REV-3): what is needed and by when.

    Open while the case is On Hold; answered by an upload (the case returns to its reviewer's queue); lapsed
    when the due date passes with none (the case returns flagged "decide on the original submission");
    closed when the case is decided or withdrawn while it is open.
    """

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        ANSWERED = "answered", "Answered"
        LAPSED = "lapsed", "Lapsed"
        CLOSED = "closed", "Closed"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="holds")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    items = models.JSONField("Information needed", default=list)  # HoldItem values
    note = models.TextField("Details for the provider", blank=True, max_length=2000)
    due_on = models.DateField("Due date")
    placed_by = _actor("+")
    placed_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["placed_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["case"], condition=Q(status="open"), name="one_open_hold_per_case"),
            models.CheckConstraint(
                condition=Q(status="open", closed_at__isnull=True) | ~Q(status="open") & Q(closed_at__isnull=False),
                name="hold_closed_has_time",
            ),
        ]
        indexes = [models.Index(fields=["status", "due_on"], name="hold_status_due_idx")]

    def __str__(self):
        return f"Hold on {self.case.request_id} due {self.due_on:%m/%d/%Y}"

    def item_labels(self) -> list[str]:
        return [HoldItem(value).label for value in self.items if value in HoldItem.values]


class ReviewRequestStatus(models.TextChoices):
    """A reconsideration's or an appeal's outcome: the earlier decision upheld, or overturned (wholly or in part)."""

    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"
    UPHELD = "upheld", "Upheld"
    OVERTURNED = "overturned", "Overturned"


class Reconsideration(models.Model):
    """A post-denial, pre-appeal request to look again with additional clinical information (seed 001, WL-5)."""

    Status = ReviewRequestStatus

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="reconsiderations")
    sequence = models.PositiveSmallIntegerField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SUBMITTED)
    # For a DME alternative offered: the original item is what is to be reconsidered (seed 002).
    of_original_item = models.BooleanField(default=False)
    reason = models.TextField("Reason for reconsideration", max_length=4000)
    documentation = models.TextField("Additional clinical information supplied", blank=True, max_length=4000)
    requested_by = _actor("+")
    requested_at = models.DateTimeField(default=timezone.now)
    decided_by = _actor("+", null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["case", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["case", "sequence"], name="unique_reconsideration_sequence"),
            models.UniqueConstraint(
                fields=["case"], condition=Q(status="submitted"), name="one_open_reconsideration_per_case"
            ),
            models.CheckConstraint(condition=~Q(status="draft"), name="reconsideration_has_no_draft"),
            models.CheckConstraint(
                condition=Q(status="submitted", decided_at__isnull=True)
                | Q(status__in=["upheld", "overturned"], decided_at__isnull=False),
                name="reconsideration_decided_has_time",
            ),
        ]

    def __str__(self):
        return f"Reconsideration {self.sequence} of {self.case.request_id}"


APPEAL_LIMIT = 5  # seed 004: "Up to five precertification appeals can be submitted per request."
APPEAL_DRAFT_KEPT = datetime.timedelta(days=5)  # seed 004: "available for five calendar days"
APPEAL_WINDOW = datetime.timedelta(days=180)  # seed 001: "typically within 180 days of the adverse decision"
EXPEDITED_APPEAL_DUE = datetime.timedelta(hours=72)
STANDARD_APPEAL_DUE = datetime.timedelta(days=30)


class Appeal(models.Model):
    """A first-level pre-service appeal submitted online (seed 004).

    A draft is kept five calendar days, and any user of the practice with the precertification/appeals
    entitlement may complete it; then a scheduled job deletes it. Once submitted it is never changed or
    deleted. Up to five per request, one at a time ("each request must be completed before another can be
    started").
    """

    Status = ReviewRequestStatus

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="appeals")
    sequence = models.PositiveSmallIntegerField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    is_expedited = models.BooleanField("Expedited appeal", default=False)
    reason = models.TextField("Reason for appeal", blank=True, max_length=4000)
    contact_name = models.CharField("Contact name", max_length=120, blank=True)
    contact_phone = models.CharField("Contact phone", max_length=10, blank=True)
    created_by = _actor("+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_by = _actor("+")
    updated_at = models.DateTimeField(default=timezone.now)
    draft_expires_at = models.DateTimeField(null=True, blank=True)
    submitted_by = _actor("+", null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    due_at = models.DateTimeField("Response due", null=True, blank=True)
    decided_by = _actor("+", null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["case", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["case", "sequence"], name="unique_appeal_sequence"),
            models.CheckConstraint(
                condition=Q(sequence__gte=1, sequence__lte=APPEAL_LIMIT), name="appeal_sequence_within_limit"
            ),
            models.UniqueConstraint(
                fields=["case"], condition=Q(status__in=["draft", "submitted"]), name="one_open_appeal_per_case"
            ),
            models.CheckConstraint(
                condition=Q(status="draft", draft_expires_at__isnull=False, submitted_at__isnull=True)
                | ~Q(status="draft") & Q(submitted_at__isnull=False, due_at__isnull=False),
                name="appeal_submitted_has_time_and_due",
            ),
        ]
        indexes = [models.Index(fields=["status", "draft_expires_at"], name="appeal_status_expiry_idx")]

    def __str__(self):
        return f"Appeal {self.sequence} of {self.case.request_id}"

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT


class AlternativeAcceptance(models.Model):
    """The ordering provider accepts a DME alternative recommendation (seed 002: within 60 business days).

    Accepting authorizes the alternative item at once, in the same transaction: a new service line approved in the
    offer's round (``decisions.alternative_authorize``); the original line's determination is not edited.
    """

    determination = models.OneToOneField(Determination, on_delete=models.CASCADE, related_name="acceptance")
    accepted_by = _actor("+")
    accepted_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return f"Alternative accepted for {self.determination}"


class AuthorizationExtension(models.Model):
    """A one-time extension of an active authorization, with a reason (seed 002, WL-7)."""

    class Status(models.TextChoices):
        REQUESTED = "requested", "Requested"
        GRANTED = "granted", "Granted"
        REFUSED = "refused", "Refused"

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="extension")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.REQUESTED)
    reason = models.TextField("Reason for the extension", max_length=2000)
    requested_valid_to = models.DateField("Extend through")
    previous_valid_to = models.DateField()
    requested_by = _actor("+")
    requested_at = models.DateTimeField(default=timezone.now)
    decided_by = _actor("+", null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True, max_length=2000)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(requested_valid_to__gt=F("previous_valid_to")), name="extension_extends_validity"
            ),
            models.CheckConstraint(
                condition=Q(status="requested", decided_at__isnull=True)
                | ~Q(status="requested") & Q(decided_at__isnull=False),
                name="extension_decided_has_time",
            ),
        ]

    def __str__(self):
        return f"Extension of {self.case.request_id} to {self.requested_valid_to:%m/%d/%Y}"


class DueDateExtension(models.Model):
    """A reviewer extends the decision due time, with the reason (CMS-2): the clock shows the new time."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="due_extensions")
    previous_due_at = models.DateTimeField()
    new_due_at = models.DateTimeField()
    reason = models.CharField(max_length=300)
    extended_by = _actor("+")
    extended_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["extended_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(new_due_at__gt=F("previous_due_at")), name="due_extension_is_later"),
            models.CheckConstraint(condition=~Q(reason=""), name="due_extension_has_reason"),
        ]

    def __str__(self):
        return f"Due time of {self.case.request_id} extended"
