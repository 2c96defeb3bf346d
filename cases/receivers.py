"""What the case build does when reference data it copies changes.

A provider's or a site's name or NPI changed (``reference.signals.searched_names_changed``, sent by the admin):
the search text of their cases is written again by a task, enqueued once the change is committed, so that My
Worklist finds the cases by the new name (the page already shows it) and no longer by the old one.
"""

from functools import partial

from django.db import transaction
from django.dispatch import receiver

from cases import tasks
from reference.models import Provider, Site
from reference.signals import searched_names_changed


@receiver(searched_names_changed, dispatch_uid="cases.search_texts_for_renamed_reference")
def search_texts_for_renamed_reference(sender, instance, **kwargs):
    field = {Provider: "provider_id", Site: "site_id"}.get(sender)
    if field is not None:
        # robust: a broker down at that moment logs the error instead of failing the admin's save (already committed)
        transaction.on_commit(partial(tasks.rewrite_search_texts.delay, **{field: instance.pk}), robust=True)
