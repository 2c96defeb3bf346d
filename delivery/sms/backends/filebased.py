"""SMS backend that writes one file per message under ``settings.SMS_FILE_PATH`` (development)."""

import uuid
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from delivery.sms.backends.base import BaseSMSBackend


class SMSBackend(BaseSMSBackend):
    def __init__(self, *args, file_path=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.file_path = Path(file_path or settings.SMS_FILE_PATH)

    def send_messages(self, messages):
        sent = 0
        try:
            self.file_path.mkdir(parents=True, exist_ok=True)
            for message in messages:
                # Sortable by time, unique even when two messages leave in the same microsecond.
                name = f"{timezone.now():%Y%m%d-%H%M%S-%f}-{uuid.uuid4().hex[:8]}.txt"
                (self.file_path / name).write_text(f"To: {message.to}\n\n{message.body}\n", encoding="utf-8")
                sent += 1
        except OSError:
            if not self.fail_silently:
                raise
        return sent
