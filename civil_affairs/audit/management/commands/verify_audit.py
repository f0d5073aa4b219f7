"""Check the audit log's hash chain and that it still reaches every anchor; exit non-zero on a break or a cut
tail (SPEC §2.4)."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from civil_affairs.audit.services import verify_audit_log


class Command(BaseCommand):
    help = (
        "Verify the audit log's keyed hash chain against its anchors; exit non-zero on a break or a cut tail."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--anchors", help=f"the anchor file (default AUDIT_ANCHOR_PATH, now {settings.AUDIT_ANCHOR_PATH})"
        )

    def handle(self, *args: object, **options: object) -> None:
        path = options.get("anchors") or settings.AUDIT_ANCHOR_PATH
        report = verify_audit_log(str(path))
        for chain_break in report.breaks:
            self.stderr.write(f"event {chain_break.event_id}: {chain_break.reason}")
        if report.breaks:
            raise CommandError(f"audit chain broken in {len(report.breaks)} place(s)")
        if report.anchors == 0 and report.events:
            self.stderr.write(
                self.style.WARNING(f"no anchors for this database in {path}: a cut tail cannot be detected")
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"audit chain intact ({report.events} events, reaching all {report.anchors} anchors)"
            )
        )
