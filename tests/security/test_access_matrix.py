"""Who gets what from every URL that names an object (SEC-1, ACC-9, ACC-10), as a table, for every method and role;
and from the pages without a parameter whose answer depends on an entitlement (Eligibility Lookup).

The URLs come from the resolver, so a new URL with a path parameter fails ``test_every_url_with_a_parameter_is
_in_the_matrix`` until a row here says who may open it. Each cell is one request, made in a savepoint that is
rolled back; all mismatches are reported together.

Answer classes: ``login`` (302 to the login page), ``mfa`` (302 to the MFA pages), ``ok`` (2xx, or a 302
anywhere else: the wizard moving on), ``forbidden`` (403), ``missing`` (404), ``method`` (405); the admin's
own ``admin_login`` (302 to /admin/login/) and ``admin_missing`` (its "doesn't exist" redirect to the admin
index, which is not ``ok``: a hidden draft must not look like an open one); ``invalid`` (400, the page that
says a link is invalid).
"""

from dataclasses import dataclass, field

import pytest
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType

from tests.security.routes import (
    ADMIN_LOGIN,
    ADMIN_MISSING,
    FORBIDDEN,
    INVALID,
    LOGIN,
    METHOD,
    METHODS,
    MFA,
    MISSING,
    OK,
    quoted,
    routes,
)
from tests.security.world import (
    ANONYMOUS,
    COLLEAGUE,
    DELEGATE,
    MEMBER,
    OWNER,
    PASSWORD_ONLY,
    PROVIDER_ROLES,
    REVIEWER,
    ROLES,
    SUPERUSER,
    UNRELATED,
)

pytestmark = pytest.mark.django_db

GET = frozenset({"GET"})  # require_GET: HEAD is refused too (Django's require_GET is GET only; require_safe adds HEAD)
POST = frozenset({"POST"})
GET_POST = frozenset({"GET", "POST"})

# How a view is reached. SIGNED_IN: login_required, and the MFA middleware before it (anonymous -> login,
# password only -> mfa, then the method decorator). METHOD_FIRST: the MFA pages put require_POST outside
# login_required and check MFA in the view, so a wrong method is refused (405) before anyone is asked to sign
# in. PUBLIC: anyone, signed in or not, gets the same answer.
SIGNED_IN, METHOD_FIRST, PUBLIC = "signed in", "method first", "public"


@dataclass(frozen=True)
class Page:
    """A provider page: the methods its decorator takes, and what each role gets for those methods.

    Roles not named get ``default``: for a page behind sign-in that is ``missing``, SEC-1's answer to an
    object you may not see (the same bytes as one that does not exist). ``post``: the answers to POST where
    they differ from GET's (a page that explains a refusal to read and refuses the post: 200, then 403).
    """

    methods: frozenset
    answers: dict = field(default_factory=dict)
    post: dict | None = None
    gate: str = SIGNED_IN
    default: str = MISSING
    password_only: str | None = None  # a public page under a prefix the MFA middleware guards anyway

    def expected(self, role: str, method: str) -> str:
        allowed = method in self.methods
        if role == PASSWORD_ONLY and self.password_only:
            return self.password_only
        if self.gate == PUBLIC:
            return self.answers.get(role, self.default) if allowed else METHOD
        if self.gate == METHOD_FIRST and not allowed:
            return METHOD
        if role == ANONYMOUS:
            return LOGIN
        if role == PASSWORD_ONLY:
            return MFA
        if not allowed:
            return METHOD
        answers = self.post if method == "POST" and self.post is not None else self.answers
        return answers.get(role, self.default)


# Who views a case and acts on it: its creator and the practice's members with case submission (the owner
# and the colleague); a delegate views the owner's submitted cases only, and acts on none (ACC-9).
EDITORS = {OWNER: OK, COLLEAGUE: OK}
VIEWERS = {**EDITORS, DELEGATE: OK}
# The manager of the owner's practice is the owner; practice members see their own practice's access page.
PRACTICE_MEMBERS = {OWNER: OK, COLLEAGUE: OK, MEMBER: OK}
# Reconsiderations and appeals: the owner holds the practice's precertification/appeals entitlement; the colleague
# (case submission only) and the delegate view the case and are refused with the reason.
APPEALS_REFUSED = {OWNER: OK, COLLEAGUE: FORBIDDEN, DELEGATE: FORBIDDEN}
# Every role past sign-in and MFA (the refusal pages answer 200 to read).
SIGNED_IN_ROLES = (*PROVIDER_ROLES, REVIEWER, SUPERUSER)
# Users with the case-submission entitlement in some practice: the owner and the colleague in the owner's, the
# unrelated user (their practice's manager) in theirs.
CASE_SUBMITTERS = {OWNER: OK, COLLEAGUE: OK, UNRELATED: OK}

