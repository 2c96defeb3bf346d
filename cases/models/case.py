"""A prior authorization request from its first wizard step (a draft) to its decision.

One row is the whole request: the draft the provider builds step by step (saved as each step is
completed, CASE-11) and, once submitted, the case the reviewers decide. ``status`` is written only by
``cases.services.case_transition``.
"""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from cases import rules
from reference.models import DiagnosisCode, HcpcsCode, HealthPlan, Member, Program, Provider, Site
from reference.validators import validate_us_phone


class CaseStatus(models.TextChoices):
    DRAFT = "draft", "In Progress"
    EXPIRED = "expired", "Expired"
    SUBMITTED = "submitted", "Submitted"
    APPROVED = "approved", "Approved"
    PENDING_REVIEW = "pending_review", "Pending Medical Review"
    ON_HOLD = "on_hold", "On Hold"
    PARTIALLY_APPROVED = "partially_approved", "Partially Approved"
    DENIED = "denied", "Denied"
    CANCELLED = "cancelled", "Cancelled"


# Statuses in which a request still holds the member's service period (CASE-15 conflicts).
OPEN_OR_APPROVED = (
    CaseStatus.SUBMITTED,
    CaseStatus.PENDING_REVIEW,
    CaseStatus.ON_HOLD,
    CaseStatus.APPROVED,
    CaseStatus.PARTIALLY_APPROVED,
)


# Statuses of a submitted request waiting for its decision: its clock runs (CASE-17, CMS-2).
AWAITING_DECISION = (CaseStatus.SUBMITTED, CaseStatus.PENDING_REVIEW, CaseStatus.ON_HOLD)


class BuilderRole(models.TextChoices):
    """Who builds the case (CASE-1): the ordering side, or the supplier/agency that renders it."""

    REFERRING_PHYSICIAN = "referring_physician", "Referring Physician"
    DME_PROVIDER = "dme_provider", "Durable Medical Equipment"
    HOME_HEALTH_AGENCY = "home_health_agency", "Home Health Agency"


class UrgencyCriterion(models.TextChoices):
    # Seed 001/003: the two urgency criteria, verbatim.
    JEOPARDY = (
        "jeopardy",
        "A delay in care could seriously jeopardize the life or health of the patient or patient's "
        "ability to regain maximum function.",
    )
    SEVERE_PAIN = (
        "severe_pain",
        "A delay in care would subject the member to severe pain that cannot be adequately managed "
        "without the care or treatment requested in the prior authorization.",
    )
    NONE = "none", "None of the above"


# The columns of a case's own row that My Worklist filters, sorts, searches or joins on (its covering indexes).
_WORKLIST_COLUMNS = [
    "status",
    "request_id",
    "case_number",
    "authorization_number",
    "valid_to",
    "decision_due_at",
    "patient_sort_name",
    "first_procedure_code",
    "provider_sort_name",
    "member",
    "ordering_provider",
    "site",
    "health_plan",
]


