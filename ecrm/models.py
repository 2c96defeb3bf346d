"""ECRM (seed 000): the support-ticket portal's catalog of request forms, its users' profiles and the tickets.

The catalog (categories, request forms, their fields' instructions, request types and subrequests) is data
that staff edit in the admin; ``ecrm/fixtures/ecrm_catalog.json`` holds the demo catalog ``seed_demo`` loads.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from reference.validators import validate_npi, validate_phone_extension, validate_tin, validate_us_phone

NUMBER_PREFIX = "EC"
NUMBER_DIGITS = 8


class EcrmProfile(models.Model):
    """What "ECRM Registration" asks beyond the account; its presence marks an ECRM user (SPEC ECRM-1)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="ecrm_profile")
    business_phone = models.CharField("Business Phone", max_length=10, validators=[validate_us_phone])
    business_phone_ext = models.CharField("Ext", max_length=6, blank=True, validators=[validate_phone_extension])
    organization_name = models.CharField("Organization Name", max_length=120)
    address = models.CharField("Address", max_length=120)
    city = models.CharField("City", max_length=60)
    state = models.CharField("State", max_length=2)
    tax_id = models.CharField("Individual Tax ID", max_length=9, validators=[validate_tin])
    npi = models.CharField("Individual NPI", max_length=10, validators=[validate_npi])
    registered_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "ECRM profile"

    def __str__(self):
        return f"ECRM profile of {self.user}"


class Category(models.Model):
    """A category of "Submit Case" (Appeals, Claims, Client & Provider Services, ...)."""

    name = models.CharField(max_length=80, unique=True)
    slug = models.SlugField(max_length=80, unique=True)
    description = models.CharField(max_length=200, blank=True, help_text="Shown under the category's name.")
    sort_order = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["sort_order", "name"]
        verbose_name_plural = "categories"

    def __str__(self):
        return self.name


class RequestType(models.Model):
    """A "Request Type" choice (Provider Info Change, Claim Status, ...); its subrequests refine it."""

    name = models.CharField(max_length=120, unique=True)
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "name"]

    def __str__(self):
        return self.name


class Subrequest(models.Model):
    request_type = models.ForeignKey(RequestType, on_delete=models.CASCADE, related_name="subrequests")
    name = models.CharField(max_length=120)
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "name"]
        constraints = [
            models.UniqueConstraint(fields=["request_type", "name"], name="ecrm_subrequest_unique_name"),
        ]

    def __str__(self):
        return f"{self.request_type} > {self.name}"


class RequestForm(models.Model):
    """A request form of a category ("Provider Services"), and which optional fields it has."""

    class ClaimNumber(models.TextChoices):
        ABSENT = "absent", "Not on this form"
        OPTIONAL = "optional", "Optional"
        REQUIRED = "required", "Required"

    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="request_forms")
    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=80, unique=True)
    summary = models.CharField(max_length=200, blank=True, help_text="The line under the name on its card.")
    short_description_placeholder = models.CharField(
        max_length=120, blank=True, help_text='An example short description ("Provider Issue").'
    )
    allows_all_carriers = models.BooleanField('Offers "*All" carriers', default=False)
    allows_multiple_carriers = models.BooleanField('Offers "*Multiple" carriers', default=False)
    claim_number = models.CharField(
        "Claim/EDI Number", max_length=10, choices=ClaimNumber.choices, default=ClaimNumber.ABSENT
    )
    request_types = models.ManyToManyField(RequestType, related_name="request_forms")
    sort_order = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["sort_order", "name"]
        constraints = [
            models.UniqueConstraint(fields=["category", "name"], name="ecrm_form_unique_name_in_category"),
        ]

    def __str__(self):
        return self.name


