"""ACC-5: "No PHI page is reachable before MFA." Every signed-in request goes to MFA until it is passed."""

from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpResponseRedirect
from django.urls import reverse

from mfa.selectors import mfa_session_is_stale, mfa_session_is_verified
from mfa.services import mfa_session_expire

# Pages a signed-in user needs before passing MFA: the MFA pages themselves, the account pages
# (log in and out, registration, email verification, password reset, session keep-alive), the public
# Resources, health checks and static files. "/" is public only to visitors: signed in, it is the
# dashboard. The Django admin (/admin/) is not listed, so reviewers pass MFA too.
EXEMPT_PREFIXES = ("/mfa/", "/accounts/", "/resources/", "/health/")
# Under an exempt prefix but holding account settings (password, email): MFA first.
REQUIRED_PREFIXES = ("/accounts/profile/",)


def _static_prefix() -> str:
    return "/static/" if "://" in settings.STATIC_URL else "/" + settings.STATIC_URL.lstrip("/")


def is_exempt(path: str) -> bool:
    return path.startswith((*EXEMPT_PREFIXES, _static_prefix())) and not path.startswith(REQUIRED_PREFIXES)


class RequireMFAMiddleware:
    """Sends a signed-in user who has not passed MFA (or passed it more than MFA_REVERIFY_AFTER ago) to
    the MFA start page, keeping where they were going in ``?next=``. Runs after django-otp's middleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated and not is_exempt(request.path_info) and not mfa_session_is_verified(request):
            if mfa_session_is_stale(request):
                mfa_session_expire(request=request)
            query = urlencode({"next": request.get_full_path()})
            return HttpResponseRedirect(f"{reverse('mfa:start')}?{query}")
        return self.get_response(request)
