"""A case's events, one small named function per kind (saleor's ``order/events.py`` shape).

Each function writes one ``CaseEvent`` row and returns it. The timeline shows them, and the correspondence
hooks its letters onto them. Payloads hold codes and identifiers only, never PHI.
"""

from cases.models import Case, CaseEvent, CaseStatusChange, Determination

Kind = CaseEvent.Kind


def case_submitted_event(*, case: Case, user) -> CaseEvent:
    return CaseEvent.objects.create(
        case=case, kind=Kind.SUBMITTED, actor=user, payload={"case_number": case.case_number, "urgent": case.is_urgent}
    )


def status_changed_event(*, change: CaseStatusChange) -> CaseEvent:
    return CaseEvent.objects.create(
        case_id=change.case_id,
        kind=Kind.STATUS_CHANGED,
        actor=change.changed_by,
        created_at=change.changed_at,
        payload={"from": change.from_status, "to": change.to_status, "status_change": change.pk},
    )


def line_determined_event(*, determination: Determination) -> CaseEvent:
    return CaseEvent.objects.create(**_line_determined(determination))


def lines_determined_events(*, determinations: list[Determination]) -> list[CaseEvent]:
    """``line_determined_event`` for several saved determinations, in one insert."""
    return CaseEvent.objects.bulk_create([CaseEvent(**_line_determined(d)) for d in determinations])


def _line_determined(determination: Determination) -> dict:
    line = determination.line
    return {
        "case_id": line.case_id,
        "kind": Kind.LINE_DETERMINED,
        "actor": determination.decided_by,
        "created_at": determination.decided_at,
        "payload": {
            "determination": determination.pk,
            "round": determination.round,
            "sequence": determination.sequence,
            "line_number": line.line_number,
            "hcpcs": line.hcpcs.code,
            "outcome": determination.outcome,
            "approved_quantity": determination.approved_quantity,
        },
    }


def case_decided_event(*, case: Case, round: str, status: str, user, sequence: int = 1) -> CaseEvent:
    """The case's decision for ``round`` (its ``sequence``): ``status`` is what the lines' determinations made of it."""
    return CaseEvent.objects.create(
        case=case,
        kind=Kind.DECIDED,
        actor=user,
        payload={
            "round": round,
            "sequence": sequence,
            "status": status,
            "valid_from": case.valid_from.isoformat() if case.valid_from else None,
            "valid_to": case.valid_to.isoformat() if case.valid_to else None,
        },
    )


# --- After submission: assignment, documents, holds, reconsiderations, appeals, extensions ---------------------


def assigned_event(*, case: Case, reviewer, user) -> CaseEvent:
    """``reviewer`` claimed the case (``user`` is the reviewer) or was assigned it by ``user``; None: released."""
    return _event(case.pk, Kind.ASSIGNED, user, reviewer=reviewer.pk if reviewer else None)


def document_added_event(*, document, user) -> CaseEvent:
    return _event(document.case_id, Kind.DOCUMENT_ADDED, user, document=document.pk)


def due_extended_event(*, extension) -> CaseEvent:
    return _event(
        extension.case_id,
        Kind.DUE_EXTENDED,
        extension.extended_by,
        due_extension=extension.pk,
        previous_due_at=extension.previous_due_at.isoformat(),
        new_due_at=extension.new_due_at.isoformat(),
    )


def hold_placed_event(*, hold) -> CaseEvent:
    return _event(
        hold.case_id, Kind.HOLD_PLACED, hold.placed_by, hold=hold.pk, items=hold.items, due_on=hold.due_on.isoformat()
    )


def reconsideration_requested_event(*, reconsideration) -> CaseEvent:
    return _event(
        reconsideration.case_id,
        Kind.RECONSIDERATION_REQUESTED,
        reconsideration.requested_by,
        reconsideration=reconsideration.pk,
        sequence=reconsideration.sequence,
    )


def alternative_accepted_event(*, acceptance) -> CaseEvent:
    determination = acceptance.determination
    return _event(
        determination.line.case_id,
        Kind.ALTERNATIVE_ACCEPTED,
        acceptance.accepted_by,
        determination=determination.pk,
        line_number=determination.line.line_number,
    )


def extension_requested_event(*, extension) -> CaseEvent:
    return _event(
        extension.case_id,
        Kind.EXTENSION_REQUESTED,
        extension.requested_by,
        extension=extension.pk,
        requested_valid_to=extension.requested_valid_to.isoformat(),
    )


def row_moved_event(*, row, kind: str, user) -> CaseEvent:
    """A hold, reconsideration, appeal or extension moved to a new status (``cases.lifecycle.row_transition``)."""
    payload = {type(row).__name__.lower(): row.pk, "status": row.status}
    if hasattr(row, "sequence"):
        payload["sequence"] = row.sequence
    return _event(row.case_id, kind, user, **payload)


def _event(case_id: int, kind: str, user, **payload) -> CaseEvent:
    return CaseEvent.objects.create(case_id=case_id, kind=kind, actor=user, payload=payload)
