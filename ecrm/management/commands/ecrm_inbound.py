"""``manage.py ecrm_inbound < message.eml``: thread an emailed reply onto its ECRM ticket (issue 13, item 6).

A mail server pipes each message to ECRM's address into this command, for example Postfix's
``ecrm: "|/app/.venv/bin/python /app/manage.py ecrm_inbound"`` in aliases. The exit status follows sysexits.h,
so the server bounces a refused message with our reason: 0 added (or ignored: an auto-reply, a repeat),
65 unreadable, empty, too large or Closed, 67 no such ticket, 77 a sender who is not the reporter.
"""

import sys

from django.core.management.base import BaseCommand, CommandError

from ecrm.inbound import InboundRejected, inbound_email_thread, max_message_bytes


class Command(BaseCommand):
    help = "Read one raw email (RFC 822) on standard input and add it to its ECRM ticket as the reporter's reply."
    stealth_options = ("stdin",)

    def handle(self, *args, **options):
        source = options.get("stdin") or sys.stdin.buffer
        raw = source.read(max_message_bytes() + 1)
        try:
            outcome = inbound_email_thread(raw)
        except InboundRejected as rejected:
            raise CommandError(f"Rejected: {rejected}", returncode=rejected.exit_code) from rejected
        self.stdout.write(outcome.message)
