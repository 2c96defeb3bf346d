"""Keeps an ECRM-only account on ECRM (issue 13, item 1): the portal's home and its case, eligibility and
practice pages send it to the ECRM landing page.

Those pages already show such an account nothing (they are scoped by practice membership, which an ECRM
registration never makes); this makes the boundary explicit and gives it ECRM as its home. Staff and anyone
a practice has taken in are untouched.
"""

from functools import cache

from django.shortcuts import redirect
from django.urls import reverse

from ecrm.selectors import is_ecrm_only

# The provider portal's pages by URL name: the home page exactly, the others with everything under them.
PORTAL_HOME = "portal:home"
PORTAL_AREAS = ("cases:carecore_home", "reference:eligibility_lookup", "practices:manage_account")


@cache
def _portal_paths() -> tuple[str, tuple[str, ...]]:
    return reverse(PORTAL_HOME), tuple(reverse(name) for name in PORTAL_AREAS)


def is_portal_page(path: str) -> bool:
    home, areas = _portal_paths()
    return path == home or path.startswith(areas)


class EcrmOnlyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and is_portal_page(request.path) and is_ecrm_only(user):
            return redirect("ecrm:landing")
        return self.get_response(request)