class FieldInstructions(models.Model):
    """What the "?" beside a field of a request form opens."""

    class Field(models.TextChoices):
        SHORT_DESCRIPTION = "short_description", "Short Description"
        CARRIER = "carrier", "Insurance Carrier"
        DESCRIPTION = "description", "Description"
        REQUEST_TYPE = "request_type", "Request Type"
        SUBREQUEST = "subrequest", "Subrequest"
        CLAIM_NUMBER = "claim_number", "Claim/EDI Number"
        ATTACHMENTS = "attachments", "Add Attachments"

    request_form = models.ForeignKey(RequestForm, on_delete=models.CASCADE, related_name="field_instructions")
    field = models.CharField(max_length=30, choices=Field.choices)
    text = models.TextField()

    class Meta:
        verbose_name_plural = "field instructions"
        constraints = [
            models.UniqueConstraint(fields=["request_form", "field"], name="ecrm_instructions_one_per_field"),
        ]

    def __str__(self):
        return f"{self.request_form}: {self.get_field_display()}"


class Favorite(models.Model):
    """ "Add to Favorites?": a user's starred request forms, listed first in their category."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="ecrm_favorites")
    request_form = models.ForeignKey(RequestForm, on_delete=models.CASCADE, related_name="favorites")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "request_form"], name="ecrm_favorite_once"),
        ]

    def __str__(self):
        return f"{self.user} likes {self.request_form}"


class TicketNumberCounter(models.Model):
    """One row holding the last EC number drawn; locked (SELECT ... FOR UPDATE) by each submit so that
    concurrent submits get distinct numbers in commit order, on SQLite and PostgreSQL alike."""

    last_value = models.PositiveIntegerField(default=0)

    def __str__(self):
        return f"Last EC number: {self.last_value}"


class TicketState(models.TextChoices):
    NEW = "new", "New"
    IN_PROGRESS = "in_progress", "In Progress"
    AWAITING_INFO = "awaiting_info", "Awaiting Info"
    RESOLVED = "resolved", "Resolved"
    CLOSED = "closed", "Closed"


class TicketPriority(models.IntegerChoices):
    CRITICAL = 1, "1 - Critical"
    HIGH = 2, "2 - High"
    MODERATE = 3, "3 - Moderate"
    LOW = 4, "4 - Low"
    PLANNING = 5, "5 - Planning"


class CarrierScope(models.TextChoices):
    """Insurance Carrier: one plan, "*All" plans, or "*Multiple" named plans (seed 000)."""

    ONE = "one", "One plan"
    ALL = "all", "*All"
    MULTIPLE = "multiple", "*Multiple"


class ReporterType(models.TextChoices):
    """Submitted Details' "Reporter Type" (seed 000: "Referring Provider"): who is asking."""

    REFERRING_PROVIDER = "referring_provider", "Referring Provider"
    RENDERING_PROVIDER = "rendering_provider", "Rendering Provider"
    FACILITY = "facility", "Facility"
    HEALTH_PLAN = "health_plan", "Health Plan"
    OTHER = "other", "Other"


