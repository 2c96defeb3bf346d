"""Agents work a ticket from its admin page (issue 13 item 7): comments and work notes, state, priority,
assignment, canned replies; the queues' filters; staff who may only view see no form and may not post."""

import pytest
from django.contrib import messages
from django.contrib.auth.models import Group, Permission
from django.core import mail
from django.urls import reverse

from accounts.tests.factories import UserFactory
from ecrm.admin import comment_posted_message
from ecrm.models import CannedReply, TicketChange, TicketComment, TicketPriority, TicketState
from ecrm.tests.factories import ecrm_agent, ecrm_user, ticket_submitted

pytestmark = pytest.mark.django_db


def change_permission(user):
    user.user_permissions.add(Permission.objects.get(content_type__app_label="ecrm", codename="change_ticket"))
    return user


@pytest.fixture
def agent_user():
    return change_permission(ecrm_agent())


@pytest.fixture
def agent(signed_in_client, agent_user):
    return signed_in_client(agent_user)


@pytest.fixture
def ticket(ecrm_catalog):
    return ticket_submitted()


def url(name, ticket):
    return reverse(f"admin:ecrm_ticket_{name}", args=[ticket.pk])


def test_an_additional_comment_is_emailed_and_shown_to_the_reporter_a_work_note_is_neither(
    agent, ticket, signed_in_client, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = agent.post(url("comment", ticket), {"comment-kind": "comment", "comment-body": "We fixed it."})
    assert response.status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        agent.post(url("comment", ticket), {"comment-kind": "work_note", "comment-body": "Secret: caller was rude."})
    assert [c.kind for c in ticket.comments.order_by("pk")] == ["comment", "work_note"]
    assert len(mail.outbox) == 1
    assert "We fixed it." in mail.outbox[0].body and "rude" not in mail.outbox[0].body
    note = ticket.comments.get(kind=TicketComment.Kind.WORK_NOTE)
    assert note.emailed_at is None
    reporter = signed_in_client(ticket.reporter)
    page = reporter.get(reverse("ecrm:ticket_activity", kwargs={"number": ticket.number})).content.decode()
    assert "We fixed it." in page and "rude" not in page
    admin_page = agent.get(url("change", ticket)).content.decode()
    assert "Secret: caller was rude." in admin_page and "(internal)" in admin_page


def test_an_empty_comment_is_refused_beside_the_field_and_nothing_is_saved(agent, ticket):
    response = agent.post(url("comment", ticket), {"comment-kind": "comment", "comment-body": "  "})
    assert response.status_code == 400
    assert "Type the message, choose a canned reply, or add an attachment" in response.content.decode()
    assert not ticket.comments.exists()


def test_a_canned_reply_is_posted_when_the_message_is_empty_and_ignored_when_one_is_typed(agent, ticket):
    canned = CannedReply.objects.create(title="Fixed", body="Your fax number is updated.\nThank you.")
    page = agent.get(url("change", ticket)).content.decode()
    assert f'<option value="{canned.pk}">Fixed</option>' in page
    # canned-replies.js fills the message box from this (the text escaped for a script element).
    assert 'id="canned-replies-data"' in page and "Your fax number is updated.\\nThank you." in page
    assert "ecrm/canned-replies.js" in page
    agent.post(url("comment", ticket), {"comment-kind": "comment", "comment-canned_reply": canned.pk})
    agent.post(
        url("comment", ticket),
        {"comment-kind": "work_note", "comment-canned_reply": canned.pk, "comment-body": "My own <b>words</b>"},
    )
    first, second = ticket.comments.order_by("pk")
    assert first.body_html == "<p>Your fax number is updated.<br>Thank you.</p>"
    assert second.body_html == "<p>My own &lt;b&gt;words&lt;/b&gt;</p>"


def test_only_the_moves_the_table_allows_are_offered_and_a_move_writes_history(agent, agent_user, ticket):
    page = agent.get(url("change", ticket)).content.decode()
    assert '<option value="in_progress">In Progress</option>' in page
    assert '<option value="new">' not in page
    response = agent.post(url("state", ticket), {"state-to": "resolved", "state-reason": "Done"})
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.state == TicketState.RESOLVED
    change = ticket.changes.get(kind=TicketChange.Kind.STATE)
    assert (change.from_state, change.to_state, change.changed_by, change.reason) == (
        "new",
        "resolved",
        agent_user,
        "Done",
    )
    refused = agent.post(url("state", ticket), {"state-to": "awaiting_info"})
    assert refused.status_code == 400
    ticket.refresh_from_db()
    assert ticket.state == TicketState.RESOLVED


def test_a_priority_change_writes_a_history_row_the_reporter_sees(agent, agent_user, ticket, signed_in_client):
    agent.post(url("priority", ticket), {"priority-priority": "1"})
    ticket.refresh_from_db()
    assert ticket.priority == TicketPriority.CRITICAL
    change = ticket.changes.get(kind=TicketChange.Kind.PRIORITY)
    assert (change.from_priority, change.to_priority, change.changed_by) == (3, 1, agent_user)
    page = signed_in_client(ticket.reporter).get(reverse("ecrm:ticket_activity", kwargs={"number": ticket.number}))
    assert "Priority: 3 - Moderate to 1 - Critical" in page.content.decode()
    assert agent.post(url("priority", ticket), {"priority-priority": "9"}).status_code == 400


def test_assignment_to_an_agent_and_a_group_is_history_internal_to_the_agents(agent, ticket, signed_in_client):
    other = ecrm_agent(username="peter")
    group = Group.objects.create(name="Tier 1")
    agent.post(url("assign", ticket), {"assign-assigned_to": other.pk, "assign-assignment_group": group.pk})
    ticket.refresh_from_db()
    assert (ticket.assigned_to, ticket.assignment_group) == (other, group)
    change = ticket.changes.get(kind=TicketChange.Kind.ASSIGNED)
    assert "Tier 1" in change.reason
    assert "Tier 1" in agent.get(url("change", ticket)).content.decode()
    page = signed_in_client(ticket.reporter).get(reverse("ecrm:ticket_activity", kwargs={"number": ticket.number}))
    assert "Tier 1" not in page.content.decode()
    not_staff = UserFactory()
    response = agent.post(url("assign", ticket), {"assign-assigned_to": not_staff.pk})
    assert response.status_code == 400
    ticket.refresh_from_db()
    assert ticket.assigned_to == other


def test_staff_who_may_only_view_see_the_timeline_and_no_form_and_may_not_post(ticket, signed_in_client):
    viewer = signed_in_client(ecrm_agent())
    page = viewer.get(url("change", ticket))
    assert page.status_code == 200
    assert "Timeline, newest first" in page.content.decode()
    assert "Work this ticket" not in page.content.decode()
    for name, data in [
        ("comment", {"comment-kind": "work_note", "comment-body": "x"}),
        ("state", {"state-to": "closed"}),
        ("priority", {"priority-priority": "1"}),
        ("assign", {"assign-assignment_group": ""}),
    ]:
        assert viewer.post(url(name, ticket), data).status_code == 403
    ticket.refresh_from_db()
    assert (ticket.state, ticket.priority, ticket.comments.count()) == ("new", 3, 0)


def test_the_queue_filters_by_assignee_group_state_and_category_newest_first(agent, agent_user, ecrm_catalog):
    mine, theirs, unassigned = ticket_submitted(), ticket_submitted(), ticket_submitted()
    group = Group.objects.create(name="Claims desk")
    mine.assigned_to = agent_user
    mine.save()
    theirs.assignment_group = group
    theirs.save()
    changelist = reverse("admin:ecrm_ticket_changelist")

    def listed(params):
        return [str(t) for t in agent.get(changelist, params).context["cl"].result_list]

    assert listed({}) == [unassigned.number, theirs.number, mine.number]
    assert listed({"assigned": "me"}) == [mine.number]
    assert listed({"assigned": "nobody"}) == [unassigned.number, theirs.number]
    assert listed({"assignment_group__id__exact": group.pk}) == [theirs.number]
    assert listed({"state__exact": "new"}) == [unassigned.number, theirs.number, mine.number]
    category = mine.request_form.category_id
    assert listed({"request_form__category__id__exact": category})[0] == unassigned.number


def test_the_agent_is_told_who_the_comment_was_emailed_to(ticket):
    colleague, other = ecrm_user(), ecrm_user()
    assert comment_posted_message(ticket, [ticket.reporter, colleague, other]) == (
        "Comment posted and emailed to the reporter and 2 copied colleagues.",
        messages.SUCCESS,
    )
    assert comment_posted_message(ticket, [colleague])[0] == "Comment posted and emailed to 1 copied colleague."
    assert comment_posted_message(ticket, []) == (
        "Comment posted, but not emailed: nobody on the ticket could be reached by email.",
        messages.WARNING,
    )
