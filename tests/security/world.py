"""A small world with one object of every kind a URL can name, and the ten roles that look at it.

The owner's practice holds the owner's cases: a draft ready to submit, a submitted case pending review, an
approved one (with an extension requested), one on hold (its hold letter rendered), a denied one (with an appeal
draft and a reconsideration waiting) and a denied one with a submitted appeal; a clinical document on the draft and
one on the pending case. The owner also filed an ECRM ticket with an attachment.
Around them: a colleague with the case-submission entitlement, a member with the Correspondence one only, a
delegate (User Access) and a
revoked one, a user of another practice with a draft of their own, a reviewer and a superuser. Every model
registered in the admin has at least one row. Built through the services, as the portal builds them.
"""

import datetime
from dataclasses import dataclass, field

from django.contrib import admin
from django.contrib.auth.models import Group, Permission
from django.core import signing
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_otp.oath import totp
from django_otp.plugins.otp_email.models import EmailDevice

from accounts.models import PasswordResetCode
from accounts.profile import EMAIL_CHANGE_SALT
from accounts.tests.factories import UserFactory
from accounts.tokens import email_verification_token
from cases import appeals, decisions, extensions, holds, reconsiderations, services
from cases.models import Case, CaseStatus, DeterminationOutcome, DeterminationRound, SearchTextRewrite
from cases.tests.factories import attested_case, draft_case, home_health_answers
from cases.tests.files import pdf_bytes
from correspondence.letters import letter_render
from correspondence.models import Letter
from ecrm import tickets as ecrm_tickets
from ecrm.models import CannedReply, RequestForm, Ticket
from ecrm.tests.factories import EcrmProfileFactory
from mfa.models import PasskeyDevice, RememberedDevice
from mfa.tests.factories import AuthenticatorAppDeviceFactory, EmailPinDeviceFactory, SMSPinDeviceFactory
from p2p import notifications
from p2p.tests.notify_world import scheduled_request
from portal.models import WorkerHeartbeat
from practices.models import PracticeMembership, WorklistAccess
from practices.tests.factories import AccountProviderFactory, PracticeFactory, PracticeMembershipFactory
from reference.models import HealthPlan, Program, Site
from reference.services import catalog_load
from resources.models import ClinicalGuideline

ANONYMOUS = "anonymous"
PASSWORD_ONLY = "password_only"
OWNER = "owner"
COLLEAGUE = "colleague"  # same practice, with the case-submission entitlement, not the creator
MEMBER = "member"  # same practice, the Correspondence entitlement only (the front desk: letters, not cases)
DELEGATE = "delegate"
REVOKED_DELEGATE = "revoked_delegate"
UNRELATED = "unrelated"  # another practice
REVIEWER = "reviewer"
SUPERUSER = "superuser"
ROLES = (
    ANONYMOUS,
    PASSWORD_ONLY,
    OWNER,
    COLLEAGUE,
    MEMBER,
    DELEGATE,
    REVOKED_DELEGATE,
    UNRELATED,
    REVIEWER,
    SUPERUSER,
)
# Users of the provider pages who passed MFA: the admin sends each of them to its login page.
PROVIDER_ROLES = (OWNER, COLLEAGUE, MEMBER, DELEGATE, REVOKED_DELEGATE, UNRELATED)


@dataclass
class World:
    users: dict  # role -> User (the password-only role is the owner, signed in without MFA)
    practice: object
    other_practice: object
    draft: Case
    pending: Case
    approved: Case
    other_draft: Case  # the unrelated user's, in their practice
    held: Case  # submitted, on hold (a reviewer asked for progress notes)
    denied: Case  # every line denied with its reason; an appeal draft and a reconsideration waiting
    appealed: Case  # denied, with a submitted appeal (the appeals queue's row)
    appeal_draft: object  # the denied case's, started by the owner
    draft_document: object
    pending_document: object
    account_provider: object  # the owner's
    other_account_provider: object  # the unrelated user's
    grant: WorklistAccess  # owner -> delegate, active
    revoked_grant: WorklistAccess  # owner -> revoked delegate
    colleague_membership: PracticeMembership
    other_membership: PracticeMembership  # the unrelated user's, in the other practice
    remembered_device: RememberedDevice  # the owner's
    other_remembered_device: RememberedDevice  # the unrelated user's
    unverified_user: object  # registered, email not verified yet
    hold_letter: Letter  # the held case's, rendered
    ticket: Ticket  # the owner's ECRM ticket, with one attachment
    p2p_request: object = None  # the owner's P2P call about the appealed case, Scheduled two days ahead
    admin_objects: dict = field(default_factory=dict)  # "app.model" -> pk of a row its admin shows
    clients: dict = field(default_factory=dict)  # role -> Client

    def email_verification_link(self) -> tuple[str, str]:
        """A working registration link (uidb64, token) for a user who has not created a password yet."""
        user = self.unverified_user
        return urlsafe_base64_encode(force_bytes(user.pk)), email_verification_token.make_token(user)

    def email_change_token(self) -> str:
        """A valid "confirm your new email" link's token for the owner."""
        owner = self.users[OWNER]
        return signing.dumps(
            {"user": owner.pk, "old": owner.email, "new": "owner.new@office.example"}, salt=EMAIL_CHANGE_SALT
        )


