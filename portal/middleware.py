"""``Cache-Control: no-store`` on every response a browser or proxy cache must not keep (issue 9 item 13).

A signed-in user's pages show patient data or account settings; left in the browser's disk cache or a
proxy's, they outlive the session on a shared office computer. So every response to a signed-in user
gets ``no-store`` (redirects, errors, MFA pages and the admin included), and so does every download.

Visitors' pages get it too when they carry something personal: a cookie (a session, a message) or a CSRF
token in a form (the log-in, registration and password-reset pages). A cached copy would hand one
visitor's token, or a stale one, to the next; the page is cheap to render again. Other public pages
(Resources, the visitors' home page, health checks) keep their own caching.

Static files are not touched: WhiteNoise answers them before this middleware runs, with its long-lived
caching headers (they are the same for everyone and hold nothing personal).
"""

from django.utils.cache import add_never_cache_headers


def is_no_store(response) -> bool:
    """Whether ``response`` forbids every cache to store it (RFC 9111 section 5.2.2.5).

    For this middleware's tests and for crawlers that check it across every URL.
    """
    directives = response.get("Cache-Control", "").split(",")
    return "no-store" in {directive.split("=", 1)[0].strip().lower() for directive in directives}


def must_not_be_stored(request, response) -> bool:
    """A signed-in user's response, a download, or a page that sets a cookie or shows a CSRF token."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return True
    if response.has_header("Content-Disposition"):
        return True
    # CsrfViewMiddleware (inner) has already set the CSRF cookie on a page that used a token; the flag is
    # also checked in case the cookie lives in the session (CSRF_USE_SESSIONS).
    return bool(response.cookies) or bool(request.META.get("CSRF_COOKIE_NEEDS_UPDATE"))


class NoStoreMiddleware:
    """Marks responses ``no-store`` (with Django's never-cache set) per ``must_not_be_stored``.

    Listed after WhiteNoise, so static files keep their caching, and before the session, CSRF and
    authentication middleware, so it sees the cookies they set and the user they found.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if must_not_be_stored(request, response):
            add_never_cache_headers(response)
        return response