# (URL name, the object in it) -> what each role gets. The objects are described by OBJECTS below.
PROVIDER_PAGES = {
    # Resume: a draft opens its step; a submitted case redirects to its summary.
    ("cases:resume", "draft"): Page(GET, EDITORS),
    ("cases:resume", "pending case"): Page(GET, VIEWERS),
    ("cases:resume", "approved case"): Page(GET, VIEWERS),
    # A step of a draft is editing it; of a submitted case, a redirect to its summary (nothing to edit).
    ("cases:step", "draft"): Page(GET_POST, EDITORS),
    ("cases:step", "draft, Cancel"): Page(GET_POST, EDITORS),
    ("cases:step", "pending case"): Page(GET_POST, VIEWERS),
    ("cases:step", "approved case"): Page(GET_POST, VIEWERS),
    ("cases:clinical_page", "draft"): Page(GET_POST, EDITORS),
    ("cases:clinical_page", "pending case"): Page(GET_POST, VIEWERS),
    ("cases:clinical_page", "approved case"): Page(GET_POST, VIEWERS),
    ("cases:finish_later", "draft"): Page(POST, EDITORS),
    ("cases:finish_later", "pending case"): Page(POST, VIEWERS),
    ("cases:finish_later", "approved case"): Page(POST, VIEWERS),
    ("cases:summary", "draft"): Page(GET, EDITORS),
    ("cases:summary", "pending case"): Page(GET, VIEWERS),
    ("cases:summary", "approved case"): Page(GET, VIEWERS),
    ("cases:summary_pdf", "draft"): Page(GET, EDITORS),
    ("cases:summary_pdf", "pending case"): Page(GET, VIEWERS),
    ("cases:summary_pdf", "approved case"): Page(GET, VIEWERS),
    # Withdraw: the page (and, for a pending case, the withdrawal) to editors; a delegate who can view the
    # case is refused with the reason (403); on an approved case the page says it cannot be cancelled.
    ("cases:cancel", "draft"): Page(GET_POST, EDITORS),
    ("cases:cancel", "pending case"): Page(GET_POST, {**EDITORS, DELEGATE: FORBIDDEN}),
    ("cases:cancel", "approved case"): Page(GET_POST, {**EDITORS, DELEGATE: FORBIDDEN}),
    # The diagnosis suggestions of the service step: reference data, to whoever may view the case.
    ("cases:diagnoses", "draft"): Page(GET, EDITORS),
    ("cases:diagnoses", "pending case"): Page(GET, VIEWERS),
    ("cases:diagnoses", "approved case"): Page(GET, VIEWERS),
    ("cases:document", "draft"): Page(GET, EDITORS),
    ("cases:document", "pending case"): Page(GET, VIEWERS),
    ("cases:document", "pending case, the draft's document"): Page(GET, {}),
    # The case page: whoever may view the case (a draft's sends its editors on to the wizard).
    ("cases:case_detail", "draft"): Page(GET, EDITORS),
    ("cases:case_detail", "pending case"): Page(GET, VIEWERS),
    ("cases:case_detail", "held case"): Page(GET, VIEWERS),
    ("cases:case_detail", "denied case"): Page(GET, VIEWERS),
    # Upload Additional Clinical Information: editors (on a decided case the page says why not); a delegate
    # who views the case is refused with the reason.
    ("cases:upload_more", "draft"): Page(GET_POST, EDITORS),
    ("cases:upload_more", "held case"): Page(GET_POST, {**EDITORS, DELEGATE: FORBIDDEN}),
    ("cases:upload_more", "approved case"): Page(GET_POST, {**EDITORS, DELEGATE: FORBIDDEN}),
    # Reconsiderations and appeals need the precertification/appeals entitlement (the owner, who manages the
    # practice); the colleague and the delegate view the case and are refused with the reason.
    ("cases:reconsider", "denied case"): Page(GET_POST, APPEALS_REFUSED),
    ("cases:reconsider", "pending case"): Page(GET_POST, APPEALS_REFUSED),
    ("cases:appeals", "denied case"): Page(GET_POST, APPEALS_REFUSED),
    ("cases:appeals", "pending case"): Page(GET_POST, APPEALS_REFUSED),
    ("cases:appeal", "denied case's appeal draft"): Page(GET_POST, APPEALS_REFUSED),
    ("cases:appeal", "denied case, no such appeal"): Page(GET_POST, {**APPEALS_REFUSED, OWNER: MISSING}),
    # A DME alternative: the denied Home Health line offers none (accepting one is the submitters' action).
    ("cases:alternative", "denied case, line 1"): Page(GET_POST, {DELEGATE: FORBIDDEN}),
    # The one-time extension of an active authorization: editors; the delegate is refused with the reason.
    ("cases:extension", "approved case"): Page(GET_POST, {**EDITORS, DELEGATE: FORBIDDEN}),
    ("cases:extension", "denied case"): Page(GET_POST, {**EDITORS, DELEGATE: FORBIDDEN}),
    # Links in emails: a bad token gets the page that says the link is invalid, whoever follows it.
    ("accounts:verify_email", "bad token"): Page(GET_POST, gate=PUBLIC, default=INVALID),
    # The email-change link lives under /accounts/profile/, which asks a signed-in user for MFA first
    # (mfa.middleware.REQUIRED_PREFIXES); a visitor who is not signed in follows it directly.
    ("accounts:email_change_confirm", "bad token"): Page(GET, gate=PUBLIC, default=INVALID, password_only=MFA),
    # Rows of one user: only that user reaches them; anyone else's id is a 404.
    ("practices:provider_remove", "owner's provider"): Page(POST, {OWNER: OK}),
    ("practices:provider_remove", "unrelated user's provider"): Page(POST, {UNRELATED: OK}),
    ("practices:worklist_access_revoke", "owner's grant"): Page(POST, {OWNER: OK}),
    ("practices:worklist_access_revoke", "owner's revoked grant"): Page(POST, {}),
    ("mfa:forget_device", "owner's device"): Page(POST, {OWNER: OK}, gate=METHOD_FIRST),
    ("mfa:forget_device", "unrelated user's device"): Page(POST, {UNRELATED: OK}, gate=METHOD_FIRST),
    # Practices: members see their practice's access page; only its website access manager (the owner)
    # manages it. A member who is not the manager gets what an outsider gets (404): the manage pages are
    # scoped to the practices one manages (practices.selectors.practices_managed_by).
    ("practices:practice_access", "owner's practice"): Page(GET, PRACTICE_MEMBERS),
    ("practices:practice_access", "other practice"): Page(GET, {UNRELATED: OK}),
    ("practices:practice_manage", "owner's practice"): Page(GET_POST, {OWNER: OK}),
    ("practices:practice_manage", "other practice"): Page(GET_POST, {UNRELATED: OK}),
    ("practices:member_access", "colleague in owner's practice"): Page(GET_POST, {OWNER: OK}),
    ("practices:member_access", "other practice's member, via owner's practice"): Page(GET_POST, {}),
    # My Worklist (Certification Summary) and its CSV: every signed-in user has a worklist, scoped to the cases
    # they may view (tests/security/test_worklist_scope.py); the search is a POST that redirects to the list.
    ("cases:worklist", "a search"): Page(GET_POST, dict.fromkeys(SIGNED_IN_ROLES, OK)),
    ("cases:worklist_csv", "the current view"): Page(GET, dict.fromkeys(SIGNED_IN_ROLES, OK)),
    # Eligibility Lookup looks up any member (reference data) for a user with case submission in a practice;
    # anyone else reads why and whom to ask, and their lookup is refused (403) without a word about the member.
    ("reference:eligibility_lookup", "a member's details"): Page(
        GET_POST, dict.fromkeys(SIGNED_IN_ROLES, OK), post=CASE_SUBMITTERS, default=FORBIDDEN
    ),
    # A case's letter: whoever may view the case, and whoever's Message Center holds it (the member, who holds the
    # practice's Correspondence entitlement).
    ("correspondence:letter_pdf", "held case's hold letter"): Page(GET, {**VIEWERS, MEMBER: OK}),
    # The Message Center's actions on a letter: the users whose Message Center lists it (their own copy of it), the
    # case's creator and the practice's Correspondence holders; the colleague and the delegate read it on the
    # case's page only (404 here, as for anyone else).
    ("correspondence:message_action", "held case's hold letter, Flag"): Page(POST, {OWNER: OK, MEMBER: OK}),
    # A practice's correspondence settings (default notices, paper delivery): its website access manager only; a
    # member who is not the manager gets what an outsider gets (404), as on practices:practice_manage.
    ("correspondence:practice_preferences", "owner's practice"): Page(GET_POST, {OWNER: OK}),
    ("correspondence:practice_preferences", "other practice"): Page(GET_POST, {UNRELATED: OK}),
    # ECRM: its catalog to every signed-in user (a portal account uses ECRM as it is); a ticket and its
    # attachments to its reporter and the colleague of their organization they copied on it (ECRM-8; the member,
    # of the same organization but not copied, gets 404); an unknown category or form is missing for everyone.
    # Its verification link lives under /ecrm/, which asks a signed-in user for MFA first (as the email change's).
    ("ecrm:verify_email", "bad token"): Page(GET, gate=PUBLIC, default=INVALID, password_only=MFA),
    ("ecrm:category", "a category"): Page(GET, dict.fromkeys(SIGNED_IN_ROLES, OK)),
    ("ecrm:category", "no such category"): Page(GET),
    # A request posted without its required fields is answered 400, the form with its errors.
    ("ecrm:request_form", "a request form"): Page(
        GET_POST, dict.fromkeys(SIGNED_IN_ROLES, OK), post=dict.fromkeys(SIGNED_IN_ROLES, INVALID)
    ),
    ("ecrm:request_form", "no such request form"): Page(GET_POST),
    ("ecrm:favorite_toggle", "a request form"): Page(POST, dict.fromkeys(SIGNED_IN_ROLES, OK)),
    ("ecrm:ticket_detail", "owner's ticket"): Page(GET, {OWNER: OK, COLLEAGUE: OK}),
    ("ecrm:ticket_detail", "no such ticket"): Page(GET),
    # My Cases: every signed-in user has one, listing their own tickets; the search is a POST that redirects.
    ("ecrm:my_cases", "a search"): Page(GET_POST, dict.fromkeys(SIGNED_IN_ROLES, OK)),
    # A ticket's Activity (the world's ticket is New): its reporter and the copied colleague, who may post too; its
    # edit: the reporter only, the copied colleague sees the ticket but may not (403). A post without a message,
    # or an edit without the required answers, is answered 400 with the form's errors.
    ("ecrm:ticket_activity", "owner's ticket"): Page(
        GET_POST, {OWNER: OK, COLLEAGUE: OK}, post={OWNER: INVALID, COLLEAGUE: INVALID}
    ),
    ("ecrm:ticket_activity", "no such ticket"): Page(GET_POST),
    ("ecrm:ticket_edit", "owner's ticket"): Page(
        GET_POST, {OWNER: OK, COLLEAGUE: FORBIDDEN}, post={OWNER: INVALID, COLLEAGUE: FORBIDDEN}
    ),
    ("ecrm:ticket_edit", "no such ticket"): Page(GET_POST),
    # The reporter's answer to a resolution (POST only): the world's ticket is New, so Accept is refused with a
    # message on the Activity (a redirect) and an empty Reject gets the message beside the reason (400). The
    # copied colleague may not answer (403).
    ("ecrm:ticket_accept", "owner's ticket"): Page(POST, {OWNER: OK, COLLEAGUE: FORBIDDEN}),
    ("ecrm:ticket_accept", "no such ticket"): Page(POST),
    ("ecrm:ticket_reject", "owner's ticket"): Page(POST, {OWNER: INVALID, COLLEAGUE: FORBIDDEN}),
    ("ecrm:ticket_reject", "no such ticket"): Page(POST),
    # Attachments: the reporter, the copied colleague, and agents with ecrm.view_ticket (the superuser; the case
    # reviewer has no ECRM rights).
    ("ecrm:attachment", "owner's ticket's attachment"): Page(GET, {OWNER: OK, COLLEAGUE: OK, SUPERUSER: OK}),
    ("ecrm:attachment", "owner's ticket, no such attachment"): Page(GET),
    # P2P: "Request Peer to Peer Consultation" starts the tool with a case that offers a P2P (held before its due
    # date, denied), for the practice's case submitters and appeals staff; whoever views the case but may not
    # request one (the delegate), or a case that offers none, is refused with the reason.
    ("p2p:start", "denied case"): Page(GET, {**EDITORS, DELEGATE: FORBIDDEN}),
    ("p2p:start", "held case"): Page(GET, {**EDITORS, DELEGATE: FORBIDDEN}),
    ("p2p:start", "pending case"): Page(GET, {OWNER: FORBIDDEN, COLLEAGUE: FORBIDDEN, DELEGATE: FORBIDDEN}),
    ("p2p:start", "draft"): Page(GET, {OWNER: FORBIDDEN, COLLEAGUE: FORBIDDEN}),
    # A P2P request is seen by its requester and whoever views one of its cases (the colleague, the delegate); it is
    # changed by its requester and whoever may request a P2P for its cases (the colleague): the delegate is refused.
    ("p2p:confirmation", "owner's P2P request"): Page(GET, VIEWERS),
    ("p2p:confirmation", "no such P2P request"): Page(GET),
    ("p2p:request_detail", "owner's P2P request"): Page(GET, VIEWERS),
    ("p2p:request_detail", "no such P2P request"): Page(GET),
    ("p2p:reschedule", "owner's P2P request"): Page(POST, {**EDITORS, DELEGATE: FORBIDDEN}),
    ("p2p:reschedule", "no such P2P request"): Page(POST),
    ("p2p:cancel", "owner's P2P request"): Page(
        GET_POST, {**EDITORS, DELEGATE: FORBIDDEN}, post={OWNER: INVALID, COLLEAGUE: INVALID, DELEGATE: FORBIDDEN}
    ),
    ("p2p:cancel", "no such P2P request"): Page(GET_POST),
}


