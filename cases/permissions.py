"""Who may see and do what with a case (SEC-1, ACC-9, ACC-10): the one answer for pages, admin, API and tasks.

The list scope (``cases_visible_to``) and the per-object answers (``case_permits``) live side by side and
are tested together (``cases/tests/test_permissions.py``), the way ohcnetwork/care pairs a list filter with
per-action checks. The rules:

- A case belongs to a practice (the TIN it is submitted under). Its creator, and the practice's members
  who hold the case-submission entitlement, view it. Acting on it (editing or cancelling a draft,
  submitting, withdrawing, adding clinical information, an extension) needs that entitlement in the
  case's practice now: a creator whose entitlement was taken away keeps the view only.
- Appeals and reconsiderations need the practice's precertification/appeals entitlement; members who hold
  it view the practice's submitted requests (they cannot appeal what they cannot see), not its drafts.
- Requesting a peer-to-peer consultation (a held, denied or partially approved request) needs either
  entitlement in the case's practice: case submitters answer holds, appeals staff follow up denials. Whether
  the case offers a P2P now (dates, delegation, an appeal received) is ``p2p.eligibility``'s answer.
- A delegate given access to a worklist through User Access views that worklist's submitted cases
  (summary, PDF, documents, letters) and acts on none of them (seed 001: "to allow others to view your
  worklist while you are out of the office"). Drafts are the builder's unfinished work: not shown.
- Clinical reviewers and intake staff work cases in the admin (``cases_in_review_queue``), which never
  lists drafts or requests cancelled or expired before submission. On provider pages they are like any
  other user.
"""

import enum
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet

from cases.models import AWAITING_DECISION, Case, CaseStatus
from practices.selectors import (
    entitlement_refusal,
    memberships_for,
    practices_with_entitlement,
    worklist_owners_visible_to,
)


class CaseAction(enum.StrEnum):
    VIEW = "view"
    EDIT = "edit"  # resume a draft, save its steps, answer its questions, upload to it, Finish Later
    CANCEL_DRAFT = "cancel_draft"
    SUBMIT = "submit"
    WITHDRAW = "withdraw"  # cancel a submitted request that still waits for its decision
    UPLOAD = "upload"  # add clinical information to a submitted request under review
    APPEAL = "appeal"
    RECONSIDER = "reconsider"
    EXTEND = "extend"  # a one-time extension of an active authorization
    ACCEPT_ALTERNATIVE = "accept_alternative"  # accept a DME alternative recommendation
    REQUEST_P2P = "request_p2p"  # ask for a peer-to-peer consultation with a reviewer (p2p.eligibility)


# Actions that change the case: they need the case-submission entitlement in the case's practice.
_SUBMISSION_ACTIONS = {
    CaseAction.EDIT,
    CaseAction.CANCEL_DRAFT,
    CaseAction.SUBMIT,
    CaseAction.WITHDRAW,
    CaseAction.UPLOAD,
    CaseAction.EXTEND,
    CaseAction.ACCEPT_ALTERNATIVE,
}
_APPEALS_ACTIONS = {CaseAction.APPEAL, CaseAction.RECONSIDER}
# Actions either entitlement allows.
_EITHER_ACTIONS = {CaseAction.REQUEST_P2P}

# The statuses in which each action makes sense at all, whoever asks.
_STATUSES_FOR = {
    CaseAction.EDIT: {CaseStatus.DRAFT},
    CaseAction.CANCEL_DRAFT: {CaseStatus.DRAFT},
    CaseAction.SUBMIT: {CaseStatus.DRAFT},
    CaseAction.WITHDRAW: {CaseStatus.PENDING_REVIEW, CaseStatus.ON_HOLD},
    CaseAction.UPLOAD: set(AWAITING_DECISION),
    CaseAction.APPEAL: {CaseStatus.DENIED, CaseStatus.PARTIALLY_APPROVED},
    CaseAction.RECONSIDER: {CaseStatus.DENIED, CaseStatus.PARTIALLY_APPROVED},
    CaseAction.EXTEND: {CaseStatus.APPROVED, CaseStatus.PARTIALLY_APPROVED},
    CaseAction.ACCEPT_ALTERNATIVE: {CaseStatus.DENIED, CaseStatus.PARTIALLY_APPROVED},
    CaseAction.REQUEST_P2P: {CaseStatus.ON_HOLD, CaseStatus.DENIED, CaseStatus.PARTIALLY_APPROVED},
}