class Case(models.Model):
    # --- Identity (CASE-16): random, unique, never derived from one another.
    request_id = models.CharField("Request ID", max_length=12, unique=True)
    case_number = models.CharField("Case Number", max_length=12, unique=True, null=True, blank=True)
    episode_id = models.CharField("Episode ID", max_length=12, unique=True, null=True, blank=True)
    authorization_number = models.CharField("Authorization Number", max_length=12, unique=True, null=True, blank=True)

    status = models.CharField(max_length=20, choices=CaseStatus.choices, default=CaseStatus.DRAFT)
    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="cases")
    builder_role = models.CharField(max_length=30, choices=BuilderRole.choices)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="cases")
    # The practice (TIN) the request is submitted under, chosen at the first step (SEC-1): its members with
    # the case-submission entitlement view and act on the case with its creator (cases.permissions).
    practice = models.ForeignKey(
        "practices.Practice", on_delete=models.PROTECT, null=True, blank=True, related_name="cases"
    )
    created_at = models.DateTimeField(default=timezone.now)
    # The wizard step to resume at ("Certification Requests In Progress") and when it was saved.
    current_step = models.CharField(max_length=40, default="provider")
    completed_steps = models.JSONField(default=list, blank=True)
    last_saved_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(null=True, blank=True)

    # --- Requesting (ordering) provider, insurer and contact (CASE-2 to CASE-4).
    ordering_provider = models.ForeignKey(
        Provider, on_delete=models.PROTECT, null=True, blank=True, related_name="ordered_cases"
    )
    health_plan = models.ForeignKey(HealthPlan, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    provider_address = models.CharField("Provider Address", max_length=300, blank=True)
    contact_provider_name = models.CharField("Provider's Name", max_length=120, blank=True)
    contact_name = models.CharField("Who to Contact", max_length=120, blank=True)
    contact_fax = models.CharField("Fax", max_length=10, blank=True, validators=[validate_us_phone])
    contact_phone = models.CharField("Phone", max_length=10, blank=True, validators=[validate_us_phone])
    contact_phone_ext = models.CharField("Ext.", max_length=8, blank=True)
    contact_cell_phone = models.CharField("Cell Phone", max_length=10, blank=True, validators=[validate_us_phone])
    contact_email = models.EmailField("Email", blank=True)
    notify_by_email = models.BooleanField("Receive email notification of case status changes", default=True)

    # --- Date of service (CASE-5): HH start of care, or the DME delivery date (or the request date).
    date_of_service = models.DateField("Date of Service", null=True, blank=True)
    dme_already_dispensed = models.BooleanField(null=True, blank=True)
    is_retrospective = models.BooleanField(default=False)

    # --- Patient (CASE-6).
    member = models.ForeignKey(Member, on_delete=models.PROTECT, null=True, blank=True, related_name="cases")
    patient_cell_phone = models.CharField(
        "Patient Cell Phone", max_length=10, blank=True, validators=[validate_us_phone]
    )
    patient_email = models.EmailField("Patient Email", blank=True)

    # --- Requested service + diagnosis (CASE-7).
    primary_diagnosis = models.ForeignKey(
        DiagnosisCode, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    secondary_diagnosis = models.ForeignKey(
        DiagnosisCode, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    # --- Site of service (CASE-8).
    site = models.ForeignKey(Site, on_delete=models.PROTECT, null=True, blank=True, related_name="cases")
    site_email = models.EmailField("Site Email", blank=True)
    site_fax = models.CharField("Fax", max_length=10, blank=True, validators=[validate_us_phone])
    site_phone = models.CharField("Phone", max_length=10, blank=True, validators=[validate_us_phone])
    place_of_service = models.CharField(max_length=40, blank=True)
    dispensed_on_urgent_basis = models.BooleanField(null=True, blank=True)
    dispensed_after_hours = models.BooleanField(null=True, blank=True)

    # --- Attestation (CASE-9): from here on the physician, patient and service data are locked.
    attested_at = models.DateTimeField(null=True, blank=True)

    # --- Clinical questionnaire (CASE-10): answers keyed by the question set's linkIds.
    questionnaire_id = models.CharField(max_length=60, blank=True)
    questionnaire_version = models.CharField(max_length=20, blank=True)
    clinical_answers = models.JSONField(default=dict, blank=True)

    # --- Urgency and upload (CASE-12, CASE-13).
    is_routine = models.BooleanField("Is this case Routine/Standard?", null=True, blank=True)
    urgency_criterion = models.CharField(max_length=20, choices=UrgencyCriterion.choices, blank=True)
    additional_notes = models.TextField("Additional notes", blank=True, max_length=4000)

    # --- Submission and decision (CASE-14, CASE-16, CASE-17).
    submitted_at = models.DateTimeField(null=True, blank=True)
    is_urgent = models.BooleanField(default=False)
    decision_due_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField("Review Date", null=True, blank=True)
    valid_from = models.DateField(null=True, blank=True)
    valid_to = models.DateField("Expiration Date", null=True, blank=True)

    # --- Sort keys of My Worklist, copied at submission (``services.case_submit``) so that sorting by Patient or
    # Procedure reads the case's own row (and the covering indexes below) instead of joining the member and the
    # first service line for every visible case. NULL (sorted last, as an empty column) until submitted.
    # "Last, First" of the patient, and line 1's HCPCS code.
    patient_sort_name = models.CharField(max_length=130, null=True, blank=True, editable=False)  # noqa: DJ001
    first_procedure_code = models.CharField(max_length=10, null=True, blank=True, editable=False)  # noqa: DJ001
    # The ordering provider's ``Provider.sort_name`` ("Last, First", or a group's name), for the same reason.
    provider_sort_name = models.CharField(max_length=130, null=True, blank=True, editable=False)  # noqa: DJ001
    # My Worklist's search text (``worklist.search_text``): what "Start typing to search..." matches, lowercased, one
    # value a line: the identifiers, the patient, the ordering provider, the site, each line's HCPCS code and label.
    # Written at submission (``services.case_submit``) and again with the row when one of them changes (a decision's
    # authorization number, an accepted alternative's line: ``decisions._case_status_derive``), so that a searched
    # page filters the visible cases' own rows instead of probing their lines and reference rows. NULL until then.
    search_text = models.TextField(null=True, blank=True, editable=False)  # noqa: DJ001

    # --- Review (REV-1): the reviewer who claimed the case or was assigned it, and since when.
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="assigned_cases"
    )
    assigned_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["created_by", "status", "-last_saved_at"], name="case_owner_status_idx"),
            models.Index(fields=["status", "expires_at"], name="case_status_expiry_idx"),
            models.Index(fields=["member", "program", "status"], name="case_member_program_idx"),
            models.Index(fields=["practice", "status", "-last_saved_at"], name="case_practice_status_idx"),
            # The reviewers' queue (cases.admin.queue): the cases awaiting a decision in due order, and their counts
            # per queue, status, overdue and unassigned, each read from the index alone at any size.
            models.Index(
                fields=["decision_due_at", "id"],
                condition=Q(status__in=AWAITING_DECISION, submitted_at__isnull=False),
                name="case_awaiting_due_idx",
            ),
            models.Index(
                fields=["program", "status", "assigned_to", "decision_due_at"],
                condition=Q(status__in=AWAITING_DECISION, submitted_at__isnull=False),
                name="case_awaiting_counts_idx",
            ),
            # My Worklist (cases.worklist): each visible part, the practices' cases and the user's own, read in
            # submission order (ties by id) from its own index, and on PostgreSQL from the index alone: the id is a
            # key, and INCLUDE holds what a tab, a sort, a search on the case's row and the joins of the sorted
            # columns read. 10,000 visible cases are then a few contiguous index pages, not 10,000 heap pages.
            # SQLite ignores INCLUDE.
            models.Index(
                fields=["practice", "-submitted_at", "-id"],
                include=["created_by", *_WORKLIST_COLUMNS],
                condition=Q(submitted_at__isnull=False),
                name="case_practice_submitted_idx",
            ),
            models.Index(
                fields=["created_by", "-submitted_at", "-id"],
                include=["practice", *_WORKLIST_COLUMNS],
                condition=Q(submitted_at__isnull=False),
                name="case_owner_submitted_idx",
            ),
            # The same with the search text (worklist.search_text, at most SEARCH_TEXT_MAX_BYTES: an entry holds at
            # most 2,704 bytes), for a searched page: four times wider, so the unsearched pages, the most read (the
            # dashboard's), keep the narrow ones above; the planner picks by the query's LIKE.
            models.Index(
                fields=["practice", "-submitted_at", "-id"],
                include=["created_by", *_WORKLIST_COLUMNS, "search_text"],
                condition=Q(submitted_at__isnull=False),
                name="case_practice_search_idx",
            ),
            models.Index(
                fields=["created_by", "-submitted_at", "-id"],
                include=["practice", *_WORKLIST_COLUMNS, "search_text"],
                condition=Q(submitted_at__isnull=False),
                name="case_owner_search_idx",
            ),
            # The reviewers' lists other than "awaiting a decision" (cases.admin.queue), newest first.
            models.Index(
                fields=["-submitted_at", "-id"],
                condition=Q(submitted_at__isnull=False),
                name="case_submitted_newest_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="draft")
                | Q(status="expired")
                | Q(status="cancelled", submitted_at__isnull=True)
                | Q(submitted_at__isnull=False, case_number__isnull=False, decision_due_at__isnull=False),
                name="case_submitted_has_number_and_due_time",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["approved", "partially_approved"]) | Q(authorization_number__isnull=False),
                name="case_approved_has_authorization_number",
            ),
        ]
        permissions = [("review_case", "Can work cases in the clinical review queue")]

    def __str__(self):
        return f"Request {self.request_id}"

    @property
    def is_draft(self) -> bool:
        return self.status == CaseStatus.DRAFT

    @property
    def is_locked(self) -> bool:
        """After "Confirm and continue" the physician, patient and service data cannot change (CASE-9)."""
        return self.attested_at is not None or not self.is_draft

    @property
    def is_home_health(self) -> bool:
        return self.program.code == "home-health"

    @property
    def is_dme(self) -> bool:
        return self.program.code == "dme"

    @property
    def builds_as_supplier(self) -> bool:
        return self.builder_role in (BuilderRole.DME_PROVIDER, BuilderRole.HOME_HEALTH_AGENCY)

    @property
    def upload_max_bytes(self) -> int:
        return self.program.upload_max_megabytes * 1024 * 1024

    @property
    def header_code(self) -> str:
        return self.program.header_code


