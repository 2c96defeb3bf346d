from django.conf import settings
from django.db import models
from django.db.models import F, Q

from reference.validators import validate_tin

# The entitlements a website access manager assigns (ACC-10, seed 004), as membership field names.
ENTITLEMENTS = ("case_submission", "precertification_appeals", "correspondence")


class Practice(models.Model):
    """A practice is a TIN: its members, their entitlements and its correspondence delivery (ACC-10).

    Digital delivery to the Message Center cannot be turned off (seed 004: "Digital correspondence will
    always be available"), so only the two paper switches are stored. A new TIN starts digital only.
    """

    tin = models.CharField("TIN", max_length=9, unique=True, validators=[validate_tin])
    name = models.CharField("Practice name", max_length=120)
    paper_precertification_letters = models.BooleanField("Paper precertification letters", default=False)
    paper_claim_letters = models.BooleanField("Paper claim letters", default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    digital_delivery = True  # Message Center, always on.

    class Meta:
        ordering = ["tin"]
        constraints = [
            models.CheckConstraint(condition=Q(tin__regex=r"^[0-9]{9}$"), name="practice_tin_is_nine_digits"),
        ]

    def __str__(self):
        return f"{self.name} (TIN {self.tin})"


class PracticeMembership(models.Model):
    """A user's place in a practice: whether they are its website access manager, and their entitlements."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="practice_memberships")
    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="memberships")
    is_access_manager = models.BooleanField("Website access manager", default=False)
    case_submission = models.BooleanField("Case submission", default=False)
    precertification_appeals = models.BooleanField("Precertification and appeals", default=False)
    correspondence = models.BooleanField("Correspondence", default=False)
    joined_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["practice__tin", "user__last_name", "user__first_name", "user__username"]
        constraints = [
            models.UniqueConstraint(fields=["user", "practice"], name="unique_practice_membership"),
        ]
        indexes = [models.Index(fields=["practice", "is_access_manager"], name="membership_manager_idx")]

    def __str__(self):
        return f"{self.user} in {self.practice}"

    @property
    def entitlement_labels(self) -> list[str]:
        """The screen labels of the entitlements this member holds, in the order the portal lists them."""
        return [self._meta.get_field(name).verbose_name for name in ENTITLEMENTS if getattr(self, name)]


class AccountProvider(models.Model):
    """A practitioner or group on a user's account (ACC-8): the list the case build's ordering-provider step offers."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="account_providers")
    provider = models.ForeignKey("reference.Provider", on_delete=models.CASCADE, related_name="account_links")
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["provider__last_name", "provider__first_name", "provider__organization_name"]
        constraints = [
            models.UniqueConstraint(fields=["user", "provider"], name="unique_account_provider"),
        ]

    def __str__(self):
        return f"{self.provider} on {self.user}'s account"


class WorklistAccess(models.Model):
    """The owner lets the grantee see the owner's worklist (ACC-9), for example while out of the office.

    A revoked grant keeps its row with ``revoked_at`` set rather than being deleted: who could see whose
    worklist (and so whose patients), from when to when, is part of the access record (SEC-2), and the
    partial unique constraint still allows one new active grant for the same pair later.
    """

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="worklist_grants_given")
    grantee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="worklist_grants_received"
    )
    granted_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "worklist access"
        verbose_name_plural = "worklist access grants"
        ordering = ["-granted_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "grantee"],
                condition=Q(revoked_at__isnull=True),
                name="unique_active_worklist_access",
            ),
            models.CheckConstraint(condition=~Q(owner=F("grantee")), name="worklist_access_not_to_self"),
            models.CheckConstraint(
                condition=Q(revoked_at__isnull=True) | Q(revoked_at__gte=F("granted_at")),
                name="worklist_access_revoked_after_granted",
            ),
        ]
        indexes = [models.Index(fields=["grantee", "revoked_at"], name="worklist_access_grantee_idx")]

    def __str__(self):
        return f"{self.grantee} sees {self.owner}'s worklist"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