# The object behind each row: the URL's parameters, and for some a body to post.
def _case_kwargs(case, document=None, **extra):
    kwargs = {"request_id": case.request_id, "slug": "review", "key": "homebound", **extra}
    if document is not None:
        kwargs["pk"] = document.pk
    return kwargs


OBJECTS = {
    "draft": lambda w: _case_kwargs(w.draft, w.draft_document),
    "draft, Cancel": lambda w: {**_case_kwargs(w.draft), "data": {"action": "cancel"}},
    "pending case": lambda w: _case_kwargs(w.pending, w.pending_document),
    "approved case": lambda w: _case_kwargs(w.approved),
    "held case": lambda w: _case_kwargs(w.held),
    "denied case": lambda w: _case_kwargs(w.denied),
    "denied case's appeal draft": lambda w: _case_kwargs(w.denied, sequence=w.appeal_draft.sequence),
    "denied case, no such appeal": lambda w: _case_kwargs(w.denied, sequence=w.appeal_draft.sequence + 1),
    "denied case, line 1": lambda w: _case_kwargs(w.denied, line_number=1),
    "pending case, the draft's document": lambda w: _case_kwargs(w.pending, w.draft_document),
    "bad token": lambda w: {"uidb64": "MQ", "token": "bad-token"},
    "a member's details": lambda w: {
        "data": {
            "member_id": w.pending.member.member_id,
            "date_of_birth": w.pending.member.date_of_birth.strftime("%m/%d/%Y"),
            "last_name": w.pending.member.last_name,
        }
    },
    "a search": lambda w: {"data": {"q": w.pending.member.last_name, "tab": "all"}},
    "held case's hold letter": lambda w: {"pk": w.hold_letter.pk},
    "held case's hold letter, Flag": lambda w: {"pk": w.hold_letter.pk, "data": {"action": "flag"}},
    "a category": lambda w: {"slug": "claims"},
    "no such category": lambda w: {"slug": "no-such-category"},
    "a request form": lambda w: {"slug": w.ticket.request_form.slug},
    "no such request form": lambda w: {"slug": "no-such-form"},
    "owner's ticket": lambda w: {"number": w.ticket.number},
    "owner's P2P request": lambda w: {"pk": w.p2p_request.pk},
    "no such P2P request": lambda w: {"pk": 999999},
    "no such ticket": lambda w: {"number": "EC99999999"},
    "owner's ticket's attachment": lambda w: {"number": w.ticket.number, "pk": w.ticket.attachments.get().pk},
    "owner's ticket, no such attachment": lambda w: {"number": w.ticket.number, "pk": 999999},
    "the current view": lambda w: {},
    "owner's provider": lambda w: {"pk": w.account_provider.pk},
    "unrelated user's provider": lambda w: {"pk": w.other_account_provider.pk},
    "owner's grant": lambda w: {"pk": w.grant.pk},
    "owner's revoked grant": lambda w: {"pk": w.revoked_grant.pk},
    "owner's device": lambda w: {"pk": w.remembered_device.pk},
    "unrelated user's device": lambda w: {"pk": w.other_remembered_device.pk},
    "owner's practice": lambda w: {"practice_id": w.practice.pk},
    "other practice": lambda w: {"practice_id": w.other_practice.pk},
    "colleague in owner's practice": lambda w: {
        "practice_id": w.practice.pk,
        "membership_id": w.colleague_membership.pk,
    },
    "other practice's member, via owner's practice": lambda w: {
        "practice_id": w.practice.pk,
        "membership_id": w.other_membership.pk,
    },
}


