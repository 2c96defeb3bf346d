"""Item 8 for ECRM's pages: login everywhere but registration, a reporter's own tickets only (404 otherwise),
attachments to the reporter and ticket-reading staff only, and an ECRM-only account kept off the portal."""

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.tests.factories import UserFactory
from ecrm import tickets
from ecrm.middleware import SESSION_ECRM_PROFILE
from ecrm.models import RequestForm
from ecrm.selectors import is_ecrm_only
from ecrm.tests.factories import ecrm_user
from practices.services import practice_join
from practices.tests.factories import PracticeMembershipFactory
from reference.models import HealthPlan

pytestmark = pytest.mark.django_db


@pytest.fixture
def ticket(ecrm_catalog):
    form = RequestForm.objects.get(slug="provider-services")
    return tickets.ticket_submit(
        request=None,
        user=ecrm_user(),
        request_form=form,
        data={
            "short_description": "Wrong fax number",
            "carrier_scope": "all",
            "health_plans": [],
            "request_type": form.request_types.first(),
        },
        files=[SimpleUploadedFile("fax.txt", b"fax")],
    )


def attachment_url(ticket):
    return f"/ecrm/tickets/{ticket.number}/attachments/{ticket.attachments.get().pk}/"


@pytest.mark.parametrize(
    "path",
    ["/ecrm/submit/", "/ecrm/submit/claims/", "/ecrm/forms/provider-services/", "/ecrm/tickets/EC00000001/"],
)
def test_every_page_but_registration_needs_a_login(client, ticket, path):
    response = client.get(path)
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")


def test_a_visitor_sees_what_ecrm_is_with_log_in_and_register(client):
    page = client.get("/ecrm/").content.decode()
    assert "Log in" in page and 'href="/ecrm/register/"' in page


def test_another_users_ticket_is_a_404_like_a_missing_number(ticket, signed_in_client):
    client = signed_in_client(ecrm_user())
    assert client.get(f"/ecrm/tickets/{ticket.number}/").status_code == 404
    assert client.get("/ecrm/tickets/EC99999999/").status_code == 404
    assert client.get("/ecrm/tickets/12/").status_code == 404
    assert signed_in_client(ticket.reporter).get(f"/ecrm/tickets/{ticket.number}/").status_code == 200


def test_an_attachment_is_a_404_for_anyone_but_the_reporter_and_ticket_staff(ticket, signed_in_client):
    assert signed_in_client(ecrm_user()).get(attachment_url(ticket)).status_code == 404
    portal_user = UserFactory()
    PracticeMembershipFactory(user=portal_user, manager=True)
    assert signed_in_client(portal_user).get(attachment_url(ticket)).status_code == 404
    assert signed_in_client(UserFactory(is_staff=True)).get(attachment_url(ticket)).status_code == 404
    agent = UserFactory(is_staff=True)
    agent.user_permissions.add(Permission.objects.get(codename="view_ticket", content_type__app_label="ecrm"))
    response = signed_in_client(agent).get(attachment_url(ticket))
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment")
    wrong = f"/ecrm/tickets/{ticket.number}/attachments/999999/"
    assert signed_in_client(ticket.reporter).get(wrong).status_code == 404


def test_an_ecrm_only_account_is_sent_from_the_portals_pages_to_ecrm(signed_in_client):
    client = signed_in_client(ecrm_user())
    for path in ("/", "/cases/worklist/", "/cases/request/", "/eligibility/", "/account/user-access/"):
        response = client.get(path)
        assert response.status_code == 302 and response.url == "/ecrm/", path
    page = client.get("/ecrm/").content.decode()
    assert "Authorization Lookup" not in page and "Submit Case" in page


def test_a_portal_user_keeps_the_portal_and_reaches_ecrm_from_the_header(ecrm_catalog, signed_in_client):
    user = UserFactory()
    PracticeMembershipFactory(user=user, manager=True)
    client = signed_in_client(user)
    home = client.get("/")
    assert home.status_code == 200 and 'href="/ecrm/"' in home.content.decode()
    assert client.get("/ecrm/forms/provider-services/").status_code == 200


def test_an_ecrm_registration_taken_in_by_a_practice_sees_the_portal(signed_in_client):
    user = ecrm_user()
    PracticeMembershipFactory(user=user)
    assert signed_in_client(user).get("/").status_code == 200


