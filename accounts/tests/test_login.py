import datetime

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django.utils import timezone

from accounts.tests.factories import UserFactory
from audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def log_in(username, password, ip="192.0.2.10"):
    return Client(REMOTE_ADDR=ip).post("/accounts/login/", {"username": username, "password": password})


def fail_until_locked(username, settings, ip="192.0.2.10"):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        log_in(username, "Wrong-Password-9!", ip)


def test_repeated_failures_lock_the_user_name_even_with_the_right_password(settings):
    UserFactory(username="mjohnson")
    fail_until_locked("mjohnson", settings)
    response = log_in("mjohnson", settings.DEMO_PASSWORD, ip="192.0.2.99")
    assert response.status_code == 429
    html = response.content.decode()
    assert "Too many unsuccessful attempts. Try again in 15 minutes" in html
    assert "Forgot Password?" in html


def test_the_lock_ends_by_itself_after_the_cool_off(settings):
    UserFactory(username="mjohnson")
    fail_until_locked("mjohnson", settings)
    AccessAttempt.objects.update(
        attempt_time=timezone.now() - settings.AXES_COOLOFF_TIME - datetime.timedelta(seconds=1)
    )
    assert log_in("mjohnson", settings.DEMO_PASSWORD, ip="192.0.2.99").status_code == 302


def test_one_locked_user_name_does_not_lock_another_user_elsewhere(settings):
    UserFactory(username="mjohnson")
    UserFactory(username="kporter")
    fail_until_locked("mjohnson", settings)
    assert log_in("kporter", settings.DEMO_PASSWORD, ip="198.51.100.20").status_code == 302


def test_logins_failures_and_logouts_are_audited_with_the_address(settings):
    user = UserFactory(username="mjohnson")
    log_in("mjohnson", "Wrong-Password-9!", ip="203.0.113.5")
    client = Client(REMOTE_ADDR="203.0.113.5")
    client.post("/accounts/login/", {"username": "mjohnson", "password": settings.DEMO_PASSWORD})
    client.post("/accounts/logout/")
    events = list(AuditEvent.objects.order_by("at").values_list("action", "actor_username", "ip_address"))
    assert events == [
        ("auth.login_failed", "mjohnson", "203.0.113.5"),
        ("auth.login", "mjohnson", "203.0.113.5"),
        ("auth.logout", "mjohnson", "203.0.113.5"),
    ]
    assert AuditEvent.objects.filter(action="auth.login", actor=user).exists()
