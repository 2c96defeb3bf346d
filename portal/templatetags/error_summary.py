from django import template

from portal import forms

register = template.Library()


@register.simple_tag
def error_summary_entries(*forms_to_list):
    """``{% error_summary_entries form other_form as entries %}``: the summary's entries for the forms given."""
    return forms.error_summary_entries(*forms_to_list)
