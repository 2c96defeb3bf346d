"""A trigram index on the service lines' labels for My Worklist's search (cases.worklist.search): whether a word
of three characters or more is in any line's label at all is then one index lookup, so a word that is no label
(a name, a request ID) never probes the visible cases' lines. PostgreSQL only (pg_trgm, created by reference
0004); nothing on SQLite."""

from django.db import migrations

NAME = "serviceline_label_trgm_idx"


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    quote = schema_editor.quote_name
    table = apps.get_model("cases", "ServiceLine")._meta.db_table
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {quote(NAME)} ON {quote(table)} USING gin (UPPER({quote('label')}) gin_trgm_ops)"
    )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {schema_editor.quote_name(NAME)}")


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0014_worklist_indexes"),
        ("reference", "0004_name_trigram_indexes"),
    ]

    operations = [migrations.RunPython(create, drop)]
