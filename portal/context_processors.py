from django.conf import settings

from portal import navigation as nav


def navigation(request):
    return {
        "upx_links": nav.resolved(nav.UPX_LINKS),
        "user_menu": nav.resolved(nav.USER_MENU),
        "portals_menu": nav.resolved(nav.PORTALS_MENU),
        "carecore_links": nav.resolved(nav.CARECORE_LINKS),
        "visitor_links": nav.resolved(nav.VISITOR_LINKS),
        "register_url": nav.url_if_exists("accounts:register"),
        "password_reset_url": nav.url_if_exists("accounts:password_reset"),
        "current_path": request.path,
        "session_idle_seconds": int(settings.SESSION_IDLE_TIMEOUT.total_seconds()),
        "session_warning_seconds": settings.SESSION_WARNING_SECONDS,
    }
