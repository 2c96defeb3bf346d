"""P2P for ``seed_demo`` (outside production): three physician reviewers who take peer-to-peer calls, trained for
the programs the portal builds (Home Health, DME), each with working hours in their own zone, so that the demo
office's denied and held cases show open times in the scheduling tool. The demo physician reviewer
(``mdreviewer``, a P2P reviewer in the admin) is the first of them; the other two have no login."""

import datetime

from django.contrib.auth.models import Group, Permission
from django.db import transaction

from accounts.models import User
from p2p.models import Reviewer, ReviewerSkill, WorkingHours
from reference.models import Program

P2P_REVIEWER_GROUP = "P2P reviewers"
# Their appointments and the outcome form (``p2p.work_p2p``), and the cases they discuss.
P2P_REVIEWER_PERMISSIONS = ("work_p2p", "view_case", "view_member")
DEMO_LOGIN = "mdreviewer"

# username, first and last name, display name, zone, programs by priority (1 first), weekday hours in their zone
_REVIEWERS = [
    (DEMO_LOGIN, "Samuel", "Reyes", "Dr. Samuel Reyes, MD", "America/Chicago", {"home-health": 1, "dme": 1}, (8, 17)),
    ("p2p.ashah", "Anita", "Shah", "Dr. Anita Shah, MD", "America/Phoenix", {"dme": 1, "home-health": 2}, (7, 15)),
    ("p2p.tbecker", "Thomas", "Becker", "Dr. Thomas Becker, DO", "America/New_York", {"home-health": 1}, (12, 19)),
]


@transaction.atomic
def p2p_demo_ensure() -> int:
    """Create the reviewers that are missing (their skills and Monday-to-Friday hours with them); existing ones are
    left as staff may have changed them. Returns how many were added."""
    group, _ = Group.objects.get_or_create(name=P2P_REVIEWER_GROUP)
    group.permissions.add(*Permission.objects.filter(codename__in=P2P_REVIEWER_PERMISSIONS))
    programs = {program.code: program for program in Program.objects.filter(code__in=["home-health", "dme"])}
    added = 0
    for username, first_name, last_name, display_name, zone, skills, (start, end) in _REVIEWERS:
        user, created = User.objects.get_or_create(
            username=username, defaults={"first_name": first_name, "last_name": last_name, "is_staff": True}
        )
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
        user.groups.add(group)
        if Reviewer.objects.filter(user=user).exists():
            continue
        reviewer = Reviewer.objects.create(user=user, display_name=display_name, time_zone=zone)
        ReviewerSkill.objects.bulk_create(
            ReviewerSkill(reviewer=reviewer, program=programs[code], priority=priority)
            for code, priority in skills.items()
            if code in programs
        )
        WorkingHours.objects.bulk_create(
            WorkingHours(reviewer=reviewer, weekday=day, starts=datetime.time(start), ends=datetime.time(end))
            for day in range(5)
        )
        added += 1
    return added
