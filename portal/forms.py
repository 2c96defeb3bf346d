from django.forms.renderers import TemplatesSetting


class PortalFormRenderer(TemplatesSetting):
    """Every form field renders through one include: label, hint, error next to the field, input.

    Django 5.2 already points ``aria-describedby`` at ``<id>_helptext`` and ``<id>_error``; the
    include gives those ids to the hint and the message (GOV.UK Design System form pattern).
    """

    field_template_name = "includes/_field.html"
