"""Service lines carry the billing basis and unit of their HCPCS code, copied at submission (issue 11, item 1)."""

import io

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse
from pypdf import PdfReader

from cases import services
from cases.models import ServiceLine
from cases.questionnaires import engine
from cases.tests.factories import attested_case, submitted_case
from reference.models import HcpcsCode

pytestmark = pytest.mark.django_db

# A purchase, a daily rental and a monthly rental.
DME_LINES = [("K0005", "1"), ("E0935", "21"), ("E0260", "3")]


def dme_case(lines=DME_LINES):
    question_set = engine.question_set_for("dme")
    answers = {}
    pages = []
    for index, (code, units) in enumerate(lines):
        pages += [{"hcpcs_code": code, "hcpcs_units": units}, {"hcpcs_more": "yes" if index < len(lines) - 1 else "no"}]
    for data in pages:
        page = engine.next_page(question_set, answers)
        form = engine.page_form(question_set, answers, page, data=data)
        assert form.is_valid(), form.errors
        answers = engine.apply_answer(question_set, answers, page, form.cleaned_data)
    case = services.case_answers_save(case=attested_case(program="dme"), answers=answers, next_step="clinical-summary")
    case = services.case_step_save(
        case=case,
        user=case.created_by,
        step="urgency",
        changes={"is_routine": True, "urgency_criterion": ""},
        next_step="upload",
    )
    case = services.case_progress_save(case=case, next_step="review", completed="clinical-summary")
    return services.case_submit(case=case, user=case.created_by)


def test_a_home_health_submission_copies_visits_onto_each_line(catalog):
    case = submitted_case(approved=True)
    assert {(line.billing_basis, line.unit) for line in case.service_lines.all()} == {("visit", "Visits")}


def test_a_dme_submission_copies_each_codes_billing_basis_and_unit(catalog):
    case = dme_case()
    assert [(line.hcpcs.code, line.quantity, line.billing_basis, line.unit) for line in case.service_lines.all()] == [
        ("K0005", 1, "purchase", "Units"),
        ("E0935", 21, "daily_rental", "Days"),
        ("E0260", 3, "monthly_rental", "Months"),
    ]
    assert str(case.service_lines.get(hcpcs__code="E0935")) == "E0935 x 21 Days"


def test_the_summary_shows_the_unit_stored_on_the_line_even_after_the_catalog_changes(signed_in_client, catalog):
    case = dme_case()
    HcpcsCode.objects.filter(code="E0935").update(billing_basis=HcpcsCode.BillingBasis.PURCHASE)
    client = signed_in_client(case.created_by)
    page = client.get(reverse("cases:summary", args=[case.request_id])).content.decode()
    assert " - 1 Units</td>" in page
    assert " - 21 Days</td>" in page
    assert " - 3 Months</td>" in page
    pdf = PdfReader(io.BytesIO(client.get(reverse("cases:summary_pdf", args=[case.request_id])).content))
    text = " ".join(pdf.pages[0].extract_text().split())
    assert "Quantity" in text
    for quantity in ("1 Units", "21 Days", "3 Months"):
        assert quantity in text


@pytest.mark.django_db(transaction=True)
def test_the_migration_backfills_existing_lines_and_keeps_them_both_ways(catalog):
    """0005 renames CaseService (rows kept), 0006 fills billing basis and unit from each line's HCPCS code."""
    from django.contrib.auth.models import Permission

    from accounts.tests.factories import UserFactory

    case = dme_case([("K0005", "2"), ("E0935", "10")])
    reviewer = UserFactory()
    reviewer.user_permissions.add(Permission.objects.get(codename="view_serviceline"))
    before, after = ("cases", "0004_case_service_label_length"), ("cases", "0006_service_line_backfill")
    executor = MigrationExecutor(connection)
    leaves = executor.loader.graph.leaf_nodes()
    try:
        executor.migrate([before])
        old_apps = executor.loader.project_state([before]).apps
        old_lines = old_apps.get_model("cases", "CaseService").objects.filter(case_id=case.pk).order_by("line_number")
        assert [(line.hcpcs_id, line.quantity) for line in old_lines] == [
            (HcpcsCode.objects.get(code="K0005").pk, 2),
            (HcpcsCode.objects.get(code="E0935").pk, 10),
        ]
        assert reviewer.user_permissions.filter(codename="view_caseservice").exists()

        executor = MigrationExecutor(connection)
        executor.migrate([after])
        new_apps = executor.loader.project_state([after]).apps
        lines = new_apps.get_model("cases", "ServiceLine").objects.filter(case_id=case.pk).order_by("line_number")
        assert [(line.quantity, line.billing_basis, line.unit) for line in lines] == [
            (2, "purchase", "Units"),
            (10, "daily_rental", "Days"),
        ]
        assert list(reviewer.user_permissions.values_list("codename", flat=True)) == ["view_serviceline"]
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(leaves)
    assert ServiceLine.objects.filter(case=case).count() == 2
