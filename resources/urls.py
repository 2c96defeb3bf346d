from django.urls import path

from resources import views

app_name = "resources"

urlpatterns = [
    path("", views.index, name="index"),
    path("clinical-guidelines/", views.clinical_guidelines, name="clinical_guidelines"),
    path("provider-resources/", views.provider_resources, name="provider_resources"),
    path("contact/", views.contacts, name="contacts"),
]
