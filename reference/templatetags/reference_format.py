from django import template

from reference.validators import format_us_phone

register = template.Library()


@register.filter
def us_phone(digits):
    """866-668-9250, the way the seeds print phone and fax numbers."""
    return format_us_phone(digits or "")
