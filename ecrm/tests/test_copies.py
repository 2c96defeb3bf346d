"""Issue 13 item 8 (ECRM-8): a reporter sees their own tickets and those of their organization's colleagues who
copied them on it; any other number is a 404. "Copy colleagues on this case" offers the reporter's organization's
colleagues by name only (an organization: the ECRM profile's Organization Name, letter case aside, and Tax ID)."""

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from ecrm import emails, inbound, selectors, tickets
from ecrm.models import RequestForm, Subrequest, Ticket, TicketChange, TicketComment, TicketState
from ecrm.tests.factories import ecrm_agent, ecrm_user
from ecrm.tests.test_email import reply

pytestmark = pytest.mark.django_db
S = TicketState
ORG, TIN = "Granby Therapy Group", "061234567"


def member(first, last, *, org=ORG, tin=TIN, **user):
    return ecrm_user(
        organization_name=org,
        tax_id=tin,
        user__first_name=first,
        user__last_name=last,
        user__email=f"{first.lower()}@{last.lower()}.example",
        **{f"user__{key}": value for key, value in user.items()},
    )


@pytest.fixture
def people(ecrm_catalog):
    """The reporter; a colleague copied on the ticket; a colleague not copied (the same organization typed in
    another letter case); someone of another organization of the same name (another tax ID); an agent."""
    return {
        "reporter": member("Maria", "Johnson"),
        "copied": member("Cora", "Pike", org=" granby therapy GROUP "),
        "uncopied": member("Uma", "Stone", org="GRANBY THERAPY GROUP"),
        "other_org": member("Otto", "Reyes", tin="069999999"),
        "agent": ecrm_agent(),
    }


def submit(reporter, *, copied=(), files=()):
    form = RequestForm.objects.get(slug="provider-services")
    request_type = form.request_types.first()
    return tickets.ticket_submit(
        request=None,
        user=reporter,
        request_form=form,
        data={
            "short_description": "Wrong fax number",
            "carrier_scope": "all",
            "health_plans": [],
            "request_type": request_type,
            "subrequest": request_type.subrequests.first(),
            "copied_colleagues": list(copied),
        },
        files=files,
    )


@pytest.fixture
def ticket(people):
    """Maria's ticket, Cora copied, with a file on the request, a file on an agent's comment and one on a work note."""
    ticket = submit(people["reporter"], copied=[people["copied"]], files=[SimpleUploadedFile("fax.txt", b"fax")])
    agent = people["agent"]
    tickets.ticket_comment_add(
        ticket=ticket, author=agent, body="See the form", files=[SimpleUploadedFile("form.pdf", b"%PDF")]
    )
    tickets.ticket_comment_add(
        ticket=ticket, author=agent, body="Internal", work_note=True, files=[SimpleUploadedFile("note.txt", b"x")]
    )
    return ticket


def file_url(ticket, name):
    return f"/ecrm/tickets/{ticket.number}/attachments/{ticket.attachments.get(original_name=name).pk}/"


# --- Who is a colleague ------------------------------------------------------------------------------------


def test_colleagues_are_the_other_active_ecrm_users_of_the_same_organization_name_and_tax_id(people):
    reporter = people["reporter"]
    member("Ina", "Active", is_active=False)
    member("Nat", "Elsewhere", org="Granby Therapy Group East")
    from accounts.tests.factories import UserFactory

    UserFactory(organization_name=ORG, first_name="Paula", last_name="Portal")  # no ECRM profile
    names = [user.get_full_name() for user in selectors.colleagues_of(reporter)]
    assert names == ["Cora Pike", "Uma Stone"]
    assert [u.get_full_name() for u in selectors.colleagues_of(people["other_org"])] == []


