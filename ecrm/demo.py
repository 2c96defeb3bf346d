"""The ECRM catalog for ``seed_demo``: categories, request forms, request types and subrequests from
``ecrm/fixtures/ecrm_catalog.json``; ECRM agents may read tickets and their attachments."""

from django.contrib.auth.models import Group, Permission
from django.core.management import call_command
from django.db import transaction

from ecrm.models import RequestForm

AGENT_GROUP = "ECRM agents"
AGENT_PERMISSIONS = ("view_ticket", "view_ticketattachment", "view_ecrmprofile")


@transaction.atomic
def ecrm_demo_ensure() -> int:
    """Load the catalog fixture (its rows keep their ids: a second run adds nothing) and let the ECRM agents
    group read tickets; returns how many request forms were added. Runs after the demo logins, which
    reset that group's permissions to the accounts' list."""
    before = RequestForm.objects.count()
    call_command("loaddata", "ecrm_catalog", verbosity=0)
    group, _ = Group.objects.get_or_create(name=AGENT_GROUP)
    group.permissions.add(*Permission.objects.filter(content_type__app_label="ecrm", codename__in=AGENT_PERMISSIONS))
    return RequestForm.objects.count() - before
