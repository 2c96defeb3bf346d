"""A one-time extension of an active authorization (WL-7, seed 002: "One-time extensions will be allowed on active
authorizations if appropriate"): the provider asks with a reason and a new last day; a reviewer grants or
refuses it, and a granted one moves the case's expiration date."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from audit.services import audit_record
from cases import decisions, events, lifecycle, permissions, rules
from cases.models import AuthorizationExtension, Case, CaseStatus

ACTIVE = {CaseStatus.APPROVED, CaseStatus.PARTIALLY_APPROVED}


def extension_refusal(case: Case, *, today: datetime.date | None = None) -> str | None:
    """Why ``case`` takes no extension request now (whoever asks), or None."""
    if AuthorizationExtension.objects.filter(case=case).exists():
        return "An extension has already been requested for this authorization: only one is allowed."
    if case.status not in ACTIVE or case.valid_to is None:
        return f"Only an active authorization can be extended; this request is {case.get_status_display()}."
    if case.valid_to < (today or timezone.localdate()):
        return f"This authorization expired on {rules.format_us_date(case.valid_to)}: it can no longer be extended."
    return None


@transaction.atomic
def extension_request(
    *, case: Case, user, reason: str, requested_valid_to: datetime.date, request=None
) -> AuthorizationExtension:
    case = decisions.locked_case(case.pk)
    permissions.case_require(user, case, permissions.CaseAction.EXTEND)
    refusal = extension_refusal(case)
    if refusal:
        raise ValidationError(refusal, code="refused")
    errors = {}
    if not (reason or "").strip():
        errors["reason"] = "Enter the reason for the extension."
    if requested_valid_to is None or requested_valid_to <= case.valid_to:
        errors["requested_valid_to"] = f"Enter a date after {rules.format_us_date(case.valid_to)}."
    if errors:
        raise ValidationError(errors)
    extension = AuthorizationExtension.objects.create(
        case=case,
        reason=reason.strip(),
        requested_valid_to=requested_valid_to,
        previous_valid_to=case.valid_to,
        requested_by=user,
    )
    events.extension_requested_event(extension=extension)
    audit_record(
        action="case.extension_requested", request=request, actor=user, target=case, details={"extension": extension.pk}
    )
    return extension


@transaction.atomic
def extension_decide(*, extension: AuthorizationExtension, grant: bool, note: str = "", by) -> AuthorizationExtension:
    """A reviewer grants (the case's expiration date becomes the requested one) or refuses the extension."""
    case = decisions.locked_case(extension.case_id)
    if not decisions.is_reviewer(by, case):
        raise PermissionDenied("Only a clinical reviewer can decide an extension.")
    status = AuthorizationExtension.Status
    lifecycle.row_transition(
        extension,
        to=status.GRANTED if grant else status.REFUSED,
        by=by,
        fields={"decided_by": by, "decided_at": timezone.now(), "decision_note": (note or "").strip()},
    )
    if grant:
        case.valid_to = extension.requested_valid_to
        case.save(update_fields=["valid_to"])
    return extension
