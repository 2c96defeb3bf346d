"""ECRM ticket writes: favorites, submitting a ticket (SPEC ECRM-3, ECRM-4), and a ticket's life after it: its
state (one transition function, with history), priority and assignment, the reporter's answer to a resolution,
the auto-close job, posts on its Activity (emailed through ``ecrm.emails`` when an agent's additional comment),
and the reporter's edits while it is New (ECRM-5, issue 13 items 5 to 7).
"""

import contextlib
import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.urls import reverse
from django.utils import timezone

from audit.services import audit_record
from ecrm import selectors
from ecrm.attachments import attachment_stored
from ecrm.emails import comment_email_send, ecrm_message_id, ticket_confirmation_send, ticket_link
from ecrm.models import (
    NUMBER_PREFIX,
    CarrierScope,
    Favorite,
    Ticket,
    TicketAttachment,
    TicketChange,
    TicketComment,
    TicketCopy,
    TicketNumberCounter,
    TicketPriority,
    TicketState,
)
from ecrm.rich_text import description_is_empty, description_sanitized

# --- Favorites ------------------------------------------------------------------------------------------


@transaction.atomic
def favorite_toggle(*, user, request_form) -> bool:
    """Star or unstar a request form for ``user``; True when it is now a favorite."""
    deleted, _ = Favorite.objects.filter(user=user, request_form=request_form).delete()
    if deleted:
        return False
    Favorite.objects.get_or_create(user=user, request_form=request_form)
    return True


# --- Tickets (ECRM-3, ECRM-4) ---------------------------------------------------------------------------


def ticket_number_next() -> tuple[int, str]:
    """The next EC number, from the counter row locked until the caller's transaction ends.

    Not max()+1: two submits reading the same maximum would collide. The lock makes a second submit wait
    for the first to commit, so numbers are distinct and increase in commit order (SQLite's IMMEDIATE
    transactions serialize writers the same way). Must run inside ``transaction.atomic``.
    """
    counter, _ = TicketNumberCounter.objects.select_for_update().get_or_create(pk=1)
    counter.last_value += 1
    counter.save(update_fields=["last_value"])
    return counter.last_value, f"{NUMBER_PREFIX}{counter.last_value:08d}"


def ticket_submit(*, request, user, request_form, data: dict, files=()) -> Ticket:
    """Save a request as a ticket: its EC number, state New, priority "3 - Moderate", the chosen plans and
    attachments, an audit row, and the confirmation email once committed. A failure stores nothing."""
    with contextlib.ExitStack() as stored_files, transaction.atomic():
        sequence, number = ticket_number_next()
        ticket = Ticket.objects.create(
            sequence=sequence,
            number=number,
            reporter=user,
            request_form=request_form,
            short_description=data["short_description"],
            description_html=description_sanitized(data.get("description", "")),
            carrier_scope=data["carrier_scope"],
            request_type=data["request_type"],
            subrequest=data.get("subrequest"),
            claim_number=data.get("claim_number", ""),
            contact_name=data.get("contact_name", ""),
            contact_phone=data.get("contact_phone", ""),
            contact_email=data.get("contact_email", ""),
            reporter_type=data.get("reporter_type", ""),
            on_behalf_of_contracted_provider=data.get("on_behalf_of_contracted_provider"),
            state=TicketState.NEW,
            priority=TicketPriority.MODERATE,
        )
        if data["carrier_scope"] != CarrierScope.ALL:
            ticket.health_plans.set(data["health_plans"])
        _copies_set(ticket=ticket, reporter=user, colleagues=data.get("copied_colleagues", ()))
        for uploaded in files:
            fields = stored_files.enter_context(attachment_stored(uploaded))
            TicketAttachment.objects.create(ticket=ticket, uploaded_by=user, **fields)
        audit_record(
            action="ecrm.ticket_submitted",
            request=request,
            actor=user,
            target=ticket,
            details={"form": request_form.pk, "attachments": len(files)},
        )
        path = reverse("ecrm:ticket_detail", kwargs={"number": ticket.number})
        link = request.build_absolute_uri(path) if request is not None else path
        transaction.on_commit(lambda: ticket_confirmation_send(ticket=ticket, link=link))
    return ticket


