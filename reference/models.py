"""Reference data: what every case, ticket and P2P request points at."""

from django.db import models
from django.db.models import Q
from django.db.models.functions import Upper

from reference.validators import (
    format_us_phone,
    validate_npi,
    validate_tin,
    validate_us_phone,
    validate_zip_code,
)


class Program(models.Model):
    """A program listed on "Request an Authorization" (seed 001)."""

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=120, unique=True)
    # The header code a case carries on "Requested service + diagnosis" (HOMEH, DME).
    header_code = models.CharField(max_length=10, blank=True)
    is_buildable = models.BooleanField(
        default=False,
        help_text="Requests for this program can be built in this portal.",
    )
    unavailable_message = models.TextField(
        blank=True, help_text="Shown when a provider picks a program we do not build."
    )
    sort_order = models.PositiveSmallIntegerField(default=0)
    # Seeds 001/002: clinical uploads of at most 5 MB each for Home Health, 25 MB for DME.
    upload_max_megabytes = models.PositiveSmallIntegerField(default=5)

    class Meta:
        ordering = ["sort_order", "name"]

    def __str__(self):
        return self.name


class HealthPlan(models.Model):
    """An insurer whose members' prior authorizations come through the portal."""

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=120, unique=True)
    payer_id = models.CharField("Payer ID", max_length=10, blank=True)
    customer_service_phone = models.CharField(max_length=10, blank=True, validators=[validate_us_phone])
    programs = models.ManyToManyField(Program, through="PlanProgram", related_name="health_plans")

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class PlanProgram(models.Model):
    """A plan's delegation of one program: who reviews it, and where providers phone and fax (seed 003)."""

    class ClinicalReviewer(models.TextChoices):
        CIGNA = "cigna", "Cigna"
        EVICORE = "evicore", "EviCore"

    health_plan = models.ForeignKey(HealthPlan, on_delete=models.CASCADE, related_name="plan_programs")
    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="plan_programs")
    is_delegated = models.BooleanField(default=True, help_text="The plan delegates this program's prior authorization.")
    clinical_reviewer = models.CharField(max_length=10, choices=ClinicalReviewer.choices)
    services_included = models.CharField(max_length=200, blank=True)
    phone = models.CharField(max_length=10, validators=[validate_us_phone])
    fax = models.CharField(max_length=10, validators=[validate_us_phone])
    # Date-of-service rules of the plan for this program (seeds 001, 002). Cigna Home Health takes
    # neither same-day nor retrospective requests online: the provider phones the plan instead.
    same_day_requests_online = models.BooleanField(
        default=True, help_text="A request whose date of service is today may be built online."
    )
    retro_window_business_days = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text="How many business days after the date of service a retrospective request is still "
        "accepted online; empty when retrospective requests must be phoned in.",
    )
    phone_in_instruction = models.CharField(
        max_length=300,
        blank=True,
        help_text="What to do instead when a request cannot be built online (same-day or retrospective).",
    )

    class Meta:
        ordering = ["health_plan__name", "program__sort_order"]
        constraints = [
            models.UniqueConstraint(fields=["health_plan", "program"], name="unique_plan_program"),
        ]

    def __str__(self):
        return f"{self.health_plan} - {self.program}"

    @property
    def phone_display(self):
        return format_us_phone(self.phone)

    @property
    def fax_display(self):
        return format_us_phone(self.fax)


class DiagnosisCode(models.Model):
    """An ICD-10-CM category or subcategory; only billable (leaf) codes may be chosen as a diagnosis."""

    code = models.CharField(max_length=8, unique=True, help_text="With the dot, e.g. S92.151A.")
    description = models.CharField(max_length=400)
    is_billable = models.BooleanField(default=False)

    class Meta:
        ordering = ["code"]
        indexes = [
            # Billable-only prefix search ("S92.15") walks this index in code order.
            models.Index(fields=["is_billable", "code"], name="diagnosis_billable_code_idx"),
        ]

    def __str__(self):
        return f"{self.code} {self.description}"


