import datetime

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.encoding import force_str
from django.utils.http import urlsafe_base64_decode
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods
from django.views.generic import FormView, TemplateView

from accounts.forms import (
    CreatePasswordForm,
    EmailChangeForm,
    LoginForm,
    PhoneForm,
    ProfilePasswordForm,
    RegistrationForm,
    ResendVerificationForm,
    ResetIdentifyForm,
    ResetVerifyForm,
)
from accounts.middleware import activity_record, idle_remaining
from accounts.models import User
from accounts.password_reset import (
    RESET_WINDOW,
    SESSION_USERNAME,
    SESSION_VERIFIED,
    is_locked,
    masked_address_for,
    password_reset_complete,
    reset_code_send,
    reset_code_verify,
)
from accounts.profile import (
    EmailChangeError,
    email_change_confirm,
    email_change_request,
    other_sessions_end,
    password_change,
    phone_change,
)
from accounts.services import email_verify, password_create, user_register, verification_resend
from accounts.tokens import email_verification_token
from audit.services import audit_record
from mfa.selectors import remembered_devices_for


def locked_out(request, original_response=None, credentials=None):
    """django-axes answers with this page while a user name or address is locked (ACC-4)."""
    username = str((credentials or {}).get("username", ""))[:150]
    audit_record(action="auth.locked_out", request=request, actor_username=username)
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    context = {
        "form": LoginForm(request, initial={"username": username}),
        "lockout_message": (
            f"Too many unsuccessful attempts. Try again in {minutes} minutes, or reset your password "
            "with Forgot Password?, which also unlocks the account."
        ),
    }
    return render(request, "accounts/login.html", context, status=429)


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


# --- Forgot password: 1 Identify, 2 Verify, 3 Reset (seed 000) -----------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
def password_reset_identify(request):
    form = ResetIdentifyForm(request.POST or None, initial={"username": request.session.get(SESSION_USERNAME, "")})
    if request.method == "POST" and form.is_valid():
        request.session[SESSION_USERNAME] = form.cleaned_data["username"]
        request.session.pop(SESSION_VERIFIED, None)
        return redirect("accounts:password_reset_verify")
    return render(request, "accounts/reset_identify.html", {"form": form, "step": 1})


@never_cache
@require_http_methods(["GET", "POST"])
def password_reset_verify(request):
    username = request.session.get(SESSION_USERNAME)
    if not username:
        return redirect("accounts:password_reset")
    form = ResetVerifyForm()
    if request.method == "POST" and request.POST.get("action") == "send":
        try:
            reset_code_send(request=request, username=username)
            messages.info(request, "If this user name is registered, a verification code is on its way.")
        except ValidationError as error:
            messages.error(request, error.messages[0])
        return redirect("accounts:password_reset_verify")
    if request.method == "POST":
        form = ResetVerifyForm(request.POST)
        if form.is_valid():
            try:
                user = reset_code_verify(request=request, username=username, code=form.cleaned_data["code"])
            except ValidationError as error:
                form.add_error("code", error)
            else:
                request.session[SESSION_VERIFIED] = {"user": user.pk, "at": timezone.now().isoformat()}
                return redirect("accounts:password_reset_reset")
    context = {"form": form, "step": 2, "masked_email": masked_address_for(username)}
    return render(request, "accounts/reset_verify.html", context)


def _verified_reset_user(request) -> User | None:
    verified = request.session.get(SESSION_VERIFIED) or {}
    try:
        at = datetime.datetime.fromisoformat(verified["at"])
    except (KeyError, TypeError, ValueError):
        return None
    if timezone.now() - at > RESET_WINDOW:
        return None
    return User.objects.filter(pk=verified.get("user"), is_active=True).first()


