"""CASE-11: the scheduled expiry job, run by a real worker process on the configured broker."""

import datetime
import time

import pytest
from django.utils import timezone

from cases.models import Case, CaseStatus
from cases.tasks import expire_stale_drafts
from cases.tests.factories import draft_case
from reference.services import catalog_load

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def test_the_worker_expires_a_stale_draft_and_leaves_a_fresh_one(worker_queue):
    catalog_load()
    stale, fresh = draft_case(), draft_case()
    Case.objects.filter(pk=stale.pk).update(expires_at=timezone.now() - datetime.timedelta(minutes=5))
    expire_stale_drafts.apply_async(queue=worker_queue)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and Case.objects.get(pk=stale.pk).status == CaseStatus.DRAFT:
        time.sleep(0.2)
    assert Case.objects.get(pk=stale.pk).status == CaseStatus.EXPIRED, "the worker did not expire the draft in 60 s"
    assert Case.objects.get(pk=fresh.pk).status == CaseStatus.DRAFT
