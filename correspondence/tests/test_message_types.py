"""Settings & Preferences, "Users can select the category and type of messages they would like to see in the
Message Center" (seed 004): a hidden type leaves the user's Message Center and their email notices, stays on the
case's page, and hold letters are always shown."""

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from accounts.tests.factories import UserFactory
from audit.models import AuditEvent
from cases.tests.post_decision_world import reviewer  # noqa: F401 (a fixture)
from correspondence import selectors, services
from correspondence.models import HiddenMessageType, Letter
from correspondence.selectors import letters_for_case
from correspondence.tests.test_message_center import MESSAGE_CENTER, hold_letter, listed_ids, more_letters  # noqa: F401

pytestmark = pytest.mark.django_db

PREFERENCES = reverse("correspondence:preferences")
EVERY_KIND_BUT_DENIAL = [kind for kind in Letter.Kind.values if kind != Letter.Kind.DENIAL]


def test_the_page_lists_each_type_by_category_all_ticked_the_hold_letter_fixed(signed_in_client):
    page = signed_in_client(UserFactory()).get(PREFERENCES).content.decode()
    assert "Messages shown in the Message Center" in page
    assert '<legend class="fieldset__legend">Precertification</legend>' in page
    assert '<legend class="fieldset__legend">Appeals</legend>' in page
    assert 'value="denial" id="id_shown_2" checked' in page
    assert 'value="hold" id="id_shown_0" checked disabled aria-describedby="id_shown_0_hint"' in page


def test_an_unticked_type_leaves_the_message_center_and_comes_back_when_ticked(hold_letter, signed_in_client):  # noqa: F811
    case = hold_letter.case
    [denial] = more_letters(case, 1, kind=Letter.Kind.DENIAL)
    client = signed_in_client(case.created_by)
    assert set(listed_ids(client.get(MESSAGE_CENTER))) == {hold_letter.pk, denial.pk}

    response = client.post(PREFERENCES, {"section": "message_types", "shown": EVERY_KIND_BUT_DENIAL}, follow=True)
    assert "The messages shown in your Message Center were saved." in response.content.decode()
    assert listed_ids(client.get(MESSAGE_CENTER)) == [hold_letter.pk]
    assert denial in letters_for_case(case), "still on the case's correspondence history"
    assert AuditEvent.objects.get(action="correspondence.message_types_changed").details == {
        "hidden": ["denial"],
        "shown": [],
    }
    page = client.get(PREFERENCES).content.decode()
    assert 'value="denial" id="id_shown_2">' in page

    client.post(PREFERENCES, {"section": "message_types", "shown": Letter.Kind.values})
    assert set(listed_ids(client.get(MESSAGE_CENTER))) == {hold_letter.pk, denial.pk}
    assert not HiddenMessageType.objects.exists()


def test_hold_letters_stay_shown_even_when_nothing_is_ticked(hold_letter, signed_in_client):  # noqa: F811
    client = signed_in_client(hold_letter.case.created_by)
    client.post(PREFERENCES, {"section": "message_types"})
    assert listed_ids(client.get(MESSAGE_CENTER)) == [hold_letter.pk]
    assert set(HiddenMessageType.objects.values_list("kind", flat=True)) == set(Letter.Kind.values) - {"hold"}
    with pytest.raises(IntegrityError), transaction.atomic():
        HiddenMessageType.objects.create(user=hold_letter.case.created_by, kind=Letter.Kind.HOLD)


def test_a_hidden_type_is_not_counted_in_the_users_digest(hold_letter):  # noqa: F811
    user = hold_letter.case.created_by
    more_letters(hold_letter.case, 2, kind=Letter.Kind.DENIAL)
    services.message_types_set(user=user, shown=set(EVERY_KIND_BUT_DENIAL))
    assert selectors.messages_of(user).count() == 1


def test_each_users_choice_is_their_own(hold_letter, signed_in_client):  # noqa: F811
    [denial] = more_letters(hold_letter.case, 1, kind=Letter.Kind.DENIAL)
    colleague = UserFactory()
    services.message_types_set(user=colleague, shown=set())
    assert denial.pk in listed_ids(signed_in_client(hold_letter.case.created_by).get(MESSAGE_CENTER))


def test_an_unknown_type_is_an_error_next_to_the_field_and_changes_nothing(signed_in_client):
    client = signed_in_client(UserFactory())
    response = client.post(PREFERENCES, {"section": "message_types", "shown": ["denial", "<script>"]})
    assert response.status_code == 200
    page = response.content.decode()
    assert 'href="#id_shown_0"' in page and 'id="id_shown_error"' in page
    assert not HiddenMessageType.objects.exists()


def test_saving_the_same_choice_twice_records_one_change():
    user = UserFactory()
    services.message_types_set(user=user, shown=set(EVERY_KIND_BUT_DENIAL))
    services.message_types_set(user=user, shown=set(EVERY_KIND_BUT_DENIAL))
    assert AuditEvent.objects.filter(action="correspondence.message_types_changed").count() == 1


def test_the_email_notice_form_still_saves_beside_it(signed_in_client):
    from practices.tests.factories import PracticeMembershipFactory

    membership = PracticeMembershipFactory(correspondence=True)
    client = signed_in_client(membership.user)
    client.post(PREFERENCES, {f"practice_{membership.practice_id}": "weekly"})
    assert selectors.notice_frequencies_of(membership.user) == {membership.practice_id: "weekly"}
    assert not HiddenMessageType.objects.exists()