class Ticket(models.Model):
    """A submitted ECRM request. Its EC number is not PHI and names it in URLs."""

    sequence = models.PositiveIntegerField(unique=True, editable=False)
    number = models.CharField("Number", max_length=10, unique=True, editable=False)
    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="ecrm_tickets")
    request_form = models.ForeignKey(RequestForm, on_delete=models.PROTECT, related_name="tickets")
    short_description = models.CharField("Short description", max_length=160)
    description_html = models.TextField("Description", blank=True)
    carrier_scope = models.CharField(max_length=10, choices=CarrierScope.choices)
    health_plans = models.ManyToManyField("reference.HealthPlan", blank=True, related_name="ecrm_tickets")
    request_type = models.ForeignKey(RequestType, on_delete=models.PROTECT, related_name="tickets")
    subrequest = models.ForeignKey(Subrequest, on_delete=models.PROTECT, null=True, blank=True, related_name="tickets")
    claim_number = models.CharField("Claim/EDI Number", max_length=40, blank=True)
    contact_name = models.CharField("Contact Name", max_length=120, blank=True)
    contact_phone = models.CharField("Contact Phone", max_length=10, blank=True)
    contact_email = models.EmailField("Contact Email", blank=True)
    reporter_type = models.CharField("Reporter Type", max_length=30, choices=ReporterType.choices, blank=True)
    on_behalf_of_contracted_provider = models.BooleanField(
        "Are You Contacting Us On Behalf Of An EviCore Contracted Provider", null=True, blank=True
    )
    state = models.CharField("State", max_length=20, choices=TicketState.choices, default=TicketState.NEW)
    priority = models.PositiveSmallIntegerField(
        "Priority", choices=TicketPriority.choices, default=TicketPriority.MODERATE
    )
    # The agents' side (issue 13 item 7): who works it and which group's queue it is in. Set by
    # ``tickets.ticket_assign`` only, with a history row; never shown to the reporter.
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="ecrm_assigned_tickets",
        limit_choices_to={"is_staff": True},
        verbose_name="Assigned to",
    )
    assignment_group = models.ForeignKey(
        "auth.Group",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="ecrm_tickets",
        verbose_name="Assignment group",
    )
    # "Copy colleagues on this case" (ECRM-8): colleagues of the reporter's organization who see the ticket too.
    copied_colleagues = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        through="TicketCopy",
        related_name="ecrm_copied_tickets",
        blank=True,
        verbose_name="Copy colleagues on this case",
    )
    created_at = models.DateTimeField("Created", auto_now_add=True)
    updated_at = models.DateTimeField("Updated", auto_now=True)

    class Meta:
        ordering = ["-sequence"]
        indexes = [
            models.Index(fields=["reporter", "-sequence"], name="ecrm_ticket_reporter_idx"),
            # The agents' lists by state, newest first, and their counts (bench/ecrm.py).
            models.Index(fields=["state", "-sequence"], name="ecrm_ticket_state_idx"),
            # "Assigned to me" and a group's queue, newest first.
            models.Index(fields=["assigned_to", "-sequence"], name="ecrm_ticket_assigned_idx"),
            models.Index(fields=["assignment_group", "-sequence"], name="ecrm_ticket_group_idx"),
            # The auto-close job: Resolved tickets by when they were last touched.
            models.Index(fields=["updated_at"], condition=Q(state="resolved"), name="ecrm_ticket_resolved_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(sequence__gte=1, sequence__lte=10**NUMBER_DIGITS - 1), name="ecrm_ticket_sequence_range"
            ),
            models.CheckConstraint(condition=Q(number__startswith=NUMBER_PREFIX), name="ecrm_ticket_number_prefix"),
        ]

    def __str__(self):
        return self.number


