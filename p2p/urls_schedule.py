"""Questions, Schedule, P2P Contact Details, Confirmation and My P2P Requests (included by ``p2p.urls``)."""

from django.urls import path

from p2p.views import schedule as views

urlpatterns = [
    path("questions/", views.questions, name="questions"),
    path("schedule/", views.schedule, name="schedule"),
    path("contact/", views.contact, name="contact"),
    path("requests/", views.my_requests, name="my_requests"),
    path("requests/<int:pk>/", views.request_detail, name="request_detail"),
    path("requests/<int:pk>/confirmation/", views.confirmation, name="confirmation"),
    path("requests/<int:pk>/reschedule/", views.reschedule_start, name="reschedule"),
    path("requests/<int:pk>/cancel/", views.cancel, name="cancel"),
]
