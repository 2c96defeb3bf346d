"""Questions, Schedule, P2P Contact Details, Confirmation and My P2P Requests (included by ``p2p.urls``)."""

urlpatterns = []
