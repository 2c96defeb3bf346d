"""The security tests' world: built once for the package, inside a transaction rolled back after it."""

import logging

import pytest
from django.db import transaction
from django.test import client as test_client
from django.test.utils import override_settings

from tests.security.routes import Probe
from tests.security.world import world_build


@pytest.fixture(scope="package")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    """One world for the crawler and the access matrix (building it takes a few seconds).

    The package's transaction holds the world; each test's own transaction (pytest-django's ``db``) and each
    request (``routes.send``) are savepoints inside it, so nothing a request does outlives that request, and
    nothing of the world outlives the package. (So the roles' sessions stay as they were built: their idle
    timeout counts from the build, 15 minutes away.) Clinical uploads and ECRM attachments go to temporary folders.
    """
    uploads, attachments = tmp_path_factory.mktemp("clinical-uploads"), tmp_path_factory.mktemp("ecrm-attachments")
    stored_apart = override_settings(CLINICAL_UPLOAD_ROOT=uploads, ECRM_ATTACHMENT_ROOT=attachments)
    with django_db_blocker.unblock(), stored_apart, transaction.atomic():
        built = world_build()
        yield built
        transaction.set_rollback(True)


@pytest.fixture(scope="package")
def probe(world):
    """Requests as the world's roles, each distinct one sent once (the crawler and the matrix share them)."""
    return Probe(world)


@pytest.fixture
def crawling(monkeypatch):
    """Thousands of requests, cheaply: no log line for each expected 403, 404, 405 or failed log-in (the tests
    report what they find themselves), and no copy of every template's context kept for ``response.context``
    (the tests read status and headers; admin pages render hundreds of templates: a fifth of their time)."""
    monkeypatch.setattr(test_client, "store_rendered_templates", lambda *args, **kwargs: None)
    loggers = {logging.getLogger(name): logging.getLogger(name).level for name in ("django.request", "axes")}
    for logger in loggers:
        logger.setLevel(logging.CRITICAL + 1)
    yield
    for logger, level in loggers.items():
        logger.setLevel(level)
