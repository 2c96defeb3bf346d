"""CASE-14: two submits at the same moment (two tabs) make one case, on SQLite and PostgreSQL alike."""

import threading

import pytest
from django.db import connection

from cases import services
from cases.models import Case, CaseStatus
from cases.tests.factories import attested_case
from reference.services import catalog_load

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def test_two_simultaneous_submits_create_one_case():
    catalog_load()
    case = attested_case()
    answers = {"homebound": "yes", "admitting-diagnosis": "cardiac", "bundle": "yes"}
    services.case_answers_save(case=case, answers=answers, next_step="review")
    barrier = threading.Barrier(2)
    results, errors = [], []

    def submit():
        try:
            barrier.wait()
            results.append(services.case_submit(case=case, user=case.created_by))
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    case = Case.objects.get(pk=case.pk)
    assert case.status == CaseStatus.APPROVED
    assert {result.case_number for result in results} == {case.case_number}
    assert case.status_changes.filter(to_status=CaseStatus.SUBMITTED).count() == 1
    assert case.service_lines.count() == 6
