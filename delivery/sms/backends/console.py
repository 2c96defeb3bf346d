"""SMS backend that writes each message to a stream (standard output by default)."""

import sys
import threading

from delivery.sms.backends.base import BaseSMSBackend


class SMSBackend(BaseSMSBackend):
    def __init__(self, *args, stream=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.stream = stream or sys.stdout
        self._lock = threading.RLock()

    def send_messages(self, messages):
        sent = 0
        with self._lock:
            try:
                for message in messages:
                    self.stream.write(f"SMS to: {message.to}\n{message.body}\n{'-' * 79}\n")
                    self.stream.flush()
                    sent += 1
            except Exception:
                if not self.fail_silently:
                    raise
        return sent
