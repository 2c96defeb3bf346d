"""Passkeys (WebAuthn, django-otp-webauthn) as an MFA method: set up, verify, and the same session rules.

The browser's part is played by a software authenticator (mfa/tests/passkeys.py); everything on the
server, django-otp-webauthn's checks included, runs for real.
"""

import json
import re
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from webauthn.helpers import bytes_to_base64url

from accounts.tests.factories import UserFactory
from audit.models import AuditEvent
from mfa.models import PasskeyDevice, RememberedDevice
from mfa.selectors import SESSION_VERIFIED_AT, mfa_devices_for
from mfa.services import REMEMBER_COOKIE_NAME
from mfa.tests.factories import EmailPinDeviceFactory
from mfa.tests.passkeys import SoftwareAuthenticator

pytestmark = pytest.mark.django_db

CHROME_ON_WINDOWS = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/131.0 Safari/537.36"


def register_passkey(client, authenticator, data=None, **extra):
    """What mfa-passkeys.js does on "Set up a passkey": get the options, let the browser create, post."""
    options = client.post("/mfa/setup/passkey/options/").json()
    answer = authenticator.create(options)
    return client.post("/mfa/setup/passkey/", {"credential": json.dumps(answer), **(data or {})}, **extra)


def verify_with_passkey(client, authenticator, data=None):
    """What mfa-passkeys.js does on "Verify with a passkey"."""
    options = client.post("/mfa/verify/passkey/options/").json()
    return client.post("/mfa/verify/", {"credential": json.dumps(authenticator.get(options)), **(data or {})})


def new_login(user, **defaults):
    """Another day: a fresh password login, at the address passkeys are made for."""
    client = Client(HTTP_HOST="localhost", **defaults)
    client.force_login(user)
    return client


def is_verified(client) -> bool:
    return client.get("/").status_code == 200


@pytest.fixture
def passkey_client(password_client):
    """Past the password, at the portal's own address (the test client's default host is not one)."""
    password_client.defaults["HTTP_HOST"] = "localhost"
    return password_client


@pytest.fixture
def authenticator():
    return SoftwareAuthenticator()


@pytest.fixture
def registered(user, authenticator):
    """The user set up ``authenticator`` as their passkey, in Chrome on Windows, on an earlier day."""
    assert register_passkey(new_login(user, HTTP_USER_AGENT=CHROME_ON_WINDOWS), authenticator).status_code == 302
    return PasskeyDevice.objects.get(user=user)


# --- Setting one up ----------------------------------------------------------------------------


def test_the_setup_page_recommends_a_passkey_next_to_the_authenticator_app(passkey_client):
    page = passkey_client.get("/mfa/setup/").content.decode()
    assert page.index("Authenticator app (recommended)") < page.index("Passkey (recommended)")
    assert page.index("Passkey (recommended)") < page.index("Email or SMS")
    assert 'data-passkey-form="create"' in page and 'action="/mfa/setup/passkey/"' in page
    assert 'data-passkey-options-url="/mfa/setup/passkey/options/"' in page
    assert "Set up a passkey" in page and "This browser cannot set up passkeys." in page
    # The CSP allows no inline script: every script is a file.
    assert "js/mfa-passkeys.js" in page
    assert not re.findall(r"<script(?![^>]*\ssrc=)", page)


def test_at_another_address_the_pages_say_where_passkeys_work(password_client):
    page = password_client.get("/mfa/setup/", HTTP_HOST="127.0.0.1").content.decode()
    assert "Passkeys work only when the portal is opened at http://localhost:8000." in page
    assert "data-passkey-form" not in page
    assert "Set up an authenticator app" in page and "Send PIN" in page


def test_a_first_passkey_is_confirmed_by_its_registration_and_verifies_the_session(passkey_client, user, authenticator):
    passkey_client.get("/mfa/?next=/resources/")
    response = register_passkey(passkey_client, authenticator, HTTP_USER_AGENT=CHROME_ON_WINDOWS)
    assert response.url == "/resources/"
    device = PasskeyDevice.objects.get(user=user)
    assert device.confirmed and device.label == "Passkey (Chrome on Windows)"
    assert passkey_client.session[DEVICE_ID_SESSION_KEY] == device.persistent_id
    page = passkey_client.get("/").content.decode()
    assert "Welcome, Maria Johnson" in page
    assert "Passkey set up. Use it the next time we ask you to verify your identity." in page


