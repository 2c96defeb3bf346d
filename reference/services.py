"""Loading reference data. Every loader is idempotent: running it again changes nothing."""

from functools import cache

from django.db import connection, transaction

from reference import catalog
from reference.models import DiagnosisCode, HcpcsCode, HealthPlan, PlanProgram, Program

ICD_BATCH_SIZE = 5000


@cache
def _icd10cm_rows() -> tuple[tuple[str, str, bool], ...]:
    """(code, description, billable) for every ICD-10-CM category and subcategory.

    Billable means a leaf that is a category or subcategory: ``is_leaf`` alone also lets a dozen
    chapter blocks through. 39 codes are both a block and a category (B20, F99, Z66...), so
    ``get_all_codes`` lists them twice; they are kept once. Cached: importing the package takes ~1.5 s.
    """
    import simple_icd_10_cm as icd

    rows, seen = [], set()
    for code in icd.get_all_codes(with_dots=True):
        if code in seen or not icd.is_category_or_subcategory(code):
            continue
        seen.add(code)
        rows.append((code, icd.get_description(code), icd.is_leaf(code)))
    return tuple(rows)


def diagnosis_codes_load(*, refresh: bool = False) -> int:
    """Load the full ICD-10-CM code set; returns how many codes were added.

    The load is one transaction, so any code present means all were loaded; ``refresh`` adds the
    codes a newer release of the package brings.
    """
    if not refresh and DiagnosisCode.objects.exists():
        return 0
    rows = _icd10cm_rows()
    existing = set(DiagnosisCode.objects.values_list("code", flat=True))
    missing = [
        DiagnosisCode(code=code, description=description, is_billable=billable)
        for code, description, billable in rows
        if code not in existing
    ]
    with transaction.atomic():
        DiagnosisCode.objects.bulk_create(missing, batch_size=ICD_BATCH_SIZE)
        diagnosis_word_index_rebuild()
    return len(missing)


def diagnosis_word_index_rebuild() -> None:
    """SQLite keeps the word index in an FTS5 table that mirrors the descriptions; PostgreSQL's GIN
    index follows the table by itself. The codes change only through ``diagnosis_codes_load``."""
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("INSERT INTO reference_diagnosiscode_fts(reference_diagnosiscode_fts) VALUES ('rebuild')")


@transaction.atomic
def catalog_load() -> None:
    """Programs, health plans with their per-program delegation, and HCPCS codes (seeds 001-003)."""
    programs = {}
    for order, (code, name, header_code, buildable) in enumerate(catalog.PROGRAMS):
        programs[code], _ = Program.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "header_code": header_code,
                "is_buildable": buildable,
                "unavailable_message": "" if buildable else catalog.NOT_HANDLED.format(name=name),
                "sort_order": order,
                "upload_max_megabytes": catalog.UPLOAD_MAX_MEGABYTES.get(code, 5),
            },
        )
    plans = {}
    for code, name, payer_id, phone in catalog.HEALTH_PLANS:
        plans[code], _ = HealthPlan.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "payer_id": payer_id,
                "customer_service_phone": phone,
            },
        )
    for plan, program, reviewer, services, phone, fax in catalog.PLAN_PROGRAMS:
        same_day, retro_days, instruction = catalog.DATE_OF_SERVICE_RULES.get((plan, program), (True, None, ""))
        PlanProgram.objects.update_or_create(
            health_plan=plans[plan],
            program=programs[program],
            defaults={
                "clinical_reviewer": reviewer,
                "services_included": services,
                "phone": phone,
                "fax": fax,
                "same_day_requests_online": same_day,
                "retro_window_business_days": retro_days,
                "phone_in_instruction": instruction,
            },
        )
    for code, description, discipline in catalog.HOME_HEALTH_CODES:
        HcpcsCode.objects.update_or_create(
            code=code,
            defaults={
                "description": description,
                "program": programs["home-health"],
                "category": HcpcsCode.Category.HOME_HEALTH,
                "billing_basis": HcpcsCode.BillingBasis.VISIT,
                "requires_prior_auth": True,
                "discipline": discipline,
            },
        )
    for code, description, category, basis, needs_auth in catalog.DME_CODES:
        HcpcsCode.objects.update_or_create(
            code=code,
            defaults={
                "description": description,
                "program": programs["dme"],
                "category": category,
                "billing_basis": basis,
                "requires_prior_auth": needs_auth,
                "discipline": "",
            },
        )


def reference_data_load() -> dict:
    catalog_load()
    return {"icd10cm_added": diagnosis_codes_load()}