# --- The admin ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Admin:
    """What a registered model's admin lets the staff roles do with one row.

    The reviewer holds cases.review_case and the view permissions of the case models, and nothing else;
    the superuser holds everything the ModelAdmin allows (a read-only admin refuses change and delete
    even to a superuser).
    """

    reviewer_views: bool
    superuser_changes: bool
    superuser_deletes: bool


READ_ONLY = Admin(reviewer_views=False, superuser_changes=False, superuser_deletes=False)
EDITABLE = Admin(reviewer_views=False, superuser_changes=True, superuser_deletes=True)
ADMIN_MODELS = {
    "auth.group": EDITABLE,
    "otp_email.emaildevice": EDITABLE,
    "otp_totp.totpdevice": EDITABLE,
    "axes.accessattempt": EDITABLE,
    "axes.accesslog": EDITABLE,
    "axes.accessfailurelog": EDITABLE,
    "portal.workerheartbeat": READ_ONLY,  # written by the heartbeat task only
    "audit.auditevent": READ_ONLY,  # evidence
    "accounts.user": EDITABLE,
    "accounts.passwordresetcode": EDITABLE,
    "mfa.emailpindevice": EDITABLE,
    "mfa.smspindevice": EDITABLE,
    "mfa.passkeydevice": EDITABLE,
    "mfa.remembereddevice": READ_ONLY,  # "Forget" is an action, through the service
    "practices.practice": Admin(reviewer_views=False, superuser_changes=True, superuser_deletes=False),
    "practices.practicemembership": READ_ONLY,
    "practices.accountprovider": READ_ONLY,
    "practices.worklistaccess": READ_ONLY,
    "reference.healthplan": EDITABLE,
    "reference.program": EDITABLE,
    "reference.diagnosiscode": READ_ONLY,
    "reference.hcpcscode": EDITABLE,
    "reference.provider": EDITABLE,
    "reference.site": EDITABLE,
    "reference.member": READ_ONLY,  # mirrored reference data (and PHI)
    "resources.clinicalguideline": EDITABLE,
    "cases.case": Admin(reviewer_views=True, superuser_changes=False, superuser_deletes=False),
    # The queues after a decision: reviewers read them; decisions are taken on the case page, through services.
    "cases.reconsideration": Admin(reviewer_views=True, superuser_changes=False, superuser_deletes=False),
    "cases.appeal": Admin(reviewer_views=True, superuser_changes=False, superuser_deletes=False),
    "cases.authorizationextension": Admin(reviewer_views=True, superuser_changes=False, superuser_deletes=False),
    "cases.searchtextrewrite": READ_ONLY,  # an outbox: its task and the sweep write it
    # Letters are records (read-only); a delivery is worked by its actions (Mark as mailed, Retry), not edited.
    "correspondence.letter": READ_ONLY,
    "correspondence.delivery": READ_ONLY,
    # ECRM's catalog is data that staff edit; tickets are read here and moved by services.
    "ecrm.category": EDITABLE,
    "ecrm.requestform": EDITABLE,
    "ecrm.requesttype": EDITABLE,
    "ecrm.ecrmprofile": EDITABLE,
    "ecrm.cannedreply": EDITABLE,
    # A ticket's fields are read-only here (agents' work goes through services); nobody deletes one.
    "ecrm.ticket": Admin(reviewer_views=False, superuser_changes=True, superuser_deletes=False),
    # P2P reviewers are set up by staff; P2P requests are read here (by staff holding p2p.work_p2p, which the case
    # reviewer does not) and completed through the outcome form; the emails' outbox is read-only (Retry: an action).
    "p2p.reviewer": EDITABLE,
    "p2p.p2prequest": READ_ONLY,
    "p2p.p2pnotice": READ_ONLY,
}
ADMIN_OBJECT_VIEWS = ("change", "delete", "history", "redirect")


