"""cases.permissions: the list scopes and the per-object answers, tested together over every role and status."""

import pytest
from django.contrib.auth.models import AnonymousUser, Permission
from django.core.exceptions import PermissionDenied

from accounts.tests.factories import UserFactory
from cases import permissions, services
from cases.models import CaseStatus
from cases.permissions import CaseAction
from cases.tests.factories import draft_case, submitted_case, submitter
from practices.models import PracticeMembership
from practices.tests.factories import PracticeFactory, PracticeMembershipFactory, WorklistAccessFactory

pytestmark = pytest.mark.django_db

A = CaseAction
NOTHING = frozenset()


@pytest.fixture
def world(catalog):
    practice = PracticeFactory()
    owner = submitter(practice=practice)
    cases = {
        "draft": draft_case(user=owner),
        "pending": submitted_case(user=owner),
        "approved": submitted_case(user=owner, approved=True),
        "denied": submitted_case(user=owner),
        "cancelled_draft": draft_case(user=owner),
        "expired": draft_case(user=owner),
    }
    services.case_transition(case=cases["denied"], to=CaseStatus.DENIED, reason="Not medically necessary.")
    services.case_cancel_draft(case=cases["cancelled_draft"], user=owner)
    services.case_transition(case=cases["expired"], to=CaseStatus.EXPIRED, reason="Not submitted in time.")

    reviewer = UserFactory(is_staff=True)
    reviewer.user_permissions.add(Permission.objects.get(codename="review_case"))
    lapsed_owner = submitter(practice=practice)
    lapsed_draft = draft_case(user=lapsed_owner)
    PracticeMembership.objects.filter(user=lapsed_owner).update(case_submission=False)
    cases["lapsed_draft"] = lapsed_draft
    for case in cases.values():
        case.refresh_from_db()
    users = {
        "owner": owner,
        "colleague": submitter(practice=practice),
        "appeals_colleague": PracticeMembershipFactory(practice=practice, precertification_appeals=True).user,
        "member_without_entitlement": PracticeMembershipFactory(practice=practice).user,
        "delegate": WorklistAccessFactory(owner=owner).grantee,
        "revoked_delegate": WorklistAccessFactory(owner=owner, revoked=True).grantee,
        "other_practice": submitter(),
        "no_practice": UserFactory(),
        "reviewer": reviewer,
        "superuser": UserFactory(is_staff=True, is_superuser=True),
        "lapsed_owner": lapsed_owner,
        "anonymous": AnonymousUser(),
    }
    return users, cases


ACTS_ON_OWN = {
    "draft": {A.VIEW, A.EDIT, A.CANCEL_DRAFT, A.SUBMIT},
    "pending": {A.VIEW, A.WITHDRAW, A.UPLOAD},
    "approved": {A.VIEW, A.EXTEND},
    "denied": {A.VIEW, A.ACCEPT_ALTERNATIVE, A.REQUEST_P2P},
    "cancelled_draft": {A.VIEW},
    "expired": {A.VIEW},
    "lapsed_draft": {A.VIEW, A.EDIT, A.CANCEL_DRAFT, A.SUBMIT},
}
VIEWS_SUBMITTED = {kind: ({A.VIEW} if kind in ("pending", "approved", "denied") else NOTHING) for kind in ACTS_ON_OWN}
EXPECTED = {
    # The creator and the practice's case submitters act on its cases (SEC-1)...
    "owner": ACTS_ON_OWN,
    "colleague": ACTS_ON_OWN,
    # ...appeals need the precertification/appeals entitlement, and its holders see submitted requests only...
    "appeals_colleague": {**VIEWS_SUBMITTED, "denied": {A.VIEW, A.APPEAL, A.RECONSIDER, A.REQUEST_P2P}},
    # ...a delegate views the owner's submitted requests and acts on none (ACC-9)...
    "delegate": VIEWS_SUBMITTED,
    # ...a creator whose entitlement was taken away keeps the view of their own requests only...
    "lapsed_owner": {kind: ({A.VIEW} if kind == "lapsed_draft" else NOTHING) for kind in ACTS_ON_OWN},
    # ...and nobody else sees anything on the provider pages, reviewers and superusers included.
    **{
        role: dict.fromkeys(ACTS_ON_OWN, NOTHING)
        for role in (
            "member_without_entitlement",
            "revoked_delegate",
            "other_practice",
            "no_practice",
            "reviewer",
            "superuser",
            "anonymous",
        )
    },
}


def test_every_role_may_do_exactly_what_the_rules_say_to_every_kind_of_case(world):
    users, cases = world
    wrong = []
    for role, user in users.items():
        for kind, case in cases.items():
            allowed = {action for action in CaseAction if permissions.case_permits(user, case, action)}
            if allowed != set(EXPECTED[role][kind]):
                wrong.append(f"{role} on {kind}: {sorted(allowed)} != {sorted(EXPECTED[role][kind])}")
    assert not wrong, "\n".join(wrong)


