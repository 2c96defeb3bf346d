"""The case app's models: the request itself (``case``) and what happens to it after submission (``review``)."""

from cases.models.case import (  # noqa: F401
    AWAITING_DECISION,
    OPEN_OR_APPROVED,
    BuilderRole,
    Case,
    CaseEvent,
    CaseStatus,
    CaseStatusChange,
    ClinicalDocument,
    Determination,
    DeterminationOutcome,
    DeterminationRound,
    SearchTextRewrite,
    ServiceLine,
    UrgencyCriterion,
    default_expiry,
)
from cases.models.review import (  # noqa: F401
    AlternativeAcceptance,
    Appeal,
    AuthorizationExtension,
    DueDateExtension,
    Hold,
    HoldItem,
    Reconsideration,
)