def _copies_set(*, ticket: Ticket, reporter, colleagues) -> bool:
    """Copy exactly ``colleagues`` on the ticket (ECRM-8); True when that changed who is copied. Each must be a
    colleague of the reporter's organization (``selectors.colleagues_of``), whatever the form offered."""
    wanted = {colleague.pk for colleague in colleagues}
    allowed = set(selectors.colleagues_of(reporter).filter(pk__in=wanted).values_list("pk", flat=True))
    if wanted - allowed:
        raise ValidationError(
            {"copied_colleagues": "Copy only colleagues of your organization who use ECRM"}, code="not_colleague"
        )
    current = set(TicketCopy.objects.filter(ticket=ticket).values_list("user_id", flat=True))
    if wanted == current:
        return False
    TicketCopy.objects.filter(ticket=ticket, user_id__in=current - wanted).delete()
    TicketCopy.objects.bulk_create([TicketCopy(ticket=ticket, user_id=pk) for pk in sorted(wanted - current)])
    return True


# --- State (one writer, with history) -----------------------------------------------------------------------

S = TicketState
TICKET_TRANSITIONS: dict[str, set[str]] = {
    S.NEW: {S.IN_PROGRESS, S.AWAITING_INFO, S.RESOLVED, S.CLOSED},
    S.IN_PROGRESS: {S.AWAITING_INFO, S.RESOLVED, S.CLOSED},
    # The reporter's answer (a post or an email) returns it to the agents.
    S.AWAITING_INFO: {S.IN_PROGRESS, S.RESOLVED, S.CLOSED},
    # Rejecting a resolution reopens it; accepting it (or the days passing) closes it.
    S.RESOLVED: {S.IN_PROGRESS, S.CLOSED},
    S.CLOSED: set(),
}


@transaction.atomic
def ticket_transition(*, ticket: Ticket, to: str, by=None, reason: str = "") -> TicketChange:
    """The only code that assigns ``Ticket.state``: checks the map against the state the database holds (the
    row locked, so of two simultaneous moves out of one state the second is judged after the first), saves,
    and writes the history row. ``ticket`` is updated in place."""
    from_state = Ticket.objects.select_for_update().values_list("state", flat=True).get(pk=ticket.pk)
    if to not in TICKET_TRANSITIONS.get(from_state, set()):
        raise ValidationError(
            f"A request that is {TicketState(from_state).label} cannot become {TicketState(to).label}.",
            code="transition",
        )
    ticket.state = to
    ticket.save(update_fields=["state", "updated_at"])
    return TicketChange.objects.create(
        ticket=ticket,
        kind=TicketChange.Kind.STATE,
        from_state=from_state,
        to_state=to,
        changed_by=by,
        reason=reason[:300],
    )


def ticket_priority_set(*, ticket: Ticket, priority: int, by, request=None) -> TicketChange | None:
    """An agent changes the priority (1 - Critical to 5 - Planning), with a history row; None when unchanged."""
    if priority not in TicketPriority.values:
        raise ValidationError({"priority": "Choose a priority from 1 - Critical to 5 - Planning."})
    with transaction.atomic():
        from_priority = Ticket.objects.select_for_update().values_list("priority", flat=True).get(pk=ticket.pk)
        if from_priority == priority:
            return None
        ticket.priority = priority
        ticket.save(update_fields=["priority", "updated_at"])
        change = TicketChange.objects.create(
            ticket=ticket,
            kind=TicketChange.Kind.PRIORITY,
            from_priority=from_priority,
            to_priority=priority,
            changed_by=by,
        )
        audit_record(
            action="ecrm.ticket_priority_changed",
            request=request,
            actor=by,
            target=ticket,
            details={"from": from_priority, "to": priority},
        )
    return change


