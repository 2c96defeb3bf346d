"""The word index behind ICD-10-CM description search.

PostgreSQL: a GIN index over to_tsvector('simple', description); the selector queries that same
expression, so the planner uses it. SQLite: an FTS5 table over the descriptions (external content:
it stores only the index), rebuilt by the loader after it inserts codes.
"""

from django.db import migrations

POSTGRES_CREATE = (
    "CREATE INDEX IF NOT EXISTS diagnosis_description_words_idx ON reference_diagnosiscode "
    "USING gin (to_tsvector('simple'::regconfig, description))"
)
POSTGRES_DROP = "DROP INDEX IF EXISTS diagnosis_description_words_idx"
SQLITE_CREATE = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS reference_diagnosiscode_fts USING fts5("
    "description, content='reference_diagnosiscode', content_rowid='id')"
)
SQLITE_DROP = "DROP TABLE IF EXISTS reference_diagnosiscode_fts"


def create_word_index(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_CREATE)
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_CREATE)
        schema_editor.execute("INSERT INTO reference_diagnosiscode_fts(reference_diagnosiscode_fts) VALUES ('rebuild')")


def drop_word_index(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_DROP)
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_DROP)


class Migration(migrations.Migration):
    dependencies = [("reference", "0001_initial")]

    operations = [migrations.RunPython(create_word_index, drop_word_index)]