@dataclass(frozen=True)
class AdminPage:
    """An admin URL: the admin's gate first (anonymous and provider users -> its login page, a session
    without MFA -> mfa), then ``staff`` (role -> answer for every method but POST) and ``staff_post``.

    The admin's own views treat every method that is not POST as GET (HEAD, OPTIONS, PUT, PATCH and DELETE
    render the page); the case page's actions of ours take only ``methods`` (the others answer ``method``).
    """

    staff: dict
    staff_post: dict | None = None
    methods: frozenset | None = None

    def expected(self, role: str, method: str) -> str:
        if role in (ANONYMOUS, *PROVIDER_ROLES):
            return ADMIN_LOGIN
        if role == PASSWORD_ONLY:
            return MFA  # /admin/ is not exempt from MFA: reviewers pass it too
        if self.methods is not None and method not in self.methods:
            return METHOD
        answers = self.staff_post if method == "POST" and self.staff_post is not None else self.staff
        return answers[role]


def admin_object_page(view: str, rights: Admin, *, hidden: bool = False) -> AdminPage:
    """Django's answers for a change, delete or history page, or the bare ``<id>/`` redirect, of one row.

    ``hidden``: the row exists but the admin's queryset leaves it out (a draft in the case queue); the admin
    then answers as for a missing row, after the permission check where Django makes it first.
    """
    may_view = {REVIEWER: rights.reviewer_views, SUPERUSER: True}
    may_change = {REVIEWER: False, SUPERUSER: rights.superuser_changes}
    may_delete = {REVIEWER: False, SUPERUSER: rights.superuser_deletes}
    found = ADMIN_MISSING if hidden else OK

    def answer(allowed: dict, role: str) -> str:
        return found if allowed[role] else FORBIDDEN

    staff = (REVIEWER, SUPERUSER)
    if view == "redirect":  # RedirectView to the change page; the change page decides
        return AdminPage(dict.fromkeys(staff, OK))
    if view == "change":  # GET: view permission, then the lookup; POST: change permission, then the lookup
        return AdminPage({r: answer(may_view, r) for r in staff}, {r: answer(may_change, r) for r in staff})
    if view == "delete":  # delete permission, then the lookup
        return AdminPage({r: answer(may_delete, r) for r in staff})
    if view == "history":  # the lookup, then view permission
        return AdminPage({r: ADMIN_MISSING if hidden else answer(may_view, r) for r in staff})
    raise AssertionError(f"No expectation for the admin's {view} view")