def test_an_ecrm_registration_taken_in_during_its_session_sees_the_portal_at_once(signed_in_client):
    user = ecrm_user()
    client = signed_in_client(user)
    assert client.get("/cases/worklist/").url == "/ecrm/"
    practice_join(user=user, tin="123456789")
    assert client.get("/cases/worklist/").status_code == 200


def test_a_portal_user_is_asked_for_an_ecrm_profile_once_a_session(ecrm_catalog, client):
    """A profile is made only by ECRM registration, with a new account: the session remembers there is none from
    its first signed-in request on."""
    user = UserFactory()
    PracticeMembershipFactory(user=user, manager=True)
    client.force_login(user)
    for path, expected_asks in (("/mfa/", 1), ("/mfa/", 0), ("/cases/", 0), ("/cases/", 0)):
        with CaptureQueriesContext(connection) as queries:
            client.get(path)
        assert len([query for query in queries if "ecrm_ecrmprofile" in query["sql"]]) == expected_asks, path
    assert client.session[SESSION_ECRM_PROFILE] == [user.pk, False]


def test_an_ecrm_account_is_asked_its_memberships_on_portal_pages_only(signed_in_client):
    user = ecrm_user()
    client = signed_in_client(user)
    for path, expected_asks in (("/resources/", 0), ("/cases/", 1), ("/resources/", 0), ("/", 1)):
        with CaptureQueriesContext(connection) as queries:
            client.get(path)
        assert len([query for query in queries if "practices_practicemembership" in query["sql"]]) == expected_asks
    assert client.session[SESSION_ECRM_PROFILE] == [user.pk, True]


def test_the_remembered_answer_belongs_to_the_user_who_asked(signed_in_client):
    """Another account signed in on the same browser is asked afresh (login flushes the session anyway)."""
    client = signed_in_client(UserFactory())
    client.get("/")
    client = signed_in_client(ecrm_user(), client)
    assert client.get("/").url == "/ecrm/"


def test_ecrm_only_is_one_query_and_staff_are_never_ecrm_only(django_assert_num_queries):
    user = ecrm_user()
    with django_assert_num_queries(1):
        assert is_ecrm_only(user)
    PracticeMembershipFactory(user=user)
    assert not is_ecrm_only(user)
    assert not is_ecrm_only(UserFactory())
    assert not is_ecrm_only(ecrm_user(user__is_staff=True))


def test_garbage_in_the_form_is_a_400_never_a_500(ecrm_catalog, signed_in_client):
    client = signed_in_client(ecrm_user())
    plan = HealthPlan.objects.first()
    response = client.post(
        "/ecrm/forms/provider-services/",
        {
            "carrier": ["x", str(plan.pk)],
            "health_plans": ["\x00", "-1"],
            "request_type": "1e9",
            "subrequest": "[]",
            "description": "\x00<script>",
            "contact_email": "not-an-email",
        },
    )
    assert response.status_code == 400
    assert client.get("/ecrm/forms/no-such-form/").status_code == 404
    assert client.post("/ecrm/forms/no-such-form/favorite/").status_code == 404
    assert client.get("/ecrm/forms/provider-services/favorite/").status_code == 405


@pytest.mark.parametrize(
    ("method", "suffix"),
    [
        ("get", ""),
        ("get", "activity/"),
        ("post", "activity/"),
        ("get", "edit/"),
        ("post", "edit/"),
    ],
)
def test_every_view_of_another_users_ticket_is_a_404(ticket, signed_in_client, method, suffix):
    stranger = signed_in_client(ecrm_user())
    response = getattr(stranger, method)(f"/ecrm/tickets/{ticket.number}/{suffix}", {"body": "hello"})
    assert response.status_code == 404
    assert getattr(stranger, method)(f"/ecrm/tickets/EC99999999/{suffix}", {"body": "x"}).status_code == 404
    assert not ticket.comments.exists()
    # Staff on the provider pages are like any other user (agents work in the admin).
    agent = UserFactory(is_staff=True, is_superuser=True)
    assert getattr(signed_in_client(agent), method)(f"/ecrm/tickets/{ticket.number}/{suffix}").status_code == 404


def test_my_cases_never_lists_another_users_ticket(ticket, signed_in_client):
    page = signed_in_client(ecrm_user()).get("/ecrm/my-cases/").content.decode()
    assert ticket.number not in page and "Open (0)" in page