def test_setting_up_a_passkey_is_audited_like_the_other_methods(passkey_client, user, authenticator):
    register_passkey(passkey_client, authenticator)
    device = PasskeyDevice.objects.get()
    events = AuditEvent.objects.filter(actor=user, action__startswith="mfa.").order_by("pk")
    assert [event.action for event in events] == ["mfa.device_added", "mfa.verified"]
    assert all(event.details == {"method": "passkey", "device": device.persistent_id} for event in events)


@pytest.mark.parametrize(
    "tampering",
    [{"origin": "https://portal.evil.example"}, {"challenge": bytes_to_base64url(b"an older challenge")}],
)
def test_a_new_passkey_made_for_another_site_or_challenge_is_refused(passkey_client, authenticator, tampering):
    options = passkey_client.post("/mfa/setup/passkey/options/").json()
    answer = authenticator.create(options, **tampering)
    response = passkey_client.post("/mfa/setup/passkey/", {"credential": json.dumps(answer)})
    page = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in page and 'id="passkey-error"' in page
    assert "We could not set up this passkey. Try again, or choose a different method." in page
    assert not PasskeyDevice.objects.exists()
    assert not is_verified(passkey_client)
    assert AuditEvent.objects.get(action="mfa.passkey_refused").details["method"] == "passkey"


def test_a_registration_answer_counts_only_once(passkey_client, authenticator):
    options = passkey_client.post("/mfa/setup/passkey/options/").json()
    answer = json.dumps(authenticator.create(options))
    assert passkey_client.post("/mfa/setup/passkey/", {"credential": answer}).status_code == 302
    page = passkey_client.post("/mfa/setup/passkey/", {"credential": answer}).content.decode()
    assert "The passkey set-up had expired. Select Set up a passkey again." in page
    assert PasskeyDevice.objects.count() == 1


def test_a_cancelled_browser_prompt_is_reported_at_the_top_and_next_to_the_button(passkey_client):
    response = passkey_client.post("/mfa/setup/passkey/", {"browser_error": "NotAllowedError"})
    page = response.content.decode()
    assert "There is a problem" in page
    assert 'id="passkey-error"' in page and 'aria-describedby="passkey-error"' in page
    assert "The passkey was not set up: the request was cancelled or timed out." in page
    # The browser's answer is single use: it is never written back into the page.
    assert 'name="browser_error" id="id_browser_error"' in page and "NotAllowedError" not in page


def test_a_device_that_already_holds_a_passkey_is_told_so(signed_in_client, user, registered):
    client = signed_in_client(user)
    client.defaults["HTTP_HOST"] = "localhost"
    options = client.post("/mfa/setup/passkey/options/").json()
    # The browser is told which passkeys the user has, so one device does not make a second.
    assert [item["id"] for item in options["excludeCredentials"]] == [bytes_to_base64url(registered.credential_id)]
    page = client.post("/mfa/setup/passkey/", {"browser_error": "InvalidStateError"}).content.decode()
    assert "This device already has a passkey for your account." in page


def test_adding_a_passkey_after_the_first_device_needs_a_verified_session(passkey_client, user, authenticator):
    EmailPinDeviceFactory(user=user)
    response = passkey_client.post("/mfa/setup/passkey/options/")
    assert response.status_code == 403
    assert response.json() == {"detail": "Verify your identity before adding another method."}
    assert passkey_client.get("/mfa/setup/passkey/").url == "/mfa/"
    assert passkey_client.post("/mfa/setup/passkey/", {"browser_error": "NotAllowedError"}).url == "/mfa/"
    assert not PasskeyDevice.objects.exists()


def test_a_session_verified_more_than_24_hours_ago_cannot_add_a_passkey(signed_in_client, user, settings):
    client = signed_in_client(user)
    client.defaults["HTTP_HOST"] = "localhost"
    session = client.session
    session[SESSION_VERIFIED_AT] = (timezone.now() - settings.MFA_REVERIFY_AFTER - timedelta(seconds=1)).timestamp()
    session.save()
    assert client.post("/mfa/setup/passkey/options/").status_code == 403
    assert client.get("/mfa/setup/passkey/").url == "/mfa/"


def test_a_verified_user_adds_a_passkey_from_the_verification_methods_page(signed_in_client, user, authenticator):
    client = signed_in_client(user)
    client.defaults["HTTP_HOST"] = "localhost"
    page = client.get("/mfa/devices/").content.decode()
    assert "Passkey (recommended)" in page and 'name="next" value="/mfa/devices/"' in page

    response = register_passkey(client, authenticator, {"next": "/mfa/devices/"}, HTTP_USER_AGENT=CHROME_ON_WINDOWS)
    assert response.url == "/mfa/devices/"
    page = client.get("/mfa/devices/").content.decode()
    assert "Passkey set up." in page
    assert "<li>Passkey (Chrome on Windows)</li>" in page
    assert "Authenticator app" in page