def world_build() -> World:
    catalog_load()
    practice, other_practice = PracticeFactory(name="Owner's practice"), PracticeFactory(name="Other practice")
    users = {
        OWNER: UserFactory(username="sec.owner"),
        COLLEAGUE: UserFactory(username="sec.colleague"),
        MEMBER: UserFactory(username="sec.member"),
        DELEGATE: UserFactory(username="sec.delegate"),
        REVOKED_DELEGATE: UserFactory(username="sec.revoked"),
        UNRELATED: UserFactory(username="sec.unrelated"),
        REVIEWER: UserFactory(username="sec.reviewer", is_staff=True),
        SUPERUSER: UserFactory(username="sec.superuser", is_staff=True, is_superuser=True),
    }
    users[PASSWORD_ONLY] = users[OWNER]
    # Every role has confirmed a default time zone, so the P2P tool's pages answer rather than ask for one first.
    for user in {user.pk: user for user in users.values()}.values():
        user.time_zone = "America/New_York"
        user.save(update_fields=["time_zone"])
    # The owner manages their practice (so the practice pages have a manager to compare with).
    PracticeMembershipFactory(user=users[OWNER], practice=practice, manager=True)
    colleague_membership = PracticeMembershipFactory(user=users[COLLEAGUE], practice=practice, case_submission=True)
    PracticeMembershipFactory(user=users[MEMBER], practice=practice, correspondence=True)
    other_membership = PracticeMembershipFactory(user=users[UNRELATED], practice=other_practice, manager=True)
    grant = WorklistAccess.objects.create(owner=users[OWNER], grantee=users[DELEGATE])
    revoked_grant = WorklistAccess.objects.create(owner=users[OWNER], grantee=users[REVOKED_DELEGATE])
    revoked_grant.revoked_at = timezone.now()
    revoked_grant.save(update_fields=["revoked_at"])
    users[REVIEWER].user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="cases",
            codename__in=[
                "review_case",
                "view_case",
                "view_serviceline",
                "view_casestatuschange",
                "view_clinicaldocument",
            ],
        )
    )

    owner = users[OWNER]
    draft = _ready_to_submit(attested_case(user=owner, practice=practice), bundle=False)
    draft_document = _upload(draft, "draft-notes.pdf")
    pending = _ready_to_submit(attested_case(user=owner, practice=practice), bundle=False)
    pending_document = _upload(pending, "pending-notes.pdf")
    pending = services.case_submit(case=pending, user=owner)
    approved = _ready_to_submit(attested_case(user=owner, practice=practice), bundle=True)
    approved = services.case_submit(case=approved, user=owner)
    assert (pending.status, approved.status) == (CaseStatus.PENDING_REVIEW, CaseStatus.APPROVED)
    other_draft = draft_case(user=users[UNRELATED], practice=other_practice)
    reviewer = users[REVIEWER]
    held = _submitted(owner, practice)
    holds.hold_place(
        case=held,
        items=["progress_notes"],
        note="",
        due_on=timezone.localdate() + datetime.timedelta(days=7),
        by=reviewer,
    )
    guideline = _clinical_guideline(None)
    denied, appealed = _denied(owner, practice, reviewer, guideline), _denied(owner, practice, reviewer, guideline)
    appeal_draft = appeals.appeal_draft_start(case=denied, user=owner)
    reconsiderations.reconsideration_request(case=denied, user=owner, reason="New therapy notes.")
    submitted_appeal = appeals.appeal_draft_start(case=appealed, user=owner)
    appeals.appeal_draft_save(appeal=submitted_appeal, user=owner, reason="The member is homebound.")
    appeals.appeal_submit(appeal=submitted_appeal, user=owner)
    extensions.extension_request(
        case=approved,
        user=owner,
        reason="Therapy resumed late.",
        requested_valid_to=approved.valid_to + datetime.timedelta(days=30),
    )

    world = World(
        users=users,
        practice=practice,
        other_practice=other_practice,
        draft=draft,
        pending=pending,
        approved=approved,
        other_draft=other_draft,
        held=held,
        denied=denied,
        appealed=appealed,
        appeal_draft=appeal_draft,
        draft_document=draft_document,
        pending_document=pending_document,
        account_provider=AccountProviderFactory(user=owner),
        other_account_provider=AccountProviderFactory(user=users[UNRELATED]),
        grant=grant,
        revoked_grant=revoked_grant,
        colleague_membership=colleague_membership,
        other_membership=other_membership,
        remembered_device=_remembered_device(owner),
        other_remembered_device=_remembered_device(users[UNRELATED]),
        unverified_user=UserFactory(username="sec.unverified", password=None),
        hold_letter=letter_render(letter=Letter.objects.get(case=held)),
        ticket=_ecrm_ticket(owner, copied=users[COLLEAGUE], uncopied=users[MEMBER]),
        # Not about the denied or held case: those must still offer a P2P for p2p:start's rows.
        p2p_request=_p2p_booked(appealed, owner),
    )
    world.clients = {role: _client(role, user) for role, user in users.items()}
    world.clients[ANONYMOUS] = Client()
    world.admin_objects = _admin_objects(world)
    return world


