"""Faxes through a pluggable backend, modelled on ``django.core.mail`` (and ``delivery.sms``).

``settings.FAX_BACKEND`` names the backend class by dotted path: console, file-based (development, the default)
and locmem (tests) ship here; a real fax service is one more class implementing ``BaseFaxBackend.send_faxes``.
"""

from django.conf import settings
from django.utils.module_loading import import_string

from delivery.fax.backends.base import BaseFaxBackend, FaxMessage

__all__ = ["BaseFaxBackend", "FaxMessage", "get_connection", "send_fax"]


def get_connection(backend: str | None = None, **kwargs) -> BaseFaxBackend:
    """An instance of the configured backend (or of ``backend``, a dotted path)."""
    return import_string(backend or settings.FAX_BACKEND)(**kwargs)


def send_fax(*, to: str, pdf: bytes, reference: str, connection: BaseFaxBackend | None = None) -> str:
    """Send one PDF to the US fax number ``to`` (ten digits); returns the backend's id for the fax."""
    return (connection or get_connection()).send_fax(FaxMessage(to=to, pdf=pdf, reference=reference))
