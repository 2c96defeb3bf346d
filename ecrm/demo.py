"""ECRM for ``seed_demo``: the catalog (categories, request forms, request types and subrequests from
``ecrm/fixtures/ecrm_catalog.json``; ECRM agents may read tickets and their attachments), and, outside
production, the demo reporter's tickets in every state with their comment threads."""

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command
from django.db import transaction

from ecrm import tickets
from ecrm.models import CarrierScope, EcrmProfile, RequestForm, Ticket, TicketState

AGENT_GROUP = "ECRM agents"
AGENT_PERMISSIONS = ("view_ticket", "view_ticketattachment", "view_ecrmprofile")


@transaction.atomic
def ecrm_demo_ensure() -> int:
    """Load the catalog fixture (its rows keep their ids: a second run adds nothing) and let the ECRM agents
    group read tickets; returns how many request forms were added. Runs after the demo logins, which
    reset that group's permissions to the accounts' list."""
    before = RequestForm.objects.count()
    call_command("loaddata", "ecrm_catalog", verbosity=0)
    group, _ = Group.objects.get_or_create(name=AGENT_GROUP)
    group.permissions.add(*Permission.objects.filter(content_type__app_label="ecrm", codename__in=AGENT_PERMISSIONS))
    return RequestForm.objects.count() - before


# --- Demo tickets (not in production) ---------------------------------------------------------------------------

DEMO_REPORTER = "frontdesk"  # Priya Raman, Johnson Family Medicine's office staff filing ECRM tickets
DEMO_COLLEAGUE = "mjohnson"  # Maria Johnson, of the same office: copied on one ticket (ECRM-8)
DEMO_AGENT = "ecrmagent"  # Grace Okafor, ECRM agent
DEMO_ORGANIZATION = {
    "organization_name": "Johnson Family Medicine",
    "tax_id": "061234567",  # the demo office's practice TIN (practices.demo)
    "business_phone": "8605550142",
    "address": "12 Main Street",
    "city": "Hartford",
    "state": "CT",
    "npi": "1234567893",
}


@dataclass(frozen=True)
class DemoTicket:
    """A demo ticket's story: what the reporter asked, then its thread: posts by "reporter", "colleague" or
    "agent" ("note": an agent's work note) and the states it was moved through. Its short description names it:
    a ticket of the demo reporter with that description is not built again."""

    days_ago: float
    form: str
    request_type: str
    subrequest: str
    short_description: str
    description: str
    claim_number: str = ""
    copy_colleague: bool = False
    # In order: ("post", who, text), ("state", who, new state, reason), or ("accept",), the reporter accepting the
    # resolution.
    thread: tuple = ()


S = TicketState
DEMO_TICKETS = (
    DemoTicket(
        0.2,
        "provider-services",
        "Provider Info Change",
        "Phone & FAX Update EviCore PAR",
        "Wrong fax number populates during case build",
        "<p>Our fax number shows as <b>860-555-0100</b>; the correct one is <b>860-555-0199</b>.</p>",
        copy_colleague=True,
        thread=(("post", "colleague", "The old number is also on our referral cover sheet, if that helps."),),
    ),
    DemoTicket(
        3,
        "claim-denial",
        "Claim Denial Question",
        "",
        "Claim denied for a missing authorization",
        "<p>The claim was denied although the request was approved. Please check the authorization number.</p>",
        claim_number="CLM-2026-004417",
        thread=(
            ("state", "agent", S.IN_PROGRESS, "Looking up the claim"),
            ("post", "note", "The claim was keyed with last year's authorization number."),
            ("post", "agent", "Thank you. We found the claim and asked the claims team to reprocess it."),
        ),
    ),
    DemoTicket(
        5,
        "eligibility-issue",
        "Eligibility Discrepancy",
        "Coverage Dates",
        "Member's coverage dates look wrong",
        "<p>The member's coverage shows as ending last month; the plan says it is active.</p>",
        thread=(
            ("state", "agent", S.IN_PROGRESS, ""),
            ("post", "agent", "Please send the member's ID card (front and back) so we can compare the dates."),
            ("state", "agent", S.AWAITING_INFO, "Waiting for the ID card"),
        ),
    ),
    DemoTicket(
        8,
        "credentialing",
        "Credentialing Status",
        "",
        "Credentialing status of our new physician",
        "<p>Dr. Patel joined in October; is her credentialing complete?</p>",
        thread=(
            ("state", "agent", S.IN_PROGRESS, ""),
            ("post", "agent", "Dr. Patel's credentialing was approved on November 20."),
            ("post", "reporter", "Thank you! Is she listed in the directory already?"),
            ("post", "agent", "Yes: the directory was updated this morning."),
            ("state", "agent", S.RESOLVED, "Answered"),
        ),
    ),
    DemoTicket(
        12,
        "provider-services",
        "Portal Access",
        "Login or Password",
        "Cannot reset my portal password",
        "<p>The reset code email never arrives.</p>",
        thread=(
            ("state", "agent", S.IN_PROGRESS, ""),
            ("post", "agent", "The reset emails were held by your mail filter; we asked IT to allow our address."),
            ("state", "agent", S.RESOLVED, ""),
            ("accept",),
        ),
    ),
)


