import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from accounts.demo import DEMO_USERS, demo_users_ensure
from cases.demo import demo_cases_ensure
from ecrm.demo import ecrm_demo_ensure, ecrm_demo_tickets_ensure
from mfa.demo import mfa_demo_devices_ensure
from p2p.demo import p2p_demo_ensure
from practices.demo import practices_demo_ensure
from reference.demo import members_generate, providers_generate, sites_generate
from reference.services import reference_data_load
from resources.services import guidelines_load

DEFAULT_MEMBERS = 400


class Command(BaseCommand):
    help = (
        "Load the reference data (ICD-10-CM, HCPCS, programs, plans) and a repeatable synthetic demo world. "
        "Idempotent: a second run adds nothing. --scale N generates N members in bulk (providers N/20, "
        "sites N/40) for benchmarks."
    )

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=int, default=DEFAULT_MEMBERS, help="How many members to generate.")

    def handle(self, *args, scale, **options):
        if scale < 1:
            raise CommandError("--scale must be a positive number of members.")
        started = time.monotonic()
        steps = [
            ("reference data", lambda: reference_data_load()["icd10cm_added"]),
            ("clinical guidelines", lambda: guidelines_load() or 0),
            ("providers", lambda: providers_generate(max(scale // 20, 40))),
            ("sites", lambda: sites_generate(max(scale // 40, 20))),
            ("members", lambda: members_generate(scale)),
        ]
        if not settings.PRODUCTION:
            steps += [
                ("demo logins", demo_users_ensure),
                ("demo MFA devices", mfa_demo_devices_ensure),
                ("practices", practices_demo_ensure),
                ("demo cases", demo_cases_ensure),
                ("P2P reviewers", p2p_demo_ensure),
            ]
        steps.append(("ECRM catalog", ecrm_demo_ensure))
        if not settings.PRODUCTION:
            steps.append(("demo ECRM tickets", ecrm_demo_tickets_ensure))
        for label, step in steps:
            step_started = time.monotonic()
            added = step()
            self.stdout.write(f"  {label}: {added} added ({time.monotonic() - step_started:.1f} s)")
        self.stdout.write(self.style.SUCCESS(f"Demo world ready in {time.monotonic() - started:.1f} s."))
        if not settings.PRODUCTION:
            self.stdout.write(f"Demo logins (password for all: {settings.DEMO_PASSWORD}):")
            for demo in DEMO_USERS:
                self.stdout.write(f"  {demo.username:<12} {demo.role}")
            self.stdout.write(
                "MFA is set up by email: after the password, read the 6-digit PIN from the newest file in "
                f"{settings.EMAIL_FILE_PATH}/ (or add an authenticator app or passkey once signed in)."
            )
