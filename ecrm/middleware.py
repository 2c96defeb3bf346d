"""Keeps an ECRM-only account on ECRM (issue 13, item 1): the portal's home and its case, eligibility and
practice pages send it to the ECRM landing page.

Those pages already show such an account nothing (they are scoped by practice membership, which an ECRM
registration never makes); this makes the boundary explicit and gives it ECRM as its home. Staff and anyone
a practice has taken in are untouched.

Asking costs one query a session for nearly every account: the first signed-in request of a session (the MFA
page, usually, or the first page after it) asks whether the account has an ECRM profile and the session remembers
the answer. A profile is made only by ECRM registration, for a new account, so none appears during a session of an
existing one (an administrator adding one by hand takes effect at the next login). An account with a profile is
asked about its memberships on each portal page, since a practice may take it in at any time.
"""

from functools import cache

from django.shortcuts import redirect
from django.urls import reverse

from ecrm.selectors import ecrm_profile_state
from practices.selectors import memberships_for

# The provider portal's pages by URL name: the home page exactly, the others with everything under them.
PORTAL_HOME = "portal:home"
PORTAL_AREAS = ("cases:carecore_home", "reference:eligibility_lookup", "practices:manage_account")
# [user id, whether that account has an ECRM profile]: see above.
SESSION_ECRM_PROFILE = "ecrm_profile"


@cache
def _portal_paths() -> tuple[str, tuple[str, ...]]:
    return reverse(PORTAL_HOME), tuple(reverse(name) for name in PORTAL_AREAS)


def is_portal_page(path: str) -> bool:
    home, areas = _portal_paths()
    return path == home or path.startswith(areas)


def request_is_ecrm_only(request, *, portal_page: bool) -> bool:
    """``selectors.is_ecrm_only`` for the signed-in user on a portal page (False elsewhere), the ECRM profile's
    presence remembered in the session from the session's first signed-in request."""
    user = request.user
    if not user.is_authenticated or user.is_staff:
        return False
    remembered = request.session.get(SESSION_ECRM_PROFILE)
    if isinstance(remembered, list) and len(remembered) == 2 and remembered[0] == user.pk:
        if not remembered[1] or not portal_page:
            return False
        return not memberships_for(user).exists()
    has_profile, is_member = ecrm_profile_state(user)
    request.session[SESSION_ECRM_PROFILE] = [user.pk, has_profile]
    return portal_page and has_profile and not is_member


class EcrmOnlyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and request_is_ecrm_only(request, portal_page=is_portal_page(request.path)):
            return redirect("ecrm:landing")
        return self.get_response(request)
