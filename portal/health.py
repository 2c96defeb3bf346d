"""Health checks behind /health/: the database, the broker, and the freshest worker heartbeat."""

from django.conf import settings
from django.db import connection
from django.utils import timezone

from portal.celery import app as celery_app
from portal.models import WorkerHeartbeat


def check_database() -> dict:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any driver error means "down"; the type is reported, not the message
        return {"status": "unavailable", "error": type(exc).__name__}
    return {"status": "ok", "vendor": connection.vendor}


def check_broker() -> dict:
    transport = settings.CELERY_BROKER_URL.split("://", 1)[0]
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, timeout=2)
    except Exception as exc:
        return {
            "status": "unavailable",
            "transport": transport,
            "error": type(exc).__name__,
        }
    return {"status": "ok", "transport": transport}


def check_worker() -> dict:
    """Not fatal for the web process (requests are still served), but reported so an operator sees it."""
    try:
        latest = WorkerHeartbeat.objects.order_by("-seen_at").first()
    except Exception as exc:
        return {"status": "unknown", "error": type(exc).__name__}
    if latest is None:
        return {"status": "unknown", "detail": "no heartbeat recorded yet"}
    age = (timezone.now() - latest.seen_at).total_seconds()
    status = "ok" if age <= settings.WORKER_HEARTBEAT_STALE_AFTER else "stale"
    return {
        "status": status,
        "last_seen_seconds_ago": round(age),
        "worker": latest.worker,
    }


def health_report() -> tuple[bool, dict]:
    checks = {"database": check_database(), "broker": check_broker()}
    checks["worker"] = check_worker() if checks["database"]["status"] == "ok" else {"status": "unknown"}
    healthy = checks["database"]["status"] == "ok" and checks["broker"]["status"] == "ok"
    return healthy, {"status": "ok" if healthy else "unavailable", "checks": checks}
