import pytest
from django.core.exceptions import ImproperlyConfigured

from delivery.sms import send_sms


def test_without_a_provider_production_refuses_to_send_rather_than_print_the_pin(settings):
    settings.SMS_BACKEND = "delivery.sms.backends.unconfigured.SMSBackend"
    with pytest.raises(ImproperlyConfigured):
        send_sms(to="+18605550142", body="Your PIN is 123456")
