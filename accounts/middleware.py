"""Server-side session limits (ACC-11): idle timeout and an absolute cap, whatever the cookie says.

The last activity is written to the session only when it has moved by more than ``activity_resolution()``
(60 seconds with the 15-minute idle timeout): writing it on every request made every signed-in request save the
session, an UPDATE of the session row and a new cookie. So the recorded time may be up to that resolution older
than the user's last request, and the idle limit is counted from the recorded time plus the resolution: a session
ends between ``SESSION_IDLE_TIMEOUT`` and ``SESSION_IDLE_TIMEOUT`` + the resolution after its last request, never
before the idle timeout, and ``idle_remaining`` (what the page's warning asks for) tells that moment exactly.
"""

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
# How far the recorded activity may lag the last request, at most (and at most a fifteenth of the idle timeout,
# so that a short timeout, as the browser tests set, stays near exact).
ACTIVITY_RESOLUTION = datetime.timedelta(seconds=60)


def activity_resolution() -> datetime.timedelta:
    return min(ACTIVITY_RESOLUTION, settings.SESSION_IDLE_TIMEOUT / 15)


def _parse(value) -> datetime.datetime | None:
    try:
        return datetime.datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return None


def idle_remaining(session, now: datetime.datetime) -> datetime.timedelta:
    """The time left before the idle limit ends the session (negative once it has); a session with no activity
    recorded yet has just begun its idle period."""
    last = _parse(session.get(SESSION_LAST_ACTIVITY)) or now
    return settings.SESSION_IDLE_TIMEOUT + activity_resolution() - (now - last)


def session_expired_reason(session, now: datetime.datetime) -> str | None:
    started = _parse(session.get(SESSION_STARTED))
    if started and now - started > settings.SESSION_ABSOLUTE_TIMEOUT:
        hours = int(settings.SESSION_ABSOLUTE_TIMEOUT.total_seconds() // 3600)
        return f"For your security you were signed out: sessions last at most {hours} hours."
    if session.get(SESSION_LAST_ACTIVITY) and idle_remaining(session, now) < datetime.timedelta(0):
        minutes = int(settings.SESSION_IDLE_TIMEOUT.total_seconds() // 60)
        return f"You were signed out after {minutes} minutes without activity."
    return None


def activity_record(session, now: datetime.datetime, *, force: bool = False) -> None:
    """Counts ``now`` as activity: written when the recorded time is older than the resolution (or ``force``:
    "Stay signed in"), so that most requests leave the session unmodified and unsaved."""
    last = _parse(session.get(SESSION_LAST_ACTIVITY))
    if force or last is None or now - last > activity_resolution():
        session[SESSION_LAST_ACTIVITY] = now.isoformat()


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
            if SESSION_STARTED not in request.session:
                request.session[SESSION_STARTED] = now.isoformat()
            if not request.path.startswith(PASSIVE_PATHS):
                activity_record(request.session, now)
        return self.get_response(request)