def test_the_request_form_offers_the_colleagues_by_name_only_and_refuses_anyone_else(people, signed_in_client):
    client = signed_in_client(people["reporter"])
    page = client.get("/ecrm/forms/provider-services/").content.decode()
    assert "Copy colleagues on this case" in page
    assert "Cora Pike" in page and "Uma Stone" in page
    assert "Otto Reyes" not in page and "cora@pike.example" not in page
    phone_fax = Subrequest.objects.get(name="Phone & FAX Update EviCore PAR")
    answers = {
        "short_description": "Fax",
        "carrier": "all",
        "request_type": str(phone_fax.request_type_id),
        "subrequest": str(phone_fax.pk),
    }
    outsider = client.post(
        "/ecrm/forms/provider-services/", {**answers, "copied_colleagues": [str(people["other_org"].pk)]}
    )
    assert outsider.status_code == 400 and not Ticket.objects.exists()
    assert outsider.context["form"].errors == {
        "copied_colleagues": ["Choose colleagues of your organization from the list"]
    }
    response = client.post("/ecrm/forms/provider-services/", {**answers, "copied_colleagues": [people["copied"].pk]})
    assert response.status_code == 302
    ticket = Ticket.objects.get()
    assert list(ticket.copied_colleagues.all()) == [people["copied"]]


def test_a_user_with_no_colleague_sees_no_copy_field(people, signed_in_client):
    page = signed_in_client(people["other_org"]).get("/ecrm/forms/provider-services/").content.decode()
    assert "Copy colleagues on this case" not in page


def test_the_service_refuses_to_copy_anyone_outside_the_organization(people):
    with pytest.raises(ValidationError) as refused:
        submit(people["reporter"], copied=[people["other_org"]])
    assert "copied_colleagues" in refused.value.error_dict
    assert not Ticket.objects.exists()


# --- The access matrix -------------------------------------------------------------------------------------

VISIBLE = {"reporter": True, "copied": True, "uncopied": False, "other_org": False}


@pytest.mark.parametrize("role", list(VISIBLE))
def test_every_ticket_url_and_attachment_by_role(ticket, people, signed_in_client, role):
    client = signed_in_client(people[role])
    base = f"/ecrm/tickets/{ticket.number}/"
    seen = 200 if VISIBLE[role] else 404
    assert client.get(base).status_code == seen
    assert client.get(f"{base}activity/").status_code == seen
    assert client.get(file_url(ticket, "fax.txt")).status_code == seen
    assert client.get(file_url(ticket, "form.pdf")).status_code == seen
    # A work note's file reaches agents only.
    assert client.get(file_url(ticket, "note.txt")).status_code == 404
    # Editing and answering a resolution are the reporter's: a copied colleague sees the ticket but may not (403).
    reporter_only = {"reporter": 200, "copied": 403}.get(role, 404)
    assert client.get(f"{base}edit/").status_code == reporter_only
    Ticket.objects.filter(pk=ticket.pk).update(state=S.RESOLVED)
    accept, reject = client.post(f"{base}accept/"), client.post(f"{base}reject/", {"reject-reason": "No"})
    if role == "reporter":
        assert accept.status_code == 302
    else:
        assert (accept.status_code, reject.status_code) == (reporter_only, reporter_only)
        assert Ticket.objects.get(pk=ticket.pk).state == S.RESOLVED
    Ticket.objects.filter(pk=ticket.pk).update(state=S.IN_PROGRESS)
    posted = client.post(f"{base}activity/", {"body": f"From {role}"})
    assert posted.status_code == (302 if VISIBLE[role] else 404)
    assert ticket.comments.filter(body_html__contains=f"From {role}").exists() is VISIBLE[role]
    cases = client.get("/ecrm/my-cases/").content.decode()
    assert (ticket.number in cases) is VISIBLE[role]
    assert ('class="ecrm-copied"' in cases) is (role == "copied")


def test_the_agent_downloads_every_file_and_a_stranger_none(ticket, people, signed_in_client):
    agent = signed_in_client(people["agent"])
    for name in ("fax.txt", "form.pdf", "note.txt"):
        assert agent.get(file_url(ticket, name)).status_code == 200
    assert signed_in_client(ecrm_user()).get(file_url(ticket, "fax.txt")).status_code == 404


def test_the_copied_colleague_sees_the_activity_and_details_but_no_work_note_and_no_edit(
    ticket, people, signed_in_client
):
    client = signed_in_client(people["copied"])
    activity = client.get(f"/ecrm/tickets/{ticket.number}/activity/").content.decode()
    assert "See the form" in activity and "Internal" not in activity and "note.txt" not in activity
    assert "Maria Johnson" in activity and "Edit request" not in activity
    details = client.get(f"/ecrm/tickets/{ticket.number}/").content.decode()
    assert "fax.txt" in details and "Cora Pike" in details and "A confirmation email" not in details


