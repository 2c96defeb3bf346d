"""Appointment times as the seed shows them: "Mon 5/18/20 - 6:30 pm EDT", in a given zone (P2P-5, P2P-7)."""

import datetime

from p2p.models import zone


def clock(moment: datetime.datetime, time_zone: str) -> str:
    """ "6:30 pm EDT": the time of day in ``time_zone``, with the zone's abbreviation on that day (EDT or EST)."""
    local = moment.astimezone(zone(time_zone))
    hour = local.hour % 12 or 12
    return f"{hour}:{local.minute:02d} {'am' if local.hour < 12 else 'pm'} {local.tzname()}"


def appointment(moment: datetime.datetime, time_zone: str) -> str:
    """ "Mon 5/18/20 - 6:30 pm EDT": the day and time of ``moment`` (aware) in ``time_zone``."""
    local = moment.astimezone(zone(time_zone))
    return f"{local:%a} {local.month}/{local.day}/{local:%y} - {clock(moment, time_zone)}"