class HcpcsCode(models.Model):
    """A HCPCS Level II code: Home Health disciplines and the DME code list (seed 002 categories)."""

    class Category(models.TextChoices):
        HOME_HEALTH = "home_health", "Home Health"
        OXYGEN = "oxygen", "Oxygen/Related Equipment"
        PATIENT_LIFTS = "patient_lifts", "Patient Lifts"
        VENTILATORS = "ventilators", "Ventilators"
        WHEELCHAIRS = "wheelchairs", "Wheelchairs"
        PROSTHETICS = "prosthetics", "Prosthetics"
        ORTHOTICS = "orthotics", "Orthotics"
        COMMUNICATION = "communication", "Communication"
        MISCELLANEOUS = "miscellaneous", "Miscellaneous"
        STIMULATORS = "stimulators", "Stimulators"
        COMPRESSORS = "compressors", "Non-Pneumatic Compressor and Appliances"

    class BillingBasis(models.TextChoices):
        VISIT = "visit", "Per visit"
        PURCHASE = "purchase", "Purchase"
        DAILY_RENTAL = "daily_rental", "Daily rental"
        MONTHLY_RENTAL = "monthly_rental", "Monthly rental"

    code = models.CharField(max_length=5, unique=True)
    description = models.CharField(max_length=300)
    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="hcpcs_codes")
    category = models.CharField(max_length=20, choices=Category.choices)
    billing_basis = models.CharField(max_length=20, choices=BillingBasis.choices)
    requires_prior_auth = models.BooleanField(default=True)
    # The Home Health discipline the code bills ("Skilled Nurse", "Physical Therapy"), blank for DME.
    discipline = models.CharField(max_length=40, blank=True)

    class Meta:
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(condition=Q(code__regex=r"^[A-Z][0-9]{4}$"), name="hcpcs_code_format"),
        ]

    def __str__(self):
        return f"{self.code} {self.description}"


class Address(models.Model):
    address_line1 = models.CharField("Address", max_length=120)
    address_line2 = models.CharField("Address line 2", max_length=120, blank=True)
    city = models.CharField(max_length=80)
    state = models.CharField(max_length=2)
    zip_code = models.CharField("ZIP code", max_length=10, validators=[validate_zip_code])

    class Meta:
        abstract = True

    @property
    def address_display(self):
        street = ", ".join(part for part in (self.address_line1, self.address_line2) if part)
        return f"{street}, {self.city}, {self.state} {self.zip_code}"


def provider_display_name(kind: str, first_name: str, last_name: str, credentials: str, organization_name: str) -> str:
    """A provider's name as pages show it: a group's name, or "First Last, MD" (``Provider.display_name``; this
    for a list that reads the columns as values, My Worklist's rows)."""
    if kind == Provider.Kind.GROUP:
        return organization_name
    name = f"{first_name} {last_name}".strip()
    return f"{name}, {credentials}" if credentials else name


class Provider(Address):
    """An ordering provider in the directory: an individual practitioner or a group (NPI type 1 or 2)."""

    class Kind(models.TextChoices):
        PRACTITIONER = "practitioner", "Practitioner"
        GROUP = "group", "Group"

    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.PRACTITIONER)
    npi = models.CharField("NPI", max_length=10, unique=True, validators=[validate_npi])
    tin = models.CharField("TIN", max_length=9, validators=[validate_tin])
    first_name = models.CharField(max_length=60, blank=True)
    last_name = models.CharField(max_length=60, blank=True)
    organization_name = models.CharField(max_length=120, blank=True)
    credentials = models.CharField(max_length=20, blank=True, help_text="MD, DO, NP, PA.")
    specialty = models.CharField(max_length=80, blank=True)
    phone = models.CharField(max_length=10, validators=[validate_us_phone])
    fax = models.CharField(max_length=10, validators=[validate_us_phone])
    email = models.EmailField(blank=True)

    class Meta:
        ordering = ["last_name", "first_name", "organization_name"]
        indexes = [
            models.Index(Upper("last_name"), name="provider_last_name_upper_idx"),
            models.Index(fields=["tin"], name="provider_tin_idx"),
            models.Index(fields=["zip_code"], name="provider_zip_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="practitioner", last_name__gt="") | Q(kind="group", organization_name__gt=""),
                name="provider_has_a_name",
            ),
        ]

    def __str__(self):
        return f"{self.display_name} (NPI {self.npi})"

    @property
    def display_name(self):
        return provider_display_name(
            self.kind, self.first_name, self.last_name, self.credentials, self.organization_name
        )

    @property
    def sort_name(self):
        """What a list of providers sorts on: "Last, First" for a practitioner, the organization's name for a group
        (cases copy it at submission: My Worklist's Ordering Provider column)."""
        if self.kind == self.Kind.GROUP:
            return self.organization_name
        return f"{self.last_name}, {self.first_name}" if self.first_name else self.last_name


