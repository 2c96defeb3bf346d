"""The Message Center (COR-3, seed 004): each user's inbox of the letters of their own requests and of their
Correspondence practices' cases, newest first, with their own unread marker, flags, archive and deletions, filters
by category and type, for two years."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import UserFactory
from audit.models import AuditEvent
from cases.models import CaseEvent
from cases.tests.factories import submitted_case, submitter
from cases.tests.post_decision_world import reviewer  # noqa: F401 (a fixture)
from correspondence import letters, selectors, services
from correspondence.models import Letter, LetterReceipt
from correspondence.selectors import letters_for_case
from correspondence.tests.conftest import hold_placed, letters_of
from practices.models import WorklistAccess
from practices.tests.factories import PracticeMembershipFactory

pytestmark = pytest.mark.django_db

MESSAGE_CENTER = reverse("correspondence:message_center")


def act(letter) -> str:
    return reverse("correspondence:message_action", args=[letter.pk])


def listed_ids(response) -> list[int]:
    """The letters listed, in order, read from their action forms."""
    return [int(pk) for pk in re.findall(r'action="/correspondence/messages/(\d+)/"', response.content.decode())]


def more_letters(case, count: int, *, kind=Letter.Kind.APPROVAL, days_ago: float = 0) -> list[Letter]:
    """Letters on ``case`` as the outbox would write them, each on an event of its own (no deliveries)."""
    made = []
    for _ in range(count):
        at = timezone.now() - datetime.timedelta(days=days_ago)
        event = CaseEvent.objects.create(case=case, kind=CaseEvent.Kind.SUBMITTED, created_at=at)
        made.append(Letter.objects.create(case=case, kind=kind, event=event, created_at=at))
    return made


@pytest.fixture
def hold_letter(catalog, reviewer):  # noqa: F811
    case = submitted_case()
    hold_placed(case, reviewer)
    return letters.letter_render(letter=letters_of(case)[0])


@pytest.fixture
def provider_client(hold_letter, signed_in_client):
    return signed_in_client(hold_letter.case.created_by)


def test_the_inbox_lists_the_users_letters_newest_first_each_unread(hold_letter, provider_client):
    [older] = more_letters(hold_letter.case, 1, days_ago=3)
    response = provider_client.get(MESSAGE_CENTER)
    html = response.content.decode()
    assert listed_ids(response) == [hold_letter.pk, older.pk]
    assert html.count('class="unread-dot"') == 2
    assert "Inbox (2 unread)" in re.sub(r"<[^>]+>", "", html)
    assert "Hold Letter" in html and "Precertification" in html
    event = AuditEvent.objects.get(action="message_center.viewed")
    assert event.details["letters"] == [hold_letter.pk, older.pk]


def test_review_marks_the_message_read_and_opens_its_pdf(hold_letter, provider_client):
    response = provider_client.post(act(hold_letter), {"action": "review"})
    assert response.status_code == 302
    assert response.url == reverse("correspondence:letter_pdf", args=[hold_letter.pk])
    assert provider_client.get(response.url).content == bytes(hold_letter.pdf)
    receipt = LetterReceipt.objects.get(letter=hold_letter)
    assert receipt.user == hold_letter.case.created_by and receipt.read_at is not None
    html = provider_client.get(MESSAGE_CENTER).content.decode()
    assert 'class="unread-dot"' not in html and "unread)" not in html
    first_read = receipt.read_at
    provider_client.post(act(hold_letter), {"action": "review"})
    receipt.refresh_from_db()
    assert receipt.read_at == first_read  # the first reading is the one kept


def test_each_users_read_state_is_their_own(hold_letter, provider_client, signed_in_client):
    colleague = correspondent(hold_letter.case.practice)
    provider_client.post(act(hold_letter), {"action": "review"})
    html = signed_in_client(colleague).get(MESSAGE_CENTER).content.decode()
    assert html.count('class="unread-dot"') == 1


def test_review_of_a_letter_still_being_prepared_goes_back_with_a_message(catalog, reviewer, signed_in_client):  # noqa: F811
    case = submitted_case()
    hold_placed(case, reviewer)
    [letter] = letters_of(case)
    response = signed_in_client(case.created_by).post(act(letter), {"action": "review"}, follow=True)
    assert "This letter is being prepared." in response.content.decode()
    assert not LetterReceipt.objects.exists()


def test_a_flagged_message_is_listed_under_flagged_until_unflagged(hold_letter, provider_client):
    response = provider_client.post(act(hold_letter), {"action": "flag"}, follow=True)
    assert "The message was flagged." in response.content.decode()
    assert listed_ids(provider_client.get(MESSAGE_CENTER, {"tab": "flagged"})) == [hold_letter.pk]
    assert listed_ids(provider_client.get(MESSAGE_CENTER)) == [hold_letter.pk]  # still in the inbox too
    provider_client.post(act(hold_letter), {"action": "unflag"})
    assert listed_ids(provider_client.get(MESSAGE_CENTER, {"tab": "flagged"})) == []


def test_an_archived_message_leaves_the_inbox_for_the_archive_and_comes_back(hold_letter, provider_client):
    response = provider_client.post(act(hold_letter), {"action": "archive", "tab": "inbox"})
    assert response.url == MESSAGE_CENTER + "?tab=inbox"
    assert listed_ids(provider_client.get(MESSAGE_CENTER)) == []
    archive = provider_client.get(MESSAGE_CENTER, {"tab": "archive"})
    assert listed_ids(archive) == [hold_letter.pk]
    assert "Move to inbox" in archive.content.decode()
    provider_client.post(act(hold_letter), {"action": "inbox", "tab": "archive"})
    assert listed_ids(provider_client.get(MESSAGE_CENTER)) == [hold_letter.pk]
    assert listed_ids(provider_client.get(MESSAGE_CENTER, {"tab": "archive"})) == []


def test_a_deleted_message_is_gone_from_every_tab_but_stays_on_its_case(hold_letter, provider_client):
    provider_client.post(act(hold_letter), {"action": "flag"})
    provider_client.post(act(hold_letter), {"action": "delete"})
    for tab in ("inbox", "flagged", "archive"):
        assert listed_ids(provider_client.get(MESSAGE_CENTER, {"tab": tab})) == []
    assert list(letters_for_case(hold_letter.case)) == [hold_letter]
    assert provider_client.get(reverse("correspondence:letter_pdf", args=[hold_letter.pk])).status_code == 200
    # Gone from this user's Message Center for good: no action finds it any more.
    assert provider_client.post(act(hold_letter), {"action": "inbox"}).status_code == 404
    assert AuditEvent.objects.filter(action="message_center.delete", target_id=str(hold_letter.case_id)).exists()


def test_the_action_returns_to_the_list_the_user_was_on(hold_letter, provider_client):
    data = {"action": "flag", "tab": "archive", "category": "precertification", "type": "hold", "page": "2"}
    response = provider_client.post(act(hold_letter), data)
    assert response.url == MESSAGE_CENTER + "?tab=archive&category=precertification&type=hold&page=2"


def test_an_unknown_action_is_a_bad_request(hold_letter, provider_client):
    assert provider_client.post(act(hold_letter), {"action": "print"}).status_code == 400
    assert provider_client.post(act(hold_letter), {}).status_code == 400
    assert not LetterReceipt.objects.exists()


def test_actions_are_posts_only(hold_letter, provider_client):
    assert provider_client.get(act(hold_letter)).status_code == 405


# --- Who sees what ------------------------------------------------------------------------------------------


def correspondent(practice):
    """A member of ``practice`` with the Correspondence entitlement only (the demo's front desk)."""
    return PracticeMembershipFactory(practice=practice, correspondence=True).user


def pdf(letter) -> str:
    return reverse("correspondence:letter_pdf", args=[letter.pk])


def test_a_correspondence_member_lists_the_practices_letters_and_reads_them_but_not_the_case(
    hold_letter, signed_in_client
):
    [old] = more_letters(hold_letter.case, 1, days_ago=731)
    client = signed_in_client(correspondent(hold_letter.case.practice))
    response = client.get(MESSAGE_CENTER)
    assert listed_ids(response) == [hold_letter.pk]
    case_page = reverse("cases:case_detail", args=[hold_letter.case.request_id])
    assert hold_letter.case.case_number in response.content.decode()
    assert f'href="{case_page}"' not in response.content.decode()  # named, not linked: the case is not theirs
    review = client.post(act(hold_letter), {"action": "review"})
    assert client.get(review.url).content == bytes(hold_letter.pdf)
    assert client.get(case_page).status_code == 404
    # Past the two years the letter is the case viewers' only, and answers as a missing one.
    refused, missing = client.get(pdf(old)), client.get(reverse("correspondence:letter_pdf", args=[old.pk + 99]))
    assert refused.status_code == missing.status_code == 404
    masked = re.compile(r'(value|content)="[A-Za-z0-9]{64}"')  # the CSRF token differs on every render
    assert masked.sub("", refused.content.decode()) == masked.sub("", missing.content.decode())


def test_a_case_submitter_without_correspondence_lists_only_their_own_requests_letters(hold_letter, signed_in_client):
    colleague = submitter(practice=hold_letter.case.practice)
    [own] = more_letters(submitted_case(user=colleague, practice=hold_letter.case.practice), 1)
    client = signed_in_client(colleague)
    assert listed_ids(client.get(MESSAGE_CENTER)) == [own.pk]
    assert client.post(act(hold_letter), {"action": "flag"}).status_code == 404
    # The practice's request is still theirs to view, its letters on its page.
    assert client.get(pdf(hold_letter)).content == bytes(hold_letter.pdf)


def test_a_delegate_lists_no_letter_of_the_shared_worklist_and_reads_why(hold_letter, signed_in_client):
    delegate = UserFactory()
    WorklistAccess.objects.create(owner=hold_letter.case.created_by, grantee=delegate)
    client = signed_in_client(delegate)
    response = client.get(MESSAGE_CENTER)
    assert listed_ids(response) == []
    assert "not linked to a practice" in response.content.decode()
    assert client.post(act(hold_letter), {"action": "flag"}).status_code == 404
    assert client.get(pdf(hold_letter)).status_code == 200  # from the shared case's page


def test_a_member_without_correspondence_or_requests_is_told_whom_to_ask(hold_letter, signed_in_client):
    manager = PracticeMembershipFactory(practice=hold_letter.case.practice, manager=True).user
    member = PracticeMembershipFactory(practice=hold_letter.case.practice).user
    html = signed_in_client(member).get(MESSAGE_CENTER).content.decode()
    assert "You do not have the Correspondence entitlement for your practice" in html
    assert f'href="mailto:{manager.email}"' in html
    assert 'aria-label="Filter messages"' not in html


def test_a_user_of_another_practice_never_sees_the_letters_and_gets_404_on_them(hold_letter, signed_in_client):
    outsider = signed_in_client(submitter())
    assert listed_ids(outsider.get(MESSAGE_CENTER)) == []
    for action in ("review", "flag", "archive", "delete"):
        assert outsider.post(act(hold_letter), {"action": action}).status_code == 404
    assert not LetterReceipt.objects.exists()


def test_another_users_receipt_changes_nothing_for_an_outsider(hold_letter, provider_client, signed_in_client):
    provider_client.post(act(hold_letter), {"action": "flag"})
    outsider = signed_in_client(submitter())
    assert outsider.get(MESSAGE_CENTER, {"tab": "flagged"}).content.decode().count("unread-dot") == 0
    assert outsider.post(act(hold_letter), {"action": "unflag"}).status_code == 404
    assert LetterReceipt.objects.get().flagged


def test_a_visitor_is_sent_to_log_in(hold_letter, client):
    for response in (client.get(MESSAGE_CENTER), client.post(act(hold_letter), {"action": "flag"})):
        assert response.status_code == 302 and response.url.startswith(reverse("accounts:login"))


# --- Filters, tabs, pages, two years -------------------------------------------------------------------------


def test_the_category_filter_keeps_the_kinds_of_letter_of_that_category(hold_letter, provider_client):
    [acknowledgement] = more_letters(hold_letter.case, 1, kind=Letter.Kind.APPEAL_ACKNOWLEDGEMENT)
    assert listed_ids(provider_client.get(MESSAGE_CENTER, {"category": "appeals"})) == [acknowledgement.pk]
    assert listed_ids(provider_client.get(MESSAGE_CENTER, {"category": "precertification"})) == [hold_letter.pk]


@pytest.mark.parametrize(
    ("category", "words"),
    [("ecrm", "There is no ECRM correspondence"), ("p2p", "There is no P2P correspondence")],
)
def test_ecrm_and_p2p_have_no_letters_yet_and_say_so(hold_letter, provider_client, category, words):
    response = provider_client.get(MESSAGE_CENTER, {"category": category})
    assert listed_ids(response) == []
    assert words in response.content.decode()


def test_the_type_filter_keeps_one_kind_of_letter(hold_letter, provider_client):
    [approval] = more_letters(hold_letter.case, 1)
    assert listed_ids(provider_client.get(MESSAGE_CENTER, {"type": "approval"})) == [approval.pk]
    assert listed_ids(provider_client.get(MESSAGE_CENTER, {"type": "hold"})) == [hold_letter.pk]
    # A type outside the category lists nothing, with the filters named.
    response = provider_client.get(MESSAGE_CENTER, {"type": "hold", "category": "appeals"})
    assert listed_ids(response) == [] and "No messages with these filters." in response.content.decode()


def test_an_unknown_filter_is_named_next_to_its_field_and_the_list_is_unfiltered(hold_letter, provider_client):
    response = provider_client.get(MESSAGE_CENTER, {"category": "claims"})
    html = response.content.decode()
    assert response.status_code == 200
    assert '<p class="error-message" id="id_category_error">' in html
    assert "Select category from the list" in html and "There is a problem" in html
    assert listed_ids(response) == [hold_letter.pk]


def test_a_bad_filter_keeps_the_good_one_beside_it(hold_letter, provider_client):
    more_letters(hold_letter.case, 1)
    response = provider_client.get(MESSAGE_CENTER, {"category": "claims", "type": "hold"})
    assert listed_ids(response) == [hold_letter.pk]


def test_letters_older_than_two_years_are_no_longer_listed(hold_letter, provider_client):
    [kept] = more_letters(hold_letter.case, 1, days_ago=729)
    [gone] = more_letters(hold_letter.case, 1, days_ago=731)
    ids = listed_ids(provider_client.get(MESSAGE_CENTER))
    assert kept.pk in ids and gone.pk not in ids
    assert provider_client.post(act(gone), {"action": "flag"}).status_code == 404
    assert gone in letters_for_case(hold_letter.case)  # still on the case


def test_the_two_years_of_a_29_february_end_on_the_28th():
    leap = timezone.make_aware(datetime.datetime(2028, 2, 29, 12, 0))
    assert selectors.retention_start(leap) == timezone.make_aware(datetime.datetime(2026, 2, 28, 12, 0))


def test_the_list_is_paginated_and_keeps_its_filters(hold_letter, provider_client):
    more_letters(hold_letter.case, 25, days_ago=1)
    first = provider_client.get(MESSAGE_CENTER, {"category": "precertification"})
    assert len(listed_ids(first)) == 20
    html = first.content.decode()
    assert 'href="/correspondence/messages/?category=precertification&amp;page=2"' in html
    second = provider_client.get(MESSAGE_CENTER, {"category": "precertification", "page": 2})
    assert len(listed_ids(second)) == 6
    assert not set(listed_ids(first)) & set(listed_ids(second))


def test_the_message_center_costs_the_same_queries_for_many_letters(
    hold_letter, provider_client, django_assert_num_queries
):
    provider_client.get(MESSAGE_CENTER)  # warms the session and Django's caches
    with CaptureQueriesContext(connection) as few:
        assert provider_client.get(MESSAGE_CENTER).status_code == 200
    letters_made = more_letters(hold_letter.case, 15)
    other_case = submitted_case(user=hold_letter.case.created_by)
    more_letters(other_case, 3, kind=Letter.Kind.APPEAL_DECISION)
    for letter in letters_made[:5]:
        services.message_act(user=hold_letter.case.created_by, letter=letter, action="flag")
    with django_assert_num_queries(len(few)):
        response = provider_client.get(MESSAGE_CENTER)
    assert len(listed_ids(response)) == 19


def test_the_navigation_links_to_the_message_center(hold_letter, provider_client):
    html = provider_client.get(reverse("cases:worklist")).content.decode()
    assert f'href="{MESSAGE_CENTER}"' in html
    assert f'href="{reverse("correspondence:preferences")}"' in html
