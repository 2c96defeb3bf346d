from django.urls import path, register_converter

from ecrm import views


class TicketNumberConverter:
    """ "EC" and eight digits (seed 000: EC01057933); anything else never reaches a view."""

    regex = "EC[0-9]{8}"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(TicketNumberConverter, "ticket_number")

app_name = "ecrm"

urlpatterns = [
    path("", views.landing, name="landing"),
    path("register/", views.register, name="register"),
    path("register/check-your-email/", views.register_sent, name="register_sent"),
    path("register/resend/", views.resend_verification, name="resend_verification"),
    path("verify/<uidb64>/<token>/", views.verify_email, name="verify_email"),
    path("submit/", views.submit_case, name="submit_case"),
    path("submit/<slug:slug>/", views.category, name="category"),
    path("forms/<slug:slug>/", views.request_form, name="request_form"),
    path("forms/<slug:slug>/favorite/", views.favorite_toggle, name="favorite_toggle"),
    path("my-cases/", views.my_cases, name="my_cases"),
    path("tickets/<ticket_number:number>/", views.ticket_detail, name="ticket_detail"),
    path("tickets/<ticket_number:number>/activity/", views.ticket_activity, name="ticket_activity"),
    path("tickets/<ticket_number:number>/edit/", views.ticket_edit, name="ticket_edit"),
    path("tickets/<ticket_number:number>/accept/", views.ticket_accept, name="ticket_accept"),
    path("tickets/<ticket_number:number>/reject/", views.ticket_reject, name="ticket_reject"),
    path("tickets/<ticket_number:number>/attachments/<int:pk>/", views.attachment_download, name="attachment"),
]
