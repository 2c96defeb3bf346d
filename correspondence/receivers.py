"""The hook of the letters on the case events: a case event's letter and deliveries are written in the same
transaction as the event (the transactional outbox, COR-5), so a decision rolled back leaves no letter and a
decision committed always has its letter, whatever happens to the broker or the worker afterwards."""

from django.db.models.signals import post_save
from django.dispatch import receiver

from cases.models import CaseEvent
from correspondence import services

LETTER_EVENTS = {CaseEvent.Kind.HOLD_PLACED, CaseEvent.Kind.DECIDED, CaseEvent.Kind.APPEAL_SUBMITTED}


@receiver(post_save, sender=CaseEvent, dispatch_uid="correspondence.letter_for_case_event")
def letter_for_case_event(sender, instance: CaseEvent, created: bool, raw: bool = False, **kwargs):
    # Loading fixtures (raw) replays rows, not events.
    if created and not raw and instance.kind in LETTER_EVENTS:
        services.letter_write(event=instance)
