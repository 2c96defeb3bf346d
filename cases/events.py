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
            "line_number": line.line_number,
            "hcpcs": line.hcpcs.code,
            "outcome": determination.outcome,
            "approved_quantity": determination.approved_quantity,
        },
    }


def case_decided_event(*, case: Case, round: str, status: str, user) -> CaseEvent:
    """The case's decision for ``round``: ``status`` is what the lines' determinations made of it."""
    return CaseEvent.objects.create(
        case=case,
        kind=Kind.DECIDED,
        actor=user,
        payload={
            "round": round,
            "status": status,
            "valid_from": case.valid_from.isoformat() if case.valid_from else None,
            "valid_to": case.valid_to.isoformat() if case.valid_to else None,
        },
    )
