"""
Raise the assistance standards of a year and recompute every enrollment's amount (SPEC §4.4).

The same job as the API's preview → approve → Celery run, done in one go by an operator on the server:

    python manage.py uplift_standards --year 2024 --rate 0.05 --effective-from 2024-07-01 --dry-run
    python manage.py uplift_standards --year 2024 --rate 0.05 --effective-from 2024-07-01

With ``--dry-run`` it prints the preview (old and new standard — 特困 at least 1.3 × the new 低保 of its
area —, active and suspended enrollments and monthly cost change per category) and changes nothing, not even a preview row. Without it, it creates the year's
preview, or takes up the year's existing preview, approved, running or failed uplift if its rate and
date are the ones given, approves it as a system action and runs the job here, in this process: an
uplift whose worker died continues from its last committed chunk. A preview whose standards are no longer
the ones in force is refused, as on the API (make a new preview). A year whose uplift has completed is
reported and left as it is, so running the command twice changes nothing.
"""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from assistance import jobs
from assistance.models import Uplift
from assistance.workflow import UpliftStatus
from civil_affairs.errors import DomainError


def _rate(value: str) -> Decimal:
    try:
        return Decimal(value)
    except InvalidOperation:
        raise ValueError(value) from None


class Command(BaseCommand):
    help = "Raise the assistance standards of a year by a rate and recompute enrollments' amounts."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--year", type=int, required=True, help="The uplift's year, e.g. 2024.")
        parser.add_argument("--rate", type=_rate, required=True, help='The rate, e.g. "0.05" for 5%%.')
        parser.add_argument(
            "--effective-from",
            type=datetime.date.fromisoformat,
            required=True,
            help="The date the new standards take effect (YYYY-MM-DD), within the year.",
        )
        parser.add_argument("--dry-run", action="store_true", help="Print the preview and change nothing.")

    def handle(self, *args: Any, **options: Any) -> None:
        year: int = options["year"]
        rate: Decimal = options["rate"]
        effective_from: datetime.date = options["effective_from"]
        existing = Uplift.objects.filter(year=year).first()
        if existing is not None and existing.status == UpliftStatus.COMPLETED:
            self.stdout.write(
                f"The uplift of {year} already ran (completed {existing.finished_at:%Y-%m-%d %H:%M}, "
                f"{existing.processed_enrollments} enrollments); nothing changed."
            )
            return
        if existing is not None and (existing.rate != rate or existing.effective_from != effective_from):
            raise CommandError(
                f"The uplift of {year} exists with rate {existing.rate} from {existing.effective_from} "
                f"({existing.status}); it cannot be run with other figures."
            )
        try:
            if options["dry_run"]:
                self._dry_run(year, rate, effective_from, existing)
            else:
                self._run(year, rate, effective_from, existing)
        except DomainError as error:
            raise CommandError(" ".join(error.messages)) from error

    def _dry_run(
        self, year: int, rate: Decimal, effective_from: datetime.date, existing: Uplift | None
    ) -> None:
        if existing is not None:
            lines = existing.lines
            self.stdout.write(f"The uplift of {year} exists ({existing.status}); its preview:")
        else:
            jobs.uplift_check(year=year, rate=rate, effective_from=effective_from)
            lines = jobs.uplift_lines(rate=rate, effective_from=effective_from)
        self._print_lines(lines)
        self.stdout.write("Dry run: nothing changed.")

    def _run(self, year: int, rate: Decimal, effective_from: datetime.date, existing: Uplift | None) -> None:
        uplift = existing or jobs.uplift_preview(
            actor=None, year=year, rate=rate, effective_from=effective_from
        )
        self._print_lines(uplift.lines)
        if uplift.status == UpliftStatus.PREVIEW:
            uplift = jobs.uplift_approve(actor=None, uplift=uplift, queue_job=False)
        elif uplift.processed_enrollments:
            self.stdout.write(
                f"Continuing the uplift of {year} after {uplift.processed_enrollments} enrollments."
            )
        uplift = jobs.uplift_run(uplift_id=uplift.pk)
        self.stdout.write(
            self.style.SUCCESS(
                f"The uplift of {year} completed: {len(uplift.lines)} standards from {effective_from}, "
                f"{uplift.processed_enrollments} enrollments recomputed."
            )
        )

    def _print_lines(self, lines: list[dict[str, Any]]) -> None:
        header = ("category", "old", "new", "enrollments", "monthly cost change")
        self.stdout.write(f"{header[0]:<20} {header[1]:>10} {header[2]:>10} {header[3]:>12} {header[4]:>20}")
        for line in lines:
            # 特困 raised to 1.3 × the new 低保 of its area says so (SPEC §4.4).
            floor = line.get("explanation", "") if "max(" in line.get("explanation", "") else ""
            self.stdout.write(
                f"{line['category']:<20} {line['old_amount']:>10} {line['new_amount']:>10} "
                f"{line['enrollments']:>12} {line['monthly_cost_change']:>20}"
                + (f"  {floor}" if floor else "")
            )