@pytest.mark.parametrize("next_url", ["https://evil.example/", "//evil.example/"])
def test_a_next_pointing_off_the_site_is_ignored_after_setting_up_a_passkey(passkey_client, authenticator, next_url):
    assert register_passkey(passkey_client, authenticator, {"next": next_url}).url == "/"


def test_the_set_up_options_and_pages_need_a_signed_in_user(client):
    assert client.post("/mfa/setup/passkey/options/").url.startswith("/accounts/login/")
    assert client.post("/mfa/verify/passkey/options/").url.startswith("/accounts/login/")
    assert client.get("/mfa/setup/passkey/").url.startswith("/accounts/login/")


def test_the_options_are_only_handed_out_on_post(passkey_client):
    assert passkey_client.get("/mfa/setup/passkey/options/").status_code == 405
    assert passkey_client.get("/mfa/verify/passkey/options/").status_code == 405


# --- Verifying with one ------------------------------------------------------------------------


def test_a_user_with_a_passkey_is_asked_for_it_and_no_pin_is_sent(registered, passkey_client):
    assert passkey_client.get("/mfa/").url == "/mfa/verify/"
    page = passkey_client.get("/mfa/verify/").content.decode()
    assert "Verify with a passkey" in page and 'data-passkey-form="get"' in page
    assert 'data-passkey-options-url="/mfa/verify/passkey/options/"' in page
    assert "Remember this device for 30 days" in page
    assert "Enter 6-digit code" not in page and "Resend" not in page
    assert "Use a different verification method" in page
    assert mail.outbox == []


def test_a_passkey_verifies_the_session_the_same_way_a_code_does(registered, authenticator, passkey_client):
    passkey_client.get("/mfa/?next=/resources/")
    before = passkey_client.cookies["sessionid"].value
    response = verify_with_passkey(passkey_client, authenticator)
    assert response.url == "/resources/"
    # django-otp's marker for this passkey, our verification time, and a new session key.
    session = passkey_client.session
    assert session[DEVICE_ID_SESSION_KEY] == registered.persistent_id
    assert timezone.now().timestamp() - session[SESSION_VERIFIED_AT] < 60
    assert passkey_client.cookies["sessionid"].value != before
    assert is_verified(passkey_client)
    registered.refresh_from_db()
    assert registered.last_used_at is not None and registered.sign_count == 1
    event = AuditEvent.objects.filter(action="mfa.verified").latest("pk")
    assert event.target_id == str(registered.pk) and event.details["method"] == "passkey"


def test_another_users_passkey_cannot_verify_the_session(registered, passkey_client):
    stranger, strangers_key = UserFactory(), SoftwareAuthenticator()
    assert register_passkey(new_login(stranger), strangers_key).status_code == 302
    passkey_client.get("/mfa/")
    options = passkey_client.post("/mfa/verify/passkey/options/").json()
    assert [item["id"] for item in options["allowCredentials"]] == [bytes_to_base64url(registered.credential_id)]

    response = passkey_client.post("/mfa/verify/", {"credential": json.dumps(strangers_key.get(options))})
    page = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in page and 'id="passkey-error"' in page
    assert "This passkey is not set up for your account. Use a different verification method." in page
    assert not is_verified(passkey_client)
    failure = AuditEvent.objects.get(action="mfa.verify_failed")
    assert failure.details == {"method": "passkey", "reason": "credential_user_mismatch"}


def test_a_signed_answer_cannot_be_replayed(registered, authenticator, passkey_client, user):
    passkey_client.get("/mfa/")
    options = passkey_client.post("/mfa/verify/passkey/options/").json()
    answer = json.dumps(authenticator.get(options))
    assert passkey_client.post("/mfa/verify/", {"credential": answer}).status_code == 302

    thief = new_login(user)
    thief.get("/mfa/")
    thief.post("/mfa/verify/passkey/options/")  # a new challenge, which the old answer did not sign
    page = thief.post("/mfa/verify/", {"credential": answer}).content.decode()
    assert "The passkey check did not pass." in page
    assert not is_verified(thief)


