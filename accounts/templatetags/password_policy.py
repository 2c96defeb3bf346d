from django import template

from accounts.password_validation import CHECKLIST, MAX_LENGTH, MAX_REPEAT, MAX_SEQUENCE, MIN_LENGTH, SPECIAL_CHARACTERS

register = template.Library()


@register.inclusion_tag("accounts/_password_checklist.html")
def password_checklist(input_id: str):
    """Seed 000's "Strength" checklist for the password input with this id."""
    return {
        "input_id": input_id,
        "live_items": [item for item in CHECKLIST if item.checked_live],
        "submit_items": [item for item in CHECKLIST if not item.checked_live],
        "min_length": MIN_LENGTH,
        "max_length": MAX_LENGTH,
        "max_repeat": MAX_REPEAT,
        "max_sequence": MAX_SEQUENCE,
        "special": SPECIAL_CHARACTERS,
    }
