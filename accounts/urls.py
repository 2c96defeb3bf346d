from django.contrib.auth import views as auth_views
from django.urls import path

from accounts import views
from accounts.forms import LoginForm

app_name = "accounts"

urlpatterns = [
    path(
        "login/",
        auth_views.LoginView.as_view(template_name="accounts/login.html", authentication_form=LoginForm),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("register/", views.RegisterView.as_view(), name="register"),
    path("register/check-your-email/", views.RegisterSentView.as_view(), name="register_sent"),
    path("register/resend/", views.resend_verification, name="resend_verification"),
    path("verify/<uidb64>/<token>/", views.verify_email, name="verify_email"),
    path("profile/", views.profile, name="profile"),
    path("profile/email/<str:token>/", views.email_change_confirm_view, name="email_change_confirm"),
    path("session/", views.session_status, name="session_status"),
    path("session/extend/", views.session_extend, name="session_extend"),
    path("password/forgot/", views.password_reset_identify, name="password_reset"),
    path("password/forgot/verify/", views.password_reset_verify, name="password_reset_verify"),
    path("password/forgot/reset/", views.password_reset_reset, name="password_reset_reset"),
]
