import datetime

import factory

from reference.models import Eligibility, HealthPlan, Member, Program, Provider, Site
from reference.validators import npi_with_check_digit


class ProgramFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Program
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"program-{n}")
    name = factory.Sequence(lambda n: f"Program {n}")


class HealthPlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = HealthPlan
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"plan-{n}")
    name = factory.Sequence(lambda n: f"Health Plan {n}")


class AddressFactory(factory.django.DjangoModelFactory):
    class Meta:
        abstract = True

    address_line1 = factory.Faker("street_address")
    city = "Hartford"
    state = "CT"
    zip_code = "06103"


class ProviderFactory(AddressFactory):
    class Meta:
        model = Provider

    kind = Provider.Kind.PRACTITIONER
    npi = factory.Sequence(lambda n: npi_with_check_digit(f"1{90_000_000 + n:08d}"))
    tin = factory.Sequence(lambda n: f"{n:09d}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    credentials = "MD"
    phone = "8606661234"
    fax = "8606664321"


class SiteFactory(AddressFactory):
    class Meta:
        model = Site

    kind = Site.Kind.DME_SUPPLIER
    name = factory.Sequence(lambda n: f"Hartford Medical Supply {n}")
    npi = factory.Sequence(lambda n: npi_with_check_digit(f"2{90_000_000 + n:08d}"))
    tin = factory.Sequence(lambda n: f"{n:09d}")
    phone = "8606665555"
    fax = "8606665556"


class MemberFactory(AddressFactory):
    class Meta:
        model = Member

    member_id = factory.Sequence(lambda n: f"T{n:010d}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    date_of_birth = datetime.date(1948, 3, 14)


class EligibilityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Eligibility

    member = factory.SubFactory(MemberFactory)
    health_plan = factory.SubFactory(HealthPlanFactory)
    coverage_start = datetime.date(2024, 1, 1)
    coverage_end = None
