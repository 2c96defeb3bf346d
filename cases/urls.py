from django.urls import path, register_converter

from cases import views


class RequestIdConverter:
    """A request ID is 10 ASCII digits (cases.identifiers): anything else is not a case's address (a 404,
    before any query: PostgreSQL refuses a NUL byte in a text comparison)."""

    regex = "[0-9]{10}"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(RequestIdConverter, "request_id")

app_name = "cases"

urlpatterns = [
    path("", views.carecore_home, name="carecore_home"),
    path("request/", views.request_authorization, name="request_authorization"),
    path("in-progress/", views.in_progress, name="in_progress"),
    path("<request_id:request_id>/", views.resume, name="resume"),
    path("<request_id:request_id>/step/<slug:slug>/", views.step, name="step"),
    path("<request_id:request_id>/clinical/<str:key>/", views.clinical_page, name="clinical_page"),
    path("<request_id:request_id>/finish-later/", views.finish_later, name="finish_later"),
    path("<request_id:request_id>/summary/", views.summary, name="summary"),
    path("<request_id:request_id>/summary.pdf", views.summary_pdf, name="summary_pdf"),
    path("<request_id:request_id>/cancel/", views.cancel, name="cancel"),
    path("<request_id:request_id>/documents/<int:pk>/", views.document, name="document"),
    path("<request_id:request_id>/diagnoses/", views.diagnoses, name="diagnoses"),
]
