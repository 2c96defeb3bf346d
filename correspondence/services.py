"""Writes of the correspondence: the outbox rows a case event causes, each delivery's sending, the sweep, the
admin's actions (mark a mailed letter as mailed, retry a failed delivery), and the Message Center's: a user's
actions on their copy of a letter and their email notice preferences.

Nothing here is sent inside a business transaction: ``letter_write`` only writes rows and queues the delivery
task on commit; ``delivery_send`` runs in the task, one delivery at a time, locked and re-checked, so a delivery
sent is never sent again whether its task runs twice, the sweep re-dispatches it, or two workers race.
"""

import datetime
import logging

from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import models, transaction
from django.template.loader import render_to_string
from django.utils import timezone

from audit.services import audit_record
from cases.models import Case, CaseEvent
from correspondence import letters
from correspondence.models import (
    ALWAYS_SHOWN_KINDS,
    Delivery,
    HiddenMessageType,
    Letter,
    LetterReceipt,
    NoticeFrequency,
    NoticePreference,
    PracticeNoticeDefault,
)
from delivery import outbox
from delivery.fax import send_fax
from practices.selectors import memberships_for, practices_managed_by
from practices.services import NOT_ACCESS_MANAGER, practice_delivery_set

logger = logging.getLogger(__name__)

Channel, Recipient, Status = Delivery.Channel, Delivery.Recipient, Delivery.Status
Kind = Letter.Kind


# Seeds 001 and 002: the hold letter goes to the requesting provider; determination and appeal decision letters
# to the ordering provider, the rendering provider and the member (by mail); every letter is an e-notification to
# the contact who opted in.
DECISION_KINDS = {
    Kind.APPROVAL,
    Kind.DENIAL,
    Kind.PARTIAL_APPROVAL,
    Kind.ALTERNATIVE_RECOMMENDATION,
    Kind.APPEAL_DECISION,
}


# --- The outbox: written in the transaction of the event ----------------------------------------------------


def letter_write(*, event: CaseEvent) -> Letter | None:
    """The letter a newly written ``event`` causes and its deliveries, as rows in the caller's transaction (the
    decision's); the delivery task is queued when it commits. None when the event causes no letter. The same event
    never makes a second letter: a database constraint (one letter per event and kind)."""
    case = Case.objects.select_related("program", "site", "practice").get(pk=event.case_id)
    kind = letters.letter_kind_for(event, case)
    if kind is None:
        return None
    # Three statements in the decision's transaction (the case, the letter, its deliveries): nothing is rendered.
    letter = Letter.objects.create(event=event, kind=kind, case=case, created_at=event.created_at)
    Delivery.objects.bulk_create(
        [Delivery(letter=letter, created_at=letter.created_at, **target) for target in delivery_targets(case, kind)]
    )
    letter_dispatch_on_commit(letter)
    return letter


def delivery_targets(case: Case, kind: str) -> list[dict]:
    """Who receives a letter of ``kind`` about ``case``, and where: the requesting provider's fax confirmed on
    the contact step; for a decision the rendering provider's (the site of service's) fax when it has one and
    it is another number, and the member's copy by mail; an email notice to the contact who opted in; a paper
    copy by mail to the practice when its website access manager turned paper precertification letters on."""
    targets = []
    if case.contact_fax:
        requesting = {"channel": Channel.FAX, "recipient": Recipient.REQUESTING_PROVIDER}
        targets.append({**requesting, "destination": case.contact_fax})
    if kind in DECISION_KINDS:
        rendering_fax = case.site_fax or (case.site.fax if case.site else "")
        if rendering_fax and rendering_fax != case.contact_fax:
            targets.append(
                {"channel": Channel.FAX, "recipient": Recipient.RENDERING_PROVIDER, "destination": rendering_fax}
            )
        if case.member_id:
            targets.append({"channel": Channel.MAIL, "recipient": Recipient.MEMBER, "destination": ""})
    if case.notify_by_email and case.contact_email:
        targets.append({"channel": Channel.EMAIL, "recipient": Recipient.CONTACT, "destination": case.contact_email})
    if case.practice is not None and case.practice.paper_precertification_letters:
        targets.append({"channel": Channel.MAIL, "recipient": Recipient.PRACTICE, "destination": ""})
    return targets


