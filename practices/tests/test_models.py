"""The database refuses the rows the services never write, whatever code tries."""

import datetime

import pytest
from django.db import IntegrityError

from accounts.tests.factories import UserFactory
from practices.models import Practice
from practices.tests.factories import (
    AccountProviderFactory,
    PracticeMembershipFactory,
    WorklistAccessFactory,
)

pytestmark = pytest.mark.django_db


def test_a_practice_tin_must_be_nine_digits():
    with pytest.raises(IntegrityError):
        Practice.objects.create(tin="12345", name="Short TIN")


def test_two_practices_cannot_share_a_tin():
    Practice.objects.create(tin="061234567", name="First")
    with pytest.raises(IntegrityError):
        Practice.objects.create(tin="061234567", name="Second")


def test_a_user_belongs_to_a_practice_once():
    membership = PracticeMembershipFactory()
    with pytest.raises(IntegrityError):
        PracticeMembershipFactory(user=membership.user, practice=membership.practice)


def test_a_provider_is_on_an_account_once():
    link = AccountProviderFactory()
    with pytest.raises(IntegrityError):
        AccountProviderFactory(user=link.user, provider=link.provider)


def test_a_grant_cannot_end_before_it_began():
    access = WorklistAccessFactory()
    access.revoked_at = access.granted_at - datetime.timedelta(seconds=1)
    with pytest.raises(IntegrityError):
        access.save()


def test_a_worklist_cannot_be_shared_with_its_owner():
    user = UserFactory()
    with pytest.raises(IntegrityError):
        WorklistAccessFactory(owner=user, grantee=user)


def test_a_pair_has_at_most_one_active_grant_but_any_number_of_revoked_ones():
    first = WorklistAccessFactory(revoked=True)
    second = WorklistAccessFactory(owner=first.owner, grantee=first.grantee)
    with pytest.raises(IntegrityError):
        WorklistAccessFactory(owner=second.owner, grantee=second.grantee)


def test_a_membership_lists_the_labels_of_its_entitlements_in_screen_words():
    membership = PracticeMembershipFactory(case_submission=True, correspondence=True)
    assert membership.entitlement_labels == ["Case submission", "Correspondence"]
