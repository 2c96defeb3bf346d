from django import forms

from portal.forms import ErrorSummaryMixin
from reference.models import Program


class GuidelineSearchForm(ErrorSummaryMixin, forms.Form):
    health_plan = forms.CharField(
        label="Search by Health Plan",
        required=False,
        max_length=120,
        help_text='Type your health plan\'s name. To view all guidelines, type "EviCore healthcare".',
    )
    program = forms.ModelChoiceField(
        label="Solution / program",
        required=False,
        queryset=Program.objects.filter(guidelines__isnull=False).distinct().order_by("sort_order"),
        to_field_name="code",
        empty_label="All programs",
    )

    summary_names = {"health_plan": "Health plan", "program": "Program"}
