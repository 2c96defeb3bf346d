from urllib.parse import urlsplit

from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from cases.views.worklist import may_have_cases, worklist_context
from portal.health import health_report
from reference.selectors import program_exists


@require_GET
def home(request):
    """Visitors see the Provider's Hub with Log in; signed-in users their dashboard."""
    if request.user.is_authenticated:
        return render(request, "portal/dashboard.html", _dashboard_context(request))
    return render(request, "portal/home.html")


def _dashboard_context(request) -> dict:
    """My Worklist is the dashboard's main content (seeds 001 and 002: under "Hello, <name>"), for users who can
    have cases; the list's first page of Pending, the same context and include as /cases/worklist/."""
    if not may_have_cases(request):
        return {"show_worklist": False}
    return {"show_worklist": True, **worklist_context(request)}


@never_cache
@require_GET
def health(request):
    healthy, report = health_report()
    return JsonResponse(report, status=200 if healthy else 503)


@never_cache
@require_GET
def health_database(request):
    """One indexed query, no template: the liveness probe, and the ceiling the benchmarks compare pages to."""
    program_exists(code="home-health")
    return HttpResponse("ok", content_type="text/plain")


def _same_site_path(request, url: str) -> str:
    """The path and query of ``url`` if it is a page of this site, else "" (never a link to another host)."""
    allowed_hosts = {request.get_host()}
    if not url_has_allowed_host_and_scheme(url, allowed_hosts=allowed_hosts, require_https=request.is_secure()):
        return ""
    parts = urlsplit(url)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    # "http://portal//evil.example/" is on this site, but its path alone would be a link to evil.example.
    if not path.startswith("/") or not url_has_allowed_host_and_scheme(path, allowed_hosts=allowed_hosts):
        return ""
    return path


@never_cache
def csrf_failure(request, reason=""):
    """CSRF_FAILURE_VIEW: a form came from a page opened before its security token changed (usually by signing
    out and in again in another tab). Say so, and link back to that page; Django logs ``reason``."""
    return render(
        request,
        "csrf_failure.html",
        {"back_url": _same_site_path(request, request.headers.get("Referer", ""))},
        status=403,
    )