ADMIN_PAGES = {
    ("admin:cases.case:change", "draft"): admin_object_page("change", ADMIN_MODELS["cases.case"], hidden=True),
    ("admin:cases.case:delete", "draft"): admin_object_page("delete", ADMIN_MODELS["cases.case"], hidden=True),
    ("admin:cases.case:history", "draft"): admin_object_page("history", ADMIN_MODELS["cases.case"], hidden=True),
    ("admin:cases.case:redirect", "draft"): admin_object_page("redirect", ADMIN_MODELS["cases.case"], hidden=True),
    # The case page's actions (cases.admin.actions): POST only, for reviewers (the superuser reviews too), on cases
    # of the queue; a draft is missing. The document opens with GET only.
    **{
        (f"admin:cases_case_{action}", obj): AdminPage(dict.fromkeys((REVIEWER, SUPERUSER), answer), methods=POST)
        for action in (
            "claim",
            "release",
            "assign",
            "determine",
            "decide",
            "approve_all",
            "hold",
            "extend_due",
            "extension",
        )
        for obj, answer in (("pending case", OK), ("draft", MISSING))
    },
    ("admin:cases_case_document", "pending case's document"): AdminPage(
        dict.fromkeys((REVIEWER, SUPERUSER), OK), methods=GET
    ),
    ("admin:cases_case_document", "draft's document"): AdminPage(
        dict.fromkeys((REVIEWER, SUPERUSER), MISSING), methods=GET
    ),
    # A ticket's actions (ecrm/admin.py): POST only, for staff with ecrm.change_ticket (the case reviewer has no
    # ECRM rights: 403 before the lookup). An empty post is refused beside the field (400), but for the
    # assignment, where "nobody, no group" is a choice (the ticket's as it is: nothing changes).
    **{
        (f"admin:ecrm_ticket_{action}", obj): AdminPage({REVIEWER: FORBIDDEN, SUPERUSER: answer}, methods=POST)
        for action, empty_post in (("comment", INVALID), ("state", INVALID), ("priority", INVALID), ("assign", OK))
        for obj, answer in (("ecrm ticket", empty_post), ("no such ecrm ticket", MISSING))
    },
    # A P2P request's outcome (p2p/admin.py): POST only, for staff holding p2p.work_p2p (the case reviewer does
    # not: 403 before the lookup); an empty post is refused beside the field (400).
    ("admin:p2p_p2prequest_outcome", "P2P request"): AdminPage({REVIEWER: FORBIDDEN, SUPERUSER: INVALID}, methods=POST),
    ("admin:p2p_p2prequest_outcome", "no such P2P request"): AdminPage(
        {REVIEWER: FORBIDDEN, SUPERUSER: MISSING}, methods=POST
    ),
    # A letter's PDF: staff who may view letters (the case reviewer holds no correspondence rights).
    ("admin:correspondence_letter_pdf", "hold letter"): AdminPage({REVIEWER: FORBIDDEN, SUPERUSER: OK}),
    ("admin:correspondence_letter_pdf", "no such letter"): AdminPage({REVIEWER: FORBIDDEN, SUPERUSER: MISSING}),
    # Django's user admin: a password form for whoever may change users.
    ("admin:auth_user_password_change", "owner"): AdminPage({REVIEWER: FORBIDDEN, SUPERUSER: OK}),
    # django-otp hides authenticator secrets from everyone (OTP_ADMIN_HIDE_SENSITIVE_DATA).
    ("admin:otp_totp_totpdevice_config", "device"): AdminPage({REVIEWER: FORBIDDEN, SUPERUSER: FORBIDDEN}),
    ("admin:otp_totp_totpdevice_qrcode", "device"): AdminPage({REVIEWER: FORBIDDEN, SUPERUSER: FORBIDDEN}),
    # "View on site": no portal model has a public URL.
    ("admin:view_on_site", "pending case"): AdminPage({REVIEWER: MISSING, SUPERUSER: MISSING}),
    # An app's index: only apps with a model the user may see.
    ("admin:app_list", "cases"): AdminPage({REVIEWER: OK, SUPERUSER: OK}),
    ("admin:app_list", "accounts"): AdminPage({REVIEWER: MISSING, SUPERUSER: OK}),
    # Any other address under /admin/: a 404 for staff, the login page for everyone else.
    ("admin:(?P<url>.*)$", "no such page"): AdminPage({REVIEWER: MISSING, SUPERUSER: MISSING}),
}
ADMIN_OBJECTS = {
    "draft": lambda w: {"object_id": w.draft.pk},
    "pending case's document": lambda w: {"object_id": w.pending.pk, "document_id": w.pending_document.pk},
    "draft's document": lambda w: {"object_id": w.draft.pk, "document_id": w.draft_document.pk},
    "owner": lambda w: {"id": w.users[OWNER].pk},
    "device": lambda w: {"pk": w.admin_objects["otp_totp.totpdevice"]},
    "pending case": lambda w: {
        "content_type_id": ContentType.objects.get_for_model(w.pending).pk,
        "object_id": w.pending.pk,
    },
    "cases": lambda w: {"app_label": "cases"},
    "accounts": lambda w: {"app_label": "accounts"},
    "no such page": lambda w: {"url": "no-such-page/"},
    "P2P request": lambda w: {"object_id": w.p2p_request.pk},
    "no such P2P request": lambda w: {"object_id": 999999},
    "hold letter": lambda w: {"pk": w.hold_letter.pk},
    "ecrm ticket": lambda w: {"object_id": w.ticket.pk},
    "no such ecrm ticket": lambda w: {"object_id": 999999},
    "no such letter": lambda w: {"pk": 999999},
}