def letter_dispatch_on_commit(letter: Letter) -> None:
    transaction.on_commit(lambda: letter_dispatch(letter.pk))


def letter_dispatch(letter_pk: int) -> bool:
    """Queue the delivery task of one letter. A broker that is down does not undo the decision already committed:
    the failure is logged and the sweep sends the letter once the broker is back. True when queued."""
    from correspondence.tasks import letter_deliver

    return outbox.task_queue(letter_deliver, letter_pk, what="Letter")


# --- Sending: in the task, after the commit ------------------------------------------------------------------


def deliveries_to_send(letter_pk: int) -> list[int]:
    """The letter's deliveries a worker sends: pending faxes and email notices (the mail waits for staff)."""
    return list(
        Delivery.objects.filter(letter_id=letter_pk, status=Status.PENDING)
        .exclude(channel=Channel.MAIL)
        .values_list("pk", flat=True)
        .order_by("pk")
    )


def delivery_send(*, delivery_pk: int) -> bool:
    """Send one delivery once; True when this call sent it. The row is locked and re-checked, so a delivery
    already sent (or failed for good) is left as it is. A failed attempt is recorded (``outbox.attempt_send``)
    and, while the delivery stays pending, ``DeliveryFailed`` is raised for the task to retry."""
    with transaction.atomic():
        delivery = Delivery.objects.select_for_update().select_related("letter").get(pk=delivery_pk)
        if delivery.status != Status.PENDING or delivery.channel == Channel.MAIL:
            return False
        # The letter row carries the PDF: read it (rendered by the task before any send) only now.
        letter = Letter.objects.get(pk=delivery.letter_id)

        def send():
            delivery.external_id = str(_send(delivery, letter))[:100]

        failed = outbox.attempt_send(delivery, send, sent_fields=["external_id"])
    if failed is not None and delivery.status == Status.PENDING:
        raise DeliveryFailed(delivery) from failed
    return failed is None


class DeliveryFailed(Exception):
    """A delivery's attempt failed and it will be tried again."""

    def __init__(self, delivery: Delivery):
        super().__init__(f"Delivery {delivery.pk} attempt {delivery.attempts} failed")
        self.delivery = delivery


def _send(delivery: Delivery, letter: Letter) -> str:
    if delivery.channel == Channel.FAX:
        reference = f"letter-{letter.pk}-{delivery.pk}"  # ours, no PHI: a real service's idempotency key
        return send_fax(to=delivery.destination, pdf=letters.letter_pdf(letter), reference=reference)
    if delivery.channel == Channel.EMAIL:
        # No PHI in an email: no name, no number, no status; the letter is read on the portal, signed in.
        body = render_to_string("correspondence/email/new_correspondence.txt", {})
        send_mail("New correspondence on your request", body, None, [delivery.destination])
        return ""
    raise ValueError(f"A {delivery.channel} delivery is not sent by a worker")


# --- The sweep: whatever was left pending ---------------------------------------------------------------------


def letters_left_pending(now: datetime.datetime | None = None) -> list[int]:
    """Letters with a fax or email delivery still pending ``CORRESPONDENCE_SWEEP_AFTER`` after it was written (or
    after its retry was due): its task was lost (a worker killed, the broker down at the decision)."""
    left = Delivery.objects.filter(outbox.left_pending(now)).exclude(channel=Channel.MAIL)
    return sorted(set(left.values_list("letter_id", flat=True)))


