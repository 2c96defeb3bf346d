"""The P2P scheduling tool's pages: Case Info (``case_info``: the default time zone, New P2P Request) and
Questions, Schedule, P2P Contact Details, Confirmation and My P2P Requests (``schedule``).

Every page of the tool is wrapped in ``tool_view``: signed in, and the default time zone confirmed first (P2P-2:
"Upon first login, you will be asked to confirm your default time zone"); a user without one is sent to the time
zone page and brought back to the page they asked for.
"""

import functools
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.urls import reverse

from p2p.models import US_TIME_ZONE_NAMES


def has_time_zone(user) -> bool:
    return getattr(user, "time_zone", "") in US_TIME_ZONE_NAMES


def tool_view(view):
    """Decorate a P2P tool view: login required, then the time zone confirmed (else a redirect there, ``next``
    carrying the page asked for; only a GET's own path is carried back, never a POST)."""

    @login_required
    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        if not has_time_zone(request.user):
            target = reverse("p2p:time_zone")
            if request.method == "GET":
                target += "?" + urlencode({"next": request.get_full_path()})
            return redirect(target)
        return view(request, *args, **kwargs)

    return wrapped
