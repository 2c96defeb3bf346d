"""The P2P scheduling tool's pages, a view module a step (``p2p.views``)."""

from django.urls import path

import cases.urls  # noqa: F401  (registers the request_id path converter)
from p2p.views import case_info, contact, questions, requests, schedule

app_name = "p2p"

urlpatterns = [
    path("start/<request_id:request_id>/", case_info.start, name="start"),
    path("time-zone/", case_info.time_zone, name="time_zone"),
    path("new/", case_info.cases, name="cases"),
    path("questions/", questions.questions, name="questions"),
    path("schedule/", schedule.schedule, name="schedule"),
    path("contact/", contact.contact, name="contact"),
    path("requests/", requests.my_requests, name="my_requests"),
    path("requests/<int:pk>/", requests.request_detail, name="request_detail"),
    path("requests/<int:pk>/confirmation/", requests.confirmation, name="confirmation"),
    path("requests/<int:pk>/reschedule/", requests.reschedule_start, name="reschedule"),
    path("requests/<int:pk>/cancel/", requests.cancel, name="cancel"),
]
