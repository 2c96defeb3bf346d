"""The provider's post-decision pages (issue 11 items 9-11): 404 for a case the user may not view, 403 for one
they may view but not act on, the explanation when the status or the time no longer allows it, bad input
answered with the error summary, and POST-redirect-GET with an audit row for each change."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import UserFactory
from audit.models import AuditEvent
from cases import appeals, extensions
from cases.models import Appeal, AuthorizationExtension, Case, Reconsideration
from cases.tests.post_decision_world import (
    appeals_user,
    decided_case,
    delegate_of,
    reviewer,  # noqa: F401 (a fixture)
)

pytestmark = pytest.mark.django_db


def url(name, case, *args):
    return reverse(f"cases:{name}", args=[case.request_id, *args])


def page_text(response) -> str:
    return response.content.decode()


@pytest.mark.parametrize(
    ("name", "args", "who", "status"),
    [
        ("reconsider", (), "stranger", 404),
        ("reconsider", (), "delegate", 403),
        ("reconsider", (), "submitter", 403),
        ("appeals", (), "stranger", 404),
        ("appeals", (), "delegate", 403),
        ("appeals", (), "submitter", 403),
        ("appeal", (1,), "delegate", 403),
        ("appeal", (1,), "submitter", 403),
        ("alternative", (2,), "stranger", 404),
        ("alternative", (2,), "delegate", 403),
        ("alternative", (2,), "appeals only", 403),
        ("extension", (), "delegate", 403),
        ("extension", (), "appeals only", 403),
    ],
)
def test_who_may_open_each_page(catalog, reviewer, signed_in_client, name, args, who, status):  # noqa: F811
    case = decided_case("axd", by=reviewer)
    appeals.appeal_draft_start(case=case, user=appeals_user(case))
    user = {
        "stranger": UserFactory(),
        "delegate": delegate_of(case),
        "submitter": case.created_by,  # case submission, no appeals entitlement
        "appeals only": appeals_user(case),
    }[who]
    client = signed_in_client(user)
    for method in (client.get, client.post):
        response = method(url(name, case, *args))
        assert response.status_code == status
        assert "Appeal 1" not in page_text(response)
    assert Appeal.objects.get(case=case).reason == ""


def test_the_pages_need_a_signed_in_user(catalog, reviewer, client):  # noqa: F811
    case = decided_case("ddd", by=reviewer)
    for name in ("reconsider", "appeals", "extension"):
        response = client.get(url(name, case))
        assert response.status_code == 302 and "login" in response["Location"]


def test_a_reconsideration_is_prefilled_without_javascript_and_sent(catalog, reviewer, signed_in_client):  # noqa: F811
    case = decided_case("adx", by=reviewer)
    user = appeals_user(case)
    client = signed_in_client(user)
    page = client.get(url("reconsider", case))
    assert page.status_code == 200
    text = page_text(page)
    assert "No documented trial of a standard wheelchair." in text and "dme guideline" in text
    assert "Reconsider the original item" in text
    assert AuditEvent.objects.filter(action="case.viewed", actor=user, details__page="reconsideration").exists()

    prefilled = client.post(url("reconsider", case), {"reason": "Trial done.", "prefill": "1"})
    assert prefilled.status_code == 200
    assert "Line 2 (" in page_text(prefilled) and "Trial done." in page_text(prefilled)
    assert not Reconsideration.objects.exists()

    bad = client.post(url("reconsider", case), {"reason": ""})
    assert bad.status_code == 200 and "There is a problem" in page_text(bad)
    assert "Reason for reconsideration: Enter reason for reconsideration" in page_text(bad)

    sent = client.post(
        url("reconsider", case), {"reason": "Trial done.", "documentation": "Notes.", "of_original_item": "on"}
    )
    assert sent.status_code == 302
    row = Reconsideration.objects.get(case=case)
    assert (row.reason, row.documentation, row.of_original_item, row.requested_by) == (
        "Trial done.",
        "Notes.",
        True,
        user,
    )
    assert AuditEvent.objects.filter(action="case.reconsideration_requested", actor=user).exists()
    again = client.get(url("reconsider", case))
    assert "already waiting for its decision" in page_text(again) and "<textarea" not in page_text(again)
    assert client.post(url("reconsider", case), {"reason": "Again."}).status_code == 200
    assert Reconsideration.objects.count() == 1


def test_appeals_are_started_saved_by_a_colleague_and_submitted(catalog, reviewer, signed_in_client):  # noqa: F811
    case = decided_case("ddd", by=reviewer)
    author, colleague = appeals_user(case), appeals_user(case)
    client = signed_in_client(author)
    listing = client.get(url("appeals", case))
    assert "A request cannot be escalated online." in page_text(listing)
    assert "Start an appeal" in page_text(listing)
    started = client.post(url("appeals", case))
    assert started.status_code == 302 and started["Location"] == url("appeal", case, 1)
    draft = client.get(url("appeal", case, 1))
    expires = timezone.localtime(Appeal.objects.get(case=case).draft_expires_at).date()
    assert f"This draft will be deleted on {expires:%m/%d/%Y} unless it is submitted" in page_text(draft)
    saved = client.post(url("appeal", case, 1), {"reason": "Trial failed.", "contact_name": "Pat", "save": "1"})
    assert saved.status_code == 302

    client = signed_in_client(colleague)
    bad = client.post(url("appeal", case, 1), {"reason": "", "contact_phone": "12", "submit": "1"})
    assert bad.status_code == 200 and "There is a problem" in page_text(bad)
    submitted = client.post(
        url("appeal", case, 1),
        {"reason": "Trial failed twice.", "is_expedited": "on", "contact_phone": "(860) 666-1234", "submit": "1"},
    )
    assert submitted.status_code == 302
    appeal = Appeal.objects.get(case=case)
    assert (appeal.status, appeal.submitted_by, appeal.contact_name, appeal.contact_phone) == (
        "submitted",
        colleague,
        "",
        "8606661234",
    )
    shown = page_text(client.get(url("appeal", case, 1)))
    assert f"{timezone.localtime(appeal.due_at):%m/%d/%Y}" in shown and "<textarea" not in shown
    refused = client.post(url("appeal", case, 1), {"reason": "Changed.", "save": "1"})
    assert refused.status_code == 302
    assert Appeal.objects.get(pk=appeal.pk).reason == "Trial failed twice."
    assert "must be completed before another can be started" in page_text(client.get(url("appeals", case)))
    assert client.get(url("appeal", case, 2)).status_code == 404
    actions = set(AuditEvent.objects.filter(target_id=str(case.pk)).values_list("action", flat=True))
    assert {"case.appeal_started", "case.appeal_saved", "case.appeal_submitted"} <= actions


def test_the_appeals_page_says_why_no_appeal_can_start(catalog, reviewer, signed_in_client):  # noqa: F811
    case = decided_case("ddd", by=reviewer)
    Case.objects.filter(pk=case.pk).update(decided_at=timezone.now() - datetime.timedelta(days=200))
    client = signed_in_client(appeals_user(case))
    text = page_text(client.get(url("appeals", case)))
    last_day = timezone.localdate(timezone.now() - datetime.timedelta(days=200)) + datetime.timedelta(days=180)
    assert f"The time to appeal this decision ended on {last_day:%m/%d/%Y}." in text
    assert "Start an appeal</button>" not in text
    response = client.post(url("appeals", case))
    assert response.status_code == 302 and not Appeal.objects.exists()


def test_an_expired_draft_is_explained_not_edited(catalog, reviewer, signed_in_client):  # noqa: F811
    case = decided_case("ddd", by=reviewer)
    user = appeals_user(case)
    appeal = appeals.appeal_draft_start(case=case, user=user)
    Appeal.objects.filter(pk=appeal.pk).update(draft_expires_at=timezone.now() - datetime.timedelta(minutes=1))
    client = signed_in_client(user)
    assert "not submitted within five calendar days" in page_text(client.get(url("appeal", case, 1)))
    assert client.post(url("appeal", case, 1), {"reason": "Late.", "submit": "1"}).status_code == 302
    assert Appeal.objects.get(pk=appeal.pk).status == "draft"


def test_the_alternative_is_accepted_by_its_deadline(catalog, reviewer, signed_in_client):  # noqa: F811
    case = decided_case("axd", by=reviewer)
    client = signed_in_client(case.created_by)
    assert client.get(url("alternative", case, 1)).status_code == 404  # approved, no alternative
    assert client.get(url("alternative", case, 3)).status_code == 404  # denied, no alternative
    page = page_text(client.get(url("alternative", case, 2)))
    assert "A standard wheelchair (K0001)." in page and "Accept by " in page
    assert url("reconsider", case) in page
    accepted = client.post(url("alternative", case, 2))
    assert accepted.status_code == 302
    assert "was accepted on" in page_text(client.get(url("alternative", case, 2)))
    assert client.post(url("alternative", case, 2)).status_code == 200  # explained, not accepted twice


def test_a_one_time_extension_is_requested_with_a_us_date(catalog, reviewer, signed_in_client):  # noqa: F811
    case = decided_case("aad", by=reviewer)
    client = signed_in_client(case.created_by)
    page = page_text(client.get(url("extension", case)))
    assert f"{case.valid_to:%m/%d/%Y}" in page and "Extend through" in page
    for data, message in [
        ({"requested_valid_to": "2027-01-01", "reason": "R."}, "Date must be in MM/DD/20YY"),
        ({"requested_valid_to": "02/30/2027", "reason": "R."}, "is not a real date"),
        ({"requested_valid_to": f"{case.valid_to:%m/%d/%Y}", "reason": "R."}, "Enter a date after"),
        ({"requested_valid_to": "", "reason": ""}, "There is a problem"),
    ]:
        response = client.post(url("extension", case), data)
        assert response.status_code == 200 and message in page_text(response), message
    new_day = case.valid_to + datetime.timedelta(days=30)
    sent = client.post(url("extension", case), {"requested_valid_to": f"{new_day:%m/%d/%Y}", "reason": "Therapy."})
    assert sent.status_code == 302 and sent["Location"] == url("extension", case)
    assert AuthorizationExtension.objects.get(case=case).requested_valid_to == new_day
    after = page_text(client.get(url("extension", case)))
    assert "Requested" in after and "<textarea" not in after
    extensions.extension_decide(extension=case.extension, grant=True, by=reviewer)
    assert "Granted" in page_text(client.get(url("extension", case)))


def test_a_denied_request_has_no_extension_to_ask(catalog, reviewer, signed_in_client):  # noqa: F811
    case = decided_case("ddd", by=reviewer)
    client = signed_in_client(case.created_by)
    assert "Only an active authorization can be extended" in page_text(client.get(url("extension", case)))
    response = client.post(url("extension", case), {"requested_valid_to": "01/01/2030", "reason": "R."})
    assert response.status_code == 200 and not AuthorizationExtension.objects.exists()
