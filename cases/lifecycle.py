"""The one writer of the status of a case's holds, reconsiderations, appeals and extensions (``row_transition``).

The twin of ``services.case_transition`` for the rows of ``cases.models.review``: the row is locked, the move is
checked against the status the database holds, and the event the timeline shows (and the letters hang on) is
written in the same transaction. Services set a row's other fields through ``fields``, never its status.
"""

from django.core.exceptions import ValidationError
from django.db import transaction

from cases import events
from cases.models import Appeal, AuthorizationExtension, CaseEvent, Hold, Reconsideration

Kind = CaseEvent.Kind
ReviewStatus = Appeal.Status

ROW_TRANSITIONS: dict[type, dict[str, set[str]]] = {
    Hold: {Hold.Status.OPEN: {Hold.Status.ANSWERED, Hold.Status.LAPSED, Hold.Status.CLOSED}},
    Reconsideration: {ReviewStatus.SUBMITTED: {ReviewStatus.UPHELD, ReviewStatus.OVERTURNED}},
    Appeal: {
        ReviewStatus.DRAFT: {ReviewStatus.SUBMITTED},
        ReviewStatus.SUBMITTED: {ReviewStatus.UPHELD, ReviewStatus.OVERTURNED},
    },
    AuthorizationExtension: {
        AuthorizationExtension.Status.REQUESTED: {
            AuthorizationExtension.Status.GRANTED,
            AuthorizationExtension.Status.REFUSED,
        }
    },
}
# The event each move writes. A hold closed by the case's decision or withdrawal writes none: the decision's
# own events say what happened.
EVENT_FOR: dict[tuple[type, str], str] = {
    (Hold, Hold.Status.ANSWERED): Kind.HOLD_ANSWERED,
    (Hold, Hold.Status.LAPSED): Kind.HOLD_LAPSED,
    (Reconsideration, ReviewStatus.UPHELD): Kind.RECONSIDERATION_DECIDED,
    (Reconsideration, ReviewStatus.OVERTURNED): Kind.RECONSIDERATION_DECIDED,
    (Appeal, ReviewStatus.SUBMITTED): Kind.APPEAL_SUBMITTED,
    (Appeal, ReviewStatus.UPHELD): Kind.APPEAL_DECIDED,
    (Appeal, ReviewStatus.OVERTURNED): Kind.APPEAL_DECIDED,
    (AuthorizationExtension, AuthorizationExtension.Status.GRANTED): Kind.EXTENSION_DECIDED,
    (AuthorizationExtension, AuthorizationExtension.Status.REFUSED): Kind.EXTENSION_DECIDED,
}


@transaction.atomic
def row_transition(row, *, to: str, by=None, fields: dict | None = None):
    """Move ``row`` (a hold, reconsideration, appeal or extension) to status ``to`` if its map allows it, save
    ``fields`` with it, and write its event. ``row`` is updated in place and returned.

    Of two simultaneous moves out of one status (two reviewers deciding one appeal), the second waits for the
    lock and is refused.
    """
    model = type(row)
    status_field = model._meta.get_field("status")
    current = model.objects.select_for_update().values_list("status", flat=True).get(pk=row.pk)
    if to not in ROW_TRANSITIONS[model].get(current, set()):
        labels = dict(status_field.choices)
        raise ValidationError(
            f"A {model._meta.verbose_name} that is {labels[current].lower()} cannot become {labels[to].lower()}.",
            code="transition",
        )
    fields = fields or {}
    row.status = to
    for name, value in fields.items():
        setattr(row, name, value)
    row.save(update_fields=["status", *fields])
    kind = EVENT_FOR.get((model, to))
    if kind:
        events.row_moved_event(row=row, kind=kind, user=by)
    return row
