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
