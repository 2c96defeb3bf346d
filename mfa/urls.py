from django.urls import path

from mfa import views

app_name = "mfa"

urlpatterns = [
    path("", views.start, name="start"),
    path("setup/", views.SetupView.as_view(), name="setup"),
    path("setup/app/new/", views.setup_app_start, name="setup_app_start"),
    path("setup/app/", views.SetupAppView.as_view(), name="setup_app"),
    path("setup/passkey/", views.SetupPasskeyView.as_view(), name="setup_passkey"),
    path("setup/passkey/options/", views.passkey_register_options, name="passkey_register_options"),
    path("verify/", views.VerifyView.as_view(), name="verify"),
    path("verify/resend/", views.resend, name="resend"),
    path("verify/passkey/options/", views.passkey_verify_options, name="passkey_verify_options"),
    path("method/", views.ChooseMethodView.as_view(), name="choose"),
    path("devices/", views.devices, name="devices"),
    path("remembered/<int:pk>/forget/", views.forget_device, name="forget_device"),
    path("remembered/forget-all/", views.forget_all_devices, name="forget_all_devices"),
]
