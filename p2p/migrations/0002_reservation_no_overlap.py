"""A reviewer is never booked twice for overlapping times (P2P-7), enforced by the database itself.

PostgreSQL: an exclusion constraint over the reviewer (``=``, through btree_gist) and the half-open time range
(``&&``) of the active (Held or Booked) reservations. SQLite has no exclusion constraints: triggers refuse an
insert or update that would overlap an active reservation of the same reviewer; SQLite runs one writer at a
time, so the trigger's check and the write cannot interleave with another's. Both raise IntegrityError.
"""

from django.db import migrations

CONSTRAINT = "p2p_reservation_no_overlap"

# btree_gist gives the plain ``=`` on reviewer_id a GiST operator class. Created here rather than with Django's
# BtreeGistExtension, whose reverse reads pg_extension on any database (SQLite has none) and would drop an
# extension other things may use.
_PG_EXTENSION = "CREATE EXTENSION IF NOT EXISTS btree_gist"
_PG_ADD = f"""
ALTER TABLE p2p_reservation ADD CONSTRAINT {CONSTRAINT}
EXCLUDE USING gist (reviewer_id WITH =, tstzrange(starts_at, ends_at, '[)') WITH &&)
WHERE (state IN ('held', 'booked'))
"""
_PG_DROP = f"ALTER TABLE p2p_reservation DROP CONSTRAINT IF EXISTS {CONSTRAINT}"

_SQLITE_OVERLAP = f"""
SELECT RAISE(ABORT, '{CONSTRAINT}') WHERE EXISTS (
    SELECT 1 FROM p2p_reservation AS other
    WHERE other.reviewer_id = NEW.reviewer_id
      AND other.state IN ('held', 'booked')
      AND other.id IS NOT NEW.id
      AND julianday(other.starts_at) < julianday(NEW.ends_at)
      AND julianday(NEW.starts_at) < julianday(other.ends_at)
);
"""
_SQLITE_ADD = [
    f"""CREATE TRIGGER {CONSTRAINT}_insert BEFORE INSERT ON p2p_reservation
    WHEN NEW.state IN ('held', 'booked') BEGIN {_SQLITE_OVERLAP} END""",
    f"""CREATE TRIGGER {CONSTRAINT}_update BEFORE UPDATE OF reviewer_id, starts_at, ends_at, state ON p2p_reservation
    WHEN NEW.state IN ('held', 'booked') BEGIN {_SQLITE_OVERLAP} END""",
]
_SQLITE_DROP = [f"DROP TRIGGER IF EXISTS {CONSTRAINT}_insert", f"DROP TRIGGER IF EXISTS {CONSTRAINT}_update"]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("p2p", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"postgresql": [_PG_EXTENSION, _PG_ADD], "sqlite": _SQLITE_ADD}),
            _run({"postgresql": [_PG_DROP], "sqlite": _SQLITE_DROP}),
        ),
    ]
