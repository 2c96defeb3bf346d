"""ACC-6: Forgot Password answers the same for a registered user name and a made-up one."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client

from accounts.models import PasswordResetSend
from accounts.password_reset import RESEND_COOLDOWN, masked_address_for
from accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

SHORT_MASK = re.compile(r"[a-z0-9._-]\*{5}@\*{5}")
LONG_MASK = re.compile(r"[a-z0-9._-]{3}\*{5}[a-z0-9._-]{3}@\*{5}")
VERIFY = "/accounts/password/forgot/verify/"


@pytest.fixture
def short_user():
    return UserFactory(username="jqxw", email="jqx@office.example")


@pytest.fixture
def long_user():
    return UserFactory(username="mmcdonagan", email="mmcdonagan@office.example")


def shape(mask: str) -> str:
    if SHORT_MASK.fullmatch(mask):
        return "short"
    if LONG_MASK.fullmatch(mask):
        return "long"
    return f"unexpected: {mask}"


def test_a_real_user_name_shows_its_own_address_masked_in_the_short_or_the_long_shape(short_user, long_user):
    assert masked_address_for("jqxw") == "j*****@*****"
    assert masked_address_for("mmcdonagan") == "mmc*****gan@*****"


def test_made_up_masks_for_unknown_user_names_take_the_same_two_shapes_as_real_ones():
    shapes = [shape(masked_address_for(f"no-such-user-{number}")) for number in range(200)]
    assert set(shapes) == {"short", "long"}
    # Real local parts of six letters or fewer are common; the made-up ones must not all be long.
    assert 20 <= shapes.count("short") <= 120


def test_an_unknown_user_names_mask_is_stable_and_differs_from_name_to_name():
    assert masked_address_for("nobody-here") == masked_address_for("nobody-here")
    assert len({masked_address_for(f"nobody-{number}") for number in range(20)}) > 15


def test_the_made_up_mask_depends_on_the_secret_key(settings):
    before = masked_address_for("nobody-here")
    settings.SECRET_KEY = "another-secret-key-for-this-test-only-" + "x" * 20
    assert masked_address_for("nobody-here") != before


def start(client, username):
    client.post("/accounts/password/forgot/", {"username": username})


def send(client):
    return client.post(VERIFY, {"action": "send"}, follow=True)


@pytest.mark.parametrize("username", ["mmcdonagan", "nobody-here"])
def test_a_quick_second_send_gets_the_same_cooldown_message_for_a_real_and_an_unknown_user_name(long_user, username):
    client = Client()
    start(client, username)
    assert "If this user name is registered" in send(client).content.decode()
    again = send(client).content.decode()
    assert "A code was sent less than a minute ago." in again
    assert "If this user name is registered" not in again


@pytest.mark.parametrize("username", ["mmcdonagan", "nobody-here"])
def test_the_cooldown_holds_for_the_user_name_in_a_new_session_too(long_user, username):
    first, second = Client(), Client()
    start(first, username)
    send(first)
    start(second, username)
    assert "A code was sent less than a minute ago." in send(second).content.decode()


def test_the_cooldown_of_one_user_name_does_not_hold_up_another(long_user):
    client = Client()
    start(client, "nobody-here")
    send(client)
    start(client, "mmcdonagan")
    assert "If this user name is registered" in send(client).content.decode()
    assert len(mail.outbox) == 1


@pytest.mark.parametrize("username", ["mmcdonagan", "nobody-here"])
def test_a_minute_later_a_new_code_can_be_sent(long_user, username):
    client = Client()
    start(client, username)
    send(client)
    a_minute_ago = PasswordResetSend.objects.get().sent_at - RESEND_COOLDOWN - timedelta(seconds=1)
    PasswordResetSend.objects.update(sent_at=a_minute_ago)
    assert "If this user name is registered" in send(client).content.decode()


def transcript(username: str) -> list:
    """Every step of Forgot Password as an outsider sees it: status, redirect and page (messages included),
    with the masked address, CSRF tokens and the typed user name taken out."""
    client, seen = Client(), []

    def record(response):
        body = response.content.decode()
        body = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", body)
        body = body.replace(masked_address_for(username), "MASK").replace(username, "NAME")
        seen.append((response.status_code, response.get("Location"), body))

    record(client.get("/accounts/password/forgot/"))
    record(client.post("/accounts/password/forgot/", {"username": username}))
    record(client.get(VERIFY))
    record(client.post(VERIFY, {"action": "send"}))
    record(client.get(VERIFY))
    record(client.post(VERIFY, {"action": "send"}))
    record(client.get(VERIFY))
    record(client.post(VERIFY, {"action": "verify", "code": "12ab56"}))
    record(client.post(VERIFY, {"action": "verify", "code": "000000"}))
    record(client.get("/accounts/password/forgot/reset/"))
    record(client.get("/accounts/password/forgot/"))
    return seen


@pytest.mark.parametrize("real", ["jqxw", "mmcdonagan"])
def test_a_real_and_an_unknown_user_name_walk_the_three_steps_with_the_same_responses(short_user, long_user, real):
    real_steps, unknown_steps = transcript(real), transcript(f"{real}-not-registered")
    for number, (real_step, unknown_step) in enumerate(zip(real_steps, unknown_steps, strict=True)):
        assert real_step == unknown_step, f"step {number} differs"


def test_the_typed_user_name_is_kept_only_as_a_keyed_digest(long_user):
    client = Client()
    start(client, "nobody-here")
    send(client)
    stored = PasswordResetSend.objects.values().get()
    assert "nobody-here" not in str(stored.values())
    assert len(stored["username_digest"]) == 64
