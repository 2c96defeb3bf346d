"""The small forms of a ticket's admin page (issue 13 item 7). Each only reads the input; the rules are the
services' (``ecrm.tickets``), whose ValidationErrors are added to these forms by field name."""

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils.html import escape, linebreaks

from ecrm.forms import MultipleFileField, TicketForm, attachments_help
from ecrm.models import CannedReply, Ticket, TicketPriority, TicketState
from ecrm.tickets import ticket_moves
from portal.forms import ErrorSummaryMixin


def agents():
    return get_user_model().objects.filter(is_staff=True, is_active=True).order_by("first_name", "last_name", "pk")


def _person(user) -> str:
    return user.get_full_name() or user.get_username()


class AgentCommentForm(ErrorSummaryMixin, forms.Form):
    """An additional comment (shown to the reporter and emailed) or a work note (internal), as plain text, with
    files checked as the reporter's are (``ecrm.forms``: count and size caps, any type). A canned reply chosen
    while the message is empty is posted as the message (works without JavaScript)."""

    kind = forms.ChoiceField(
        label="Post as",
        widget=forms.RadioSelect,
        initial="comment",
        choices=[
            ("comment", "Additional comment (shown to the reporter and emailed)"),
            ("work_note", "Work note (internal: never shown to the reporter)"),
        ],
    )
    canned_reply = forms.ModelChoiceField(
        label="Canned reply",
        queryset=CannedReply.objects.none(),
        required=False,
        empty_label="None",
        help_text="Used as the message when the message is left empty.",
    )
    body = forms.CharField(label="Message", required=False, max_length=20000, widget=forms.Textarea(attrs={"rows": 5}))
    attachments = MultipleFileField(label="Add Attachments", required=False)
    summary_names = {"kind": "Post as", "body": "Message"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, prefix="comment", **kwargs)
        self.fields["canned_reply"].queryset = CannedReply.objects.all()
        self.fields["attachments"].help_text = f"{attachments_help()} A work note's files stay internal."

    clean_attachments = TicketForm.clean_attachments

    def clean(self):
        cleaned = super().clean()
        text = (cleaned.get("body") or "").strip()
        if not text and cleaned.get("canned_reply"):
            text = cleaned["canned_reply"].body.strip()
        if not text and not cleaned.get("attachments") and not self.has_error("attachments"):
            self.add_error("body", "Type the message, choose a canned reply, or add an attachment")
        # Plain text to the HTML the service sanitizes and the reporter's Activity shows.
        cleaned["body_html"] = linebreaks(escape(text)) if text else ""
        if self.errors and cleaned.get("attachments"):
            # A browser never sends a file back: say so rather than lose it silently.
            self.add_error("attachments", "Choose your attachments again after correcting the other answers")
        return cleaned


class StateForm(ErrorSummaryMixin, forms.Form):
    """The moves ``ticket_transition`` allows from the ticket's state, and only those."""

    to = forms.ChoiceField(label="New state")
    reason = forms.CharField(label="Reason (optional)", required=False, max_length=300)
    summary_names = {"to": "New state"}

    def __init__(self, *args, ticket: Ticket, **kwargs):
        super().__init__(*args, prefix="state", **kwargs)
        self.fields["to"].choices = [("", "Choose a state")] + [
            (state, TicketState(state).label) for state in ticket_moves(ticket)
        ]


class PriorityForm(ErrorSummaryMixin, forms.Form):
    priority = forms.TypedChoiceField(label="Priority", coerce=int, choices=TicketPriority.choices)
    summary_names = {"priority": "Priority"}

    def __init__(self, *args, ticket: Ticket, **kwargs):
        super().__init__(*args, prefix="priority", initial={"priority": ticket.priority}, **kwargs)


class AssignForm(ErrorSummaryMixin, forms.Form):
    assigned_to = forms.ModelChoiceField(
        label="Assigned to", queryset=get_user_model().objects.none(), required=False, empty_label="Nobody"
    )
    assignment_group = forms.ModelChoiceField(
        label="Assignment group", queryset=Group.objects.none(), required=False, empty_label="None"
    )
    summary_names = {"assigned_to": "Assigned to", "assignment_group": "Assignment group"}

    def __init__(self, *args, ticket: Ticket, **kwargs):
        initial = {"assigned_to": ticket.assigned_to_id, "assignment_group": ticket.assignment_group_id}
        super().__init__(*args, prefix="assign", initial=initial, **kwargs)
        self.fields["assigned_to"].queryset = agents()
        self.fields["assigned_to"].label_from_instance = _person
        self.fields["assignment_group"].queryset = Group.objects.order_by("name")
