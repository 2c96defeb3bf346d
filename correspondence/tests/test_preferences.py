"""Settings & Preferences (COR-3, seed 004): each user's email notices per practice, and a practice's default notices
and paper delivery, which only its website access manager changes."""

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from correspondence import selectors, services
from correspondence.models import NoticePreference, PracticeNoticeDefault
from practices.tests.factories import PracticeFactory, PracticeMembershipFactory

pytestmark = pytest.mark.django_db

PREFERENCES = reverse("correspondence:preferences")


def practice_url(practice) -> str:
    return reverse("correspondence:practice_preferences", args=[practice.pk])


def test_a_user_chooses_weekly_notices_for_one_practice_and_the_default_for_another(signed_in_client):
    first = PracticeMembershipFactory(correspondence=True)
    second = PracticeMembershipFactory(user=first.user, case_submission=True)
    client = signed_in_client(first.user)
    page = client.get(PREFERENCES).content.decode()
    assert f"Email notices for {first.practice.name} (TIN {first.practice.tin})" in page
    assert "Practice default (Daily)" in page
    data = {f"practice_{first.practice_id}": "weekly", f"practice_{second.practice_id}": ""}
    response = client.post(PREFERENCES, data, follow=True)
    assert "Your notification preferences were saved." in response.content.decode()
    assert selectors.notice_frequencies_of(first.user) == {first.practice_id: "weekly", second.practice_id: "daily"}
    assert AuditEvent.objects.get(action="correspondence.notices_changed").details == {str(first.practice_id): "weekly"}
    client.post(PREFERENCES, {f"practice_{first.practice_id}": "", f"practice_{second.practice_id}": "off"})
    assert selectors.notice_frequencies_of(first.user) == {first.practice_id: "daily", second.practice_id: "off"}
    assert not NoticePreference.objects.filter(practice=first.practice).exists()


def test_a_users_own_choice_wins_over_the_practice_default():
    manager = PracticeMembershipFactory(manager=True)
    member = PracticeMembershipFactory(practice=manager.practice)
    services.practice_notice_default_set(manager=manager.user, practice=manager.practice, frequency="weekly")
    services.notice_preferences_set(user=manager.user, choices={manager.practice_id: "off"})
    assert selectors.notice_frequencies_of(member.user) == {manager.practice_id: "weekly"}
    assert selectors.notice_frequencies_of(manager.user) == {manager.practice_id: "off"}


def test_an_unknown_frequency_is_named_next_to_its_field(signed_in_client):
    membership = PracticeMembershipFactory(correspondence=True)
    response = signed_in_client(membership.user).post(PREFERENCES, {f"practice_{membership.practice_id}": "hourly"})
    html = response.content.decode()
    assert response.status_code == 200 and "There is a problem" in html
    assert f'id="id_practice_{membership.practice_id}_error"' in html
    assert not NoticePreference.objects.exists()


def test_a_user_cannot_set_notices_for_a_practice_they_are_not_in():
    membership = PracticeMembershipFactory()
    with pytest.raises(services.ValidationError):
        services.notice_preferences_set(user=membership.user, choices={PracticeFactory().pk: "weekly"})


def test_a_user_without_a_practice_is_told_there_is_nothing_to_be_notified_of(signed_in_client):
    from accounts.tests.factories import UserFactory

    html = signed_in_client(UserFactory()).get(PREFERENCES).content.decode()
    assert "not linked to a practice" in html


def test_notices_are_offered_only_for_the_practices_whose_letters_reach_the_message_center(catalog, signed_in_client):
    """Correspondence brings a practice's letters, case submission or a request of one's own one's own letters; a
    member with none of them is not offered notices there, and still sees the practice's delivery settings."""
    from cases.tests.factories import submitted_case

    bare = PracticeMembershipFactory()
    case = submitted_case(user=bare.user, practice=PracticeFactory())
    case.practice.memberships.filter(user=bare.user).update(case_submission=False)  # their entitlement taken away
    html = signed_in_client(bare.user).get(PREFERENCES).content.decode()
    assert f"Email notices for {case.practice.name}" in html
    assert f"Email notices for {bare.practice.name}" not in html
    assert f"{bare.practice.name} (TIN {bare.practice.tin})</td>" in html  # its delivery row


# --- The practice's settings: its website access manager only ----------------------------------------------


def test_the_manager_sets_the_practices_default_notices_and_paper_delivery(signed_in_client):
    manager = PracticeMembershipFactory(manager=True)
    client = signed_in_client(manager.user)
    assert f'href="{practice_url(manager.practice)}"' in client.get(PREFERENCES).content.decode()
    data = {"frequency": "weekly", "paper_precertification_letters": "on"}
    response = client.post(practice_url(manager.practice), data, follow=True)
    assert f"Settings for TIN {manager.practice.tin} were saved." in response.content.decode()
    manager.practice.refresh_from_db()
    assert manager.practice.paper_precertification_letters and not manager.practice.paper_claim_letters
    assert PracticeNoticeDefault.objects.get(practice=manager.practice).frequency == "weekly"
    assert AuditEvent.objects.filter(action="correspondence.practice_notices_changed").count() == 1
    assert AuditEvent.objects.filter(action="practice.delivery_changed").count() == 1


@pytest.mark.parametrize("entitled", [False, True])
def test_a_member_who_is_not_the_manager_gets_404_and_changes_nothing(signed_in_client, entitled):
    manager = PracticeMembershipFactory(manager=True)
    member = PracticeMembershipFactory(
        practice=manager.practice, case_submission=entitled, correspondence=entitled, precertification_appeals=entitled
    )
    client = signed_in_client(member.user)
    assert client.get(practice_url(manager.practice)).status_code == 404
    data = {"frequency": "off", "paper_precertification_letters": "on", "paper_claim_letters": "on"}
    assert client.post(practice_url(manager.practice), data).status_code == 404
    manager.practice.refresh_from_db()
    assert not manager.practice.paper_precertification_letters and not manager.practice.paper_claim_letters
    assert not PracticeNoticeDefault.objects.exists()
    page = client.get(PREFERENCES).content.decode()
    assert "Set by the website access manager" in page and practice_url(manager.practice) not in page


def test_a_manager_of_another_practice_is_refused_its_default():
    manager = PracticeMembershipFactory(manager=True)
    other = PracticeFactory()
    with pytest.raises(services.ValidationError):
        services.practice_notice_default_set(manager=manager.user, practice=other, frequency="off")


def test_the_practice_settings_need_a_frequency(signed_in_client):
    manager = PracticeMembershipFactory(manager=True)
    response = signed_in_client(manager.user).post(practice_url(manager.practice), {"frequency": "sometimes"})
    html = response.content.decode()
    assert response.status_code == 200 and 'id="id_frequency_error"' in html
    assert not PracticeNoticeDefault.objects.exists()


def test_the_practice_default_saved_twice_is_audited_once():
    manager = PracticeMembershipFactory(manager=True)
    for _ in range(2):
        services.practice_notice_default_set(manager=manager.user, practice=manager.practice, frequency="off")
    assert AuditEvent.objects.filter(action="correspondence.practice_notices_changed").count() == 1
