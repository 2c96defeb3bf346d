#!/usr/bin/env python3
"""Container health checks that need only the standard library (the slim image has no curl).

    python docker/healthcheck.py web  [--url URL] [--timeout SECONDS]
        Healthy when GET URL (default http://127.0.0.1:8000/health/) answers 2xx: database and broker reachable.
    python docker/healthcheck.py beat [--max-age SECONDS] [--schedule PATH]
        Healthy when celery beat's schedule file changed in the last MAX_AGE seconds (default 600).

Exit status 0 means healthy, 1 unhealthy; one line on stdout says why (``docker inspect`` keeps it).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

DEFAULT_URL = "http://127.0.0.1:8000/health/"
# Beat runs record-worker-heartbeat every 60 s and syncs its shelve file every 3 minutes at most,
# so a file untouched for 10 minutes means beat is stuck or dead.
DEFAULT_MAX_AGE = 600


def host_header(allowed_hosts: str | None) -> str | None:
    """A Host value Django's ALLOWED_HOSTS accepts, so the probe passes when 127.0.0.1 is not listed.

    None means "let urllib send the URL's host" (ALLOWED_HOSTS unset, or "*").
    """
    for entry in (allowed_hosts or "").split(","):
        entry = entry.strip()
        if not entry or entry == "*":
            continue
        # ".example.com" allows example.com and every subdomain of it.
        return entry.lstrip(".")
    return None


def check_web(url: str = DEFAULT_URL, timeout: float = 5.0, allowed_hosts: str | None = None) -> tuple[bool, str]:
    headers = {"Accept": "application/json", "User-Agent": "portal-healthcheck"}
    host = host_header(allowed_hosts)
    if host:
        headers["Host"] = host
    request = urllib.request.Request(url, headers=headers)  # noqa: S310 - the URL is ours (http only)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            return True, f"{url} answered {response.status}"
    except urllib.error.HTTPError as exc:
        return False, f"{url} answered {exc.code}: {exc.read(300).decode('utf-8', 'replace')}"
    except (urllib.error.URLError, OSError) as exc:
        return False, f"{url} unreachable: {exc}"


def check_beat(schedule: Path, max_age: float = DEFAULT_MAX_AGE, now: float | None = None) -> tuple[bool, str]:
    # shelve picks a dbm backend at run time; some add a suffix (.db, or .dat/.dir/.bak).
    files = [path for path in schedule.parent.glob(schedule.name + "*") if path.is_file()]
    if not files:
        return False, f"no schedule file at {schedule}"
    age = (time.time() if now is None else now) - max(path.stat().st_mtime for path in files)
    if age > max_age:
        return False, f"{schedule} last written {age:.0f}s ago (limit {max_age:.0f}s)"
    return True, f"{schedule} written {age:.0f}s ago"


def default_schedule() -> Path:
    # Same rule as portal/settings.py: CELERY_BEAT_SCHEDULE_FILENAME = PORTAL_VAR_DIR/celerybeat-schedule.
    return Path(os.environ.get("PORTAL_VAR_DIR", "/app/var")) / "celerybeat-schedule"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    web = commands.add_parser("web", help="probe the /health/ endpoint")
    web.add_argument("--url", default=DEFAULT_URL)
    web.add_argument("--timeout", type=float, default=5.0)
    beat = commands.add_parser("beat", help="check that celery beat keeps writing its schedule file")
    beat.add_argument("--schedule", type=Path, default=None)
    beat.add_argument("--max-age", type=float, default=DEFAULT_MAX_AGE)
    args = parser.parse_args(argv)

    if args.command == "web":
        healthy, detail = check_web(args.url, args.timeout, os.environ.get("ALLOWED_HOSTS"))
    else:
        healthy, detail = check_beat(args.schedule or default_schedule(), args.max_age)
    print(("healthy: " if healthy else "unhealthy: ") + detail)
    return 0 if healthy else 1


if __name__ == "__main__":
    sys.exit(main())