@never_cache
@sensitive_post_parameters("new_password1", "new_password2")
@require_http_methods(["GET", "POST"])
def password_reset_reset(request):
    user = _verified_reset_user(request)
    if user is None:
        messages.error(request, "Your verification has expired. Start again to reset your password.")
        return redirect("accounts:password_reset")
    form = CreatePasswordForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        password_reset_complete(request=request, form=form)
        for key in (SESSION_USERNAME, SESSION_VERIFIED):
            request.session.pop(key, None)
        messages.success(request, "Your password has been reset. You can now log in.")
        return redirect("accounts:login")
    context = {"form": form, "step": 3, "locked": is_locked(request=request, user=user)}
    return render(request, "accounts/reset_password.html", context)


# --- Session timeout (ACC-11) -----------------------------------------------------------------------


@never_cache
@require_http_methods(["GET"])
def session_status(request):
    """Seconds left before the idle timeout; read by the page's warning, without counting as activity."""
    if not request.user.is_authenticated:
        return JsonResponse({"signed_in": False}, status=401)
    # No activity recorded yet (the poll came first after signing in): the idle period has just begun.
    remaining = idle_remaining(request.session, timezone.now())
    return JsonResponse({"signed_in": True, "remaining_seconds": max(int(remaining.total_seconds()), 0)})


@never_cache
@require_http_methods(["POST"])
def session_extend(request):
    """ "Stay signed in": counts as activity (the absolute limit still applies)."""
    if not request.user.is_authenticated:
        return JsonResponse({"signed_in": False}, status=401)
    now = timezone.now()
    activity_record(request.session, now, force=True)
    remaining = idle_remaining(request.session, now)
    return JsonResponse({"signed_in": True, "remaining_seconds": int(remaining.total_seconds())})


# --- Profile (ACC-7) ---------------------------------------------------------------------------------


def _profile_forms(request, bound: str | None = None):
    user, data = request.user, request.POST if request.method == "POST" else None
    return {
        "password_form": ProfilePasswordForm(user, data if bound == "password" else None),
        "email_form": EmailChangeForm(data if bound == "email" else None, user=user, prefix="email"),
        "phone_form": PhoneForm(
            data if bound == "phone" else None,
            prefix="phone",
            initial={"phone": user.phone, "phone_ext": user.phone_ext},
        ),
    }


@login_required
@never_cache
@sensitive_post_parameters("old_password", "new_password1", "new_password2")
@require_http_methods(["GET", "POST"])
def profile(request):
    action = request.POST.get("action") if request.method == "POST" else None
    forms_by_name = _profile_forms(request, bound=action)
    if action == "password" and forms_by_name["password_form"].is_valid():
        password_change(request=request, form=forms_by_name["password_form"])
        messages.success(request, "Your password has been changed. Other sessions have been signed out.")
        return redirect("accounts:profile")
    if action == "email" and forms_by_name["email_form"].is_valid():
        new_email = forms_by_name["email_form"].cleaned_data["new_email"]
        email_change_request(request=request, user=request.user, new_email=new_email)
        messages.success(request, f"We sent a link to {new_email}. Your email changes when you follow it.")
        return redirect("accounts:profile")
    if action == "phone" and forms_by_name["phone_form"].is_valid():
        data = forms_by_name["phone_form"].cleaned_data
        phone_change(request=request, user=request.user, phone=data["phone"], phone_ext=data["phone_ext"])
        messages.success(request, "Your phone number has been updated.")
        return redirect("accounts:profile")
    if action == "sessions":
        other_sessions_end(request=request, user=request.user)
        messages.success(request, "All your other sessions have been signed out.")
        return redirect("accounts:profile")
    status = 400 if action in ("password", "email", "phone") else 200
    context = {**forms_by_name, "bound": action, "remembered_devices": remembered_devices_for(request.user)}
    return render(request, "accounts/profile.html", context, status=status)


@never_cache
@require_http_methods(["GET"])
def email_change_confirm_view(request, token: str):
    try:
        email_change_confirm(request=request, token=token)
    except EmailChangeError as error:
        return render(request, "accounts/email_change_failed.html", {"reason": str(error)}, status=400)
    messages.success(request, "Your email address has been changed.")
    return redirect("accounts:profile" if request.user.is_authenticated else "accounts:login")
