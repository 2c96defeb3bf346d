"""What the case build does when reference data it copies changes.

A provider's or a site's name, NPI or kind changed (``reference.signals.searched_names_changed``, sent by the admin
inside the save's transaction): an outbox row asks for the copies of their cases to be written again
(``cases.renames``), so that My Worklist finds the cases by the new name (the page already shows it) and no longer
by the old one, and sorts them by it, even when the broker is down at that moment.
"""

from django.dispatch import receiver

from cases import renames
from reference.models import Provider, Site
from reference.signals import searched_names_changed


@receiver(searched_names_changed, dispatch_uid="cases.search_texts_for_renamed_reference")
def search_texts_for_renamed_reference(sender, instance, **kwargs):
    if sender is Provider:
        renames.rewrite_request(provider=instance)
    elif sender is Site:
        renames.rewrite_request(site=instance)
