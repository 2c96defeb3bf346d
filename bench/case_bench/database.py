"""The benchmark's database: a fresh PostgreSQL database or SQLite file, Django configured on it, settled after
the bulk load."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

from case_bench.settings import POSTGRES, POSTGRES_BENCH_DB, ROOT, HarnessError


def recreate_postgres_database(name: str = POSTGRES_BENCH_DB) -> str:
    try:
        import psycopg
    except ImportError as exc:
        raise HarnessError("psycopg is not installed: run with .venv/bin/python") from exc
    try:
        # DROP/CREATE DATABASE cannot run in a transaction; FORCE ends sessions a killed run left behind.
        with psycopg.connect(**POSTGRES, dbname="postgres", autocommit=True, connect_timeout=3) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
            conn.execute(f"CREATE DATABASE {name}")
    except psycopg.Error as exc:
        raise HarnessError(f"PostgreSQL on {POSTGRES['host']}:{POSTGRES['port']}: {exc}") from exc
    return f"postgres://{POSTGRES['user']}@{POSTGRES['host']}:{POSTGRES['port']}/{name}"


def drop_postgres_database(name: str = POSTGRES_BENCH_DB) -> None:
    import psycopg

    with psycopg.connect(**POSTGRES, dbname="postgres", autocommit=True, connect_timeout=3) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def django_configure(database_url: str, workdir: Path) -> None:
    """Dev settings with DEBUG off (no query log, no debug pages), everything written under ``workdir``."""
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "portal.settings",
            "DJANGO_ENV": "dev",
            "DEBUG": "false",
            "DATABASE_URL": database_url,
            "PORTAL_VAR_DIR": str(workdir),  # uploads, mail, SMS, the Celery folder broker
            "CELERY_BROKER_URL": "filesystem://",
            "LOG_LEVEL": "WARNING",
        }
    )
    for name in ("MEDIA_ROOT", "CLINICAL_UPLOAD_ROOT", "CELERY_BROKER_DIR", "STATIC_ROOT"):
        os.environ.pop(name, None)
    # The project first, and not this folder: this file's name would shadow the ``cases`` app.
    here = Path(__file__).resolve().parent
    sys.path[:] = [str(ROOT), *(entry for entry in sys.path if Path(entry or ".").resolve() != here)]
    import django

    django.setup()


def timed(label: str, timings: dict, function: Callable, *args, **kwargs):
    print(f"· {label} ...", flush=True)
    started = time.perf_counter()
    result = function(*args, **kwargs)
    timings[label] = time.perf_counter() - started
    return result


def settle_database() -> str:
    """Production tables are vacuumed and analyzed; a fresh bulk load is not until autovacuum runs."""
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("VACUUM (ANALYZE)")
            cursor.execute("CHECKPOINT")
            return "VACUUM (ANALYZE) + CHECKPOINT"
        cursor.execute("ANALYZE")
        return "ANALYZE"
