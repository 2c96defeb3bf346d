"""Signals the reference data sends to the apps that copy it.

``searched_names_changed``: a provider's or a site's name or NPI was changed (in the admin, the only place the
portal changes them), ``sender`` its model class and ``instance`` the row as saved. The case build copies those
values into each case's search text (``cases.receivers``); sent inside the save's transaction.
"""

from django.dispatch import Signal

searched_names_changed = Signal()
