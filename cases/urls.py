from django.urls import path

from cases import views

app_name = "cases"

urlpatterns = [
    path("", views.carecore_home, name="carecore_home"),
    path("request/", views.request_authorization, name="request_authorization"),
    path("in-progress/", views.in_progress, name="in_progress"),
    path("<str:request_id>/", views.resume, name="resume"),
    path("<str:request_id>/step/<slug:slug>/", views.step, name="step"),
    path("<str:request_id>/clinical/<str:key>/", views.clinical_page, name="clinical_page"),
    path("<str:request_id>/finish-later/", views.finish_later, name="finish_later"),
    path("<str:request_id>/summary/", views.summary, name="summary"),
    path("<str:request_id>/summary.pdf", views.summary_pdf, name="summary_pdf"),
    path("<str:request_id>/cancel/", views.cancel, name="cancel"),
    path("<str:request_id>/documents/<int:pk>/", views.document, name="document"),
]
