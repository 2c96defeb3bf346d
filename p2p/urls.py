"""The P2P scheduling tool's pages. Case Info (start, time zone, New P2P Request) here; Questions, Schedule, Contact
Details, Confirmation and My P2P Requests in ``p2p.urls_schedule``."""

from django.urls import path

import cases.urls  # noqa: F401  (registers the request_id path converter)
from p2p.urls_schedule import urlpatterns as schedule_urlpatterns
from p2p.views import case_info

app_name = "p2p"

urlpatterns = [
    path("start/<request_id:request_id>/", case_info.start, name="start"),
    path("time-zone/", case_info.time_zone, name="time_zone"),
    path("new/", case_info.cases, name="cases"),
    *schedule_urlpatterns,
]