def matrix(world) -> tuple[list, list[str]]:
    """Every (route, object, expectation, kwargs) row, and the URLs with parameters that no row covers."""
    rows, unclassified = [], []
    by_key = {}
    without_parameters = {key for key, _ in PROVIDER_PAGES}
    for route in routes():
        if not route.params and route.key not in without_parameters:
            continue
        by_key[route.key] = route
        if route.admin_model:
            if route.admin_view not in ADMIN_OBJECT_VIEWS or route.admin_model not in ADMIN_MODELS:
                unclassified.append(f"{route.key} ({route.template})")
                continue
            page = admin_object_page(route.admin_view, ADMIN_MODELS[route.admin_model])
            rows.append((route, "row", page, {"object_id": world.admin_objects[route.admin_model]}))
        found = [
            (obj, page, objects[obj](world))
            for table, objects in ((PROVIDER_PAGES, OBJECTS), (ADMIN_PAGES, ADMIN_OBJECTS))
            for (key, obj), page in table.items()
            if key == route.key
        ]
        if not found and not route.admin_model:
            unclassified.append(f"{route.key} ({route.template})")
        rows += [(route, obj, page, kwargs) for obj, page, kwargs in found]
    stale = sorted({key for key, _ in {**PROVIDER_PAGES, **ADMIN_PAGES}} - set(by_key))
    unclassified += [f"{key}: in the table, but no URL has this name any more" for key in stale]
    return rows, unclassified


