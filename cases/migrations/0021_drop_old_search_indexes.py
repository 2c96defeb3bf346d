"""The two indexes of My Worklist's first search, which probed each visible case's lines (cases 0015 and 0016):
the search reads the case's own search text since 0017-0019, and nothing else uses them. At a million cases the
trigram index on the lines' labels took 225 MB and was never scanned; the (case, code) index took 89 MB, and a
case's lines are read through (case, line_number), the unique constraint's index. Every line written paid for
both. Reversing builds them again."""

from django.db import migrations

TRIGRAM = "serviceline_label_trgm_idx"


def drop_trigram(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {schema_editor.quote_name(TRIGRAM)}")


def create_trigram(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    quote = schema_editor.quote_name
    table = apps.get_model("cases", "ServiceLine")._meta.db_table
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {quote(TRIGRAM)} ON {quote(table)} USING gin (UPPER({quote('label')}) gin_trgm_ops)"
    )


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0020_case_provider_sort_name"),
    ]

    operations = [
        migrations.RunPython(drop_trigram, create_trigram),
        migrations.RemoveIndex(
            model_name="serviceline",
            name="serviceline_case_code_idx",
        ),
    ]
