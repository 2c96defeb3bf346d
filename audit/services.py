from django.db import models

from audit.models import AuditEvent


def client_ip(request) -> str | None:
    """The client's address as the web server saw it. Behind a proxy, configure the proxy (or
    gunicorn's --forwarded-allow-ips) to set REMOTE_ADDR rather than trusting X-Forwarded-For here."""
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def audit_record(
    *,
    action: str,
    request=None,
    actor=None,
    actor_username: str = "",
    target: models.Model | None = None,
    details: dict | None = None,
) -> AuditEvent:
    """Write one audit row. ``actor`` defaults to the request's signed-in user.

    ``details`` must hold no PHI beyond identifiers (ids, not names or dates of birth): the audit
    log is read by staff who may not be entitled to the record itself.
    """
    if actor is None and request is not None and getattr(request, "user", None) is not None:
        actor = request.user if request.user.is_authenticated else None
    return AuditEvent.objects.create(
        actor=actor,
        actor_username=actor_username or (actor.get_username() if actor else ""),
        action=action,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        ip_address=client_ip(request),
        user_agent=(request.META.get("HTTP_USER_AGENT", "")[:300] if request is not None else ""),
        details=details or {},
    )
