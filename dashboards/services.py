"""Keeping the summary tables up to date (SPEC §9: figures may lag the lists by at most 5 minutes).

``summaries_refresh`` runs every two minutes from Celery beat (tasks.py, schedule.py). It is idempotent and
cheap when nothing changed:

- payments: a month is summed again only when its payment batch changed (a new, running or re-run batch); the
  distinct-people table is rebuilt in one pass when any month changed (once a month, after the batch);
- enrollments in force and re-checks overdue: recomputed in one pass over the enrollments, and only the levels
  that differ are written.

All of it in one transaction, so a reader sees the old figures or the new ones, never half of each; a
transaction-level advisory lock makes a second refresh started meanwhile return at once.
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone

from assistance import statistics

from .models import EnrollmentLevel, PaymentTotal, PeopleStart, SummaryState
from .selectors import ASSISTANCE_STATE

logger = logging.getLogger(__name__)

# pg_advisory_xact_lock key of the refresh ("dashbrd" in ASCII).
REFRESH_LOCK = 0x64617368627264
DELETE_CHUNK = 10_000


@dataclass(frozen=True)
class RefreshResult:
    refreshed: bool
    months_summed: int = 0
    people_rebuilt: bool = False
    levels_written: int = 0
    levels_deleted: int = 0


def summaries_refresh(*, rebuild: bool = False) -> RefreshResult:
    """Bring the summary tables up to date with the payments and enrollments; ``rebuild`` sums every month
    again. Returns what it did, or ``refreshed=False`` when another refresh holds the lock."""
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [REFRESH_LOCK])
            if not cursor.fetchone()[0]:
                return RefreshResult(refreshed=False)
        state = SummaryState.objects.select_for_update().filter(name=ASSISTANCE_STATE).first()
        known: dict[str, str] = {} if state is None or rebuild else dict(state.sources)
        sources = {
            month.isoformat(): fingerprint
            for month, fingerprint in statistics.payment_batch_fingerprints().items()
        }
        changed = sorted(month for month, fingerprint in sources.items() if known.get(month) != fingerprint)
        gone = sorted(set(known) - set(sources))
        if rebuild:
            PaymentTotal.objects.all().delete()
        elif changed or gone:
            PaymentTotal.objects.filter(month__in=[*changed, *gone]).delete()
        if changed:
            PaymentTotal.objects.bulk_create(
                PaymentTotal(**vars(total))
                for total in statistics.payment_totals(
                    months=[datetime.date.fromisoformat(m) for m in changed]
                )
            )
        people_rebuilt = bool(changed or gone or rebuild)
        if people_rebuilt:
            PeopleStart.objects.all().delete()
            PeopleStart.objects.bulk_create(
                PeopleStart(**vars(start)) for start in statistics.people_starts()
            )
        written, deleted = _levels_refresh()
        SummaryState.objects.update_or_create(
            name=ASSISTANCE_STATE, defaults={"refreshed_at": timezone.now(), "sources": sources}
        )
    result = RefreshResult(
        refreshed=True,
        months_summed=len(changed),
        people_rebuilt=people_rebuilt,
        levels_written=written,
        levels_deleted=deleted,
    )
    logger.info("dashboard summaries refreshed: %s", result)
    return result


def _levels_refresh() -> tuple[int, int]:
    """Write the levels that changed since the last refresh, delete those that went (a diff, as REFRESH
    MATERIALIZED VIEW CONCURRENTLY does), so an unchanged day writes nothing."""
    fresh = {
        (level.kind, level.town, level.category, level.day): level.count
        for level in statistics.enrollment_levels()
    }
    stale: list[int] = []
    for pk, kind, town, category, day, count in EnrollmentLevel.objects.values_list(
        "pk", "kind", "town", "category", "day", "count"
    ).iterator(chunk_size=DELETE_CHUNK):
        key = (kind, town, category, day)
        if fresh.get(key) == count:
            del fresh[key]
        else:
            stale.append(pk)
    for start in range(0, len(stale), DELETE_CHUNK):
        EnrollmentLevel.objects.filter(pk__in=stale[start : start + DELETE_CHUNK]).delete()
    EnrollmentLevel.objects.bulk_create(
        (
            EnrollmentLevel(kind=kind, town=town, category=category, day=day, count=count)
            for (kind, town, category, day), count in fresh.items()
        ),
        batch_size=DELETE_CHUNK,
    )
    return len(fresh), len(stale)