class TicketCopy(models.Model):
    """A colleague of the reporter's organization copied on the ticket (ECRM-8): they see it in My Cases, its
    Activity, Submitted Details and attachments, may post on it and receive the agents' comments by email. Only
    the reporter chooses them (on the request form, or while it is New), among ``selectors.colleagues_of``."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="copies")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="ecrm_ticket_copies")
    copied_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "copied colleague"
        constraints = [models.UniqueConstraint(fields=["ticket", "user"], name="ecrm_ticket_copy_unique")]
        # The visibility scope reads a user's copies (the unique constraint's index leads with the ticket).
        indexes = [models.Index(fields=["user", "ticket"], name="ecrm_ticket_copy_user_idx")]

    def __str__(self):
        return f"{self.ticket_id}: copied {self.user_id}"


class TicketComment(models.Model):
    """A post on a ticket's Activity (seed 000): an additional comment, which the reporter sees (and, from an
    agent, receives by email), or a work note, internal to the agents: never on the reporter's pages or emails.

    ``message_id`` is the Message-ID of the email that carried the comment: ours for an agent's comment emailed
    to the reporter (a reply names it in In-Reply-To), the sender's for a reply received by email (a second
    delivery of the same message is then recognized)."""

    class Kind(models.TextChoices):
        COMMENT = "comment", "Additional comments"
        WORK_NOTE = "work_note", "Work notes"

    class Source(models.TextChoices):
        WEB = "web", "Web"
        EMAIL = "email", "Email"

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.COMMENT)
    body_html = models.TextField("Message", blank=True)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.WEB)
    created_at = models.DateTimeField(default=timezone.now)
    message_id = models.CharField("Message-ID", max_length=250, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["ticket", "created_at"], name="ecrm_comment_ticket_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["message_id"], condition=~Q(message_id=""), name="ecrm_comment_message_id_unique"
            ),
            # A work note is written by an agent in the admin; nothing from outside can make one.
            models.CheckConstraint(
                condition=~Q(kind="work_note", source="email"), name="ecrm_comment_work_note_not_by_email"
            ),
            models.CheckConstraint(
                condition=Q(emailed_at__isnull=True) | Q(kind="comment"), name="ecrm_comment_work_note_never_emailed"
            ),
        ]

    def __str__(self):
        return f"{self.ticket_id}: {self.get_kind_display()} {self.pk}"

    @property
    def is_work_note(self) -> bool:
        return self.kind == self.Kind.WORK_NOTE


class TicketChange(models.Model):
    """The ticket's history: a state change (written by ``tickets.ticket_transition`` only), an edit of the
    request by its reporter while it is New (``changed_fields`` names the fields by their labels), a priority
    change (``tickets.ticket_priority_set``) or an assignment (``tickets.ticket_assign``; ``reason`` says to
    whom; internal to the agents)."""

    class Kind(models.TextChoices):
        STATE = "state", "State changed"
        EDITED = "edited", "Request edited"
        PRIORITY = "priority", "Priority changed"
        ASSIGNED = "assigned", "Assignment changed"

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="changes")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    from_state = models.CharField(max_length=20, choices=TicketState.choices, blank=True)
    to_state = models.CharField(max_length=20, choices=TicketState.choices, blank=True)
    changed_fields = models.JSONField(default=list, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    changed_at = models.DateTimeField(default=timezone.now)
    from_priority = models.PositiveSmallIntegerField(choices=TicketPriority.choices, null=True, blank=True)
    to_priority = models.PositiveSmallIntegerField(choices=TicketPriority.choices, null=True, blank=True)
    reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["changed_at", "pk"]
        indexes = [models.Index(fields=["ticket", "changed_at"], name="ecrm_change_ticket_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="state", from_state__gt="", to_state__gt="")
                | Q(kind__in=["edited", "priority", "assigned"], from_state="", to_state=""),
                name="ecrm_change_state_has_both_states",
            ),
            models.CheckConstraint(
                condition=Q(kind="priority", from_priority__isnull=False, to_priority__isnull=False)
                | (~Q(kind="priority") & Q(from_priority__isnull=True, to_priority__isnull=True)),
                name="ecrm_change_priority_has_both_priorities",
            ),
        ]

    def __str__(self):
        return f"{self.ticket_id}: {self.get_kind_display()}"


class CannedReply(models.Model):
    """A prepared answer an agent picks in the comment form of a ticket's admin page (issue 13 item 7)."""

    title = models.CharField(max_length=120, unique=True)
    body = models.TextField(help_text="Plain text; posted as the comment when chosen and the message is empty.")

    class Meta:
        ordering = ["title"]
        verbose_name_plural = "canned replies"

    def __str__(self):
        return self.title


class TicketAttachment(models.Model):
    """A file added with "Add Attachments": any type, stored outside the web root under a generated name."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="attachments")
    # Added with a post on the Activity (or an emailed reply); none for the files submitted with the request.
    comment = models.ForeignKey(
        TicketComment, on_delete=models.CASCADE, null=True, blank=True, related_name="attachments"
    )
    original_name = models.CharField(max_length=120)
    stored_name = models.CharField(max_length=200, unique=True)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "pk"]

    def __str__(self):
        return self.original_name
