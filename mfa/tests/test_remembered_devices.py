"""Seed 002 "Remember this device for 30 days": a signed cookie tied to the user, the row and the password."""

from datetime import timedelta

import pytest
from django.core import mail
from django.template.loader import render_to_string
from django.test import Client, RequestFactory
from django.utils import timezone

from accounts.tests.factories import UserFactory
from audit.models import AuditEvent
from mfa.models import RememberedDevice
from mfa.selectors import remembered_devices_for
from mfa.services import REMEMBER_COOKIE_NAME
from mfa.tests.conftest import pin_in
from mfa.tests.factories import EmailPinDeviceFactory

pytestmark = pytest.mark.django_db


def verify_and_remember(client):
    client.get("/mfa/")
    response = client.post(
        "/mfa/verify/",
        {"code": pin_in(mail.outbox[-1].body), "remember": "on"},
        HTTP_USER_AGENT="Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/131.0 Safari/537.36",
    )
    assert response.status_code == 302
    return response.cookies[REMEMBER_COOKIE_NAME]


def new_login(user, cookie_value=None):
    """Another day (or browser): a fresh password login, holding the cookie if given."""
    client = Client()
    client.force_login(user)
    if cookie_value:
        client.cookies[REMEMBER_COOKIE_NAME] = cookie_value
    return client


@pytest.fixture
def remembered(password_client, user):
    EmailPinDeviceFactory(user=user)
    return verify_and_remember(password_client)


def refusal_reasons(user):
    return [event.details["reason"] for event in AuditEvent.objects.filter(action="mfa.remembered_device_refused")]


def test_remembering_sets_a_signed_httponly_lax_cookie_and_keeps_only_a_hash(remembered, user, settings):
    assert remembered["httponly"] and remembered["samesite"] == "Lax"
    assert remembered["path"] == "/mfa/"
    assert remembered["max-age"] == settings.MFA_REMEMBER_DEVICE_DAYS * 24 * 60 * 60
    row = RememberedDevice.objects.get(user=user)
    assert row.label == "Chrome on Windows"
    assert row.token_hash not in remembered.value
    assert row.expires_at - row.created_at == timedelta(days=settings.MFA_REMEMBER_DEVICE_DAYS)


def test_the_cookie_is_secure_when_sessions_are(password_client, user, settings):
    settings.SESSION_COOKIE_SECURE = True
    EmailPinDeviceFactory(user=user)
    assert verify_and_remember(password_client)["secure"]


def test_a_remembered_device_skips_the_pin_at_the_next_login(remembered, user):
    sent = len(mail.outbox)
    client = new_login(user, remembered.value)
    assert client.get("/mfa/?next=/").url == "/"
    assert client.get("/").status_code == 200
    assert len(mail.outbox) == sent
    row = RememberedDevice.objects.get()
    assert AuditEvent.objects.filter(action="mfa.remembered_device_used", target_id=str(row.pk)).exists()


def test_the_cookie_is_refused_for_another_user(remembered):
    stranger = UserFactory()
    EmailPinDeviceFactory(user=stranger)
    client = new_login(stranger, remembered.value)
    response = client.get("/mfa/?next=/")
    assert response.url == "/mfa/verify/"
    assert response.cookies[REMEMBER_COOKIE_NAME]["max-age"] == 0
    assert refusal_reasons(stranger) == ["other_user"]


def test_the_cookie_is_void_after_a_password_change(remembered, user):
    user.set_password("Rv9?Lp2+Wd7.Hs4")
    user.save()
    client = new_login(user, remembered.value)
    assert client.get("/mfa/?next=/").url == "/mfa/verify/"
    assert refusal_reasons(user) == ["password_changed"]


def test_the_cookie_is_refused_once_the_device_expired(remembered, user):
    long_ago = timezone.now() - timedelta(days=31)
    RememberedDevice.objects.update(created_at=long_ago, expires_at=long_ago + timedelta(days=30))
    client = new_login(user, remembered.value)
    assert client.get("/mfa/?next=/").url == "/mfa/verify/"
    assert refusal_reasons(user) == ["expired"]


def test_a_tampered_cookie_is_refused(remembered, user):
    client = new_login(user, remembered.value[:-2] + "xx")
    assert client.get("/mfa/?next=/").url == "/mfa/verify/"
    assert refusal_reasons(user) == ["bad_signature"]


def test_a_forgotten_device_asks_for_a_pin_again(remembered, user, password_client):
    row = RememberedDevice.objects.get()
    response = password_client.post(f"/mfa/remembered/{row.pk}/forget/", {"next": "/mfa/devices/"})
    assert response.url == "/mfa/devices/"
    assert not RememberedDevice.objects.exists()
    assert AuditEvent.objects.filter(action="mfa.remembered_device_forgotten", target_id=str(row.pk)).exists()
    client = new_login(user, remembered.value)
    assert client.get("/mfa/?next=/").url == "/mfa/verify/"
    assert refusal_reasons(user) == ["forgotten"]


def test_forgetting_another_users_device_is_a_404(remembered, signed_in_client):
    row = RememberedDevice.objects.get()
    stranger = signed_in_client(UserFactory())
    assert stranger.post(f"/mfa/remembered/{row.pk}/forget/").status_code == 404
    assert RememberedDevice.objects.filter(pk=row.pk).exists()


def test_forgetting_needs_a_verified_session(remembered, user):
    row = RememberedDevice.objects.get()
    client = new_login(user)
    assert client.post(f"/mfa/remembered/{row.pk}/forget/").url.startswith("/mfa/?next=")
    assert RememberedDevice.objects.exists()


def test_forget_all_devices_forgets_every_browser_and_this_cookie(remembered, user, password_client):
    verify_and_remember(new_login(user))
    assert remembered_devices_for(user).count() == 2
    response = password_client.post("/mfa/remembered/forget-all/")
    assert response.url == "/mfa/devices/"
    assert response.cookies[REMEMBER_COOKIE_NAME]["max-age"] == 0
    assert not RememberedDevice.objects.exists()


def test_the_profile_include_lists_devices_with_forget_buttons(remembered, user):
    request = RequestFactory().get("/accounts/profile/")
    request.user = user
    html = render_to_string("mfa/_remembered_devices.html", {"devices": remembered_devices_for(user)}, request=request)
    row = RememberedDevice.objects.get()
    assert "Chrome on Windows" in html
    assert f'action="/mfa/remembered/{row.pk}/forget/"' in html
    assert "Forget this device" in html and "Forget all devices" in html
    assert 'name="next" value="/accounts/profile/"' in html
    assert "csrfmiddlewaretoken" in html


def test_the_include_says_so_when_no_device_is_remembered(user):
    request = RequestFactory().get("/accounts/profile/")
    html = render_to_string("mfa/_remembered_devices.html", {"devices": []}, request=request)
    assert "No devices are remembered." in html


def test_the_devices_page_lists_methods_and_remembered_devices(remembered, password_client):
    page = password_client.get("/mfa/devices/").content.decode()
    assert "Email to m*****n@o*****.example" in page
    assert "Chrome on Windows" in page
