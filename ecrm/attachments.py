"""ECRM attachments ("Add Attachments"): any file type (seed 000: "EviCore CRM accepts all file types"),
several per request, each at most ``settings.ECRM_ATTACHMENT_MAX_BYTES``.

Files are stored under ``settings.ECRM_ATTACHMENT_ROOT``, outside the web root, under generated names with
no extension; they have no URL and are streamed by a view that checks who asks, always as a download
(``Content-Disposition: attachment``, ``application/octet-stream``, ``nosniff``), so a browser never renders
an uploaded HTML or SVG file on our origin. Names are cleaned as clinical uploads' are (``cases.uploads``).
"""

import contextlib
import functools
import uuid
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import FileSystemStorage
from django.utils import timezone
from django.utils.deconstruct import deconstructible
from django.utils.functional import cached_property

from cases.uploads import display_name, sha256_of

MEGABYTE = 1024 * 1024


def max_bytes() -> int:
    return settings.ECRM_ATTACHMENT_MAX_BYTES


def max_files() -> int:
    return settings.ECRM_ATTACHMENT_MAX_FILES


def size_words(size: int) -> str:
    return f"{size / MEGABYTE:.0f} MB" if size >= MEGABYTE else f"{max(size // 1024, 1)} KB"


def attachment_check(uploaded_file) -> None:
    """ValidationError naming the file when it is empty or over the cap."""
    name = display_name(uploaded_file.name)
    if not uploaded_file.size:
        raise ValidationError(f"The file {name} is empty", code="empty")
    if uploaded_file.size > max_bytes():
        raise ValidationError(f"The file {name} must be smaller than {size_words(max_bytes())}", code="too_large")


@deconstructible(path="ecrm.attachments.AttachmentStorage")
class AttachmentStorage(FileSystemStorage):
    """Files under ECRM_ATTACHMENT_ROOT, readable by the portal's user only, and without any URL."""

    def __init__(self):
        super().__init__(file_permissions_mode=0o600, directory_permissions_mode=0o700)

    @cached_property
    def base_location(self):
        return Path(settings.ECRM_ATTACHMENT_ROOT)

    @property
    def base_url(self):
        return None  # url() raises: only the download view streams a file

    def _clear_cached_properties(self, setting, **kwargs):
        super()._clear_cached_properties(setting, **kwargs)
        if setting == "ECRM_ATTACHMENT_ROOT":  # tests point attachments at a temporary directory
            self.__dict__.pop("base_location", None)
            self.__dict__.pop("location", None)


@functools.cache
def attachment_storage() -> AttachmentStorage:
    return AttachmentStorage()


@contextlib.contextmanager
def attachment_stored(uploaded_file):
    """Store a checked file; yields the fields of its ``TicketAttachment`` row. If the block raises (the row,
    or the ticket written with it, fails), the file is removed again: no file without its row."""
    attachment_check(uploaded_file)
    digest = sha256_of(uploaded_file)
    uploaded_file.seek(0)
    stored_name = attachment_storage().save(f"{timezone.now():%Y/%m}/{uuid.uuid4().hex}", uploaded_file)
    try:
        yield {
            "original_name": display_name(uploaded_file.name),
            "stored_name": stored_name,
            "size": uploaded_file.size,
            "sha256": digest,
        }
    except BaseException:
        attachment_storage().delete(stored_name)
        raise


def attachment_open(stored_name: str):
    return attachment_storage().open(stored_name, "rb")
