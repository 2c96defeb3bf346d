from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from portal.health import health_report
from reference.selectors import program_exists


@require_GET
def home(request):
    """Visitors see the Provider's Hub with Log in; signed-in users their dashboard."""
    if request.user.is_authenticated:
        return render(request, "portal/dashboard.html")
    return render(request, "portal/home.html")


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
