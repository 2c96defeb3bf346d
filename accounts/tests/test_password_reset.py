import datetime
import re

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from accounts.models import PasswordResetCode
from accounts.password_reset import MAX_FAILED_ATTEMPTS, mask_email
from accounts.tests.factories import UserFactory
from audit.models import AuditEvent
from reference.tests.digits import arabic_indic

pytestmark = pytest.mark.django_db
NEW_PASSWORD = "Rv9?Lp2+Wd7.Hs4"


@pytest.fixture
def user():
    return UserFactory(
        username="mmcdonagan", first_name="Mary", last_name="Mc Donagan", email="mmcdonagan@office.example"
    )


def start(client, username="mmcdonagan"):
    client.post("/accounts/password/forgot/", {"username": username})


def send_code(client) -> str:
    client.post("/accounts/password/forgot/verify/", {"action": "send"})
    return re.search(r"\b(\d{6})\b", mail.outbox[-1].body).group(1)


def test_the_address_is_masked_as_the_seed_shows():
    assert mask_email("mmcdonagan@office.example") == "mmc*****gan@*****"
    assert mask_email("al@x.example") == "a*****@*****"


def test_the_three_steps_reset_the_password(client, user, django_capture_on_commit_callbacks):
    start(client)
    page = client.get("/accounts/password/forgot/verify/").content.decode()
    assert "mmc*****gan@*****" in page
    code = send_code(client)
    response = client.post("/accounts/password/forgot/verify/", {"action": "verify", "code": code})
    assert response.url == "/accounts/password/forgot/reset/"
    assert "Account is not locked" in client.get(response.url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(response.url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert done.url == "/accounts/login/"
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert mail.outbox[-1].subject == "Your password was changed"
    assert AuditEvent.objects.filter(action="account.password_reset", actor=user).exists()


def test_only_a_hash_of_the_code_is_stored(client, user):
    start(client)
    code = send_code(client)
    stored = PasswordResetCode.objects.get(user=user)
    assert code not in stored.code_hash


def test_an_unknown_user_name_walks_the_same_steps_with_a_stable_made_up_address(client, user):
    start(client, "nobody-here")
    first = client.get("/accounts/password/forgot/verify/").content.decode()
    masked = re.search(r"<strong>(\S+@\*\*\*\*\*)</strong>", first).group(1)
    response = client.post("/accounts/password/forgot/verify/", {"action": "send"}, follow=True)
    assert "If this user name is registered" in response.content.decode()
    assert mail.outbox == []
    again = client.get("/accounts/password/forgot/verify/").content.decode()
    assert masked in again
    wrong = client.post("/accounts/password/forgot/verify/", {"action": "verify", "code": "123456"})
    assert "That code is not correct or has expired." in wrong.content.decode()


def test_a_code_expires(client, user):
    start(client)
    code = send_code(client)
    PasswordResetCode.objects.update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    response = client.post("/accounts/password/forgot/verify/", {"action": "verify", "code": code})
    assert 'id="id_code_error"' in response.content.decode()


def test_a_code_works_once(client, user):
    start(client)
    code = send_code(client)
    client.post("/accounts/password/forgot/verify/", {"action": "verify", "code": code})
    other = Client()
    start(other)
    response = other.post("/accounts/password/forgot/verify/", {"action": "verify", "code": code})
    assert "That code is not correct or has expired." in response.content.decode()


def test_wrong_guesses_void_the_code(client, user):
    start(client)
    code = send_code(client)
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    for _ in range(MAX_FAILED_ATTEMPTS):
        client.post("/accounts/password/forgot/verify/", {"action": "verify", "code": wrong})
    response = client.post("/accounts/password/forgot/verify/", {"action": "verify", "code": code})
    assert response.status_code == 200
    assert "That code is not correct or has expired." in response.content.decode()


def test_a_new_code_waits_a_minute_after_the_last(client, user):
    start(client)
    send_code(client)
    response = client.post("/accounts/password/forgot/verify/", {"action": "send"}, follow=True)
    assert "less than a minute ago" in response.content.decode()
    assert len(mail.outbox) == 1


def test_step_three_cannot_be_reached_without_step_two(client, user):
    start(client)
    response = client.get("/accounts/password/forgot/reset/")
    assert response.url == "/accounts/password/forgot/"


def test_a_reset_unlocks_a_locked_account_and_ends_other_sessions(client, user, settings):
    other_session = Client()
    other_session.post("/accounts/login/", {"username": "mmcdonagan", "password": settings.DEMO_PASSWORD})
    for _ in range(settings.AXES_FAILURE_LIMIT):
        Client().post("/accounts/login/", {"username": "mmcdonagan", "password": "wrong-Password1!"})
    locked = Client().post("/accounts/login/", {"username": "mmcdonagan", "password": settings.DEMO_PASSWORD})
    assert locked.status_code == 429
    start(client)
    code = send_code(client)
    client.post("/accounts/password/forgot/verify/", {"action": "verify", "code": code})
    assert "Account is locked" in client.get("/accounts/password/forgot/reset/").content.decode()
    client.post("/accounts/password/forgot/reset/", {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert Client().post("/accounts/login/", {"username": "mmcdonagan", "password": NEW_PASSWORD}).status_code == 302
    # The session opened with the old password is over.
    assert "_auth_user_id" not in other_session.get("/").wsgi_request.session


def test_a_weak_new_password_is_refused_next_to_the_field(client, user):
    start(client)
    code = send_code(client)
    client.post("/accounts/password/forgot/verify/", {"action": "verify", "code": code})
    response = client.post("/accounts/password/forgot/reset/", {"new_password1": "short", "new_password2": "short"})
    assert 'id="id_new_password1_error"' in response.content.decode()


def test_a_code_in_arabic_indic_digits_is_refused_next_to_the_field_without_counting_as_a_guess(client, user):
    start(client)
    code = send_code(client)
    response = client.post("/accounts/password/forgot/verify/", {"action": "verify", "code": arabic_indic(code)})
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="id_code_error"' in html and "digits 0-9" in html
    assert PasswordResetCode.objects.get().failed_attempts == 0