def ticket_assign(*, ticket: Ticket, agent, group, by, request=None) -> TicketChange | None:
    """An agent assigns the ticket to an agent (staff) and an assignment group, either or both empty, with a
    history row naming them (internal: the reporter never sees it); None when nothing changed."""
    if agent is not None and not (agent.is_staff and agent.is_active):
        raise ValidationError({"assigned_to": "Only an active staff user can be assigned a ticket."})
    with transaction.atomic():
        locked = Ticket.objects.select_for_update().only("assigned_to", "assignment_group").get(pk=ticket.pk)
        agent_pk, group_pk = getattr(agent, "pk", None), getattr(group, "pk", None)
        if locked.assigned_to_id == agent_pk and locked.assignment_group_id == group_pk:
            return None
        ticket.assigned_to, ticket.assignment_group = agent, group
        ticket.save(update_fields=["assigned_to", "assignment_group", "updated_at"])
        who = (agent.get_full_name() or agent.get_username()) if agent else "nobody"
        change = TicketChange.objects.create(
            ticket=ticket,
            kind=TicketChange.Kind.ASSIGNED,
            changed_by=by,
            reason=f"Assigned to {who}; group {group.name if group else 'none'}"[:300],
        )
        audit_record(
            action="ecrm.ticket_assigned",
            request=request,
            actor=by,
            target=ticket,
            details={"assigned_to": agent_pk, "assignment_group": group_pk},
        )
    return change


def _resolution_answer(*, ticket: Ticket, user, to: str, reason: str, action: str, request) -> TicketChange:
    """The reporter's answer to a resolution: only the reporter, only while Resolved (read from the locked row)."""
    with transaction.atomic():
        locked = Ticket.objects.select_for_update().only("state", "reporter").get(pk=ticket.pk)
        if locked.reporter_id != user.pk:
            raise ValidationError("Only the reporter may accept or reject the resolution.", code="reporter")
        if locked.state != TicketState.RESOLVED:
            raise ValidationError(
                f"{ticket.number} is {locked.get_state_display()}: only a Resolved request can be accepted or "
                "rejected.",
                code="not_resolved",
            )
        change = ticket_transition(ticket=ticket, to=to, by=user, reason=reason)
        audit_record(action=action, request=request, actor=user, target=ticket)
    return change


def ticket_resolution_accept(*, ticket: Ticket, user, request=None) -> TicketChange:
    """The reporter accepts the resolution of their Resolved ticket: it closes."""
    return _resolution_answer(
        ticket=ticket,
        user=user,
        to=TicketState.CLOSED,
        reason="The reporter accepted the resolution.",
        action="ecrm.resolution_accepted",
        request=request,
    )


def ticket_resolution_reject(*, ticket: Ticket, user, reason: str, request=None) -> TicketChange:
    """The reporter rejects the resolution, with a reason: the ticket returns to In Progress."""
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationError({"reason": "Say why the request is not resolved"})
    if len(reason) > 300:
        raise ValidationError({"reason": "Say why in at most 300 characters"})
    return _resolution_answer(
        ticket=ticket,
        user=user,
        to=TicketState.IN_PROGRESS,
        reason=reason,
        action="ecrm.resolution_rejected",
        request=request,
    )


def _resolved_at():
    """The time of the ticket's latest move to Resolved (its history)."""
    latest = TicketChange.objects.filter(
        ticket=OuterRef("pk"), kind=TicketChange.Kind.STATE, to_state=TicketState.RESOLVED
    ).order_by("-changed_at", "-pk")
    return Subquery(latest.values("changed_at")[:1])


AUTO_CLOSE_BATCH = 1000


