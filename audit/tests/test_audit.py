import pytest
from django.test import RequestFactory

from accounts.tests.factories import UserFactory
from audit.models import AuditEvent
from audit.services import audit_record

pytestmark = pytest.mark.django_db


def test_an_event_records_who_what_and_from_where():
    user = UserFactory(username="mjohnson")
    request = RequestFactory().get("/", REMOTE_ADDR="203.0.113.7", HTTP_USER_AGENT="Firefox")
    request.user = user
    event = audit_record(action="auth.login", request=request, target=user, details={"method": "password"})
    assert (event.actor, event.actor_username, event.ip_address) == (user, "mjohnson", "203.0.113.7")
    assert (event.target_type, event.target_id) == ("accounts.user", str(user.pk))
    assert event.user_agent == "Firefox"


def test_a_failed_login_keeps_the_typed_name_without_an_actor():
    request = RequestFactory().post("/accounts/login/", REMOTE_ADDR="198.51.100.4")
    from django.contrib.auth.models import AnonymousUser

    request.user = AnonymousUser()
    event = audit_record(action="auth.login_failed", request=request, actor_username="nobody")
    assert event.actor is None
    assert event.actor_username == "nobody"


def test_events_survive_the_deletion_of_their_actor():
    user = UserFactory(username="leaver")
    audit_record(action="auth.login", actor=user)
    user.delete()
    assert AuditEvent.objects.get().actor_username == "leaver"