def test_a_passkey_support_turned_off_no_longer_verifies(registered, authenticator, passkey_client):
    passkey_client.get("/mfa/")
    options = passkey_client.post("/mfa/verify/passkey/options/").json()
    PasskeyDevice.objects.filter(pk=registered.pk).update(confirmed=False)
    answer = authenticator.get(options)
    page = passkey_client.post("/mfa/verify/", {"credential": json.dumps(answer)}).content.decode()
    assert "This passkey has been turned off. Use a different verification method." in page
    assert not is_verified(passkey_client)
    registered.refresh_from_db()
    assert registered.sign_count == 0  # the refused use was not recorded


def test_a_user_without_a_passkey_gets_no_passkey_challenge(passkey_client, user):
    EmailPinDeviceFactory(user=user)
    response = passkey_client.post("/mfa/verify/passkey/options/")
    assert response.status_code == 400
    assert response.json()["detail"] == "You have no passkey. Use a different verification method."


def test_a_cancelled_passkey_prompt_on_verify_your_identity_is_reported(registered, passkey_client):
    passkey_client.get("/mfa/")
    page = passkey_client.post("/mfa/verify/", {"browser_error": "NotAllowedError"}).content.decode()
    assert "There is a problem" in page and 'aria-describedby="passkey-error"' in page
    assert "The passkey was not used: the request was cancelled or timed out." in page
    assert not is_verified(passkey_client)


def test_remember_this_device_works_with_a_passkey(registered, authenticator, passkey_client, user):
    passkey_client.get("/mfa/")
    response = verify_with_passkey(passkey_client, authenticator, {"remember": "on"})
    cookie = response.cookies[REMEMBER_COOKIE_NAME]
    assert RememberedDevice.objects.get(user=user).otp_device_id == registered.persistent_id

    later = new_login(user)
    later.cookies[REMEMBER_COOKIE_NAME] = cookie.value
    assert later.get("/mfa/?next=/").url == "/"
    assert later.session[DEVICE_ID_SESSION_KEY] == registered.persistent_id


def test_a_passkey_is_asked_for_again_after_24_hours(registered, authenticator, passkey_client, user, settings):
    passkey_client.get("/mfa/")
    verify_with_passkey(passkey_client, authenticator)
    session = passkey_client.session
    session[SESSION_VERIFIED_AT] = (timezone.now() - settings.MFA_REVERIFY_AFTER - timedelta(seconds=1)).timestamp()
    session.save()
    assert passkey_client.get("/").url == "/mfa/?next=%2F"
    assert AuditEvent.objects.filter(action="mfa.reverification_due", actor=user).exists()
    assert passkey_client.get("/mfa/?next=/").url == "/mfa/verify/"
    assert verify_with_passkey(passkey_client, authenticator).url == "/"


def test_passkeys_are_listed_and_chosen_with_the_other_methods(registered, authenticator, passkey_client, user):
    EmailPinDeviceFactory(user=user)
    # Most recently used (or added) first.
    assert [device.label for device in mfa_devices_for(user)] == [
        "Email to m*****n@o*****.example",
        "Passkey (Chrome on Windows)",
    ]
    page = passkey_client.get("/mfa/method/").content.decode()
    assert "How do you want to verify your identity?" in page
    assert "Passkey (Chrome on Windows)" in page and "Email to m*****n@o*****.example" in page

    email = mfa_devices_for(user)[0]
    passkey_client.post("/mfa/method/", {"device": email.persistent_id})
    assert len(mail.outbox) == 1
    passkey_client.post("/mfa/method/", {"device": registered.persistent_id})
    assert "Verify with a passkey" in passkey_client.get("/mfa/verify/").content.decode()
    assert len(mail.outbox) == 1
    assert verify_with_passkey(passkey_client, authenticator).status_code == 302


def test_a_code_typed_for_a_passkey_is_refused(registered, passkey_client):
    passkey_client.get("/mfa/")
    page = passkey_client.post("/mfa/verify/", {"code": "123456"}).content.decode()
    assert "Your browser could not use a passkey." in page
    assert not is_verified(passkey_client)


def test_support_sees_passkeys_without_their_keys(registered, signed_in_client, django_assert_max_num_queries):
    reviewer = signed_in_client(UserFactory(username="rnsupport", is_staff=True, is_superuser=True))
    with django_assert_max_num_queries(12):
        page = reviewer.get("/admin/mfa/passkeydevice/").content.decode()
    assert "Passkey (Chrome on Windows)" in page and "mjohnson" in page
    page = reviewer.get(f"/admin/mfa/passkeydevice/{registered.pk}/change/").content.decode()
    assert registered.public_key.hex() not in page
