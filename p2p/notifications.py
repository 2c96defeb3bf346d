"""Emails with .ics invitations on booking, rescheduling and cancelling, and the reminder before the call
(P2P-6). INTERFACE DRAFT: the lead wrote the signatures; a helper implements them through the correspondence
outbox (rows written in the caller's transaction, delivered by Celery tasks on commit)."""


def booked(p2p_request) -> None:
    """The office's confirmation with a METHOD:REQUEST invitation (UID = request.uid, SEQUENCE = request.sequence)."""
    raise NotImplementedError


def rescheduled(p2p_request) -> None:
    """The updated invitation: same UID, the raised SEQUENCE, the new time."""
    raise NotImplementedError


def cancelled(p2p_request) -> None:
    """METHOD:CANCEL with the same UID and the raised SEQUENCE, and the reason."""
    raise NotImplementedError
