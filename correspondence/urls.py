from django.urls import path

from correspondence import views

app_name = "correspondence"

urlpatterns = [
    path("letters/<int:pk>/pdf/", views.letter_pdf, name="letter_pdf"),
]