class CaseStatusChange(models.Model):
    """One status transition: who, when, from, to and why (written by ``case_transition`` only)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=20, choices=CaseStatus.choices)
    to_status = models.CharField(max_length=20, choices=CaseStatus.choices)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    changed_at = models.DateTimeField(default=timezone.now)
    reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["changed_at", "pk"]

    def __str__(self):
        return f"{self.case.request_id}: {self.from_status} -> {self.to_status}"


class CaseEvent(models.Model):
    """Something that happened to a case, for its timeline and the letters it sends (``cases.events``).

    One row per event, written by the named functions of ``cases.events`` only. The payload holds codes and
    identifiers (statuses, rounds, line numbers, HCPCS codes, outcomes), never PHI: the case row has that.
    """

    class Kind(models.TextChoices):
        SUBMITTED = "submitted", "Submitted"
        STATUS_CHANGED = "status_changed", "Status changed"
        LINE_DETERMINED = "line_determined", "Service line determined"
        DECIDED = "decided", "Decided"
        ASSIGNED = "assigned", "Assigned"
        DOCUMENT_ADDED = "document_added", "Clinical information added"
        DUE_EXTENDED = "due_extended", "Decision due time extended"
        HOLD_PLACED = "hold_placed", "Put on hold"
        HOLD_ANSWERED = "hold_answered", "Hold answered"
        HOLD_LAPSED = "hold_lapsed", "Hold lapsed"
        RECONSIDERATION_REQUESTED = "reconsideration_requested", "Reconsideration requested"
        RECONSIDERATION_DECIDED = "reconsideration_decided", "Reconsideration decided"
        APPEAL_SUBMITTED = "appeal_submitted", "Appeal submitted"
        APPEAL_DECIDED = "appeal_decided", "Appeal decided"
        ALTERNATIVE_ACCEPTED = "alternative_accepted", "Alternative accepted"
        EXTENSION_REQUESTED = "extension_requested", "Extension requested"
        EXTENSION_DECIDED = "extension_decided", "Extension decided"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=30, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    payload = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["case", "created_at"], name="case_event_timeline_idx")]

    def __str__(self):
        return f"{self.case.request_id}: {self.get_kind_display()}"


class ServiceLine(models.Model):
    """A requested service line: a HCPCS code with its quantity (HH discipline visits, DME items or rentals).

    The billing basis and the unit are copied from the HCPCS code at submission (``rules.service_unit``),
    so the line keeps what was requested even if the catalog changes later.
    """

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="service_lines")
    hcpcs = models.ForeignKey(HcpcsCode, on_delete=models.PROTECT, related_name="+")
    label = models.CharField(max_length=300)  # a HCPCS description (HcpcsCode.description holds 300)
    quantity = models.PositiveIntegerField()
    billing_basis = models.CharField(max_length=20, choices=HcpcsCode.BillingBasis.choices)
    unit = models.CharField(max_length=10)  # "Visits", "Units", "Days" or "Months"
    line_number = models.PositiveSmallIntegerField()
    # A DME alternative the ordering provider accepted (seed 002) is authorized as a line of its own, added to the
    # case after the decision: it points at the line requested, which keeps its own determinations unedited.
    alternative_of = models.OneToOneField(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="alternative_line"
    )

    class Meta:
        ordering = ["case", "line_number"]
        constraints = [
            models.UniqueConstraint(fields=["case", "line_number"], name="unique_case_service_line"),
            models.CheckConstraint(condition=Q(quantity__gte=1), name="case_service_quantity_positive"),
        ]

    def __str__(self):
        return f"{self.hcpcs.code} x {self.quantity} {self.unit}"


class DeterminationRound(models.TextChoices):
    """The review a determination belongs to: each is a new set of rows, an earlier one is never edited."""

    INITIAL = "initial", "Initial"
    RECONSIDERATION = "reconsideration", "Reconsideration"
    APPEAL = "appeal", "Appeal"


class DeterminationOutcome(models.TextChoices):
    APPROVED = "approved", "Approved"
    DENIED = "denied", "Denied"
    # DME (seed 002): the original item is not approved; the provider may accept the alternative or reconsider.
    ALTERNATIVE_OFFERED = "alternative_offered", "Alternative Offered"


class Determination(models.Model):
    """One service line's outcome in one round (REV-2): written by ``cases.decisions`` only, never edited.

    An approval carries the approved quantity and its validity (``rules.line_validity``: purchases 180 days,
    rentals for the approved days or months, Home Health for the timeframe or the 30-day bundle, both days
    included). A denial, and an alternative offered in place of the item requested, carry the specific reason
    CMS-0057-F requires on every channel (CMS-1): the criterion not met, the clinical guideline relied on and
    the documentation that would change the outcome. ``decided_by`` is empty for the system's own approval
    (the Home Health bundle at submission). An alternative offered names the item as data (its HCPCS code and
    quantity), which accepting it authorizes as a new line (``ServiceLine.alternative_of``).
    """

    line = models.ForeignKey(ServiceLine, on_delete=models.CASCADE, related_name="determinations")
    round = models.CharField(max_length=20, choices=DeterminationRound.choices)
    # Which reconsideration or appeal of the round (its ``sequence``): up to five appeals per request (seed 004).
    sequence = models.PositiveSmallIntegerField(default=1)
    outcome = models.CharField(max_length=20, choices=DeterminationOutcome.choices)
    approved_quantity = models.PositiveIntegerField(null=True, blank=True)
    valid_from = models.DateField(null=True, blank=True)
    valid_to = models.DateField(null=True, blank=True)
    criterion_not_met = models.TextField("Criterion not met", blank=True)
    guideline = models.ForeignKey(
        "resources.ClinicalGuideline", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    documentation_needed = models.TextField("Documentation that would change the outcome", blank=True)
    alternative = models.CharField("Alternative recommended", max_length=300, blank=True)
    # The alternative item as data (seed 002): what accepting it authorizes (``decisions.alternative_authorize``).
    alternative_hcpcs = models.ForeignKey(
        HcpcsCode,
        verbose_name="Alternative HCPCS code",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    alternative_quantity = models.PositiveIntegerField("Alternative quantity", null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["line", "decided_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["line", "round", "sequence"], name="unique_determination_per_line_and_round"
            ),
            models.CheckConstraint(
                condition=~Q(outcome="approved")
                | Q(
                    approved_quantity__isnull=False,
                    approved_quantity__gte=1,
                    valid_from__isnull=False,
                    valid_to__isnull=False,
                ),
                name="determination_approval_has_quantity_and_validity",
            ),
            models.CheckConstraint(
                condition=Q(outcome="approved")
                | (
                    Q(guideline__isnull=False, approved_quantity__isnull=True, valid_from__isnull=True)
                    & ~Q(criterion_not_met="")
                ),
                name="determination_denial_has_criterion_and_guideline",
            ),
            models.CheckConstraint(
                condition=~Q(outcome="alternative_offered") | ~Q(alternative=""),
                name="determination_alternative_is_named",
            ),
            models.CheckConstraint(
                condition=~Q(outcome="alternative_offered")
                | Q(alternative_hcpcs__isnull=False, alternative_quantity__isnull=False, alternative_quantity__gte=1),
                name="determination_alternative_has_item",
            ),
            models.CheckConstraint(
                condition=Q(outcome="alternative_offered")
                | Q(alternative_hcpcs__isnull=True, alternative_quantity__isnull=True),
                name="determination_only_alternative_has_item",
            ),
            # Both days are included: a one-day rental starts and ends on the same day.
            models.CheckConstraint(
                condition=Q(valid_from__isnull=True) | Q(valid_to__isnull=True) | Q(valid_to__gte=F("valid_from")),
                name="determination_validity_ends_after_it_starts",
            ),
        ]

    def __str__(self):
        return f"{self.line}: {self.get_outcome_display()} ({self.get_round_display()})"

    @property
    def alternative_unit(self) -> str:
        """The unit the alternative's quantity counts ("Units", "Days", "Months"), from its code's billing basis."""
        return rules.service_unit(self.alternative_hcpcs.billing_basis) if self.alternative_hcpcs_id else ""


class ClinicalDocument(models.Model):
    """An uploaded clinical document, stored outside the web root under a generated name (CASE-13)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="documents")
    original_name = models.CharField(max_length=255)
    stored_name = models.CharField(max_length=255, unique=True)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["uploaded_at", "pk"]

    def __str__(self):
        return self.original_name