# --- What a user holds ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Grants:
    """What a user holds, read once: their practices per entitlement and the worklists shared with them."""

    user_id: int
    submission_practice_ids: frozenset[int]
    appeals_practice_ids: frozenset[int]
    delegated_owner_ids: frozenset[int]


def grants_of(user) -> Grants:
    """Two small queries; pass the result to the scopes and ``case_permits`` to answer many questions about
    one user (a view reads them once per request)."""
    memberships = list(memberships_for(user).values_list("practice_id", "case_submission", "precertification_appeals"))
    owners = worklist_owners_visible_to(user).exclude(pk=user.pk).values_list("pk", flat=True)
    return Grants(
        user_id=user.pk,
        submission_practice_ids=frozenset(practice for practice, submits, _ in memberships if submits),
        appeals_practice_ids=frozenset(practice for practice, _, appeals in memberships if appeals),
        delegated_owner_ids=frozenset(owners),
    )


# --- Scopes --------------------------------------------------------------------------------------


def cases_visible_to(user, *, grants: Grants | None = None) -> QuerySet[Case]:
    """Every case ``user`` may view on the provider pages; anything else answers 404."""
    if not _is_signed_in(user):
        return Case.objects.none()
    grants = _grants(user, grants)
    visible = Q(created_by=user) | Q(practice_id__in=grants.submission_practice_ids)
    if grants.appeals_practice_ids:
        visible |= Q(practice_id__in=grants.appeals_practice_ids, submitted_at__isnull=False)
    if grants.delegated_owner_ids:
        visible |= Q(created_by_id__in=grants.delegated_owner_ids, submitted_at__isnull=False)
    return Case.objects.filter(visible).select_related(
        "program", "health_plan", "member", "ordering_provider", "practice"
    )


def submitted_visible_parts(user, *, grants: Grants | None = None) -> list[QuerySet[Case]]:
    """``cases_visible_to(user)`` without the drafts (nor requests cancelled or expired before submission), as
    disjoint parts whose union is exactly that set, each one read through its own index:

    1. the user's own submitted cases (``created_by``);
    2. the submitted cases of the practices where they hold case submission or precertification/appeals, less
       their own (``practice``);
    3. the submitted cases of the worklists shared with them, less the two above (``created_by``).

    No case is in two parts, so counts add up and a UNION ALL lists each case once (``cases.worklist``). The
    OR of ``cases_visible_to`` reads all three indexes and every visible row's heap; a part reads one index."""
    if not _is_signed_in(user):
        return []
    grants = _grants(user, grants)
    submitted = Case.objects.filter(submitted_at__isnull=False).order_by()
    parts = [submitted.filter(created_by_id=user.pk)]
    practice_ids = grants.submission_practice_ids | grants.appeals_practice_ids
    if practice_ids:
        parts.append(submitted.filter(practice_id__in=practice_ids).exclude(created_by_id=user.pk))
    if grants.delegated_owner_ids:
        shared = submitted.filter(created_by_id__in=grants.delegated_owner_ids).exclude(created_by_id=user.pk)
        if practice_ids:
            # Django's exclude keeps a case without a practice (NULL NOT IN (...) would drop it).
            shared = shared.exclude(practice_id__in=practice_ids)
        parts.append(shared)
    return parts


