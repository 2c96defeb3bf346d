"""The P2P request being built, kept in the session between the tool's steps (Case Info, Questions, Schedule,
Confirmation) so that no case number or date of birth travels in a URL. Only ids and choices are stored; every
step re-reads the cases through the permission module, so a stale draft grants nothing."""

from dataclasses import asdict, dataclass, field

from p2p.slots import HOURS, WEEKDAYS

SESSION_KEY = "p2p_draft"


@dataclass
class Draft:
    case_ids: list[int] = field(default_factory=list)  # in the order they were looked up: the 1st Case first
    preferred_days: list[int] = field(default_factory=lambda: list(WEEKDAYS))
    preferred_hours: list[int] = field(default_factory=lambda: list(HOURS))
    questions_done: bool = False
    reservation_id: int | None = None  # the slot held while the contact details are filled
    rescheduling_request_id: int | None = None  # set when the draft reschedules an existing request


def draft_get(request) -> Draft | None:
    data = request.session.get(SESSION_KEY)
    if not isinstance(data, dict):
        return None
    try:
        return Draft(**data)
    except TypeError:  # a draft saved by an older release: start again
        return None


def draft_save(request, draft: Draft) -> None:
    request.session[SESSION_KEY] = asdict(draft)


def draft_clear(request) -> None:
    request.session.pop(SESSION_KEY, None)
