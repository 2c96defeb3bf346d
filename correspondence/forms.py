"""The Message Center's filters and actions, and Settings & Preferences (seed 004)."""

from django import forms

from correspondence.models import Category, Letter, NoticeFrequency
from correspondence.selectors import Tab
from correspondence.services import MessageAction
from portal.forms import ErrorSummaryMixin


class MessageFilterForm(ErrorSummaryMixin, forms.Form):
    """Which messages to list: a tab, a category and a type (a kind of letter), and the page. Sent by GET: none of
    these is about a patient."""

    tab = forms.ChoiceField(choices=Tab.choices, required=False, widget=forms.HiddenInput)
    category = forms.ChoiceField(label="Category", choices=[("", "All categories"), *Category.choices], required=False)
    type = forms.ChoiceField(label="Type", choices=[("", "All types"), *Letter.Kind.choices], required=False)
    page = forms.IntegerField(min_value=1, required=False, widget=forms.HiddenInput)

    def state(self) -> dict[str, str]:
        """The valid part of the request, as query parameters (empty ones and invalid ones left out: a bad category
        does not drop a good type)."""
        self.is_valid()
        data = self.cleaned_data
        return {name: str(data[name]) for name in ("tab", "category", "type", "page") if data.get(name)}


class MessageActionForm(MessageFilterForm):
    """One action on one message, with the list the user was looking at so they go back to it."""

    action = forms.ChoiceField(choices=MessageAction.choices)


def _frequency_radios(label: str, *, default_label: str = "", help_text: str = "") -> forms.ChoiceField:
    choices = list(NoticeFrequency.choices)
    if default_label:
        choices = [("", f"Practice default ({default_label})"), *choices]
    return forms.ChoiceField(
        label=label, choices=choices, required=not default_label, widget=forms.RadioSelect, help_text=help_text
    )


class NoticePreferencesForm(ErrorSummaryMixin, forms.Form):
    """A user's email notice frequency for each of their practices whose letters can reach their Message Center
    (``selectors.notice_choices_of``'s ``notices``)."""

    def __init__(self, *args, choices: list[dict], **kwargs):
        super().__init__(*args, **kwargs)
        self.practice_fields = {}
        for choice in (choice for choice in choices if choice["notices"]):
            practice = choice["practice"]
            name = f"practice_{practice.pk}"
            self.fields[name] = _frequency_radios(
                f"Email notices for {practice.name} (TIN {practice.tin})",
                default_label=NoticeFrequency(choice["practice_default"]).label,
            )
            self.initial[name] = choice["own"]
            self.practice_fields[name] = practice.pk

    def choices(self) -> dict[int, str]:
        return {practice_id: self.cleaned_data[name] for name, practice_id in self.practice_fields.items()}


class MessageTypesForm(ErrorSummaryMixin, forms.Form):
    """The types of letter a user sees in their Message Center (the boxes left unticked are hidden)."""

    section = forms.CharField(widget=forms.HiddenInput, initial="message_types")
    shown = forms.MultipleChoiceField(
        label="Messages shown in the Message Center",
        choices=Letter.Kind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    summary_names = {"shown": "Messages shown in the Message Center"}


class PracticeCorrespondenceForm(ErrorSummaryMixin, forms.Form):
    """A website access manager's settings for their practice: the default email notices and paper delivery."""

    frequency = _frequency_radios(
        "Default email notices",
        help_text="For the practice's users who have not chosen their own. Each user can still choose otherwise.",
    )
    paper_precertification_letters = forms.BooleanField(
        label="Paper precertification letters",
        required=False,
        help_text="Also mail precertification-related letters on paper. Digital delivery to the Message Center "
        "is always on.",
    )
    paper_claim_letters = forms.BooleanField(
        label="Paper claim letters", required=False, help_text="Also mail claim-related letters on paper."
    )
    summary_names = {"frequency": "Default email notices"}