def default_expiry(now: datetime.datetime | None = None) -> datetime.datetime:
    return (now or timezone.now()) + datetime.timedelta(days=settings.CASE_DRAFT_EXPIRY_DAYS)


class SearchTextRewrite(models.Model):
    """An outbox row: the cases of ``provider`` or ``site`` (one of them) must have the values they copy from it
    (search text, provider sort key) written again, since its name, NPI or kind changed in the admin. Written in the
    rename's transaction (``cases.renames``); ``done_at`` set once a task has rewritten them. A row still pending
    after ``renames.SWEEP_AFTER`` (its task lost: a worker killed, the broker down at the rename) is queued again by
    the beat job ``cases-search-text-rewrite-sweep``."""

    provider = models.ForeignKey(Provider, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    site = models.ForeignKey(Site, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    done_at = models.DateTimeField(null=True, blank=True)
    cases_written = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(provider__isnull=False, site__isnull=True) | Q(provider__isnull=True, site__isnull=False),
                name="searchtextrewrite_provider_or_site",
            ),
        ]
        indexes = [
            models.Index(
                fields=["requested_at"], condition=Q(done_at__isnull=True), name="searchtextrewrite_pending_idx"
            ),
        ]

    def __str__(self):
        return f"Search text rewrite {self.pk}"
