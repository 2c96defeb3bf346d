"""Fax backend for tests: faxes are appended to the module-level ``outbox`` list.

Like ``django.core.mail.outbox``; the correspondence tests' fixture empties it. Clear it with ``outbox.clear()``
rather than rebinding the name, so every importer keeps seeing the same list.
"""

from delivery.fax.backends.base import BaseFaxBackend

outbox: list = []


class FaxBackend(BaseFaxBackend):
    def send_fax(self, message):
        outbox.append(message)
        return f"locmem-{len(outbox)}"
