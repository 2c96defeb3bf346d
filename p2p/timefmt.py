"""Appointment times as the seed shows them: "Mon 5/18/20 - 6:30 pm EDT", in a given zone (P2P-5, P2P-7)."""

import datetime

from p2p.models import zone


def local_clock(local: datetime.datetime) -> str:
    """ "6:30 pm EDT": an aware time of day as its own zone reads it, with that day's abbreviation (EDT or EST)."""
    hour = local.hour % 12 or 12
    return f"{hour}:{local.minute:02d} {'am' if local.hour < 12 else 'pm'} {local.tzname()}"


def clock(moment: datetime.datetime, time_zone: str) -> str:
    """ "6:30 pm EDT": the time of day of ``moment`` (aware) in ``time_zone``."""
    return local_clock(moment.astimezone(zone(time_zone)))


def appointment(moment: datetime.datetime, time_zone: str) -> str:
    """ "Mon 5/18/20 - 6:30 pm EDT": the day and time of ``moment`` (aware) in ``time_zone``."""
    local = moment.astimezone(zone(time_zone))
    return f"{local:%a} {local.month}/{local.day}/{local:%y} - {local_clock(local)}"
