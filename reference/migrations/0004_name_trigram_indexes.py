"""Trigram indexes for My Worklist's search (cases.worklist.search): a word of three characters or more is
looked up in the patients', providers' and sites' names through them (``UPPER(x) LIKE '%WORD%'``, the SQL of
Django's ``icontains``, matches the indexed expression). PostgreSQL only (pg_trgm); nothing on SQLite, where
the tables of a development database are small."""

from django.db import migrations

# (model, index name, column)
INDEXES = [
    ("member", "member_first_name_trgm_idx", "first_name"),
    ("member", "member_last_name_trgm_idx", "last_name"),
    ("member", "member_member_id_trgm_idx", "member_id"),
    ("provider", "provider_first_name_trgm_idx", "first_name"),
    ("provider", "provider_last_name_trgm_idx", "last_name"),
    ("provider", "provider_org_name_trgm_idx", "organization_name"),
    ("provider", "provider_npi_trgm_idx", "npi"),
    ("site", "site_name_trgm_idx", "name"),
]


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    quote = schema_editor.quote_name
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for model, name, column in INDEXES:
        table = apps.get_model("reference", model)._meta.db_table
        expression = f"UPPER({quote(column)}) gin_trgm_ops"
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {quote(name)} ON {quote(table)} USING gin ({expression})")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for _model, name, _column in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {schema_editor.quote_name(name)}")


class Migration(migrations.Migration):
    dependencies = [("reference", "0003_date_of_service_rules_and_upload_cap")]

    operations = [migrations.RunPython(create, drop)]
