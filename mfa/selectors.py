"""Reads for MFA: a user's devices, remembered browsers, and whether this session has passed MFA."""

import re

from django.conf import settings
from django.db.models import QuerySet
from django.http.request import split_domain_port
from django.utils import timezone

from mfa.models import DEVICE_MODELS, PasskeyDevice, RememberedDevice

# The device the "Verify your identity" page is asking for (a django-otp persistent id).
SESSION_DEVICE = "mfa_device"
# When this session last passed MFA (Unix time): seed 003 asks again after MFA_REVERIFY_AFTER.
SESSION_VERIFIED_AT = "mfa_verified_at"
# Where to go once verified (already checked to be on this site).
SESSION_NEXT = "mfa_next"


def mfa_devices_for(user, *, confirmed: bool | None = True) -> list:
    """The user's MFA devices, most recently used first."""
    devices = []
    for model in DEVICE_MODELS:
        queryset = model.objects.filter(user=user)
        if confirmed is not None:
            queryset = queryset.filter(confirmed=confirmed)
        devices.extend(queryset)
    return sorted(devices, key=lambda device: (device.last_used_at or device.created_at, device.pk), reverse=True)


def mfa_default_device(request):
    """The device to ask for first: the one this session was using, else the most recently used."""
    devices = mfa_devices_for(request.user)
    current = request.session.get(SESSION_DEVICE)
    return next((device for device in devices if device.persistent_id == current), devices[0] if devices else None)


def mfa_user_has_device(user) -> bool:
    return any(model.objects.filter(user=user, confirmed=True).exists() for model in DEVICE_MODELS)


def mfa_device_get(*, user, persistent_id: str, confirmed: bool | None = None):
    """The user's device with this persistent id, or None (another user's device is None too)."""
    model_label, _, pk = (persistent_id or "").rpartition("/")
    model = next((model for model in DEVICE_MODELS if model.model_label() == model_label), None)
    if model is None or not re.fullmatch(r"[0-9]{1,18}", pk):
        return None
    queryset = model.objects.filter(pk=int(pk), user=user)
    if confirmed is not None:
        queryset = queryset.filter(confirmed=confirmed)
    return queryset.first()


def mfa_session_device(request):
    """The device this session is being challenged with, if it still belongs to the user."""
    return mfa_device_get(user=request.user, persistent_id=request.session.get(SESSION_DEVICE, ""))


def mfa_session_verified_at(request) -> float | None:
    verified_at = request.session.get(SESSION_VERIFIED_AT)
    return verified_at if isinstance(verified_at, int | float) else None


def mfa_session_is_verified(request) -> bool:
    """True when this session passed MFA with a confirmed device less than MFA_REVERIFY_AFTER ago."""
    user = request.user
    if not user.is_authenticated or not getattr(user, "is_verified", lambda: False)():
        return False
    verified_at = mfa_session_verified_at(request)
    if verified_at is None:
        return False
    age = timezone.now().timestamp() - verified_at
    return 0 <= age < settings.MFA_REVERIFY_AFTER.total_seconds()


def mfa_session_is_stale(request) -> bool:
    """True when the session passed MFA once but that was too long ago (seed 003: 24 hours)."""
    return (
        request.user.is_authenticated
        and getattr(request.user, "is_verified", lambda: False)()
        and not mfa_session_is_verified(request)
    )


def mfa_may_add_device(request) -> bool:
    """A first device may be added right after the password; more only once this session passed MFA.

    Otherwise a stolen password alone could register the thief's own phone and skip the real one.
    """
    return mfa_session_is_verified(request) or not mfa_user_has_device(request.user)


def mfa_passkeys_available(request) -> bool:
    """Browsers use a passkey only on the domain it was made for (the relying-party ID) or a subdomain: at
    any other address (http://127.0.0.1 in development) the pages offer the other methods instead of a
    prompt that can only fail."""
    site = PasskeyDevice.get_webauthn_helper(request=request).get_relying_party_domain()
    host, _ = split_domain_port(request.get_host())
    return bool(site) and (host == site or host.endswith(f".{site}"))


def mfa_passkey_address(request) -> str:
    """Where passkeys do work, to tell a user who opened the portal at another address."""
    origins = PasskeyDevice.get_webauthn_helper(request=request).get_allowed_origins()
    return origins[0] if origins else ""


def mfa_user_has_passkey(user) -> bool:
    return PasskeyDevice.objects.filter(user=user, confirmed=True).exists()


def remembered_devices_for(user) -> QuerySet[RememberedDevice]:
    """The browsers that still skip the PIN for this user, most recently used first."""
    return RememberedDevice.objects.filter(user=user, expires_at__gt=timezone.now()).order_by("-last_used_at", "-pk")
