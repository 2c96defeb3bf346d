"""Fax backend that writes a line per fax to a stream (standard output by default): never the document."""

import sys
import threading
import uuid

from delivery.fax.backends.base import BaseFaxBackend


class FaxBackend(BaseFaxBackend):
    def __init__(self, *args, stream=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.stream = stream or sys.stdout
        self._lock = threading.RLock()

    def send_fax(self, message):
        fax_id = f"console-{uuid.uuid4().hex[:12]}"
        with self._lock:
            self.stream.write(
                f"Fax to: {message.to}\nReference: {message.reference}\nPDF: {len(message.pdf)} bytes\n{'-' * 79}\n"
            )
            self.stream.flush()
        return fax_id
