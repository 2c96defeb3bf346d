"""The interface every fax backend implements.

To add a fax service (an e-fax API, a fax server), write one subclass of ``BaseFaxBackend`` that implements
``send_fax(message)``: transmit the ``FaxMessage`` (``to`` is a ten-digit US number, ``pdf`` the document,
``reference`` our id for it, never PHI), return the service's id for the fax, and raise on failure (the
caller retries). Read its credentials from settings, never from code, then point ``FAX_BACKEND`` at it.
Callers only ever use ``delivery.fax.send_fax``.
"""

import re
from dataclasses import dataclass, field

US_FAX = re.compile(r"[2-9]\d{2}[2-9]\d{6}")


@dataclass(frozen=True)
class FaxMessage:
    """One PDF to one fax number."""

    to: str
    pdf: bytes = field(repr=False)
    reference: str

    def __post_init__(self):
        if not US_FAX.fullmatch(self.to):
            raise ValueError(f"Fax recipient must be a ten-digit US number such as 8666637740, not {self.to!r}")
        if not self.pdf.startswith(b"%PDF-"):
            raise ValueError("A fax carries a PDF document")


class BaseFaxBackend:
    """Base class for fax backends; subclasses implement ``send_fax``."""

    def __init__(self, **kwargs):
        pass

    def send_fax(self, message: FaxMessage) -> str:
        """Send the fax; return the backend's id for it (raise on failure)."""
        raise NotImplementedError("subclasses of BaseFaxBackend must implement send_fax()")
