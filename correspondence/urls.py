from django.urls import path

from correspondence import views

app_name = "correspondence"

urlpatterns = [
    path("letters/<int:pk>/pdf/", views.letter_pdf, name="letter_pdf"),
    path("messages/", views.message_center, name="message_center"),
    path("messages/<int:pk>/", views.message_action, name="message_action"),
    path("preferences/", views.preferences, name="preferences"),
    path("preferences/practices/<int:practice_id>/", views.practice_preferences, name="practice_preferences"),
]
