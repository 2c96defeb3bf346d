"""Two more covering indexes for My Worklist, with the search text: a searched page reads the visible cases'
texts from an index alone, not from 10,000 heap rows. They are the two of 0014 (the practices' cases, the user's
own) plus ``search_text``, about four times wider; the unsearched pages keep reading the narrow ones.

A B-tree entry holds at most 2,704 bytes, so the text is capped at ``MAX_BYTES`` (``worklist.SEARCH_TEXT_MAX_BYTES``,
which writes it so from now on). First the texts over the cap, written uncapped by 0018 or before this migration,
are written again capped: every identifier, name and code, then as many line descriptions as fit, in line order
(the rule of ``worklist.capped_text``, copied here as it stands today). Reversing drops the two indexes and leaves
the capped texts, which the search still matches."""

from django.conf import settings
from django.db import migrations, models
from django.db.models.expressions import RawSQL

MAX_BYTES = 1800


def _capped(values) -> str:
    kept, size = [], -1
    for value in values:
        value = (value or "").lower()
        cost = len(value.encode()) + 1
        if value and size + cost <= MAX_BYTES:
            kept.append(value)
            size += cost
    return "\n".join(kept)


def cap_long_texts(apps, schema_editor):
    connection = schema_editor.connection
    Case = apps.get_model("cases", "Case")
    ServiceLine = apps.get_model("cases", "ServiceLine")
    size = "octet_length(search_text)" if connection.vendor == "postgresql" else "length(CAST(search_text AS BLOB))"
    cases = Case.objects.using(connection.alias)
    # Few cases (a dozen lines or more with long descriptions): their ids first, then each one read and written,
    # never a write into the table while a cursor still reads it.
    long_ids = list(
        cases.annotate(text_bytes=RawSQL(size, []))  # noqa: S611 (fixed SQL)
        .filter(text_bytes__gt=MAX_BYTES)
        .values_list("pk", flat=True)
    )
    for pk in long_ids:
        case = cases.select_related("member", "ordering_provider", "site").get(pk=pk)
        member, provider, site = case.member, case.ordering_provider, case.site
        values = [case.request_id, case.authorization_number, case.case_number]
        if member is not None:
            values += [member.first_name, member.last_name, member.member_id]
        if provider is not None:
            values += [provider.first_name, provider.last_name, provider.organization_name, provider.npi]
        if site is not None:
            values.append(site.name)
        lines = list(
            ServiceLine.objects.using(connection.alias)
            .filter(case_id=case.pk)
            .order_by("line_number")
            .values_list("hcpcs__code", "label")
        )
        text = _capped([*values, *(code for code, _ in lines), *(label for _, label in lines)])
        cases.filter(pk=pk).update(search_text=text)


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0018_case_search_text_backfill"),
        ("practices", "0001_initial"),
        ("reference", "0004_name_trigram_indexes"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(cap_long_texts, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(
                condition=models.Q(("submitted_at__isnull", False)),
                fields=["practice", "-submitted_at", "-id"],
                include=(
                    "created_by",
                    "status",
                    "request_id",
                    "case_number",
                    "authorization_number",
                    "valid_to",
                    "decision_due_at",
                    "patient_sort_name",
                    "first_procedure_code",
                    "member",
                    "ordering_provider",
                    "site",
                    "health_plan",
                    "search_text",
                ),
                name="case_practice_search_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(
                condition=models.Q(("submitted_at__isnull", False)),
                fields=["created_by", "-submitted_at", "-id"],
                include=(
                    "practice",
                    "status",
                    "request_id",
                    "case_number",
                    "authorization_number",
                    "valid_to",
                    "decision_due_at",
                    "patient_sort_name",
                    "first_procedure_code",
                    "member",
                    "ordering_provider",
                    "site",
                    "health_plan",
                    "search_text",
                ),
                name="case_owner_search_idx",
            ),
        ),
    ]
