"""ACC-5, "Email or SMS": only the chosen method's field is checked, so changing one's mind is never blocked."""

import pytest
from django.core import mail

from mfa.models import EmailPinDevice, SMSPinDevice

pytestmark = pytest.mark.django_db


def test_email_goes_on_after_a_refused_sms_number_is_left_in_the_hidden_phone_field(password_client, sms_outbox):
    refused = password_client.post("/mfa/setup/", {"method": "sms", "phone": "not a number"}).content.decode()
    assert "Enter a 10-digit US number" in refused

    # The phone field is hidden again, but the browser still posts what was typed into it.
    response = password_client.post(
        "/mfa/setup/", {"method": "email", "email": "front.desk@office.example", "phone": "not a number"}
    )
    assert response.status_code == 302 and response.url == "/mfa/verify/"
    assert EmailPinDevice.objects.get().email == "front.desk@office.example"
    assert mail.outbox[-1].to == ["front.desk@office.example"]
    assert not SMSPinDevice.objects.exists() and sms_outbox == []


def test_sms_goes_on_after_a_refused_address_is_left_in_the_hidden_email_field(password_client, sms_outbox):
    response = password_client.post("/mfa/setup/", {"method": "sms", "email": "nope", "phone": "(866) 668-4321"})
    assert response.status_code == 302 and response.url == "/mfa/verify/"
    assert [message.to for message in sms_outbox] == ["+18666684321"]
    assert not EmailPinDevice.objects.exists() and mail.outbox == []


def test_only_the_chosen_methods_error_is_shown(password_client):
    page = password_client.post(
        "/mfa/setup/", {"method": "email", "email": "nope", "phone": "not a number"}
    ).content.decode()
    assert "Enter an email address in the correct format" in page
    assert "Enter a 10-digit US number" not in page
    assert 'id="id_phone_error"' not in page
    # What was typed for SMS stays in its (hidden) field, should the user switch back.
    assert 'value="not a number"' in page


def test_without_a_method_only_the_method_is_asked_for(password_client):
    page = password_client.post("/mfa/setup/", {"email": "nope", "phone": "not a number"}).content.decode()
    assert "Choose Email or SMS" in page
    assert "Enter an email address in the correct format" not in page
    assert "Enter a 10-digit US number" not in page
    assert not EmailPinDevice.objects.exists() and not SMSPinDevice.objects.exists()
