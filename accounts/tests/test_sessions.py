import datetime

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.middleware import SESSION_LAST_ACTIVITY, SESSION_STARTED, activity_resolution
from accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(client, settings):
    UserFactory(username="mjohnson")
    client.post("/accounts/login/", {"username": "mjohnson", "password": settings.DEMO_PASSWORD})
    client.get("/resources/")
    return client


def move_session(client, **deltas):
    session = client.session
    for key, delta in deltas.items():
        moment = datetime.datetime.fromisoformat(session[key]) - delta
        session[key] = moment.isoformat()
    session.save()


def test_the_activity_resolution_is_a_minute_at_fifteen_minutes_and_a_fifteenth_of_a_short_timeout(settings):
    assert activity_resolution() == datetime.timedelta(minutes=1)
    settings.SESSION_IDLE_TIMEOUT = datetime.timedelta(seconds=30)
    assert activity_resolution() == datetime.timedelta(seconds=2)


def test_a_session_idle_past_the_limit_is_ended_on_the_server(signed_in, settings):
    idle = settings.SESSION_IDLE_TIMEOUT + activity_resolution()
    move_session(signed_in, **{SESSION_LAST_ACTIVITY: idle + datetime.timedelta(seconds=1)})
    response = signed_in.get("/resources/", follow=True)
    assert response.redirect_chain[0][0] == "/accounts/login/?next=/resources/"
    assert "signed out after 15 minutes without activity" in response.content.decode()
    assert "_auth_user_id" not in signed_in.session


def test_the_session_ends_no_sooner_than_the_idle_timeout_after_the_last_request(signed_in, settings):
    """The recorded activity may lag the last request by the resolution: the limit counts it in, so a session
    recorded a second short of the timeout plus the resolution ago is still open."""
    idle = settings.SESSION_IDLE_TIMEOUT + activity_resolution()
    move_session(signed_in, **{SESSION_LAST_ACTIVITY: idle - datetime.timedelta(seconds=1)})
    response = signed_in.get("/resources/")
    assert response.status_code == 200 and "_auth_user_id" in signed_in.session


def test_a_request_within_the_resolution_of_the_recorded_activity_does_not_save_the_session(signed_in):
    move_session(signed_in, **{SESSION_LAST_ACTIVITY: activity_resolution() - datetime.timedelta(seconds=5)})
    recorded = signed_in.session[SESSION_LAST_ACTIVITY]
    with CaptureQueriesContext(connection) as queries:
        response = signed_in.get("/resources/")
    assert response.status_code == 200
    assert not [query for query in queries if "django_session" in query["sql"] and "UPDATE" in query["sql"]]
    assert django_settings.SESSION_COOKIE_NAME not in response.cookies  # nor a new cookie
    assert signed_in.session[SESSION_LAST_ACTIVITY] == recorded

    move_session(signed_in, **{SESSION_LAST_ACTIVITY: datetime.timedelta(seconds=10)})
    signed_in.get("/resources/")
    last = datetime.datetime.fromisoformat(signed_in.session[SESSION_LAST_ACTIVITY])
    assert timezone.now() - last < datetime.timedelta(seconds=5)


def test_activity_keeps_the_session_alive(signed_in, settings):
    move_session(signed_in, **{SESSION_LAST_ACTIVITY: settings.SESSION_IDLE_TIMEOUT - datetime.timedelta(seconds=30)})
    signed_in.get("/resources/")
    last = datetime.datetime.fromisoformat(signed_in.session[SESSION_LAST_ACTIVITY])
    assert timezone.now() - last < datetime.timedelta(seconds=5)


def test_every_session_ends_after_twelve_hours_however_active(signed_in, settings):
    move_session(signed_in, **{SESSION_STARTED: settings.SESSION_ABSOLUTE_TIMEOUT + datetime.timedelta(seconds=1)})
    response = signed_in.get("/resources/", follow=True)
    assert "sessions last at most 12 hours" in response.content.decode()


def test_reading_the_time_left_is_not_activity_but_staying_signed_in_is(signed_in, settings):
    move_session(signed_in, **{SESSION_LAST_ACTIVITY: datetime.timedelta(minutes=10)})
    # Five minutes of the fifteen left, and the resolution the server counts in: 360 seconds.
    status = signed_in.get("/accounts/session/").json()
    assert 340 <= status["remaining_seconds"] <= 360
    assert signed_in.get("/accounts/session/").json()["remaining_seconds"] <= 360
    extended = signed_in.post("/accounts/session/extend/").json()
    idle = settings.SESSION_IDLE_TIMEOUT + activity_resolution()
    assert extended["remaining_seconds"] == idle.total_seconds()
    assert signed_in.get("/accounts/session/").json()["remaining_seconds"] > 940


def test_session_endpoints_answer_401_json_when_signed_out(client):
    assert client.get("/accounts/session/").status_code == 401
    assert client.post("/accounts/session/extend/").json() == {"signed_in": False}


def test_signed_in_pages_carry_the_warning_dialog_and_its_timings(signed_in):
    html = signed_in.get("/resources/").content.decode()
    assert 'data-session-idle="900"' in html
    assert "You will be signed out soon" in html


def test_the_time_left_is_answered_before_any_activity_was_recorded(client, settings):
    # The poll may be a session's first request after the password (the crawler found a KeyError here).
    client.force_login(UserFactory())
    response = client.get("/accounts/session/")
    assert response.status_code == 200
    idle = settings.SESSION_IDLE_TIMEOUT + activity_resolution()
    assert response.json()["remaining_seconds"] == int(idle.total_seconds())
