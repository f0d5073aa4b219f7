"""Check the audit log's hash chain; exit non-zero if it is broken (SPEC §2.4)."""

from django.core.management.base import BaseCommand, CommandError

from civil_affairs.audit.models import AuditEvent
from civil_affairs.audit.services import verify_chain


class Command(BaseCommand):
    help = "Verify the audit log's hash chain and exit non-zero on a break."

    def handle(self, *args: object, **options: object) -> None:
        breaks = list(verify_chain())
        for chain_break in breaks:
            self.stderr.write(f"event {chain_break.event_id}: {chain_break.reason}")
        if breaks:
            raise CommandError(f"audit chain broken in {len(breaks)} place(s)")
        self.stdout.write(self.style.SUCCESS(f"audit chain intact ({AuditEvent.objects.count()} events)"))