def test_the_list_scope_holds_exactly_the_cases_each_user_may_view(world):
    users, cases = world
    for role, user in users.items():
        listed = set(permissions.cases_visible_to(user).values_list("pk", flat=True))
        viewable = {case.pk for case in cases.values() if permissions.case_permits(user, case, A.VIEW)}
        assert listed & {case.pk for case in cases.values()} == viewable, role


def test_in_progress_lists_exactly_the_drafts_each_user_may_resume(world):
    users, cases = world
    for role, user in users.items():
        listed = set(permissions.drafts_visible_to(user).values_list("pk", flat=True))
        resumable = {case.pk for case in cases.values() if permissions.case_permits(user, case, A.EDIT)}
        assert listed & {case.pk for case in cases.values()} == resumable, role


def test_case_actions_gives_templates_one_boolean_per_action(world):
    users, cases = world
    actions = permissions.case_actions(users["delegate"], cases["pending"])
    assert actions == {f"may_{action.value}": action == A.VIEW for action in CaseAction}


def test_the_review_queue_lists_submitted_requests_only_and_only_to_reviewers(world):
    users, cases = world
    queue = set(permissions.cases_in_review_queue(users["reviewer"]).values_list("pk", flat=True))
    assert queue == {cases[kind].pk for kind in ("pending", "approved", "denied")}
    assert set(permissions.cases_in_review_queue(users["superuser"]).values_list("pk", flat=True)) == queue
    for role in ("owner", "colleague", "delegate", "anonymous"):
        assert not permissions.cases_in_review_queue(users[role]).exists(), role


def test_a_user_in_several_practices_sees_each_practices_cases(world):
    users, cases = world
    other = PracticeFactory()
    colleague = users["colleague"]
    submitter(colleague, practice=other)
    elsewhere = draft_case(user=colleague, practice=other)
    assert elsewhere.practice == other
    visible = set(permissions.cases_visible_to(colleague).values_list("pk", flat=True))
    assert {elsewhere.pk, cases["draft"].pk} <= visible
    assert not permissions.case_permits(users["owner"], elsewhere, A.VIEW)


# --- Starting a case, and the services' own checks -------------------------------------------------------------


def test_only_case_submitters_may_start_a_case_and_the_others_are_told_why(world):
    users, _cases = world
    assert permissions.new_case_refusal(users["owner"]) is None
    refusal = permissions.new_case_refusal(users["member_without_entitlement"])
    assert "Case submission entitlement" in refusal["reason"]
    assert refusal["managers"] == []  # the practice in this world has no access manager
    assert "not linked to a practice" in permissions.new_case_refusal(users["no_practice"])["reason"]


def test_the_refusal_names_the_practices_access_managers(catalog):
    membership = PracticeMembershipFactory()
    manager = PracticeMembershipFactory(practice=membership.practice, manager=True).user
    assert permissions.new_case_refusal(membership.user)["managers"] == [manager]


def test_a_user_with_no_practice_cannot_start_a_case(catalog):
    from django.core.exceptions import ValidationError

    from reference.models import Program

    with pytest.raises(ValidationError, match="not linked to a practice"):
        services.case_start(
            user=UserFactory(), program=Program.objects.get(code="home-health"), builder_role="referring_physician"
        )


def test_a_case_cannot_be_started_under_a_practice_where_the_user_has_no_entitlement(catalog):
    from django.core.exceptions import ValidationError

    from reference.models import Program

    user = submitter()
    elsewhere = PracticeMembershipFactory(user=user).practice
    with pytest.raises(ValidationError):
        services.case_start(
            user=user,
            program=Program.objects.get(code="home-health"),
            builder_role="referring_physician",
            practice=elsewhere,
        )


def test_services_refuse_a_delegate_who_calls_them_directly(world):
    users, cases = world
    with pytest.raises(PermissionDenied):
        services.case_withdraw(case=cases["pending"], user=users["delegate"])
    with pytest.raises(PermissionDenied):
        services.case_cancel_draft(case=cases["draft"], user=users["delegate"])
    cases["pending"].refresh_from_db()
    assert cases["pending"].status == CaseStatus.PENDING_REVIEW


def test_grants_of_answers_many_questions_in_two_queries(world, django_assert_num_queries):
    users, cases = world
    with django_assert_num_queries(2):
        grants = permissions.grants_of(users["colleague"])
    with django_assert_num_queries(0):
        for case in cases.values():
            for action in CaseAction:
                permissions.case_permits(users["colleague"], case, action, grants=grants)
