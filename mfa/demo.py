"""Demo logins arrive with MFA set up: a confirmed email device, so the PIN lands in var/mail/."""

from django.db import transaction

from accounts.demo import DEMO_USERS
from accounts.models import User
from mfa.models import EmailPinDevice


@transaction.atomic
def mfa_demo_devices_ensure() -> int:
    """Give each demo login without a device a confirmed email device; returns how many were added."""
    added = 0
    for user in User.objects.filter(username__in=[demo.username for demo in DEMO_USERS]):
        if not EmailPinDevice.objects.filter(user=user).exists():
            EmailPinDevice.objects.create(user=user, name="Email", email=user.email, confirmed=True)
            added += 1
    return added