def outbox_sweep(now: datetime.datetime | None = None) -> int:
    """Queue the delivery task of every letter left pending; how many. Catches up: one run covers every letter
    left since the last, however many runs were lost."""
    queued = 0
    for letter_pk in letters_left_pending(now):
        queued += letter_dispatch(letter_pk)
    return queued


# --- The admin's actions -------------------------------------------------------------------------------------


@transaction.atomic
def delivery_mark_mailed(*, delivery: Delivery, by) -> Delivery:
    """Staff printed and mailed the member's copy (the print-and-mail queue)."""
    delivery = Delivery.objects.select_for_update().get(pk=delivery.pk)
    if delivery.channel != Channel.MAIL:
        raise ValidationError("Only a mail delivery is marked as mailed.", code="channel")
    if delivery.status != Status.PENDING:
        raise ValidationError("This letter is not waiting to be mailed.", code="status")
    now = timezone.now()
    delivery.status, delivery.sent_at, delivery.attempts, delivery.last_attempt_at = Status.SENT, now, 1, now
    delivery.external_id = f"mailed by {by.get_username()}"[:100]
    delivery.save(update_fields=["status", "sent_at", "attempts", "last_attempt_at", "external_id"])
    return delivery


@transaction.atomic
def delivery_retry(*, delivery: Delivery) -> Delivery:
    """Staff send a Failed delivery again: pending with fresh attempts, its task queued on commit."""
    delivery = Delivery.objects.select_for_update().get(pk=delivery.pk)
    if delivery.status != Status.FAILED:
        raise ValidationError("Only a failed delivery can be retried.", code="status")
    delivery.status, delivery.attempts, delivery.next_attempt_at = Status.PENDING, 0, None
    delivery.save(update_fields=["status", "attempts", "next_attempt_at"])
    letter_pk = delivery.letter_id
    transaction.on_commit(lambda: letter_dispatch(letter_pk))
    return delivery


# --- The Message Center: each user's copy of a letter (COR-3) -------------------------------------------------


class MessageAction(models.TextChoices):
    """What a user does to a letter in their Message Center (seed 004), as the buttons name it."""

    REVIEW = "review", "Review"
    FLAG = "flag", "Flag"
    UNFLAG = "unflag", "Unflag"
    ARCHIVE = "archive", "Archive"
    MOVE_TO_INBOX = "inbox", "Move to inbox"
    DELETE = "delete", "Delete"


@transaction.atomic
def message_act(*, user, letter: Letter, action: str, request=None) -> LetterReceipt:
    """Record ``action`` on ``user``'s copy of ``letter`` (picked through ``selectors.message_get``): their receipt
    is written on the first action, locked on later ones. Reviewing marks it read (the first reading time is kept);
    deleting takes it out of their Message Center for good, never off its case. Audited, with ids only."""
    action = MessageAction(action)
    receipt, _ = LetterReceipt.objects.select_for_update().get_or_create(user=user, letter=letter)
    if receipt.deleted_at is not None:
        raise ValidationError("This message was deleted from your Message Center.", code="deleted")
    now = timezone.now()
    if action == MessageAction.REVIEW:
        receipt.read_at = receipt.read_at or now
    elif action in (MessageAction.FLAG, MessageAction.UNFLAG):
        receipt.flagged = action == MessageAction.FLAG
    elif action == MessageAction.ARCHIVE:
        receipt.archived_at = receipt.archived_at or now
    elif action == MessageAction.MOVE_TO_INBOX:
        receipt.archived_at = None
    else:
        receipt.deleted_at = now
    receipt.save()
    if action != MessageAction.REVIEW:  # the PDF view audits the reading itself
        audit_record(
            action=f"message_center.{action.value}",
            request=request,
            actor=user,
            target=letter.case,
            details={"letter": letter.pk},
        )
    return receipt


# --- Message types shown (COR-3, seed 004) --------------------------------------------------------------------


