from django.urls import path, register_converter

from cases.views import (
    case_page,
    entry,
    lookup,
    post_decision,
    steps,
    steps_clinical,
    steps_service,
    submitted,
    upload,
    worklist,
)


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
    path("", entry.carecore_home, name="carecore_home"),
    path("request/", entry.request_authorization, name="request_authorization"),
    path("in-progress/", entry.in_progress, name="in_progress"),
    path("worklist/", worklist.worklist_page, name="worklist"),
    path("worklist.csv", worklist.worklist_csv, name="worklist_csv"),
    path("lookup/", lookup.authorization_lookup, name="authorization_lookup"),
    path("<request_id:request_id>/", entry.resume, name="resume"),
    path("<request_id:request_id>/step/<slug:slug>/", steps.step, name="step"),
    path("<request_id:request_id>/clinical/<str:key>/", steps_clinical.clinical_page, name="clinical_page"),
    path("<request_id:request_id>/finish-later/", steps_clinical.finish_later, name="finish_later"),
    path("<request_id:request_id>/case/", case_page.case_detail, name="case_detail"),
    path("<request_id:request_id>/summary/", submitted.summary, name="summary"),
    path("<request_id:request_id>/summary.pdf", submitted.summary_pdf, name="summary_pdf"),
    path("<request_id:request_id>/cancel/", submitted.cancel, name="cancel"),
    path("<request_id:request_id>/reconsideration/", post_decision.reconsider, name="reconsider"),
    path("<request_id:request_id>/appeals/", post_decision.appeal_list, name="appeals"),
    path("<request_id:request_id>/appeals/<int:sequence>/", post_decision.appeal_detail, name="appeal"),
    path("<request_id:request_id>/alternative/<int:line_number>/", post_decision.alternative, name="alternative"),
    path("<request_id:request_id>/extension/", post_decision.extension, name="extension"),
    path("<request_id:request_id>/upload/", upload.upload_more, name="upload_more"),
    path("<request_id:request_id>/documents/<int:pk>/", submitted.document, name="document"),
    path("<request_id:request_id>/diagnoses/", steps_service.diagnoses, name="diagnoses"),
]
