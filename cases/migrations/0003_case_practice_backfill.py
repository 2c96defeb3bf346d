"""Give every existing case the practice it was built under (SEC-1).

The creator's practice where they hold the case-submission entitlement comes first, then any practice
of theirs (lowest TIN first, so the choice is repeatable). A creator with no practice leaves the case
without one: only its creator then sees it, and nobody may act on it until an access manager adds them.
"""

from django.db import migrations


def assign_practices(apps, schema_editor):
    Case = apps.get_model("cases", "Case")
    PracticeMembership = apps.get_model("practices", "PracticeMembership")
    chosen = {}
    memberships = PracticeMembership.objects.order_by("user_id", "-case_submission", "practice__tin")
    for membership in memberships.values("user_id", "practice_id"):
        chosen.setdefault(membership["user_id"], membership["practice_id"])
    for user_id, practice_id in chosen.items():
        Case.objects.filter(created_by_id=user_id, practice__isnull=True).update(practice_id=practice_id)


def clear_practices(apps, schema_editor):
    apps.get_model("cases", "Case").objects.update(practice=None)


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0002_case_practice"),
        ("practices", "0001_initial"),
    ]

    operations = [migrations.RunPython(assign_practices, clear_practices)]