@transaction.atomic
def message_types_set(*, user, shown: set[str], request=None) -> None:
    """Show ``user`` the types of letter in ``shown`` in their Message Center and hide the others; hold letters are
    always shown (``ALWAYS_SHOWN_KINDS``), whatever is asked. Audited when something changed."""
    unknown = set(shown) - set(Letter.Kind.values)
    if unknown:
        raise ValidationError("Choose types of message from the list.", code="unknown_kind")
    wanted_hidden = set(Letter.Kind.values) - set(shown) - ALWAYS_SHOWN_KINDS
    hidden = set(HiddenMessageType.objects.select_for_update().filter(user=user).values_list("kind", flat=True))
    to_hide, to_show = wanted_hidden - hidden, hidden - wanted_hidden
    if not (to_hide or to_show):
        return
    HiddenMessageType.objects.filter(user=user, kind__in=to_show).delete()
    HiddenMessageType.objects.bulk_create(
        [HiddenMessageType(user=user, kind=kind) for kind in sorted(to_hide)], ignore_conflicts=True
    )
    audit_record(
        action="correspondence.message_types_changed",
        request=request,
        actor=user,
        details={"hidden": sorted(to_hide), "shown": sorted(to_show)},
    )


# --- Email notice preferences (COR-3) ------------------------------------------------------------------------


@transaction.atomic
def notice_preferences_set(*, user, choices: dict[int, str], request=None) -> None:
    """``user``'s own email notice frequency in each of their practices (``{practice_id: frequency}``); "" goes
    back to the practice's default. Practices they do not belong to are refused."""
    own = set(memberships_for(user).values_list("practice_id", flat=True))
    if not set(choices) <= own:
        raise ValidationError("You can only set notices for your own practices.", code="not_member")
    changed = {}
    for practice_id, frequency in choices.items():
        if frequency:
            preference, created = NoticePreference.objects.get_or_create(
                user=user, practice_id=practice_id, defaults={"frequency": frequency}
            )
            if not created and preference.frequency != frequency:
                preference.frequency = frequency
                preference.save(update_fields=["frequency", "updated_at"])
            elif not created:
                continue
        elif not NoticePreference.objects.filter(user=user, practice_id=practice_id).delete()[0]:
            continue
        changed[str(practice_id)] = frequency or "practice default"
    if changed:
        audit_record(action="correspondence.notices_changed", request=request, actor=user, details=changed)


@transaction.atomic
def practice_notice_default_set(*, manager, practice, frequency: str, request=None) -> PracticeNoticeDefault:
    """The practice's default email notice frequency; only its website access manager sets it."""
    if not practices_managed_by(manager).filter(pk=practice.pk).exists():
        raise ValidationError(NOT_ACCESS_MANAGER, code="not_access_manager")
    NoticeFrequency(frequency)
    default, created = PracticeNoticeDefault.objects.select_for_update().get_or_create(
        practice=practice, defaults={"frequency": frequency}
    )
    before = None if created else default.frequency
    if not created and default.frequency != frequency:
        default.frequency = frequency
        default.save(update_fields=["frequency", "updated_at"])
    if before != frequency:
        audit_record(
            action="correspondence.practice_notices_changed",
            request=request,
            actor=manager,
            target=practice,
            details={"before": before, "after": frequency},
        )
    return default


@transaction.atomic
def practice_correspondence_set(
    *, manager, practice, frequency: str, paper_precertification_letters: bool, paper_claim_letters: bool, request=None
) -> None:
    """Settings & Preferences of a practice, by its website access manager: the default email notices and the paper
    delivery (``practices.services.practice_delivery_set``), saved together."""
    practice_notice_default_set(manager=manager, practice=practice, frequency=frequency, request=request)
    practice_delivery_set(
        manager=manager,
        practice=practice,
        paper_precertification_letters=paper_precertification_letters,
        paper_claim_letters=paper_claim_letters,
        request=request,
    )
