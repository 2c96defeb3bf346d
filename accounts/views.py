from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.encoding import force_str
from django.utils.http import urlsafe_base64_decode
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods
from django.views.generic import FormView, TemplateView

from accounts.forms import CreatePasswordForm, LoginForm, RegistrationForm, ResendVerificationForm
from accounts.models import User
from accounts.services import email_verify, password_create, user_register, verification_resend
from accounts.tokens import email_verification_token
from audit.services import audit_record


def locked_out(request, credentials=None, *args, **kwargs):
    """django-axes calls this instead of logging in while a user name or address is locked."""
    username = (credentials or {}).get("username", "")
    audit_record(action="auth.locked_out", request=request, actor_username=username[:150])
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    form = LoginForm(request, initial={"username": username})
    form.add_error(
        None,
        f"Too many unsuccessful attempts. Try again in {minutes} minutes, or reset your password with Forgot Password.",
    )
    return render(request, "accounts/login.html", {"form": form}, status=429)


class RegisterView(FormView):
    template_name = "accounts/register.html"
    form_class = RegistrationForm

    def form_valid(self, form):
        user_register(request=self.request, data=form.cleaned_data)
        return redirect("accounts:register_sent")


class RegisterSentView(TemplateView):
    template_name = "accounts/register_sent.html"


def _user_for_link(uidb64: str) -> User | None:
    try:
        return User.objects.get(pk=int(force_str(urlsafe_base64_decode(uidb64))))
    except (ValueError, TypeError, OverflowError, User.DoesNotExist):
        return None


@never_cache
@sensitive_post_parameters("new_password1", "new_password2")
@require_http_methods(["GET", "POST"])
def verify_email(request, uidb64: str, token: str):
    """The link in the registration email: verifies the address, then asks for the password (ACC-2)."""
    user = _user_for_link(uidb64)
    if user is None or not email_verification_token.check_token(user, token):
        return render(request, "accounts/link_invalid.html", {"form": ResendVerificationForm()}, status=400)
    email_verify(request=request, user=user)
    form = CreatePasswordForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        password_create(request=request, form=form)
        messages.success(request, "Your password has been created. You can now log in.")
        return redirect("accounts:login")
    return render(request, "accounts/create_password.html", {"form": form, "account": user})


@require_http_methods(["POST"])
def resend_verification(request):
    form = ResendVerificationForm(request.POST)
    if not form.is_valid():
        return render(request, "accounts/link_invalid.html", {"form": form}, status=400)
    verification_resend(request=request, email=form.cleaned_data["email"])
    return redirect("accounts:register_sent")
