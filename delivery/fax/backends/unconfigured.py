"""The production default until a real fax service is configured: refuses to send.

Writing letters full of PHI to the server's disk, or printing them to its logs, is no way to fax in
production; refusing instead leaves each fax delivery Failed in the admin, where staff see it and retry it
once ``FAX_BACKEND`` names a real service.
"""

from django.core.exceptions import ImproperlyConfigured

from delivery.fax.backends.base import BaseFaxBackend


class FaxBackend(BaseFaxBackend):
    def send_fax(self, message):
        raise ImproperlyConfigured("No fax service is configured: set FAX_BACKEND to a real service's backend.")
