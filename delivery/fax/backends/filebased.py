"""Fax backend that writes each fax's PDF to a file under ``settings.FAX_FILE_PATH`` (development)."""

import uuid
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from delivery.fax.backends.base import BaseFaxBackend


class FaxBackend(BaseFaxBackend):
    def __init__(self, *args, file_path=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.file_path = Path(file_path or settings.FAX_FILE_PATH)

    def send_fax(self, message):
        self.file_path.mkdir(parents=True, exist_ok=True)
        # Sortable by time, unique even when two faxes leave in the same microsecond; the reference (our id,
        # no PHI) and the number tell a developer which fax is which.
        fax_id = f"{timezone.now():%Y%m%d-%H%M%S-%f}-{uuid.uuid4().hex[:8]}"
        (self.file_path / f"{fax_id}-{message.reference}-to-{message.to}.pdf").write_bytes(message.pdf)
        return fax_id
