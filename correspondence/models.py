"""Letters and their deliveries: the transactional outbox of the case decisions (COR-1, COR-2, COR-5).

A ``Letter`` row and its ``Delivery`` rows are written in the transaction of the case event that causes them
(``receivers``), never rendered or sent there: a task renders the letter once after the commit, then sends each
delivery; a scheduled sweep re-dispatches whatever is left pending. Database constraints keep one letter per
event and kind and one delivery per letter, channel and recipient, so nothing is ever made or sent twice.
"""

from django.db import models
from django.db.models import Q
from django.utils import timezone


class Letter(models.Model):
    """One letter about one case, caused by one case event; its PDF is rendered once and never changes."""

    class Kind(models.TextChoices):
        HOLD = "hold", "Hold Letter"
        APPROVAL = "approval", "Approval"
        DENIAL = "denial", "Denial"
        PARTIAL_APPROVAL = "partial_approval", "Partial Approval"
        ALTERNATIVE_RECOMMENDATION = "alternative_recommendation", "Alternative Recommendation"
        APPEAL_ACKNOWLEDGEMENT = "appeal_acknowledgement", "Appeal Acknowledgement"
        APPEAL_DECISION = "appeal_decision", "Appeal Decision"

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="letters")
    kind = models.CharField(max_length=30, choices=Kind.choices)
    event = models.ForeignKey("cases.CaseEvent", on_delete=models.PROTECT, related_name="letters")
    created_at = models.DateTimeField(default=timezone.now)
    # The PDF is kept in the row, not on disk: it is small (tens of KB), is written with its checksum and
    # render time in one statement, and every web and worker host reads it without a shared volume.
    pdf = models.BinaryField(null=True, blank=True, editable=False)
    sha256 = models.CharField(max_length=64, blank=True)
    rendered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["event", "kind"], name="one_letter_per_event_and_kind"),
            models.CheckConstraint(
                condition=Q(pdf__isnull=True, rendered_at__isnull=True, sha256="")
                | Q(pdf__isnull=False, rendered_at__isnull=False) & ~Q(sha256=""),
                name="letter_rendered_has_pdf_checksum_and_time",
            ),
        ]
        indexes = [models.Index(fields=["case", "-created_at"], name="letter_case_idx")]

    def __str__(self):
        return f"{self.get_kind_display()} {self.pk}"

    @property
    def is_rendered(self) -> bool:
        return self.rendered_at is not None


class Delivery(models.Model):
    """One copy of a letter to one recipient on one channel, and how its sending went."""

    class Channel(models.TextChoices):
        FAX = "fax", "Fax"
        EMAIL = "email", "Email notice"
        MAIL = "mail", "Mail"

    class Recipient(models.TextChoices):
        REQUESTING_PROVIDER = "requesting_provider", "Requesting Provider"
        RENDERING_PROVIDER = "rendering_provider", "Rendering Provider"
        MEMBER = "member", "Member"
        CONTACT = "contact", "Contact"

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"

    letter = models.ForeignKey(Letter, on_delete=models.PROTECT, related_name="deliveries")
    channel = models.CharField(max_length=10, choices=Channel.choices)
    recipient = models.CharField(max_length=30, choices=Recipient.choices)
    # The fax number or email address, copied when the letter was written; empty for mail (the member's
    # address is printed on the letter).
    destination = models.CharField(max_length=254, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(default=timezone.now)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    # When a failed attempt is tried again (the task's retry); the sweep re-dispatches one whose retry was lost.
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)  # the exception's class and message, no PHI
    sent_at = models.DateTimeField(null=True, blank=True)
    external_id = models.CharField("Backend ID", max_length=100, blank=True)

    class Meta:
        verbose_name_plural = "deliveries"
        ordering = ["letter", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["letter", "channel", "recipient"], name="one_delivery_per_letter_channel_and_recipient"
            ),
            models.CheckConstraint(
                condition=Q(status="sent", sent_at__isnull=False) | ~Q(status="sent") & Q(sent_at__isnull=True),
                name="delivery_sent_has_time",
            ),
            models.CheckConstraint(
                condition=Q(channel="mail") | ~Q(destination=""), name="delivery_fax_and_email_have_destination"
            ),
        ]
        indexes = [
            # The sweep's and the print-and-mail queue's rows: pending ones by channel and age.
            models.Index(fields=["channel", "created_at"], condition=Q(status="pending"), name="delivery_pending_idx"),
        ]

    def __str__(self):
        return f"{self.get_channel_display()} to {self.get_recipient_display()} ({self.get_status_display()})"