def drafts_visible_to(user, *, grants: Grants | None = None) -> QuerySet[Case]:
    """ "Certification Requests In Progress": the drafts ``user`` may resume, their own and their colleagues'
    in the practices where they hold case submission (``case_permits(user, case, "edit")`` for each)."""
    if not _is_signed_in(user):
        return Case.objects.none()
    return (
        Case.objects.filter(status=CaseStatus.DRAFT)
        .filter(practice_id__in=_grants(user, grants).submission_practice_ids)
        .select_related("program", "member", "ordering_provider", "created_by", "practice")
        .order_by("-last_saved_at", "-pk")
    )


def cases_in_review_queue(user) -> QuerySet[Case]:
    """The admin's case list: submitted requests only, for staff allowed to work cases; nothing otherwise."""
    if not (_is_signed_in(user) and user.is_staff and user.has_perm("cases.review_case")):
        return Case.objects.none()
    return Case.objects.filter(submitted_at__isnull=False).select_related("program", "health_plan", "practice")


# --- One case ------------------------------------------------------------------------------------


def case_permits(
    user, case: Case, action: CaseAction | str, *, grants: Grants | None = None, any_status: bool = False
) -> bool:
    """May ``user`` do ``action`` to ``case`` now? The per-object twin of ``cases_visible_to``.

    ``any_status``: whether the user would be allowed if the case were in a status that allows the action
    (a page can then say "this request can no longer be cancelled" rather than "you may not").
    """
    action = CaseAction(action)
    if not _is_signed_in(user):
        return False
    grants = _grants(user, grants)
    if not _may_view(grants, case):
        return False
    if action == CaseAction.VIEW:
        return True
    if not any_status and case.status not in _STATUSES_FOR[action]:
        return False
    if action in _APPEALS_ACTIONS:
        return case.practice_id in grants.appeals_practice_ids
    if action in _EITHER_ACTIONS:
        return case.practice_id in grants.appeals_practice_ids | grants.submission_practice_ids
    return case.practice_id in grants.submission_practice_ids


def case_actions(user, case: Case, *, grants: Grants | None = None) -> dict[str, bool]:
    """Every answer for one case as ``may_<action>`` booleans, for templates (no decisions in templates)."""
    grants = _grants(user, grants) if _is_signed_in(user) else None
    return {f"may_{action.value}": case_permits(user, case, action, grants=grants) for action in CaseAction}


def _grants(user, grants: Grants | None) -> Grants:
    # Grants read for another user (a bug in a caller) are never reused: read this user's own.
    return grants if grants is not None and grants.user_id == user.pk else grants_of(user)


def _may_view(grants: Grants, case: Case) -> bool:
    if case.created_by_id == grants.user_id:
        return True
    if case.practice_id is not None and case.practice_id in grants.submission_practice_ids:
        return True
    if case.submitted_at is None:
        return False
    return case.practice_id in grants.appeals_practice_ids or case.created_by_id in grants.delegated_owner_ids


def case_require(user, case: Case, action: CaseAction | str) -> None:
    """For services: refuse a user who may not do ``action`` to ``case`` (the views have already answered 404
    or 403). Whether the case's status allows it is the service's own check (``case_transition``)."""
    if not case_permits(user, case, action, any_status=True):
        raise PermissionDenied(f"This user may not {CaseAction(action).value.replace('_', ' ')} this request.")


# --- Starting a case -----------------------------------------------------------------------------


def practices_for_new_case(user) -> QuerySet:
    """The practices (TINs) ``user`` may start and submit a case under: where they hold case submission."""
    if not _is_signed_in(user):
        from practices.models import Practice

        return Practice.objects.none()
    return practices_with_entitlement(user=user, entitlement="case_submission")


def new_case_refusal(user) -> dict | None:
    """Why ``user`` cannot start a case, with whom to ask; None when they can.

    ``{"reason": str, "managers": [User, ...]}``: the managers of the practices the user belongs to.
    """
    return entitlement_refusal(user=user, entitlement="case_submission", purpose="request an authorization")


# --- Helpers -------------------------------------------------------------------------------------


def _is_signed_in(user) -> bool:
    return user is not None and user.is_authenticated and user.is_active
