"""MFA pages (ACC-5): set up a method, "Verify your identity", choose another method, remembered devices.

Passkeys add two small JSON endpoints that hand the browser a challenge (mfa-passkeys.js asks for them);
the browser's answer then comes back through an ordinary form post, like a code.
"""

from functools import wraps
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render, resolve_url
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST
from django.views.generic import FormView

from mfa.forms import ChooseMethodForm, PasskeyRegisterForm, PasskeyVerifyForm, PinMethodForm, VerifyForm
from mfa.models import Method
from mfa.qr import authenticator_qr_svg, authenticator_secret
from mfa.selectors import (
    SESSION_NEXT,
    mfa_default_device,
    mfa_devices_for,
    mfa_may_add_device,
    mfa_passkey_address,
    mfa_passkeys_available,
    mfa_session_device,
    mfa_session_is_verified,
    remembered_devices_for,
)
from mfa.services import (
    REMEMBER_COOKIE_NAME,
    mfa_app_device_create,
    mfa_challenge_start,
    mfa_passkey_authentication_begin,
    mfa_passkey_register,
    mfa_passkey_registration_begin,
    mfa_passkey_verify,
    mfa_pin_device_register,
    mfa_pin_send,
    mfa_verify,
    remembered_device_check,
    remembered_device_cookie_delete,
    remembered_device_create,
    remembered_device_forget,
    remembered_devices_forget_all,
)


def _safe_next(request, next_url: str) -> str:
    """``next_url`` if it is a path on this site, else "". Only a path: redirect() would take a bare word
    ("resources") for a view name and fail, and no page of ours hands out a full URL as ``next``."""
    allowed = url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return next_url if next_url.startswith("/") and allowed else ""


def _store_next(request) -> None:
    """Keep ``?next=`` (only if it points at this site) for after verification."""
    next_url = _safe_next(request, request.GET.get("next", ""))
    if next_url:
        request.session[SESSION_NEXT] = next_url
    else:
        request.session.pop(SESSION_NEXT, None)


def _after_verification(request) -> str:
    return _safe_next(request, request.session.pop(SESSION_NEXT, "")) or resolve_url(settings.LOGIN_REDIRECT_URL)


def _verified_redirect(request, form):
    """Shared by both code forms: on success go on, remembering this browser if asked."""
    response = redirect(_after_verification(request))
    if form.cleaned_data["remember"]:
        remembered_device_create(request=request, response=response)
    return response


def _passkey_context(request) -> dict:
    """What a page that offers passkeys needs: whether this address can use them, and which can."""
    return {"passkeys_available": mfa_passkeys_available(request), "passkey_address": mfa_passkey_address(request)}


def mfa_verified_required(view):
    """For the MFA pages that manage devices: the middleware lets /mfa/ through, so check here."""

    @wraps(view)
    @login_required
    def wrapper(request, *args, **kwargs):
        if not mfa_session_is_verified(request):
            return redirect(f"{reverse('mfa:start')}?{urlencode({'next': request.get_full_path()})}")
        return view(request, *args, **kwargs)

    return wrapper


class MayAddDeviceMixin:
    """A first device right after the password; another only after this session passed MFA."""

    def dispatch(self, request, *args, **kwargs):
        if not mfa_may_add_device(request):
            return redirect("mfa:start")
        return super().dispatch(request, *args, **kwargs)


@require_GET
@login_required
def start(request):
    """Where the middleware sends a signed-in user who has not passed MFA."""
    _store_next(request)
    if mfa_session_is_verified(request) or remembered_device_check(request=request):
        return redirect(_after_verification(request))
    device = mfa_default_device(request)
    if device is None:
        response = redirect("mfa:setup")
    else:
        try:
            mfa_challenge_start(request=request, device=device)
        except ValidationError as error:
            messages.error(request, error.messages[0])
        response = redirect("mfa:verify")
    if REMEMBER_COOKIE_NAME in request.COOKIES:
        # It was refused (forged, expired, forgotten, another user's, or older than a password change).
        remembered_device_cookie_delete(response)
    return response


class SetupView(LoginRequiredMixin, MayAddDeviceMixin, FormView):
    """Seed 002, "Setting Up Multi-Factor Authentication": an authenticator app, or a PIN by Email or SMS."""

    template_name = "mfa/setup.html"
    form_class = PinMethodForm

    def get(self, request, *args, **kwargs):
        if "next" in request.GET:
            _store_next(request)
        return super().get(request, *args, **kwargs)

    def get_initial(self):
        return {"email": self.request.user.email, "phone": self.request.user.phone}

    def get_context_data(self, **kwargs):
        return super().get_context_data(passkey_form=PasskeyRegisterForm(), **_passkey_context(self.request), **kwargs)

    def form_valid(self, form):
        method = form.cleaned_data["method"]
        try:
            mfa_pin_device_register(request=self.request, method=method, destination=form.destination)
        except ValidationError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        return redirect("mfa:verify")


@require_POST
@login_required
def setup_app_start(request):
    """ "Set up an authenticator app": a new secret to scan."""
    if not mfa_may_add_device(request):
        return redirect("mfa:start")
    mfa_app_device_create(request=request)
    return redirect("mfa:setup_app")


class SetupAppView(LoginRequiredMixin, MayAddDeviceMixin, FormView):
    """Scan the QR code (or type the key), then enter the app's code to confirm it."""

    template_name = "mfa/setup_app.html"
    form_class = VerifyForm

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.device = mfa_session_device(request)
            if self.device is None or self.device.method != Method.APP or self.device.confirmed:
                return redirect("mfa:setup")
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            qr_svg=authenticator_qr_svg(self.device), secret=authenticator_secret(self.device), **kwargs
        )

    def form_valid(self, form):
        try:
            mfa_verify(request=self.request, device=self.device, code=form.cleaned_data["code"])
        except ValidationError as error:
            form.add_error("code", error)
            return self.form_invalid(form)
        return _verified_redirect(self.request, form)


