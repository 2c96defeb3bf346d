import io

import pytest

from delivery.sms import SMSMessage, get_connection, send_sms


def test_send_sms_delivers_through_the_configured_backend_into_the_test_outbox(sms_outbox):
    assert send_sms(to="+18666689250", body="Your code is 123456") == 1
    assert sms_outbox == [SMSMessage(to="+18666689250", body="Your code is 123456")]


def test_the_file_backend_writes_one_file_per_message(settings, tmp_path):
    settings.SMS_BACKEND = "delivery.sms.backends.filebased.SMSBackend"
    settings.SMS_FILE_PATH = tmp_path / "sms"
    send_sms(to="+18666689250", body="first")
    send_sms(to="+18005550100", body="second")
    files = sorted((tmp_path / "sms").iterdir())
    assert len(files) == 2
    assert files[0].read_text() == "To: +18666689250\n\nfirst\n"


def test_the_console_backend_writes_the_message_to_its_stream():
    stream = io.StringIO()
    connection = get_connection("delivery.sms.backends.console.SMSBackend", stream=stream)
    send_sms(to="+18666689250", body="Your code is 123456", connection=connection)
    assert "SMS to: +18666689250\nYour code is 123456\n" in stream.getvalue()


@pytest.mark.parametrize("number", ["8666689250", "866-668-9250", "+1 866 668 9250", ""])
def test_a_number_that_is_not_e164_is_refused_before_any_backend_sees_it(number, sms_outbox):
    with pytest.raises(ValueError, match=r"E\.164"):
        send_sms(to=number, body="hello")
    assert sms_outbox == []


def test_an_empty_or_overlong_body_is_refused():
    with pytest.raises(ValueError):
        SMSMessage(to="+18666689250", body="")
    with pytest.raises(ValueError):
        SMSMessage(to="+18666689250", body="x" * (SMSMessage.MAX_LENGTH + 1))


def test_the_base_backend_names_the_one_method_a_provider_must_implement():
    from delivery.sms.backends.base import BaseSMSBackend

    with pytest.raises(NotImplementedError, match="send_messages"):
        BaseSMSBackend().send_messages([SMSMessage(to="+18666689250", body="hello")])
