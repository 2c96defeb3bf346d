"""The entry point the in-process benchmarks share: a temp dir, the run, its exit status, and the clean-up."""

from __future__ import annotations

import shutil
import signal
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from case_bench.database import drop_postgres_database
from case_bench.settings import EXIT_HARNESS_ERROR, HarnessError


def bench_main(run: Callable[[Path], None], *, prefix: str, database: str, keep: bool) -> int:
    """``run(workdir)`` in a new temp dir; 0, or the harness's exit status. Afterwards the database connections
    are closed and, unless ``keep``, the PostgreSQL ``database`` dropped and the temp dir removed. ``kill`` cleans
    up like Ctrl-C: SIGTERM raises SystemExit, which runs the clean-up."""
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    workdir = Path(tempfile.mkdtemp(prefix=prefix))
    try:
        run(workdir)
        return 0
    except HarnessError as exc:
        print(f"\nBENCHMARK ERROR: {exc}", file=sys.stderr)
        return EXIT_HARNESS_ERROR
    except KeyboardInterrupt:
        print("\nInterrupted.", file=sys.stderr)
        return 130
    finally:
        if "django" in sys.modules:
            from django.db import connections

            connections.close_all()
        if keep:
            print(f"Kept {workdir} and the database ({database})")
        else:
            try:
                drop_postgres_database(database)
            except Exception as exc:  # cleanup must not hide the run's own error
                print(f"Could not drop {database}: {exc}", file=sys.stderr)
            shutil.rmtree(workdir, ignore_errors=True)