class Site(Address):
    """A site of service (rendering facility): DME supplier, home health agency, or another facility."""

    class Kind(models.TextChoices):
        DME_SUPPLIER = "dme_supplier", "DME supplier"
        HOME_HEALTH_AGENCY = "home_health_agency", "Home health agency"
        FACILITY = "facility", "Facility"

    kind = models.CharField(max_length=20, choices=Kind.choices)
    name = models.CharField("Site name", max_length=120)
    npi = models.CharField("NPI", max_length=10, unique=True, validators=[validate_npi])
    tin = models.CharField("TIN", max_length=9, validators=[validate_tin])
    phone = models.CharField(max_length=10, validators=[validate_us_phone])
    fax = models.CharField(max_length=10, validators=[validate_us_phone])
    email = models.EmailField(blank=True)

    class Meta:
        ordering = ["name"]
        indexes = [
            models.Index(Upper("name"), name="site_name_upper_idx"),
            models.Index(fields=["tin"], name="site_tin_idx"),
            models.Index(fields=["zip_code"], name="site_zip_idx"),
        ]

    def __str__(self):
        return f"{self.name} (NPI {self.npi})"


class Member(Address):
    """A health plan member (the patient); eligibility is the set of coverage spans."""

    class Sex(models.TextChoices):
        FEMALE = "F", "Female"
        MALE = "M", "Male"
        UNKNOWN = "U", "Unknown"

    member_id = models.CharField("Patient ID", max_length=20, unique=True)
    first_name = models.CharField(max_length=60)
    last_name = models.CharField(max_length=60)
    date_of_birth = models.DateField()
    sex = models.CharField(max_length=1, choices=Sex.choices, default=Sex.UNKNOWN)
    phone = models.CharField(max_length=10, blank=True, validators=[validate_us_phone])

    class Meta:
        ordering = ["last_name", "first_name"]
        indexes = [
            # The eligibility lookup asks patient ID, date of birth and last name together.
            models.Index(Upper("last_name"), "date_of_birth", name="member_last_name_dob_idx"),
        ]

    def __str__(self):
        return f"{self.last_name}, {self.first_name} ({self.member_id})"

    @property
    def full_name(self):
        return f"{self.first_name} {self.last_name}"


class Eligibility(models.Model):
    """One coverage span of a member with a plan; an open end means still covered."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="eligibility_spans")
    health_plan = models.ForeignKey(HealthPlan, on_delete=models.PROTECT, related_name="eligibility_spans")
    group_number = models.CharField(max_length=20, blank=True)
    coverage_start = models.DateField()
    coverage_end = models.DateField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "eligibility spans"
        ordering = ["member", "-coverage_start"]
        constraints = [
            models.CheckConstraint(
                condition=Q(coverage_end__isnull=True) | Q(coverage_end__gte=models.F("coverage_start")),
                name="eligibility_end_after_start",
            ),
            models.UniqueConstraint(
                fields=["member", "health_plan", "coverage_start"],
                name="unique_eligibility_span",
            ),
        ]

    def __str__(self):
        end = self.coverage_end.isoformat() if self.coverage_end else "open"
        return f"{self.member.member_id} {self.health_plan.code} {self.coverage_start.isoformat()} to {end}"

    def covers(self, day):
        return self.coverage_start <= day and (self.coverage_end is None or day <= self.coverage_end)