@never_cache
@require_POST
@login_required
def passkey_register_options(request):
    """JSON for mfa-passkeys.js: how the browser should create a passkey (with a fresh challenge)."""
    try:
        options = mfa_passkey_registration_begin(request=request)
    except PermissionDenied as error:
        return JsonResponse({"detail": str(error)}, status=403)
    return JsonResponse(options)


class SetupPasskeyView(LoginRequiredMixin, MayAddDeviceMixin, FormView):
    """ "Passkey (recommended)": the browser creates a passkey, and its successful registration confirms it.

    The set-up and verification-methods pages post here; this page shows what went wrong, if anything.
    """

    template_name = "mfa/setup_passkey.html"
    form_class = PasskeyRegisterForm

    def get_initial(self):
        return {"next": _safe_next(self.request, self.request.GET.get("next", ""))}

    def get_context_data(self, **kwargs):
        return super().get_context_data(**_passkey_context(self.request), **kwargs)

    def form_valid(self, form):
        try:
            mfa_passkey_register(request=self.request, credential=form.cleaned_data["credential"])
        except ValidationError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        messages.success(self.request, "Passkey set up. Use it the next time we ask you to verify your identity.")
        return redirect(_safe_next(self.request, form.cleaned_data["next"]) or _after_verification(self.request))


class VerifyView(LoginRequiredMixin, FormView):
    """Seed 002, "Verify your identity": a code, or for a passkey the browser's signed answer."""

    template_name = "mfa/verify.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.device = mfa_session_device(request)
            if self.device is None:
                return redirect("mfa:start")
            if self.device.method == Method.APP and not self.device.confirmed:
                return redirect("mfa:setup_app")
        return super().dispatch(request, *args, **kwargs)

    @property
    def uses_passkey(self) -> bool:
        return self.device.method == Method.PASSKEY

    def get_form_class(self):
        return PasskeyVerifyForm if self.uses_passkey else VerifyForm

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            device=self.device,
            can_resend=self.device.delivers_pin,
            uses_passkey=self.uses_passkey,
            **_passkey_context(self.request),
            **kwargs,
        )

    def form_valid(self, form):
        try:
            if self.uses_passkey:
                mfa_passkey_verify(request=self.request, credential=form.cleaned_data["credential"])
            else:
                mfa_verify(request=self.request, device=self.device, code=form.cleaned_data["code"])
        except ValidationError as error:
            form.add_error(None if self.uses_passkey else "code", error)
            return self.form_invalid(form)
        return _verified_redirect(self.request, form)


@never_cache
@require_POST
@login_required
def passkey_verify_options(request):
    """JSON for mfa-passkeys.js: a fresh challenge for one of the user's passkeys to sign."""
    try:
        options = mfa_passkey_authentication_begin(request=request)
    except ValidationError as error:
        return JsonResponse({"detail": error.messages[0]}, status=400)
    return JsonResponse(options)


@require_POST
@login_required
def resend(request):
    """ "Didn't receive a code? ... Resend.": a new PIN, after the cooldown."""
    device = mfa_session_device(request)
    if device is None or not device.delivers_pin:
        return redirect("mfa:start")
    try:
        mfa_pin_send(request=request, device=device)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, f"We sent a new code to {device.destination_masked}.")
    return redirect("mfa:verify")


class ChooseMethodView(LoginRequiredMixin, FormView):
    """ "Use a different verification method": the user's confirmed devices, and adding one."""

    template_name = "mfa/choose.html"
    form_class = ChooseMethodForm

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.devices = mfa_devices_for(request.user)
            if not self.devices:
                return redirect("mfa:setup")
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "devices": self.devices}

    def get_context_data(self, **kwargs):
        return super().get_context_data(may_add_device=mfa_may_add_device(self.request), **kwargs)

    def form_valid(self, form):
        try:
            mfa_challenge_start(request=self.request, device=form.chosen_device)
        except ValidationError as error:
            messages.error(self.request, error.messages[0])
        return redirect("mfa:verify")


@require_GET
@mfa_verified_required
def devices(request):
    """The user's verification methods and remembered devices."""
    return render(
        request,
        "mfa/devices.html",
        {
            "methods": mfa_devices_for(request.user),
            "remembered_devices": remembered_devices_for(request.user),
            "passkey_form": PasskeyRegisterForm(initial={"next": request.path}),
            **_passkey_context(request),
        },
    )


def _back(request) -> str:
    return _safe_next(request, request.POST.get("next", "")) or reverse("mfa:devices")


@require_POST
@mfa_verified_required
def forget_device(request, pk):
    """ "Forget this device": that browser will be asked for a code again. Another user's device is a 404."""
    remembered = get_object_or_404(remembered_devices_for(request.user), pk=pk)
    remembered_device_forget(request=request, remembered_device=remembered)
    messages.success(request, f"{remembered.label} will be asked for a code next time.")
    return redirect(_back(request))


@require_POST
@mfa_verified_required
def forget_all_devices(request):
    count = remembered_devices_forget_all(request=request)
    messages.success(request, f"Forgot {count} device{'s' if count != 1 else ''}. Each will be asked for a code.")
    response = redirect(_back(request))
    remembered_device_cookie_delete(response)
    return response
