"""My Worklist's search text for the cases submitted before it existed, as ``cases.worklist.search_text`` writes
it: the identifiers, the patient, the ordering provider, the site, then each line's HCPCS code and label in line
order, lowercased, one value a line, empty ones left out.

Batched by id (``BATCH`` ids, each batch committed on its own: the migration is not atomic), so a million cases
are never one transaction holding every row. On PostgreSQL each batch is one UPDATE with correlated subqueries
(``SEARCH_TEXT_SQL``, which bench/worklist_bench/cases_sql.py writes the same way); elsewhere (SQLite, a test's
few rows) the text is built in Python. Reversing leaves the values; 0017's reverse drops the column."""

from django.db import migrations, transaction

BATCH = 20_000

# The text of the case row ``c`` (lowercased whole: the same as lowercasing each value).
SEARCH_TEXT_SQL = r"""lower(concat_ws(E'\n',
    NULLIF(c.request_id, ''), NULLIF(c.authorization_number, ''), NULLIF(c.case_number, ''),
    (SELECT concat_ws(E'\n', NULLIF(m.first_name, ''), NULLIF(m.last_name, ''), NULLIF(m.member_id, ''))
     FROM reference_member m WHERE m.id = c.member_id),
    (SELECT concat_ws(E'\n', NULLIF(p.first_name, ''), NULLIF(p.last_name, ''), NULLIF(p.organization_name, ''),
                      NULLIF(p.npi, ''))
     FROM reference_provider p WHERE p.id = c.ordering_provider_id),
    (SELECT NULLIF(s.name, '') FROM reference_site s WHERE s.id = c.site_id),
    (SELECT string_agg(concat_ws(E'\n', NULLIF(h.code, ''), NULLIF(l.label, '')), E'\n' ORDER BY l.line_number)
     FROM cases_serviceline l JOIN reference_hcpcscode h ON h.id = l.hcpcs_id WHERE l.case_id = c.id)))"""

UPDATE_SQL = f"""
UPDATE cases_case c SET search_text = {SEARCH_TEXT_SQL}
WHERE c.id > %s AND c.id <= %s AND c.submitted_at IS NOT NULL
"""  # noqa: S608 (fixed SQL)


def _text(case, lines) -> str:
    values = [case.request_id, case.authorization_number, case.case_number]
    if case.member is not None:
        values += [case.member.first_name, case.member.last_name, case.member.member_id]
    provider = case.ordering_provider
    if provider is not None:
        values += [provider.first_name, provider.last_name, provider.organization_name, provider.npi]
    if case.site is not None:
        values.append(case.site.name)
    for code, label in lines:
        values += [code, label]
    return "\n".join(value for value in values if value).lower()


def backfill(apps, schema_editor):
    connection = schema_editor.connection
    Case = apps.get_model("cases", "Case")
    ServiceLine = apps.get_model("cases", "ServiceLine")
    cases = Case.objects.using(connection.alias).filter(submitted_at__isnull=False)
    last = cases.order_by("-pk").values_list("pk", flat=True).first() or 0
    for low in range(0, last, BATCH):
        with transaction.atomic(using=connection.alias):
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute(UPDATE_SQL, [low, low + BATCH])
                continue
            batch = list(
                cases.filter(pk__gt=low, pk__lte=low + BATCH).select_related("member", "ordering_provider", "site")
            )
            lines = {}
            rows = (
                ServiceLine.objects.using(connection.alias)
                .filter(case_id__gt=low, case_id__lte=low + BATCH)
                .order_by("case_id", "line_number")
            )
            for case_id, code, label in rows.values_list("case_id", "hcpcs__code", "label"):
                lines.setdefault(case_id, []).append((code, label))
            for case in batch:
                case.search_text = _text(case, lines.get(case.pk, []))
            Case.objects.using(connection.alias).bulk_update(batch, ["search_text"], batch_size=500)


class Migration(migrations.Migration):
    atomic = False  # each batch commits on its own

    dependencies = [
        ("cases", "0017_case_search_text"),
        ("reference", "0004_name_trigram_indexes"),
    ]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop, elidable=True)]
