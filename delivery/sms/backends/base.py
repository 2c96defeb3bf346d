"""The interface every SMS backend implements.

To add a provider (Twilio, Amazon SNS, a carrier gateway), write one subclass of ``BaseSMSBackend`` that
implements ``send_messages(messages)``: deliver each ``SMSMessage`` (``to`` is E.164, e.g. +18666689250;
``body`` is plain text, at most ``SMSMessage.MAX_LENGTH`` characters), return how many were accepted, and
raise on failure unless ``fail_silently`` is true. Read its credentials from settings, never from code,
then point ``SMS_BACKEND`` at it. Callers only ever use ``delivery.sms.send_sms``.
"""

import re
from dataclasses import dataclass

E164 = re.compile(r"\+[1-9]\d{7,14}")


@dataclass(frozen=True)
class SMSMessage:
    """One text message to one number."""

    # Ten concatenated segments: longer texts are split, billed per part and arrive out of order.
    MAX_LENGTH = 1600

    to: str
    body: str

    def __post_init__(self):
        if not E164.fullmatch(self.to):
            raise ValueError(f"SMS recipient must be an E.164 number such as +18666689250, not {self.to!r}")
        if not self.body or len(self.body) > self.MAX_LENGTH:
            raise ValueError(f"SMS body must be 1 to {self.MAX_LENGTH} characters")


class BaseSMSBackend:
    """Base class for SMS backends; subclasses implement ``send_messages``."""

    def __init__(self, fail_silently: bool = False, **kwargs):
        self.fail_silently = fail_silently

    def send_messages(self, messages: list[SMSMessage]) -> int:
        """Send the messages; return how many were sent."""
        raise NotImplementedError("subclasses of BaseSMSBackend must implement send_messages()")