def tickets_auto_close(*, now=None) -> int:
    """Close the tickets Resolved for ``ECRM_AUTO_CLOSE_DAYS`` days (counted from their latest move to Resolved)
    that the reporter neither accepted nor rejected, each through ``ticket_transition`` with a history row by
    nobody ("System"). Idempotent: a second run finds them Closed; a ticket reopened meanwhile is skipped (its
    state and resolution time are read again under the row's lock). At most ``AUTO_CLOSE_BATCH`` a run; the next
    run takes the rest. Returns how many it closed."""
    now = now or timezone.now()
    days = settings.ECRM_AUTO_CLOSE_DAYS
    cutoff = now - datetime.timedelta(days=days)
    due = (
        Ticket.objects.filter(state=TicketState.RESOLVED)
        .annotate(resolved_at=_resolved_at())
        .filter(resolved_at__lte=cutoff)
        .order_by("pk")
        .values_list("pk", flat=True)[:AUTO_CLOSE_BATCH]
    )
    closed = 0
    for pk in list(due):
        with transaction.atomic():
            ticket = Ticket.objects.select_for_update().annotate(resolved_at=_resolved_at()).get(pk=pk)
            if ticket.state != TicketState.RESOLVED or ticket.resolved_at is None or ticket.resolved_at > cutoff:
                continue
            ticket_transition(
                ticket=ticket,
                to=TicketState.CLOSED,
                reason=f"Closed automatically: Resolved for {days} days with no answer from the reporter.",
            )
        closed += 1
    return closed


def ticket_moves(ticket: Ticket) -> list[str]:
    """The states ``ticket_transition`` accepts from the ticket's state, in the states' order."""
    allowed = TICKET_TRANSITIONS.get(ticket.state, set())
    return [state for state in TicketState.values if state in allowed]


# --- Posts on the Activity ----------------------------------------------------------------------------------


def ticket_comment_add(
    *,
    ticket: Ticket,
    author,
    body: str,
    work_note: bool = False,
    files=(),
    source: str = TicketComment.Source.WEB,
    message_id: str = "",
    request=None,
) -> TicketComment:
    """A post on the ticket: the reporter's message (web or email reply) or an agent's additional comment or
    work note. The text is sanitized as the description is; files are stored with it.

    An agent's additional comment gets its own Message-ID and is emailed to the reporter and the copied colleagues
    once committed (the comment's ``emailed_to`` is then who received it, None until then); a work note is never
    emailed. A reporter's message on an Awaiting Info ticket returns it to In Progress. A Closed ticket takes no
    post (the reporter submits a new case). A failure stores nothing, files included."""
    with contextlib.ExitStack() as stored_files, transaction.atomic():
        state = Ticket.objects.select_for_update().values_list("state", flat=True).get(pk=ticket.pk)
        # The requester's side: the reporter or a colleague copied on the ticket; anyone else posting is an agent.
        by_reporter = selectors.is_requester(author, ticket)
        if state == TicketState.CLOSED:
            raise ValidationError(
                f"{ticket.number} is Closed: it takes no more messages. Submit a new case instead.", code="closed"
            )
        if work_note and by_reporter:
            raise ValidationError("Work notes are written by ECRM agents only.", code="work_note")
        body_html = description_sanitized(body)
        if description_is_empty(body_html):
            body_html = ""
        if not body_html and not files:
            raise ValidationError("Type your message, or add an attachment", code="empty")
        kind = TicketComment.Kind.WORK_NOTE if work_note else TicketComment.Kind.COMMENT
        to_email = not by_reporter and not work_note
        comment = TicketComment.objects.create(
            ticket=ticket,
            author=author,
            kind=kind,
            body_html=body_html,
            source=source,
            message_id=ecrm_message_id(ticket) if to_email else message_id,
        )
        for uploaded in files:
            fields = stored_files.enter_context(attachment_stored(uploaded))
            TicketAttachment.objects.create(ticket=ticket, comment=comment, uploaded_by=author, **fields)
        ticket.updated_at = timezone.now()
        Ticket.objects.filter(pk=ticket.pk).update(updated_at=ticket.updated_at)
        if by_reporter and state == TicketState.AWAITING_INFO:
            ticket_transition(ticket=ticket, to=TicketState.IN_PROGRESS, by=author, reason="The reporter answered.")
        audit_record(
            action="ecrm.ticket_commented",
            request=request,
            actor=author,
            target=ticket,
            details={"comment": comment.pk, "kind": kind, "source": source, "attachments": len(files)},
        )
        comment.emailed_to = None
        if to_email:
            link = ticket_link(request, "ecrm:ticket_activity", ticket)

            def email_send():
                comment.emailed_to = comment_email_send(comment_pk=comment.pk, link=link)

            transaction.on_commit(email_send)
    return comment


