import factory

from accounts.tests.factories import UserFactory
from ecrm.models import EcrmProfile


class EcrmProfileFactory(factory.django.DjangoModelFactory):
    """An ECRM registration: with no practice membership, its user is ECRM-only."""

    class Meta:
        model = EcrmProfile

    user = factory.SubFactory(UserFactory)
    business_phone = "8605550142"
    organization_name = factory.Sequence(lambda n: f"Granby Therapy Group {n}")
    address = "12 Main Street"
    city = "Hartford"
    state = "CT"
    tax_id = "061234567"
    npi = "1234567893"


def ecrm_user(**kwargs):
    return EcrmProfileFactory(**kwargs).user