def _ready_to_submit(case: Case, *, bundle: bool) -> Case:
    """An attested Home Health case with its clinical answers (the bundle accepted, or declined for visits that
    go to Medical Review) and every step up to "Summary of Your Request" done."""
    answers = home_health_answers(bundle=bundle)
    case = services.case_answers_save(case=case, answers=answers, next_step="clinical-summary")
    case = services.case_step_save(
        case=case,
        user=case.created_by,
        step="urgency",
        changes={"is_routine": True, "urgency_criterion": ""},
        next_step="review",
    )
    return services.case_progress_save(case=case, next_step="review", completed="clinical-summary")


def _submitted(owner, practice) -> Case:
    return services.case_submit(
        case=_ready_to_submit(attested_case(user=owner, practice=practice), bundle=False), user=owner
    )


def _denied(owner, practice, reviewer, guideline) -> Case:
    """A submitted case whose every line a reviewer denied, with the specific reason (CMS-1)."""
    case = _submitted(owner, practice)
    for line in case.service_lines.all():
        decisions.line_determine(
            line=line,
            round=DeterminationRound.INITIAL,
            outcome=DeterminationOutcome.DENIED,
            criterion="Homebound status is not documented.",
            guideline=guideline,
            documentation="A physician's note of the member's homebound status.",
            by=reviewer,
        )
    return decisions.case_decide(case=case, round=DeterminationRound.INITIAL, by=reviewer)


def _p2p_booked(case: Case, owner):
    """The owner's Scheduled P2P call about ``case`` two days ahead, with its booking email in the outbox."""
    p2p_request = scheduled_request(cases=[case], user=owner)
    notifications.booked(p2p_request)
    return p2p_request


def _upload(case: Case, name: str):
    uploaded = SimpleUploadedFile(name, pdf_bytes(), content_type="application/pdf")
    document = services.clinical_document_add(case=case, uploaded_file=uploaded, user=case.created_by)
    services.case_progress_save(case=case, next_step="review", completed="upload")
    return document


def _ecrm_ticket(reporter, *, copied, uncopied) -> Ticket:
    """A Provider Services request for every carrier, with one attachment (the catalog is the demo's fixture). The
    reporter, the colleague and the member are ECRM users of one organization; the colleague is copied on it
    (ECRM-8), the member is not."""
    call_command("loaddata", "ecrm_catalog", verbosity=0)
    for user in (reporter, copied, uncopied):
        EcrmProfileFactory(user=user, organization_name="Security Therapy Group", tax_id="061234567")
    form = RequestForm.objects.get(slug="provider-services")
    return ecrm_tickets.ticket_submit(
        request=None,
        user=reporter,
        request_form=form,
        data={
            "short_description": "Our fax number changed",
            "carrier_scope": "all",
            "health_plans": [],
            "request_type": form.request_types.first(),
            "copied_colleagues": [copied],
        },
        files=[SimpleUploadedFile("new-fax.txt", b"Fax: 860-555-0199")],
    )


def _remembered_device(user) -> RememberedDevice:
    now = timezone.now()
    return RememberedDevice.objects.create(
        user=user,
        token_hash=f"{user.pk:064d}",
        otp_device_id="mfa.authenticatorappdevice/1",
        password_fingerprint="0" * 64,
        label="Firefox on Linux",
        expires_at=now + datetime.timedelta(days=30),
    )


