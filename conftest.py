"""Fixtures shared by every test: reference data loaded once, factories' defaults."""

import os

import pytest

# Playwright runs an event loop in the test thread; Django refuses ORM calls there unless told.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def icd10cm(django_db_setup, django_db_blocker):
    """The full ICD-10-CM code set, loaded once per run into the test database.

    Non-transactional tests run first (pytest-django orders them so) and each rolls back to this
    state; a transactional test flushes the tables and must load what it needs itself.
    """
    from reference.services import diagnosis_codes_load

    with django_db_blocker.unblock():
        diagnosis_codes_load()


@pytest.fixture
def catalog(db):
    """Programs, plans and their delegations, HCPCS codes: the fixed reference data (fast, idempotent)."""
    from reference.services import catalog_load

    catalog_load()


@pytest.fixture(autouse=True)
def sms_outbox():
    """Text messages sent through the locmem SMS backend (SMS_BACKEND under test), emptied before each test."""
    from delivery.sms.backends.locmem import outbox

    outbox.clear()
    return outbox


@pytest.fixture
def signed_in_client():
    """A function ``(user, client=None) -> Client``: signed in as ``user`` and past MFA, so every page opens.

    MFA is passed through the real pages (an authenticator-app device and its current code), so the
    session carries the same markers as a person's. Pass ``client`` to finish MFA on a client that
    already logged in with the password. Sends no email and no SMS.
    """
    from django.test import Client
    from django.urls import reverse
    from django_otp.oath import totp

    from mfa.tests.factories import AuthenticatorAppDeviceFactory

    def sign_in(user, client=None):
        client = client or Client()
        if client.session.get("_auth_user_id") != str(user.pk):
            client.force_login(user)
        device = AuthenticatorAppDeviceFactory(user=user)
        client.post(reverse("mfa:choose"), {"device": device.persistent_id})
        response = client.post(reverse("mfa:verify"), {"code": f"{totp(device.bin_key):06d}"})
        assert response.status_code == 302, f"MFA was not passed: {response.status_code}"
        return client

    return sign_in