# --- The reporter's edits while New ---------------------------------------------------------------------------

# The request's fields a reporter may change while it is New, with their labels for the history.
EDITABLE_FIELDS = {
    "short_description": "Short Description",
    "reporter_type": "Reporter Type",
    "on_behalf_of_contracted_provider": "Are You Contacting Us On Behalf Of An EviCore Contracted Provider",
    "carrier_scope": "Insurance Carrier",
    "description_html": "Description",
    "request_type": "Request Type",
    "subrequest": "Subrequest",
    "claim_number": "Claim/EDI Number",
    "contact_name": "Contact Name",
    "contact_phone": "Contact Phone",
    "contact_email": "Contact Email",
    "copied_colleagues": "Copy colleagues on this case",
}


def not_editable_message(ticket: Ticket) -> str:
    return (
        f"{ticket.number} is {ticket.get_state_display()}: a request can be edited only while it is New. "
        "Post a message in its Activity instead."
    )


@transaction.atomic
def ticket_update(*, ticket: Ticket, user, data: dict, request=None) -> TicketChange | None:
    """The reporter changes their request while it is New (seed 000: "view and/or edit"); once an agent has
    moved it on, it is refused. Writes an "edited" history row naming the changed fields; None when nothing
    changed. The state is read from the locked row, so an edit racing an agent's transition is judged after it."""
    locked = Ticket.objects.select_for_update().get(pk=ticket.pk)
    if locked.reporter_id != user.pk:
        raise ValidationError("Only the reporter may edit this request.", code="reporter")
    if locked.state != TicketState.NEW:
        raise ValidationError(not_editable_message(locked), code="not_new")
    values = {
        "short_description": data["short_description"],
        "reporter_type": data.get("reporter_type", ""),
        "on_behalf_of_contracted_provider": data.get("on_behalf_of_contracted_provider"),
        "carrier_scope": data["carrier_scope"],
        "description_html": description_sanitized(data.get("description", "")),
        "request_type": data["request_type"],
        "subrequest": data.get("subrequest"),
        "claim_number": data.get("claim_number", locked.claim_number),
        "contact_name": data.get("contact_name", ""),
        "contact_phone": data.get("contact_phone", ""),
        "contact_email": data.get("contact_email", ""),
    }
    changed = [name for name, value in values.items() if getattr(locked, name) != value]
    plans = [] if data["carrier_scope"] == CarrierScope.ALL else list(data["health_plans"])
    if {plan.pk for plan in plans} != set(locked.health_plans.values_list("pk", flat=True)):
        locked.health_plans.set(plans)
        if "carrier_scope" not in changed:
            changed.append("carrier_scope")
    # Absent when the reporter has no colleague to copy: nobody copied is left as it is.
    copies_changed = "copied_colleagues" in data and _copies_set(
        ticket=locked, reporter=user, colleagues=data["copied_colleagues"]
    )
    if not changed and not copies_changed:
        return None
    for name in changed:
        setattr(locked, name, values[name])
    locked.save(update_fields=[*changed, "updated_at"])
    if copies_changed:
        changed.append("copied_colleagues")
    change = TicketChange.objects.create(
        ticket=locked,
        kind=TicketChange.Kind.EDITED,
        changed_fields=[EDITABLE_FIELDS[name] for name in changed],
        changed_by=user,
    )
    audit_record(action="ecrm.ticket_edited", request=request, actor=user, target=locked, details={"fields": changed})
    return change
