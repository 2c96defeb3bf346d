"""ACC-5: no PHI page before MFA; seed 003: asked again after 24 hours."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from accounts.tests.factories import UserFactory
from audit.models import AuditEvent
from mfa.selectors import SESSION_VERIFIED_AT
from mfa.tests.conftest import pin_in
from mfa.tests.factories import EmailPinDeviceFactory

pytestmark = pytest.mark.django_db


def verify_by_email(client):
    """The start page sends a PIN to the user's email device; enter it."""
    client.get("/mfa/")
    return client.post("/mfa/verify/", {"code": pin_in(mail.outbox[-1].body)})


def test_anonymous_visitors_see_the_public_home_page(client):
    response = client.get("/")
    assert response.status_code == 200 and "<h1>Provider's Hub</h1>" in response.content.decode()


def test_the_dashboard_sends_a_signed_in_user_to_mfa_first_keeping_next(password_client):
    response = password_client.get("/?tab=recent")
    assert response.status_code == 302
    assert response.url == "/mfa/?next=%2F%3Ftab%3Drecent"


@pytest.mark.parametrize("path", ["/resources/", "/accounts/login/", "/static/css/portal.css", "/mfa/setup/"])
def test_pages_needed_before_mfa_stay_open(password_client, path):
    response = password_client.get(path)
    assert not (response.status_code == 302 and response.url.startswith("/mfa/?next="))


def test_the_health_check_answers_without_mfa(password_client):
    assert password_client.get("/health/db/").status_code == 200


def test_reviewers_pass_mfa_before_the_admin(client, signed_in_client):
    reviewer = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(reviewer)
    assert client.get("/admin/").url == "/mfa/?next=%2Fadmin%2F"
    signed_in_client(reviewer, client=client)
    assert client.get("/admin/").status_code == 200


def test_after_verification_the_user_lands_where_they_were_going(password_client, user):
    EmailPinDeviceFactory(user=user)
    password_client.get("/mfa/?next=/resources/contact/")
    response = password_client.post("/mfa/verify/", {"code": pin_in(mail.outbox[-1].body)})
    assert response.url == "/resources/contact/"


@pytest.mark.parametrize("next_url", ["https://evil.example/", "//evil.example/", "javascript:alert(1)"])
def test_a_next_pointing_off_the_site_is_ignored(password_client, user, next_url):
    EmailPinDeviceFactory(user=user)
    password_client.get("/mfa/", {"next": next_url})
    response = password_client.post("/mfa/verify/", {"code": pin_in(mail.outbox[-1].body)})
    assert response.url == "/"


def test_a_verified_user_visiting_the_start_page_goes_straight_on(signed_in_client, user):
    client = signed_in_client(user)
    assert client.get("/mfa/?next=/resources/").url == "/resources/"


def test_without_remember_this_device_mfa_is_asked_again_after_24_hours(password_client, user, settings):
    EmailPinDeviceFactory(user=user)
    verify_by_email(password_client)
    session = password_client.session
    session[SESSION_VERIFIED_AT] = (timezone.now() - settings.MFA_REVERIFY_AFTER + timedelta(minutes=1)).timestamp()
    session.save()
    assert password_client.get("/").status_code == 200

    session[SESSION_VERIFIED_AT] = (timezone.now() - settings.MFA_REVERIFY_AFTER - timedelta(seconds=1)).timestamp()
    session.save()
    assert password_client.get("/").url == "/mfa/?next=%2F"
    assert AuditEvent.objects.filter(action="mfa.reverification_due", actor=user).exists()
    # The old verification is gone, not just ignored: the MFA pages see an unverified session too.
    assert password_client.get("/mfa/devices/").url.startswith("/mfa/?next=")


def test_a_django_otp_login_without_our_verification_time_does_not_count(password_client, user):
    device = EmailPinDeviceFactory(user=user)
    session = password_client.session
    session["otp_device_id"] = device.persistent_id
    session.save()
    assert password_client.get("/").status_code == 302
