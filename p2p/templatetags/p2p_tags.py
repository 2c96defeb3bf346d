"""Template filters of the P2P tool."""

from django import template

from p2p.models import US_TIME_ZONES

register = template.Library()

_LABELS = dict(US_TIME_ZONES)


@register.filter
def zone_label(name: str) -> str:
    """ "America/New_York" as the seed shows it ("US/Eastern"); an unknown name as it is."""
    return _LABELS.get(name, name)
