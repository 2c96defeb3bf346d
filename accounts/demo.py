"""Demo logins, one per kind of user, created by ``seed_demo`` outside production only."""

from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.db import transaction

from accounts.models import User

REVIEWER_GROUPS = {
    # Reviewers read reference data and submitted cases; decisions arrive with the reviewer queue.
    "Clinical reviewers": [
        "view_member",
        "view_eligibility",
        "view_provider",
        "view_site",
        "view_diagnosiscode",
        "view_case",
        "review_case",
    ],
    "Intake agents": ["view_member", "view_eligibility", "view_provider", "view_site"],
    "ECRM agents": ["view_member", "view_provider", "view_site"],
}


@dataclass(frozen=True)
class DemoUser:
    username: str
    first_name: str
    last_name: str
    role: str
    email: str
    is_staff: bool = False
    is_superuser: bool = False
    group: str = ""


DEMO_USERS = (
    DemoUser("mjohnson", "Maria", "Johnson", "Physician office staff", "mjohnson@office.example"),
    DemoUser("hhagency", "Keisha", "Porter", "Home health agency staff", "kporter@hha.example"),
    DemoUser("dmesupplier", "Luis", "Ortega", "DME supplier staff", "lortega@dme.example"),
    DemoUser("frontdesk", "Priya", "Raman", "Office staff filing ECRM tickets", "praman@office.example"),
    DemoUser(
        "rnreviewer",
        "Dana",
        "Whitfield",
        "Clinical reviewer (nurse)",
        "dwhitfield@review.example",
        is_staff=True,
        group="Clinical reviewers",
    ),
    DemoUser("intake", "Marcus", "Bell", "Intake agent", "mbell@review.example", is_staff=True, group="Intake agents"),
    DemoUser(
        "mdreviewer",
        "Samuel",
        "Reyes",
        "Physician reviewer taking P2P calls",
        "sreyes@review.example",
        is_staff=True,
    ),
    DemoUser(
        "ecrmagent", "Grace", "Okafor", "ECRM agent", "gokafor@review.example", is_staff=True, group="ECRM agents"
    ),
    DemoUser(
        "admin", "Portal", "Administrator", "Administrator", "admin@portal.example", is_staff=True, is_superuser=True
    ),
)


@transaction.atomic
def demo_users_ensure() -> int:
    """Create the demo logins that are missing; existing ones (and their passwords) are left alone."""
    for name, codenames in REVIEWER_GROUPS.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.set(Permission.objects.filter(codename__in=codenames))
    created = 0
    for demo in DEMO_USERS:
        user, was_created = User.objects.get_or_create(
            username=demo.username,
            defaults={
                "first_name": demo.first_name,
                "last_name": demo.last_name,
                "email": demo.email,
                "is_staff": demo.is_staff,
                "is_superuser": demo.is_superuser,
            },
        )
        if was_created:
            user.set_password(settings.DEMO_PASSWORD)
            user.save(update_fields=["password"])
            if demo.group:
                user.groups.add(Group.objects.get(name=demo.group))
            created += 1
    return created
