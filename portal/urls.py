from django.contrib import admin
from django.urls import include, path

from portal import views

portal_patterns = (
    [
        path("", views.home, name="home"),
        path("health/", views.health, name="health"),
        path("health/db/", views.health_database, name="health_database"),
    ],
    "portal",
)

urlpatterns = [
    path("", include(portal_patterns)),
    path("accounts/", include("accounts.urls")),
    path("mfa/", include("mfa.urls")),
    path("account/", include("practices.urls")),
    path("resources/", include("resources.urls")),
    path("cases/", include("cases.urls")),
    path("correspondence/", include("correspondence.urls")),
    path("eligibility/", include("reference.urls")),
    path("ecrm/", include("ecrm.urls")),
    path("p2p/", include("p2p.urls")),
    path("admin/", admin.site.urls),
]

admin.site.site_header = "Provider Portal administration"
admin.site.site_title = "Provider Portal admin"
admin.site.index_title = "Reviewer and operations tools"
