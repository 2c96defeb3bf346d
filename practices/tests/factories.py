import factory
from django.utils import timezone

from accounts.tests.factories import UserFactory
from practices.models import AccountProvider, Practice, PracticeMembership, WorklistAccess
from reference.tests.factories import ProviderFactory


class PracticeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Practice
        django_get_or_create = ("tin",)

    tin = factory.Sequence(lambda n: f"{700_000_000 + n:09d}")
    name = factory.Sequence(lambda n: f"Hartford Family Practice {n}")


class PracticeMembershipFactory(factory.django.DjangoModelFactory):
    """A member with no entitlements; ``manager=True`` gives the website access manager with everything."""

    class Meta:
        model = PracticeMembership

    class Params:
        manager = factory.Trait(
            is_access_manager=True, case_submission=True, precertification_appeals=True, correspondence=True
        )

    user = factory.SubFactory(UserFactory)
    practice = factory.SubFactory(PracticeFactory)


class AccountProviderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AccountProvider

    user = factory.SubFactory(UserFactory)
    provider = factory.SubFactory(ProviderFactory)


class WorklistAccessFactory(factory.django.DjangoModelFactory):
    """An active grant; ``revoked=True`` ends it after it was given (the database checks that order)."""

    class Meta:
        model = WorklistAccess
        skip_postgeneration_save = True

    owner = factory.SubFactory(UserFactory)
    grantee = factory.SubFactory(UserFactory)

    @factory.post_generation
    def revoked(access, create, extracted, **kwargs):
        if extracted:
            access.revoked_at = timezone.now()
            if create:
                access.save(update_fields=["revoked_at"])
