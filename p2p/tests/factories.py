import datetime

import factory
from django.utils import timezone

from accounts.tests.factories import UserFactory
from p2p.models import Reservation, Reviewer, ReviewerSkill, TimeOff, WorkingHours


class ReviewerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Reviewer

    user = factory.SubFactory(UserFactory, is_staff=True)
    display_name = factory.Sequence(lambda n: f"Dr. Reviewer {n}, MD")
    time_zone = "America/New_York"


class ReviewerSkillFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReviewerSkill

    reviewer = factory.SubFactory(ReviewerFactory)
    program = factory.SubFactory("reference.tests.factories.ProgramFactory")
    priority = 1


class WorkingHoursFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WorkingHours

    reviewer = factory.SubFactory(ReviewerFactory)
    weekday = 0
    starts = datetime.time(9, 0)
    ends = datetime.time(17, 0)


class TimeOffFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TimeOff

    reviewer = factory.SubFactory(ReviewerFactory)
    starts_at = factory.LazyFunction(timezone.now)
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + datetime.timedelta(hours=8))


class HeldReservationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Reservation

    reviewer = factory.SubFactory(ReviewerFactory)
    starts_at = factory.LazyFunction(lambda: timezone.now().replace(second=0, microsecond=0))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + datetime.timedelta(minutes=15))
    state = Reservation.State.HELD
    held_by = factory.SubFactory(UserFactory)
    held_until = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(minutes=10))
