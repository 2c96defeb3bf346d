"""The production default until a real SMS provider is configured: refuses to send.

The console backend would print one-time PINs into production logs; refusing instead makes the MFA
page say SMS is unavailable, and users pick email or an authenticator app.
"""

from django.core.exceptions import ImproperlyConfigured

from delivery.sms.backends.base import BaseSMSBackend


class SMSBackend(BaseSMSBackend):
    def send_messages(self, messages):
        if self.fail_silently:
            return 0
        raise ImproperlyConfigured("No SMS provider is configured: set SMS_BACKEND to a real provider's backend.")