def test_every_url_with_a_parameter_is_in_the_matrix(world):
    _rows, unclassified = matrix(world)
    registered = {model._meta.label_lower for model in admin.site._registry}
    unclassified += [f"admin model {label}: add it to ADMIN_MODELS" for label in sorted(registered - set(ADMIN_MODELS))]
    assert not unclassified, "URLs with a path parameter that the access matrix does not classify:\n" + "\n".join(
        unclassified
    )


def methods_for(route) -> tuple[str, ...]:
    """Every method, except on the admin's own views of a model other than cases.case: those answer HEAD,
    PUT, PATCH, DELETE and OPTIONS exactly as GET (Django's ModelAdmin only asks whether the method is
    POST), so their rows take GET and POST. The case admin, with views of our own (the PHI audit), takes
    every method. The five others on the 26 other models' 104 object URLs as 10 roles would be 5,200 more
    requests: more than the time the two tests have."""
    if route.admin_model and route.admin_model != "cases.case":
        return ("GET", "POST")
    return METHODS


def test_access_matrix(world, probe, crawling):
    rows, _unclassified = matrix(world)
    mismatches, shapes = [], {}
    for route, obj, page, kwargs in rows:
        kwargs = dict(kwargs)
        data = kwargs.pop("data", None)
        url = route.url(**{param.name: quoted(kwargs[param.name]) for param in route.params})
        methods = methods_for(route)
        shapes[len(methods)] = shapes.get(len(methods), 0) + 1
        for role in ROLES:
            for method in methods:
                expected = page.expected(role, method)
                answer = probe(role, method, url, data if method == "POST" else None)
                if answer.answer != expected:
                    mismatches.append(
                        f"{route.key} [{obj}] {method} as {role}: expected {expected}, got {answer.answer} "
                        f"({answer.description}) {url}"
                    )
    cells = sum(urls * methods * len(ROLES) for methods, urls in shapes.items())
    size = " + ".join(
        f"{urls} URLs x {methods} methods x {len(ROLES)} roles" for methods, urls in sorted(shapes.items())
    )
    print(f"\naccess matrix: {size} = {cells} cells")
    assert not mismatches, f"{len(mismatches)} of {cells} cells differ:\n" + "\n".join(mismatches)
