"""ECRM-5, a ticket's two views: Activity (the timeline newest first, Post with attachments) and Submitted
Details; the reporter's edit while New; the one transition function; work notes never shown to the reporter."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from audit.models import AuditEvent
from ecrm import tickets
from ecrm.models import ReporterType, Subrequest, Ticket, TicketChange, TicketComment, TicketState
from ecrm.tests.factories import ecrm_agent, ecrm_user, ticket_submitted

pytestmark = pytest.mark.django_db
S = TicketState


@pytest.fixture
def reporter(ecrm_catalog):
    return ecrm_user(user__first_name="Maria", user__last_name="Johnson")


@pytest.fixture
def ticket(reporter):
    return ticket_submitted(reporter, short_description="CBU")


@pytest.fixture
def client(reporter, signed_in_client):
    return signed_in_client(reporter)


@pytest.fixture
def agent():
    return ecrm_agent()


def activity(client, ticket):
    return client.get(f"/ecrm/tickets/{ticket.number}/activity/")


def test_the_activity_shows_the_timeline_newest_first_with_who_and_when(ticket, client, agent):
    tickets.ticket_transition(ticket=ticket, to=S.IN_PROGRESS, by=agent)
    tickets.ticket_comment_add(ticket=ticket, author=agent, body="Provider Please Send -- Test Test")
    response = activity(client, ticket)
    page = response.content.decode()
    assert response.status_code == 200
    for words in ("Activity", "Submitted Details", "Type your message here...", ">Post<", "Add Attachments"):
        assert words in page, words
    comment = page.index("Provider Please Send -- Test Test")
    state = page.index("State: New to In Progress")
    created = page.index(f"{ticket.number} Created")
    assert comment < state < created
    assert "Wendy Carter" in page and "Maria Johnson" in page and "Additional comments" in page
    assert "just now" in page


def test_work_notes_never_reach_the_reporters_pages(ticket, client, agent, reporter):
    note = tickets.ticket_comment_add(
        ticket=ticket,
        author=agent,
        body="Internal: provider is on the watch list",
        work_note=True,
        files=[SimpleUploadedFile("internal.txt", b"secret")],
    )
    tickets.ticket_comment_add(ticket=ticket, author=agent, body="We are looking into it.")
    for path in ("activity/", "", "edit/"):
        page = client.get(f"/ecrm/tickets/{ticket.number}/{path}", follow=True).content.decode()
        assert "watch list" not in page and "Work notes" not in page and "internal.txt" not in page, path
    assert "We are looking into it." in activity(client, ticket).content.decode()
    file = note.attachments.get()
    assert client.get(f"/ecrm/tickets/{ticket.number}/attachments/{file.pk}/").status_code == 404
    # The agent sees it (the admin's work, item 7) and may download the note's file.
    assert [c.kind for c in ticket.comments.all()] == ["work_note", "comment"]


def test_the_reporter_posts_a_message_with_attachments(ticket, client, reporter):
    files = [SimpleUploadedFile("letter.pdf", b"%PDF-1.4"), SimpleUploadedFile("notes.txt", b"notes")]
    response = client.post(
        f"/ecrm/tickets/{ticket.number}/activity/",
        {"body": "Here is the <b>fax</b> cover sheet.<script>alert(1)</script>", "attachments": files},
    )
    assert response.status_code == 302 and response.url == f"/ecrm/tickets/{ticket.number}/activity/"
    comment = TicketComment.objects.get()
    assert comment.author == reporter and comment.kind == "comment" and comment.source == "web"
    assert "<b>fax</b>" in comment.body_html and "script" not in comment.body_html
    assert sorted(a.original_name for a in comment.attachments.all()) == ["letter.pdf", "notes.txt"]
    page = client.get(response.url).content.decode()
    assert "Your message has been posted." in page and "letter.pdf" in page
    download = comment.attachments.get(original_name="notes.txt")
    got = client.get(f"/ecrm/tickets/{ticket.number}/attachments/{download.pk}/")
    assert got.status_code == 200 and b"".join(got.streaming_content) == b"notes"
    # Files added with a post show in the Activity, not among the submitted request's.
    assert "letter.pdf" not in client.get(f"/ecrm/tickets/{ticket.number}/").content.decode()
    ticket.refresh_from_db()
    assert ticket.updated_at >= comment.created_at
    assert AuditEvent.objects.filter(action="ecrm.ticket_commented", target_id=str(ticket.pk)).exists()


@pytest.mark.parametrize(
    ("answers", "message"),
    [
        ({"body": ""}, "Type your message, or add an attachment"),
        ({"body": "<p> </p><script>x</script>"}, "Type your message, or add an attachment"),
        ({"body": "x" * 20001}, "Message must be 20000 characters or fewer"),
        ({"body": "\x00"}, "Null characters are not allowed"),
    ],
)
def test_an_empty_or_bad_post_is_refused_with_a_message(ticket, client, answers, message):
    response = client.post(f"/ecrm/tickets/{ticket.number}/activity/", answers)
    page = response.content.decode()
    assert response.status_code == 400 and "There is a problem" in page and message in page
    assert not TicketComment.objects.exists()


def test_a_post_with_an_attachment_over_the_cap_is_refused(ticket, client, settings):
    settings.ECRM_ATTACHMENT_MAX_BYTES = 5
    response = client.post(
        f"/ecrm/tickets/{ticket.number}/activity/",
        {"body": "see file", "attachments": [SimpleUploadedFile("big.bin", b"x" * 6)]},
    )
    assert response.status_code == 400 and "The file big.bin must be smaller than" in response.content.decode()
    assert not TicketComment.objects.exists()


def test_a_reporters_message_on_an_awaiting_info_ticket_returns_it_to_in_progress(ticket, client, agent, reporter):
    tickets.ticket_transition(ticket=ticket, to=S.AWAITING_INFO, by=agent, reason="Need the fax cover sheet")
    client.post(f"/ecrm/tickets/{ticket.number}/activity/", {"body": "Attached."})
    ticket.refresh_from_db()
    assert ticket.state == S.IN_PROGRESS
    last = ticket.changes.last()
    assert (last.from_state, last.to_state, last.changed_by) == (S.AWAITING_INFO, S.IN_PROGRESS, reporter)


def test_an_agents_comment_does_not_move_an_awaiting_info_ticket(ticket, agent):
    tickets.ticket_transition(ticket=ticket, to=S.AWAITING_INFO, by=agent)
    tickets.ticket_comment_add(ticket=ticket, author=agent, body="Any news?")
    ticket.refresh_from_db()
    assert ticket.state == S.AWAITING_INFO


def test_a_closed_ticket_takes_no_post(ticket, client):
    tickets.ticket_transition(ticket=ticket, to=S.CLOSED)
    page = activity(client, ticket).content.decode()
    assert "it takes no more messages" in page and "Type your message here..." not in page
    response = client.post(f"/ecrm/tickets/{ticket.number}/activity/", {"body": "Hello?"})
    assert response.status_code == 400 and "is Closed: it takes no more messages" in response.content.decode()
    assert not TicketComment.objects.exists()


def test_a_reporter_cannot_write_a_work_note(ticket, reporter):
    with pytest.raises(ValidationError):
        tickets.ticket_comment_add(ticket=ticket, author=reporter, body="x", work_note=True)
    # The page has no such choice: a posted "work_note" is ignored.
    assert not TicketComment.objects.exists()


def test_submitted_details_show_the_seed_labels(reporter, client, ticket):
    Ticket.objects.filter(pk=ticket.pk).update(
        reporter_type=ReporterType.REFERRING_PROVIDER, on_behalf_of_contracted_provider=True
    )
    response = client.get(f"/ecrm/tickets/{ticket.number}/")
    page = response.content.decode()
    for words in (
        "Ticket Details",
        'aria-current="page">Submitted Details',
        "Reporter Type",
        "Referring Provider",
        "Short Description",
        "Request Type",
        "Insurance Carrier",
        "*All",
        "Description of Issue",
        "Correct fax number is 555-555-5555.",
        "Are You Contacting Us On Behalf Of An EviCore Contracted Provider",
        "<dd>Yes</dd>",
        "Edit request",
    ):
        assert words in page, words


# --- Edit while New ---------------------------------------------------------------------------------------


def edit_answers(ticket, **changes):
    phone_fax = Subrequest.objects.get(name="Phone & FAX Update EviCore PAR")
    answers = {
        "short_description": ticket.short_description,
        "reporter_type": "referring_provider",
        "on_behalf_of_contracted_provider": "yes",
        "carrier": "all",
        "description": "Correct fax number is <b>555-555-0000</b>.<img src=x onerror=alert(1)>",
        "request_type": str(phone_fax.request_type_id),
        "subrequest": str(phone_fax.pk),
        "claim_number": "",
        "contact_name": "Maria Johnson",
        "contact_phone": "",
        "contact_email": "",
    }
    answers.update(changes)
    return answers


def test_the_reporter_edits_a_new_request_and_the_activity_says_what_changed(ticket, client):
    page = client.get(f"/ecrm/tickets/{ticket.number}/edit/").content.decode()
    assert 'value="CBU"' in page and "Save changes" in page
    response = client.post(f"/ecrm/tickets/{ticket.number}/edit/", edit_answers(ticket, short_description="CBU fax"))
    assert response.status_code == 302 and response.url == f"/ecrm/tickets/{ticket.number}/"
    assert "Your request has been updated." in client.get(response.url).content.decode()
    ticket.refresh_from_db()
    assert ticket.short_description == "CBU fax" and ticket.reporter_type == "referring_provider"
    assert ticket.on_behalf_of_contracted_provider is True
    assert "<b>555-555-0000</b>" in ticket.description_html and "onerror" not in ticket.description_html
    change = TicketChange.objects.get(kind="edited")
    assert "Short Description" in change.changed_fields and "Description" in change.changed_fields
    page = activity(client, ticket).content.decode()
    assert "Request edited" in page and "Changed: Short Description" in page


def test_saving_without_a_change_writes_no_history(ticket, client):
    client.post(f"/ecrm/tickets/{ticket.number}/edit/", edit_answers(ticket))
    client.post(f"/ecrm/tickets/{ticket.number}/edit/", edit_answers(ticket))
    assert TicketChange.objects.filter(kind="edited").count() == 1


@pytest.mark.parametrize("state", [S.IN_PROGRESS, S.AWAITING_INFO, S.RESOLVED, S.CLOSED])
def test_a_request_can_no_longer_be_edited_once_it_left_new(ticket, client, state):
    Ticket.objects.filter(pk=ticket.pk).update(state=state)
    for method in ("get", "post"):
        response = getattr(client, method)(
            f"/ecrm/tickets/{ticket.number}/edit/", edit_answers(ticket, short_description="Changed")
        )
        assert response.status_code == 302 and response.url == f"/ecrm/tickets/{ticket.number}/activity/"
    page = client.get(f"/ecrm/tickets/{ticket.number}/activity/").content.decode()
    assert "can be edited only while it is New" in page and "Edit request" not in page
    ticket.refresh_from_db()
    assert ticket.short_description == "CBU" and not TicketChange.objects.filter(kind="edited").exists()


def test_an_edit_racing_an_agents_transition_is_refused_by_the_service(ticket, reporter, agent):
    stale = Ticket.objects.get(pk=ticket.pk)
    tickets.ticket_transition(ticket=ticket, to=S.IN_PROGRESS, by=agent)
    with pytest.raises(ValidationError, match="can be edited only while it is New"):
        tickets.ticket_update(
            ticket=stale,
            user=reporter,
            data={"short_description": "x", "carrier_scope": "all", "health_plans": [], "request_type": None},
        )


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"carrier": ""}, "Select insurance carrier"),
        ({"request_type": "999999"}, "Select request type from the list"),
        ({"reporter_type": "ceo"}, "Select reporter type from the list"),
        ({"on_behalf_of_contracted_provider": "maybe"}, "Select contracted provider from the list"),
        ({"contact_email": "nope"}, "Enter an email address in the correct format"),
    ],
)
def test_bad_answers_to_an_edit_get_a_message_and_change_nothing(ticket, client, changes, message):
    response = client.post(f"/ecrm/tickets/{ticket.number}/edit/", edit_answers(ticket, **changes))
    page = response.content.decode()
    assert response.status_code == 400 and "There is a problem" in page and message in page
    ticket.refresh_from_db()
    assert ticket.reporter_type == "" and not TicketChange.objects.exists()


# --- The transition function -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "allowed"),
    [
        ((S.IN_PROGRESS, S.AWAITING_INFO, S.IN_PROGRESS, S.RESOLVED, S.CLOSED), True),
        ((S.RESOLVED, S.IN_PROGRESS), True),
        ((S.CLOSED, S.IN_PROGRESS), False),
        ((S.NEW,), False),
        ((S.IN_PROGRESS, S.NEW), False),
        ((S.RESOLVED, S.AWAITING_INFO), False),
    ],
)
def test_states_move_only_along_the_map_each_with_a_history_row(ticket, agent, path, allowed):
    *moves, last = path
    for state in moves:
        tickets.ticket_transition(ticket=ticket, to=state, by=agent)
    before = TicketChange.objects.count()
    if allowed:
        change = tickets.ticket_transition(ticket=ticket, to=last, by=agent, reason="why")
        assert (change.to_state, change.changed_by, change.reason) == (last, agent, "why")
        assert Ticket.objects.get(pk=ticket.pk).state == last
    else:
        previous = Ticket.objects.get(pk=ticket.pk).state
        with pytest.raises(ValidationError, match="cannot become"):
            tickets.ticket_transition(ticket=ticket, to=last, by=agent)
        assert Ticket.objects.get(pk=ticket.pk).state == previous and TicketChange.objects.count() == before


def test_the_transition_judges_the_state_the_database_holds(ticket, agent):
    stale = Ticket.objects.get(pk=ticket.pk)
    tickets.ticket_transition(ticket=ticket, to=S.CLOSED, by=agent)
    with pytest.raises(ValidationError):
        tickets.ticket_transition(ticket=stale, to=S.IN_PROGRESS, by=agent)


def test_the_activity_costs_the_same_queries_for_2_or_20_posts(ticket, client, agent):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries() -> int:
        activity(client, ticket)  # warm the session and Django's caches
        with CaptureQueriesContext(connection) as captured:
            assert activity(client, ticket).status_code == 200
        return len(captured.captured_queries)

    def posts(count):
        for index in range(count):
            tickets.ticket_comment_add(
                ticket=ticket, author=agent, body=f"Post {index}", files=[SimpleUploadedFile(f"{index}.txt", b"x")]
            )
            tickets.ticket_comment_add(ticket=ticket, author=agent, body=f"Note {index}", work_note=True)

    posts(1)
    tickets.ticket_transition(ticket=ticket, to=S.IN_PROGRESS, by=agent)
    few = queries()
    posts(9)
    tickets.ticket_transition(ticket=ticket, to=S.AWAITING_INFO, by=agent)
    assert queries() == few
