"""New P2P Request's "Lookup Cases" (P2P-3): a case found by its Case Reference Number and the member's date of
birth, among the cases the user may view.

A wrong number, a wrong date of birth and a case the user may not see all get one message (``NOT_FOUND``), so the
answer never tells whether a case exists. Every lookup, found or not, writes one audit row ("p2p.case_lookup",
the case as its target when found: the PHI read); the rate limit counts those rows, so it holds across sessions
and web workers, like the password reset's limit kept in the database (``accounts.password_reset``).
"""

import datetime

from django.conf import settings
from django.utils import timezone

from audit.models import AuditEvent
from audit.services import audit_record
from cases import permissions
from cases.models import Case

NOT_FOUND = "We could not find a case with that case reference number and member date of birth."
LOOKUP_ACTION = "p2p.case_lookup"
DEFAULT_LOOKUP_LIMIT = 20
DEFAULT_LOOKUP_WINDOW_MINUTES = 10


def lookup_limit() -> tuple[int, datetime.timedelta]:
    """How many lookups a user may make in how long (settings P2P_LOOKUP_LIMIT, P2P_LOOKUP_WINDOW_MINUTES)."""
    count = int(getattr(settings, "P2P_LOOKUP_LIMIT", DEFAULT_LOOKUP_LIMIT))
    minutes = int(getattr(settings, "P2P_LOOKUP_WINDOW_MINUTES", DEFAULT_LOOKUP_WINDOW_MINUTES))
    return count, datetime.timedelta(minutes=minutes)


def rate_limit_message() -> str:
    count, window = lookup_limit()
    minutes = int(window.total_seconds() // 60)
    return (
        f"You have looked up {count} cases in the last {minutes} minutes, the most allowed. Wait a few minutes, "
        "then look up the case again."
    )


def lookups_left(user) -> int:
    """How many more lookups ``user`` may make now."""
    count, window = lookup_limit()
    made = AuditEvent.objects.filter(actor=user, action=LOOKUP_ACTION, at__gte=timezone.now() - window).count()
    return max(count - made, 0)


def case_lookup(
    *, request, case_number: str, date_of_birth: datetime.date, grants: permissions.Grants | None = None
) -> Case | None:
    """The case with this Case Number whose member was born on ``date_of_birth``, if ``request.user`` may view it;
    None otherwise, whatever the reason. The caller checks ``lookups_left`` first. Audited either way."""
    user = request.user
    case = (
        permissions.cases_visible_to(user, grants=grants)
        .filter(
            case_number=(case_number or "").strip().upper(),
            member__date_of_birth=date_of_birth,
            submitted_at__isnull=False,
        )
        .first()
    )
    audit_record(action=LOOKUP_ACTION, request=request, target=case, details={"found": case is not None})
    return case
