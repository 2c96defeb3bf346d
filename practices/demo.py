"""The demo logins' practices, entitlements, providers and shared worklist; called by ``seed_demo``.

Rows are created directly rather than through the services: the services write audit rows in the name
of the acting user, and no demo user really granted anything. The rows respect the same rules (one
manager per practice at least, no grant to oneself).
"""

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction

from practices.models import ENTITLEMENTS, AccountProvider, Practice, PracticeMembership, WorklistAccess
from reference.models import Provider

DEMO_PROVIDERS_ON_ACCOUNT = 3


@dataclass(frozen=True)
class DemoPractice:
    tin: str
    name: str
    manager: str
    # Other members and the entitlements their manager gave them.
    members: tuple[tuple[str, tuple[str, ...]], ...] = ()


DEMO_PRACTICES = (
    DemoPractice(
        "061234567",
        "Johnson Family Medicine",
        manager="mjohnson",
        members=(("frontdesk", ("correspondence",)),),
    ),
    DemoPractice("062345678", "Porter Home Health", manager="hhagency"),
    DemoPractice("063456789", "Ortega Medical Supply", manager="dmesupplier"),
)
# mjohnson's worklist is shared with the home health agency that works her referrals.
DEMO_WORKLIST_SHARES = (("mjohnson", "hhagency"),)


@transaction.atomic
def practices_demo_ensure() -> int:
    """Create what is missing, leave what exists (and what users changed since) alone; how many rows were added."""
    users = {user.username: user for user in get_user_model().objects.filter(username__in=_demo_usernames())}
    added = 0
    for demo in DEMO_PRACTICES:
        if demo.manager not in users:
            continue  # production: no demo logins
        practice, created = Practice.objects.get_or_create(tin=demo.tin, defaults={"name": demo.name})
        added += created
        _, created = PracticeMembership.objects.get_or_create(
            user=users[demo.manager],
            practice=practice,
            defaults={"is_access_manager": True, **dict.fromkeys(ENTITLEMENTS, True)},
        )
        added += created
        for username, entitlements in demo.members:
            if username in users:
                _, created = PracticeMembership.objects.get_or_create(
                    user=users[username], practice=practice, defaults=dict.fromkeys(entitlements, True)
                )
                added += created

    if "mjohnson" in users:
        for provider in Provider.objects.order_by("npi")[:DEMO_PROVIDERS_ON_ACCOUNT]:
            _, created = AccountProvider.objects.get_or_create(user=users["mjohnson"], provider=provider)
            added += created

    for owner, grantee in DEMO_WORKLIST_SHARES:
        # Any grant, even a revoked one, counts: a second seed run must not undo a user's revocation.
        if owner not in users or grantee not in users:
            continue
        if not WorklistAccess.objects.filter(owner=users[owner], grantee=users[grantee]).exists():
            WorklistAccess.objects.create(owner=users[owner], grantee=users[grantee])
            added += 1
    return added


def _demo_usernames() -> set[str]:
    names = {demo.manager for demo in DEMO_PRACTICES}
    names |= {username for demo in DEMO_PRACTICES for username, _ in demo.members}
    names |= {name for pair in DEMO_WORKLIST_SHARES for name in pair}
    return names
