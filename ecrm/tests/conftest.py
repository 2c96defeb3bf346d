import pytest
from django.core.management import call_command


@pytest.fixture(autouse=True)
def attachment_root(settings, tmp_path):
    """Attachments go to a temporary directory, never var/."""
    settings.ECRM_ATTACHMENT_ROOT = tmp_path / "ecrm-attachments"
    return settings.ECRM_ATTACHMENT_ROOT


@pytest.fixture
def ecrm_catalog(catalog):
    """The health plans (reference catalog) and the ECRM catalog fixture ``seed_demo`` loads."""
    call_command("loaddata", "ecrm_catalog", verbosity=0)


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """``committed(fn, *args, **kwargs)``: call ``fn`` and run what it queued for after the commit (emails)."""

    def call(fn, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return fn(*args, **kwargs)

    return call
