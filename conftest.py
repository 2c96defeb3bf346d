"""Fixtures shared by every test: reference data loaded once, factories' defaults."""

import os

import pytest

# Playwright runs an event loop in the test thread; Django refuses ORM calls there unless told.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


# Under pytest-xdist (`make test`), tests in these folders run in one worker process, one after another, in their
# order; every other test goes to whichever worker is free. The security tests share a world built once for their
# package (tests/security/conftest.py): one build, the crawler and the matrix sharing the probe's answers, and the
# roles' sessions used within their idle timeout of the build, as in a run without workers.
RUN_TOGETHER = ("tests/security/",)


@pytest.hookimpl(optionalhook=True)  # the hook exists only with pytest-xdist
def pytest_xdist_make_scheduler(config, log):
    """``--dist loadgroup``, with the folders of ``RUN_TOGETHER`` as the groups. (pytest-xdist's own loadgroup reads
    an ``xdist_group`` mark into the test's node id, which pytest 9 no longer lets it rewrite.)"""
    if config.getvalue("dist") != "loadgroup":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class FolderGroupScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return next((folder for folder in RUN_TOGETHER if nodeid.startswith(folder)), nodeid)

    return FolderGroupScheduling(config, log)


# Rows the post_migrate signal after a flush would write again, the same ones (it adds only what is missing).
KEPT_BY_FLUSH = frozenset({"django_content_type", "auth_permission"})


@pytest.fixture(scope="session", autouse=True)
def postgresql_flush_by_delete():
    """On PostgreSQL, a transactional test (browser, integration) is emptied after it with DELETE, not TRUNCATE.

    Django's flush truncates every table in one statement; PostgreSQL then gives each table, index and TOAST table
    a new file and syncs them at commit: 1.5 to 4 s per test here, for tables that hold a few dozen rows. DELETE
    in one transaction, with the foreign keys checked at commit (Django creates them DEFERRABLE INITIALLY
    DEFERRED), leaves the same empty tables in a tenth of the time. Sequences are not reset either way (Django's
    TransactionTestCase flushes with reset_sequences=False); a flush that asks for a reset or a cascade (only
    ``available_apps`` does) is Django's own. SQLite's flush is a DELETE already.

    The content types and permissions stay: the post_migrate signal that follows the flush then finds every one
    in place instead of writing them all again (a third of a second per test); it still adds any that is missing.
    """
    from django.db import connection

    if connection.vendor != "postgresql":
        yield
        return
    from django.db.backends.postgresql.operations import DatabaseOperations

    truncate = DatabaseOperations.sql_flush

    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        if not tables or reset_sequences or allow_cascade:
            return truncate(self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade)
        deletes = [
            f"{style.SQL_KEYWORD('DELETE FROM')} {style.SQL_FIELD(self.quote_name(table))};"
            for table in tables
            if table not in KEPT_BY_FLUSH
        ]
        return [f"{style.SQL_KEYWORD('SET CONSTRAINTS ALL DEFERRED')};", *deletes]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(DatabaseOperations, "sql_flush", sql_flush)
        yield


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
