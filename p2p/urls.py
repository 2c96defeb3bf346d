"""The P2P scheduling tool's pages. Case Info (time zone, New P2P Request) here; Questions, Schedule, Contact
Details, Confirmation and My P2P Requests in ``p2p.urls_schedule`` (two helpers built them side by side)."""

from p2p.urls_schedule import urlpatterns as schedule_urlpatterns

app_name = "p2p"

urlpatterns = [] + schedule_urlpatterns
