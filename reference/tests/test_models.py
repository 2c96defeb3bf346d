import datetime

import pytest
from django.db import IntegrityError, transaction

from reference.models import Provider
from reference.tests.factories import EligibilityFactory, MemberFactory, ProviderFactory, SiteFactory

pytestmark = pytest.mark.django_db


def test_an_open_coverage_span_covers_every_day_from_its_start():
    span = EligibilityFactory(coverage_start=datetime.date(2025, 1, 1), coverage_end=None)
    assert not span.covers(datetime.date(2024, 12, 31))
    assert span.covers(datetime.date(2025, 1, 1))
    assert span.covers(datetime.date(2031, 6, 30))


def test_a_closed_span_ends_on_its_last_day():
    span = EligibilityFactory(coverage_start=datetime.date(2025, 1, 1), coverage_end=datetime.date(2025, 12, 31))
    assert span.covers(datetime.date(2025, 12, 31))
    assert not span.covers(datetime.date(2026, 1, 1))


def test_the_database_refuses_a_span_that_ends_before_it_starts():
    with pytest.raises(IntegrityError), transaction.atomic():
        EligibilityFactory(coverage_start=datetime.date(2025, 6, 1), coverage_end=datetime.date(2025, 5, 31))


def test_the_database_refuses_a_practitioner_without_a_last_name_or_a_group_without_a_name():
    with pytest.raises(IntegrityError), transaction.atomic():
        ProviderFactory(last_name="")
    with pytest.raises(IntegrityError), transaction.atomic():
        ProviderFactory(kind=Provider.Kind.GROUP, organization_name="")


def test_the_same_npi_cannot_be_stored_twice():
    provider = ProviderFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        ProviderFactory(npi=provider.npi)


def test_names_and_addresses_read_as_on_a_letter():
    practitioner = ProviderFactory(first_name="Ana", last_name="Silva", credentials="DO")
    group = ProviderFactory(kind=Provider.Kind.GROUP, organization_name="Hartford Orthopedics", last_name="")
    assert practitioner.display_name == "Ana Silva, DO"
    assert group.display_name == "Hartford Orthopedics"
    site = SiteFactory(address_line1="12 Main St", address_line2="Suite 4", city="Hartford", zip_code="06103")
    assert site.address_display == "12 Main St, Suite 4, Hartford, CT 06103"
    assert MemberFactory(first_name="Rosa", last_name="Diaz").full_name == "Rosa Diaz"
