"""Server-side session limits (ACC-11): idle timeout and an absolute cap, whatever the cookie says."""

import datetime

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone

SESSION_STARTED = "session_started_at"
SESSION_LAST_ACTIVITY = "session_last_activity"
# Polled by the page's timeout warning; reading the remaining time must not count as activity.
PASSIVE_PATHS = ("/accounts/session/",)


def _parse(value) -> datetime.datetime | None:
    try:
        return datetime.datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return None


def session_expired_reason(session, now: datetime.datetime) -> str | None:
    started, last = _parse(session.get(SESSION_STARTED)), _parse(session.get(SESSION_LAST_ACTIVITY))
    if started and now - started > settings.SESSION_ABSOLUTE_TIMEOUT:
        hours = int(settings.SESSION_ABSOLUTE_TIMEOUT.total_seconds() // 3600)
        return f"For your security you were signed out: sessions last at most {hours} hours."
    if last and now - last > settings.SESSION_IDLE_TIMEOUT:
        minutes = int(settings.SESSION_IDLE_TIMEOUT.total_seconds() // 60)
        return f"You were signed out after {minutes} minutes without activity."
    return None


class SessionTimeoutMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            now = timezone.now()
            reason = session_expired_reason(request.session, now)
            if reason:
                logout(request)
                messages.info(request, reason + " Log in again to continue; work saved as you went is kept.")
                return redirect(f"{reverse('accounts:login')}?next={request.path}")
            request.session.setdefault(SESSION_STARTED, now.isoformat())
            if not request.path.startswith(PASSIVE_PATHS):
                request.session[SESSION_LAST_ACTIVITY] = now.isoformat()
        return self.get_response(request)
