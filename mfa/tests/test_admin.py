import pytest
from django.utils import timezone

from accounts.tests.factories import UserFactory
from audit.models import AuditEvent
from mfa.models import EmailPinDevice, RememberedDevice
from mfa.tests.factories import EmailPinDeviceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def reviewer_client(signed_in_client):
    return signed_in_client(UserFactory(username="rnsupport", is_staff=True, is_superuser=True))


def test_support_sees_pin_devices_masked_and_never_the_pin_hash(reviewer_client, django_assert_max_num_queries):
    for number in range(5):
        device = EmailPinDeviceFactory(user=UserFactory(email=f"staff{number}@clinic.example"))
        device.generate_token()
    with django_assert_max_num_queries(12):
        page = reviewer_client.get("/admin/mfa/emailpindevice/").content.decode()
    assert "s*****0@c*****.example" in page
    assert all(device.token_hash not in page for device in EmailPinDevice.objects.all())


def test_support_can_lift_a_throttle_and_it_is_audited(reviewer_client):
    device = EmailPinDeviceFactory(throttling_failure_count=7, throttling_failure_timestamp=timezone.now())
    reviewer_client.post("/admin/mfa/emailpindevice/", {"action": "reset_throttling", "_selected_action": [device.pk]})
    device.refresh_from_db()
    assert device.throttling_failure_count == 0
    assert AuditEvent.objects.filter(action="mfa.throttle_reset", target_id=str(device.pk)).exists()


def test_support_can_forget_a_lost_laptop_and_it_is_audited(reviewer_client):
    owner = UserFactory()
    now = timezone.now()
    remembered = RememberedDevice.objects.create(
        user=owner,
        token_hash="0" * 64,
        otp_device_id="mfa.emailpindevice/1",
        password_fingerprint="0" * 64,
        label="Chrome on Windows",
        expires_at=now + timezone.timedelta(days=30),
    )
    reviewer_client.post("/admin/mfa/remembereddevice/", {"action": "forget", "_selected_action": [remembered.pk]})
    assert not RememberedDevice.objects.exists()
    event = AuditEvent.objects.get(action="mfa.remembered_device_forgotten")
    assert event.actor_username == "rnsupport" and event.details == {"user": owner.pk}