def _demo_ecrm_people():
    users = {user.username: user for user in get_user_model().objects.filter(username__in=_DEMO_USERNAMES)}
    if set(users) != set(_DEMO_USERNAMES):
        return None  # production, or the demo logins not made yet
    for username in (DEMO_REPORTER, DEMO_COLLEAGUE):
        EcrmProfile.objects.get_or_create(user=users[username], defaults=DEMO_ORGANIZATION)
    return users


_DEMO_USERNAMES = (DEMO_REPORTER, DEMO_COLLEAGUE, DEMO_AGENT)


def ecrm_demo_tickets_ensure() -> int:
    """The demo reporter's tickets, one in each state (New, In Progress, Awaiting Info, Resolved, Closed) with a
    comment thread, built through the services as the pages and the admin build them, each dated as lived
    (``cases.demo.clock``). The demo reporter and their colleague get ECRM profiles of their office. Idempotent:
    a ticket whose short description the reporter already has is not built again. Returns how many were added."""
    users = _demo_ecrm_people()
    if users is None:
        return 0
    reporter = users[DEMO_REPORTER]
    existing = set(Ticket.objects.filter(reporter=reporter).values_list("short_description", flat=True))
    added = 0
    # Oldest first, so that the EC numbers increase with the dates as they would have.
    for story in sorted(DEMO_TICKETS, key=lambda story: -story.days_ago):
        if story.short_description in existing:
            continue
        with transaction.atomic():
            _demo_ticket_build(story, users)
        added += 1
    return added


def _demo_ticket_build(story: DemoTicket, users: dict) -> Ticket:
    from cases.demo import clock

    form = RequestForm.objects.get(slug=story.form)
    request_type = form.request_types.get(name=story.request_type)
    subrequest = request_type.subrequests.get(name=story.subrequest) if story.subrequest else None
    who = {"reporter": users[DEMO_REPORTER], "colleague": users[DEMO_COLLEAGUE], "agent": users[DEMO_AGENT]}
    with clock(story.days_ago):
        ticket = tickets.ticket_submit(
            request=None,
            user=who["reporter"],
            request_form=form,
            data={
                "short_description": story.short_description,
                "description": story.description,
                "carrier_scope": CarrierScope.ALL,
                "health_plans": [],
                "request_type": request_type,
                "subrequest": subrequest,
                "claim_number": story.claim_number,
                "contact_name": who["reporter"].get_full_name(),
                "contact_email": who["reporter"].email,
                "copied_colleagues": [who["colleague"]] if story.copy_colleague else [],
            },
        )
    for step, event in enumerate(story.thread, start=1):
        # Each step an hour after the one before, the last still in the past.
        with clock(max(story.days_ago - step / 24, 0)):
            if event[0] == "post":
                _, author, text = event
                tickets.ticket_comment_add(
                    ticket=ticket,
                    author=who["agent" if author == "note" else author],
                    body=f"<p>{text}</p>",
                    work_note=author == "note",
                )
            elif event[0] == "accept":
                tickets.ticket_resolution_accept(ticket=ticket, user=who["reporter"])
            else:
                _, author, state, reason = event
                tickets.ticket_transition(ticket=ticket, to=state, by=who[author], reason=reason)
    return ticket
