from django import template

from reference.validators import format_us_phone

register = template.Library()


@register.filter
def us_phone(digits):
    """(860) 555-0199 for a stored phone or fax number: ``format_us_phone``, for templates."""
    return format_us_phone(digits or "")
