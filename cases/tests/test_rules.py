import datetime

import pytest

from cases import rules

D = datetime.date
CIGNA_HH = rules.DateOfServiceRules(False, None, "Call Cigna at 1.800.88Cigna (800.882.4462).")
CIGNA_DME = rules.DateOfServiceRules(True, 15, "")


@pytest.mark.parametrize(
    ("text", "expected"), [("02/06/2026", D(2026, 2, 6)), ("2/6/2026", D(2026, 2, 6)), ("12/31/2030", D(2030, 12, 31))]
)
def test_us_dates_are_read_in_both_seed_formats(text, expected):
    assert rules.parse_us_date(text) == expected


@pytest.mark.parametrize("text", ["2026-02-06", "02/06/26", "2/6/1999", "13/01/2026", "02/30/2026", "", "2/6/2026x"])
def test_other_date_formats_and_impossible_dates_are_refused(text):
    with pytest.raises(ValueError, match="MM/DD/20YY"):
        rules.parse_us_date(text)


def test_same_day_home_health_start_of_care_is_refused_with_the_number_to_call():
    problem = rules.date_of_service_problem(date_of_service=D(2026, 3, 2), today=D(2026, 3, 2), rules=CIGNA_HH)
    assert "cannot be today" in problem
    assert "1.800.88Cigna (800.882.4462)" in problem


def test_past_home_health_start_of_care_follows_the_plan_and_is_phoned_in():
    problem = rules.date_of_service_problem(date_of_service=D(2026, 3, 1), today=D(2026, 3, 2), rules=CIGNA_HH)
    assert "retrospective" in problem
    assert "800.882.4462" in problem


def test_future_start_of_care_is_accepted():
    assert rules.date_of_service_problem(date_of_service=D(2026, 3, 3), today=D(2026, 3, 2), rules=CIGNA_HH) is None


def test_a_date_more_than_a_year_ahead_is_refused():
    assert rules.date_of_service_problem(date_of_service=D(2027, 6, 1), today=D(2026, 3, 2), rules=CIGNA_HH)


def test_business_days_skip_weekends_and_federal_holidays():
    # Fri 2026-11-20 + 5 business days: Mon 23, Tue 24, Wed 25, (Thu 26 Thanksgiving), Fri 27, Mon 30.
    assert rules.add_business_days(D(2026, 11, 20), 5) == D(2026, 11, 30)


def test_observed_independence_day_is_not_a_business_day():
    assert not rules.is_business_day(D(2026, 7, 3))  # Friday, July 4th observed
    assert rules.is_business_day(D(2026, 7, 6))


def test_dme_retro_request_is_accepted_on_the_fifteenth_business_day():
    # Service Mon 2026-11-02; Veterans Day (11/11) and Thanksgiving (11/26) excluded: 15th business day is 11/24.
    last_day = rules.retro_last_day(date_of_service=D(2026, 11, 2), window=15)
    assert last_day == D(2026, 11, 24)
    assert rules.date_of_service_problem(date_of_service=D(2026, 11, 2), today=last_day, rules=CIGNA_DME) is None


def test_dme_retro_request_is_refused_after_fifteen_business_days():
    problem = rules.date_of_service_problem(date_of_service=D(2026, 11, 2), today=D(2026, 11, 25), rules=CIGNA_DME)
    assert "within 15 business days" in problem
    assert "11/24/2026" in problem


def test_dme_purchase_is_valid_180_days_and_rentals_for_their_units():
    start = D(2026, 1, 31)
    assert rules.dme_line_end(start=start, billing_basis="purchase", units=1) == D(2026, 7, 29)
    assert rules.dme_line_end(start=start, billing_basis="daily_rental", units=10) == D(2026, 2, 9)
    assert rules.dme_line_end(start=start, billing_basis="monthly_rental", units=1) == D(2026, 2, 27)
    assert rules.dme_line_end(start=start, billing_basis="monthly_rental", units=13) == D(2027, 2, 27)


def test_periods_that_share_a_day_overlap():
    assert rules.periods_overlap((D(2026, 1, 1), D(2026, 1, 30)), (D(2026, 1, 30), D(2026, 2, 28)))
    assert not rules.periods_overlap((D(2026, 1, 1), D(2026, 1, 30)), (D(2026, 1, 31), D(2026, 2, 28)))


@pytest.mark.parametrize(
    ("billing_basis", "unit"),
    [("visit", "Visits"), ("purchase", "Units"), ("daily_rental", "Days"), ("monthly_rental", "Months")],
)
def test_a_service_line_counts_its_quantity_in_the_unit_of_its_billing_basis(billing_basis, unit):
    assert rules.service_unit(billing_basis) == unit


def test_every_billing_basis_of_the_catalog_has_its_unit():
    from reference.models import HcpcsCode

    assert set(rules.SERVICE_UNITS) == set(HcpcsCode.BillingBasis.values)


@pytest.mark.parametrize(
    ("basis", "units", "period_days", "last_day"),
    [
        ("purchase", 2, None, D(2026, 8, 29)),  # 180 days, whatever the units
        ("daily_rental", 14, None, D(2026, 3, 16)),
        ("monthly_rental", 3, None, D(2026, 6, 2)),
        ("visit", 4, 60, D(2026, 5, 1)),  # the requested timeframe
        ("visit", 4, None, D(2026, 4, 1)),  # the bundle's 30 days
    ],
)
def test_an_approved_lines_validity_follows_its_billing_basis(basis, units, period_days, last_day):
    start = D(2026, 3, 3)
    assert rules.line_validity(billing_basis=basis, start=start, units=units, period_days=period_days) == (
        start,
        last_day,
    )
