"""Text messages (SMS) through a pluggable backend, modelled on ``django.core.mail``.

``settings.SMS_BACKEND`` names the backend class by dotted path: console, file-based (development) and
locmem (tests) ship here; a real provider is one more class implementing ``BaseSMSBackend.send_messages``.
"""

from django.conf import settings
from django.utils.module_loading import import_string

from delivery.sms.backends.base import BaseSMSBackend, SMSMessage

__all__ = ["BaseSMSBackend", "SMSMessage", "get_connection", "send_sms"]


def get_connection(backend: str | None = None, **kwargs) -> BaseSMSBackend:
    """An instance of the configured backend (or of ``backend``, a dotted path)."""
    return import_string(backend or settings.SMS_BACKEND)(**kwargs)


def send_sms(*, to: str, body: str, connection: BaseSMSBackend | None = None) -> int:
    """Send one text message; ``to`` is an E.164 number such as +18666689250. Returns the number sent."""
    return (connection or get_connection()).send_messages([SMSMessage(to=to, body=body)])
