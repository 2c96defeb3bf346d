"""SMS backend for tests: messages are appended to the module-level ``outbox`` list.

Like ``django.core.mail.outbox``; the root conftest empties it before each test. Clear it with
``outbox.clear()`` rather than rebinding the name, so every importer keeps seeing the same list.
"""

from delivery.sms.backends.base import BaseSMSBackend

outbox: list = []


class SMSBackend(BaseSMSBackend):
    def send_messages(self, messages):
        outbox.extend(messages)
        return len(messages)
