"""The cases' copies of reference data kept in step when a provider or a site is renamed, through an outbox.

A case copies values a provider searches or sorts it by (``worklist.copies_write``: the search text, the ordering
provider's sort key). When the admin changes a provider's name, NPI or kind, or a site's name
(``reference.signals.searched_names_changed``), ``cases.receivers`` calls ``rewrite_request``: a
``SearchTextRewrite`` row is written in the rename's own transaction, and its task queued once that commits. The
task (``rewrite_run``) writes the copies of every submitted case of that provider or site again and marks the row
done; running it twice writes the same values. A task lost (the broker down at the rename, a worker killed with the
message in hand) leaves the row pending, and the beat job ``cases-search-text-rewrite-sweep`` queues it again
``SWEEP_AFTER`` later: a rename is never left half-copied, whatever the broker.
"""

import datetime

from django.db import transaction
from django.utils import timezone

from cases import worklist
from cases.models import SearchTextRewrite
from delivery import outbox

SWEEP_AFTER = datetime.timedelta(minutes=10)


def rewrite_request(*, provider=None, site=None) -> SearchTextRewrite:
    """Record that the cases of ``provider`` or ``site`` must be written again, in the caller's transaction (the
    rename's), and queue the task once it commits."""
    rewrite = SearchTextRewrite.objects.create(provider=provider, site=site)
    transaction.on_commit(lambda: rewrite_dispatch(rewrite.pk))
    return rewrite


def rewrite_dispatch(rewrite_pk: int) -> bool:
    """Queue the task of one rewrite; True when queued. A broker that is down is logged, and the sweep queues the
    row once it is back."""
    from cases.tasks import rewrite_search_texts

    return outbox.task_queue(rewrite_search_texts, rewrite_pk, what="Search text rewrite")


def rewrite_run(rewrite_pk: int) -> int:
    """Write the copies of the rewrite's cases again, then mark it done; how many cases were written (0 for a row
    already done or gone). Not under a lock on the row: two runs at once write the same values, each case's row
    locked by ``worklist.copies_write`` as it is written."""
    rewrite = SearchTextRewrite.objects.filter(pk=rewrite_pk, done_at__isnull=True).first()
    if rewrite is None:
        return 0
    written = worklist.search_texts_rewrite(provider_id=rewrite.provider_id, site_id=rewrite.site_id)
    SearchTextRewrite.objects.filter(pk=rewrite_pk, done_at__isnull=True).update(
        done_at=timezone.now(), cases_written=written
    )
    return written


def rewrites_left_pending(now: datetime.datetime | None = None) -> list[int]:
    """Rewrites still pending ``SWEEP_AFTER`` after they were requested: their task was lost."""
    before = (now or timezone.now()) - SWEEP_AFTER
    pending = SearchTextRewrite.objects.filter(done_at__isnull=True, requested_at__lte=before)
    return list(pending.order_by("pk").values_list("pk", flat=True))


def rewrites_sweep(now: datetime.datetime | None = None) -> int:
    """Queue the task of every rewrite left pending; how many. Catches up: one run covers every rewrite left since
    the last, however many runs were lost."""
    return sum(rewrite_dispatch(pk) for pk in rewrites_left_pending(now))
