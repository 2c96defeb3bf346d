"""Letters and their deliveries: the transactional outbox of the case decisions (COR-1, COR-2, COR-5); each user's
copy of a letter in the Message Center, their email notice preferences and the digests sent (COR-3, COR-4).

A ``Letter`` row and its ``Delivery`` rows are written in the transaction of the case event that causes them
(``receivers``), never rendered or sent there: a task renders the letter once after the commit, then sends each
delivery; a scheduled sweep re-dispatches whatever is left pending. Database constraints keep one letter per
event and kind and one delivery per letter, channel and recipient, so nothing is ever made or sent twice.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class Category(models.TextChoices):
    """The Message Center's categories (seed 004: "Correspondence will have both a category and type")."""

    PRECERTIFICATION = "precertification", "Precertification"
    APPEALS = "appeals", "Appeals"
    ECRM = "ecrm", "ECRM"
    P2P = "p2p", "P2P"


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

    @property
    def category(self) -> str:
        return category_of(self.kind)

    def get_category_display(self) -> str:
        return Category(self.category).label


# The category of each kind of letter. ECRM tickets and peer-to-peer consultations write no letters yet: their
# categories are listed (and filtered on) all the same, and show the empty state.
KIND_CATEGORIES = {
    Letter.Kind.HOLD: Category.PRECERTIFICATION,
    Letter.Kind.APPROVAL: Category.PRECERTIFICATION,
    Letter.Kind.DENIAL: Category.PRECERTIFICATION,
    Letter.Kind.PARTIAL_APPROVAL: Category.PRECERTIFICATION,
    Letter.Kind.ALTERNATIVE_RECOMMENDATION: Category.PRECERTIFICATION,
    Letter.Kind.APPEAL_ACKNOWLEDGEMENT: Category.APPEALS,
    Letter.Kind.APPEAL_DECISION: Category.APPEALS,
}


def category_of(kind: str) -> str:
    return KIND_CATEGORIES[kind]


def kinds_in(category: str) -> list[str]:
    """The kinds of letter filed under ``category`` (none for ECRM and P2P yet)."""
    return [kind for kind, of in KIND_CATEGORIES.items() if of == category]


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
        PRACTICE = "practice", "Practice (paper)"

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


class LetterReceipt(models.Model):
    """One user's copy of a letter in their Message Center: whether they read, flagged, archived or deleted it.

    Written on the user's first action on the letter; no row means unread, unflagged, in the inbox. Deleting
    takes the letter out of this user's Message Center for good (seed 004); the letter itself stays on its case's
    correspondence history for everyone who may view the case.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="letter_receipts")
    letter = models.ForeignKey(Letter, on_delete=models.CASCADE, related_name="receipts")
    read_at = models.DateTimeField(null=True, blank=True)
    flagged = models.BooleanField(default=False)
    archived_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "letter"], name="one_receipt_per_user_and_letter"),
        ]

    def __str__(self):
        return f"Letter {self.letter_id} for user {self.user_id}"


class NoticeFrequency(models.TextChoices):
    """How often an email tells a user that new correspondence is in the Message Center (seed 004)."""

    DAILY = "daily", "Daily"
    WEEKLY = "weekly", "Weekly"
    OFF = "off", "Off"


# A practice whose website access manager chose nothing: a daily notice.
DEFAULT_NOTICE_FREQUENCY = NoticeFrequency.DAILY


class PracticeNoticeDefault(models.Model):
    """A practice's default email notice frequency, chosen by its website access manager; each user may choose
    otherwise for the practice (``NoticePreference``)."""

    practice = models.OneToOneField("practices.Practice", on_delete=models.CASCADE, related_name="notice_default")
    frequency = models.CharField(
        "Email notices", max_length=10, choices=NoticeFrequency.choices, default=DEFAULT_NOTICE_FREQUENCY
    )
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"{self.get_frequency_display()} notices for practice {self.practice_id}"


class NoticePreference(models.Model):
    """A user's own email notice frequency for one practice (seed 004: "Preferences are unique to the user, not the
    TIN. Users can also set different preferences for different TINs"). No row: the practice's default."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notice_preferences")
    practice = models.ForeignKey("practices.Practice", on_delete=models.CASCADE, related_name="notice_preferences")
    frequency = models.CharField("Email notices", max_length=10, choices=NoticeFrequency.choices)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "practice"], name="one_notice_preference_per_user_and_practice"),
        ]

    def __str__(self):
        return f"{self.get_frequency_display()} notices for user {self.user_id} in practice {self.practice_id}"


# Hold letters ask for action by a due date: they are always shown, whatever a user chooses (seed 004 lets users
# choose "the category and type of messages they would like to see"; a hidden hold letter would cost a case).
ALWAYS_SHOWN_KINDS = frozenset({Letter.Kind.HOLD})


class HiddenMessageType(models.Model):
    """A type of letter (``Letter.Kind``) that a user chose not to see in their Message Center (seed 004: "Users can
    select the category and type of messages they would like to see"). No row: shown. The letters stay on their
    case's correspondence history, and hidden types are not counted in the user's email notices."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="hidden_message_types")
    kind = models.CharField(max_length=30, choices=Letter.Kind.choices)
    hidden_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="one_hidden_message_type_per_user_and_kind"),
            models.CheckConstraint(condition=~Q(kind__in=sorted(ALWAYS_SHOWN_KINDS)), name="hold_letters_not_hidden"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} hidden for user {self.user_id}"


class NoticeDigest(models.Model):
    """One period's digest for one user (COR-4): written when the period's run looked at the user, whether an
    email went out (``letter_count`` above zero) or not. The unique constraint is what makes a digest go at most
    once per user and period, whichever run, worker or retry gets there first."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notice_digests")
    frequency = models.CharField(max_length=10, choices=NoticeFrequency.choices)
    # The day (daily) or the Monday of the week (weekly) the digest covers the end of.
    period_start = models.DateField()
    letter_count = models.PositiveIntegerField(default=0)
    action_required_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "frequency", "period_start"], name="one_digest_per_user_frequency_and_period"
            ),
            models.CheckConstraint(condition=~Q(frequency="off"), name="notice_digest_not_off"),
            models.CheckConstraint(
                condition=Q(action_required_count__lte=models.F("letter_count")),
                name="notice_digest_action_required_within_count",
            ),
        ]
        indexes = [models.Index(fields=["user", "frequency", "-created_at"], name="notice_digest_last_idx")]

    def __str__(self):
        return f"{self.get_frequency_display()} digest of {self.period_start} for user {self.user_id}"