def _client(role: str, user) -> Client:
    """Signed in with the password; past MFA through the real pages unless the role is password-only."""
    client = Client()
    client.force_login(user)
    if role == PASSWORD_ONLY:
        return client
    device = AuthenticatorAppDeviceFactory(user=user)
    client.post(reverse("mfa:choose"), {"device": device.persistent_id})
    response = client.post(reverse("mfa:verify"), {"code": f"{totp(device.bin_key):06d}"})
    assert response.status_code == 302, f"{role} did not pass MFA: {response.status_code}"
    return client


# --- A row for every model in the admin ------------------------------------------------------------


def _axes_row(model_name: str, **fields):
    from django.apps import apps

    model = apps.get_model("axes", model_name)
    return model.objects.create(
        user_agent="Firefox", ip_address="127.0.0.1", username="sec.owner", http_accept="*/*", path_info="/", **fields
    )


def _clinical_guideline(world):
    existing = ClinicalGuideline.objects.filter(program__code="home-health").first()
    if existing:
        return existing
    guideline = ClinicalGuideline.objects.create(
        program=Program.objects.get(code="home-health"),
        title="Home Health Services",
        version="1.0",
        effective_date=datetime.date(2026, 1, 1),
        summary="Criteria for home health visits.",
    )
    guideline.health_plans.add(HealthPlan.objects.get(code="cigna-commercial"))
    return guideline


# Rows the world does not make on its way, for the models registered in the admin (one each).
_ADMIN_ROW_MAKERS = {
    "cases.searchtextrewrite": lambda world: SearchTextRewrite.objects.create(site=Site.objects.order_by("pk").first()),
    "auth.group": lambda world: Group.objects.create(name="Clinical reviewers"),
    "otp_email.emaildevice": lambda world: EmailDevice.objects.create(
        user=world.users[OWNER], name="Email", email=world.users[OWNER].email
    ),
    "axes.accessattempt": lambda world: _axes_row("accessattempt", get_data="", post_data="", failures_since_start=1),
    "axes.accesslog": lambda world: _axes_row("accesslog"),
    "axes.accessfailurelog": lambda world: _axes_row("accessfailurelog"),
    "portal.workerheartbeat": lambda world: WorkerHeartbeat.objects.create(worker="celery@sec", seen_at=timezone.now()),
    "accounts.passwordresetcode": lambda world: PasswordResetCode.objects.create(
        user=world.users[OWNER], code_hash="0" * 64, expires_at=timezone.now() + datetime.timedelta(minutes=10)
    ),
    "mfa.emailpindevice": lambda world: EmailPinDeviceFactory(user=world.users[OWNER]),
    "mfa.smspindevice": lambda world: SMSPinDeviceFactory(user=world.users[OWNER]),
    "mfa.passkeydevice": lambda world: PasskeyDevice.objects.create(
        user=world.users[OWNER],
        name="Passkey (Firefox on Linux)",
        credential_id=b"sec-credential",
        credential_id_sha256="0" * 64,
        public_key=b"sec-public-key",
        sign_count=0,
    ),
    "resources.clinicalguideline": _clinical_guideline,
    "ecrm.ecrmprofile": lambda world: EcrmProfileFactory(user=UserFactory(username="sec.ecrm")),
    "ecrm.cannedreply": lambda world: CannedReply.objects.create(title="Fixed", body="Your details are updated."),
}


def _admin_objects(world: World) -> dict:
    """``{"app.model": pk}`` for every model registered in the admin: the world's own object where one
    stands for the model, any row otherwise. A newly registered model with no row fails here, by name."""
    chosen = {
        "accounts.user": world.users[OWNER],
        "cases.case": world.pending,  # submitted: the review queue shows it (the draft is checked apart)
        "practices.practice": world.practice,
        "practices.practicemembership": world.colleague_membership,
        "practices.accountprovider": world.account_provider,
        "practices.worklistaccess": world.grant,
        "mfa.remembereddevice": world.remembered_device,
        "reference.member": world.pending.member,
        "cases.appeal": world.appealed.appeals.get(),  # submitted: the appeals queue never lists drafts
        "correspondence.letter": world.hold_letter,
        "ecrm.ticket": world.ticket,
    }
    objects, missing = {}, []
    for model in admin.site._registry:
        label = model._meta.label_lower
        row = chosen.get(label) or model._default_manager.order_by("pk").first()
        if row is None and label in _ADMIN_ROW_MAKERS:
            row = _ADMIN_ROW_MAKERS[label](world)
        if row is None:
            missing.append(label)
        else:
            objects[label] = row.pk
    assert not missing, f"No row to open in the admin for {missing}: add a maker to _ADMIN_ROW_MAKERS in {__file__}"
    return objects
