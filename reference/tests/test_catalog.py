import pytest

from reference.models import HcpcsCode, HealthPlan, PlanProgram, Program
from reference.services import catalog_load

pytestmark = pytest.mark.django_db


def test_request_an_authorization_lists_the_twelve_programs_in_the_seed_order(catalog):
    names = list(Program.objects.values_list("name", flat=True))
    assert len(names) == 12
    assert names[0] == "Durable Medical Equipment(DME)"
    assert names[-1] == "Sleep Management"
    assert set(Program.objects.filter(is_buildable=True).values_list("header_code", flat=True)) == {"DME", "HOMEH"}
    assert all(p.unavailable_message for p in Program.objects.filter(is_buildable=False))


def test_cigna_commercial_has_the_seed_003_fax_numbers_per_program(catalog):
    plan = HealthPlan.objects.get(name="Cigna Healthcare Commercial")
    numbers = {pp.program.code: (pp.phone, pp.fax, pp.clinical_reviewer) for pp in plan.plan_programs.all()}
    assert numbers == {
        "home-health": ("8666689250", "8558263724", "cigna"),
        "dme": ("8666689250", "8666637740", "cigna"),
        "sleep": ("8666689250", "8669993510", "evicore"),
    }


def test_home_health_discipline_codes_are_all_present(catalog):
    codes = set(HcpcsCode.objects.filter(program__code="home-health").values_list("code", flat=True))
    assert {"G0299", "G0300", "G0151", "G0152", "G0153", "G0155", "G0156"} <= codes
    assert HcpcsCode.objects.get(discipline="Dietitian").code == "S9470"


def test_every_seed_002_dme_category_has_codes_with_a_billing_basis(catalog):
    dme = HcpcsCode.objects.filter(program__code="dme")
    categories = set(dme.values_list("category", flat=True))
    assert categories == set(HcpcsCode.Category.values) - {HcpcsCode.Category.HOME_HEALTH}
    assert set(dme.values_list("billing_basis", flat=True)) == {"purchase", "daily_rental", "monthly_rental"}
    assert dme.filter(requires_prior_auth=False).exists()


def test_loading_the_catalog_twice_changes_nothing(catalog):
    before = (Program.objects.count(), PlanProgram.objects.count(), HcpcsCode.objects.count())
    catalog_load()
    assert (Program.objects.count(), PlanProgram.objects.count(), HcpcsCode.objects.count()) == before


def test_a_malformed_hcpcs_code_is_refused_by_the_database(catalog):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        HcpcsCode.objects.create(
            code="e0100",
            description="x",
            program=Program.objects.get(code="dme"),
            category="oxygen",
            billing_basis="purchase",
        )
