"""The user's default time zone for the P2P tool (P2P-2), kept on their profile (``User.time_zone``)."""

from django.core.exceptions import ValidationError

from audit.services import audit_record
from p2p.models import US_TIME_ZONE_NAMES


def user_time_zone_set(*, user, time_zone: str, request=None) -> None:
    """Save ``time_zone`` (one of the offered US zones) as ``user``'s default; audited when it changes."""
    if time_zone not in US_TIME_ZONE_NAMES:
        raise ValidationError({"time_zone": "Select a zone from the list."})
    previous = user.time_zone
    if previous == time_zone:
        return
    user.time_zone = time_zone
    user.save(update_fields=["time_zone"])
    audit_record(
        action="account.time_zone_set",
        request=request,
        actor=user,
        target=user,
        details={"from": previous, "to": time_zone},
    )