# --- The reporter's edit while New ------------------------------------------------------------------------


def test_the_reporter_changes_who_is_copied_while_new_and_a_removed_colleague_loses_the_ticket(
    ticket, people, signed_in_client
):
    from ecrm.tests.test_activity import edit_answers

    client = signed_in_client(people["reporter"])
    page = client.get(f"/ecrm/tickets/{ticket.number}/edit/").content.decode()
    assert "Copy colleagues on this case" in page and "Otto Reyes" not in page
    answers = edit_answers(ticket, description="", reporter_type="", on_behalf_of_contracted_provider="")
    ticket.refresh_from_db()
    answers.update(contact_name=ticket.contact_name, contact_email=ticket.contact_email)
    response = client.post(
        f"/ecrm/tickets/{ticket.number}/edit/", {**answers, "copied_colleagues": [people["uncopied"].pk]}
    )
    assert response.status_code == 302
    assert list(ticket.copied_colleagues.all()) == [people["uncopied"]]
    assert "Copy colleagues on this case" in TicketChange.objects.get(kind="edited").changed_fields
    assert signed_in_client(people["copied"]).get(f"/ecrm/tickets/{ticket.number}/").status_code == 404
    assert signed_in_client(people["uncopied"]).get(f"/ecrm/tickets/{ticket.number}/").status_code == 200


def test_the_service_lets_only_the_reporter_edit(ticket, people):
    with pytest.raises(ValidationError, match="Only the reporter"):
        tickets.ticket_update(
            ticket=ticket,
            user=people["copied"],
            data={"short_description": "x", "carrier_scope": "all", "health_plans": [], "request_type": None},
        )


# --- Messages and email ------------------------------------------------------------------------------------


def test_a_copied_colleagues_message_answers_awaiting_info_and_is_never_emailed(ticket, people, committed):
    tickets.ticket_transition(ticket=ticket, to=S.AWAITING_INFO, by=people["agent"])
    mail.outbox.clear()
    comment = committed(tickets.ticket_comment_add, ticket=ticket, author=people["copied"], body="Here is the fax")
    ticket.refresh_from_db()
    assert ticket.state == S.IN_PROGRESS and comment.message_id == "" and mail.outbox == []
    with pytest.raises(ValidationError, match="Work notes are written by ECRM agents only"):
        tickets.ticket_comment_add(ticket=ticket, author=people["copied"], body="x", work_note=True)


def test_an_agents_comment_goes_to_the_reporter_and_each_copied_colleague_alone(ticket, people, committed):
    mail.outbox.clear()
    comment = committed(tickets.ticket_comment_add, ticket=ticket, author=people["agent"], body="Fixed it")
    assert sorted(message.to[0] for message in mail.outbox) == ["cora@pike.example", "maria@johnson.example"]
    by_address = {message.to[0]: message for message in mail.outbox}
    for message in mail.outbox:
        assert len(message.to) == 1 and not message.cc and not message.bcc
        assert ticket.number in message.subject and message.extra_headers["Message-ID"] == comment.message_id
    assert "Hello Maria," in by_address["maria@johnson.example"].body
    copied = by_address["cora@pike.example"]
    assert "Hello Cora," in copied.body and "Maria Johnson's request" in copied.body
    assert "copied on" in copied.subject
    comment.refresh_from_db()
    assert comment.emailed_at is not None
    assert comment.emailed_to == [people["reporter"], people["copied"]]
    assert emails.emailed_phrase(ticket, comment.emailed_to) == "the reporter and 1 copied colleague"


def test_a_copied_colleague_answers_by_email_and_an_uncopied_one_is_refused(ticket, people, committed):
    outcome = inbound.inbound_email_thread(
        reply(subject=f"Re: {ticket.number}", sender="Cora Pike <Cora@Pike.example>", message_id="<c1@pike.example>")
    )
    assert outcome.threaded and outcome.comment.author == people["copied"]
    assert outcome.comment.source == TicketComment.Source.EMAIL
    with pytest.raises(inbound.InboundRejected) as refused:
        inbound.inbound_email_thread(
            reply(subject=f"Re: {ticket.number}", sender="uma@stone.example", message_id="<u1@stone.example>")
        )
    assert refused.value.code == "sender"
