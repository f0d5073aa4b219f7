"""Keeping the summary tables up to date (SPEC §9: figures may lag the lists by at most 5 minutes).

``summaries_refresh`` runs every two minutes from Celery beat (tasks.py, schedule.py). It is idempotent and
cheap when nothing changed:

- payments: a month is summed only when its completed payment batch is new or changed; the distinct-people
  tables add a new month from its own payments and each person's last month paid (the monthly case), and are
  rebuilt in one pass over all payments only when an earlier month changed;
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

from .models import NEVER, EnrollmentLevel, LastPaid, PaymentTotal, PeopleStart, SummaryState
from .selectors import ASSISTANCE_STATE

logger = logging.getLogger(__name__)

# pg_advisory_xact_lock key of the refresh ("dashbrd" in ASCII).
REFRESH_LOCK = 0x64617368627264
DELETE_CHUNK = 10_000


@dataclass(frozen=True)
class RefreshResult:
    refreshed: bool
    months_summed: int = 0
    # How the distinct-people tables were brought up to date: "", "appended" (new months after all the
    # others, the monthly case) or "rebuilt" (an earlier month changed, or a rebuild was asked for).
    people: str = ""
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
        months = [datetime.date.fromisoformat(month) for month in changed]
        if changed:
            PaymentTotal.objects.bulk_create(
                PaymentTotal(**vars(total)) for total in statistics.payment_totals(months=months)
            )
        people = ""
        if rebuild or gone or (changed and known and min(changed) <= max(known)):
            _people_rebuild([datetime.date.fromisoformat(month) for month in sources])
            people = "rebuilt"
        elif changed:
            for month in months:
                _people_append(month)
            people = "appended"
        written, deleted = _levels_refresh()
        SummaryState.objects.update_or_create(
            name=ASSISTANCE_STATE, defaults={"refreshed_at": timezone.now(), "sources": sources}
        )
    result = RefreshResult(
        refreshed=True,
        months_summed=len(changed),
        people=people,
        levels_written=written,
        levels_deleted=deleted,
    )
    logger.info("dashboard summaries refreshed: %s", result)
    return result


# --- Distinct people ------------------------------------------------------------------------------------------
# PeopleStart counts, per town and category ("" for any), the people paid in a month by the month they were last
# paid in before; LastPaid keeps each person's last month per town and category. Both are written from a
# temporary table ``paid`` of (month, person_id, town, category) rows (assistance.statistics.paid_people_query).

# For each grain, a person's previous month, from a window over their months (the whole history).
REBUILD_STARTS_SQL = """
    INSERT INTO dashboards_peoplestart (month, previous, town, category, people)
    SELECT month, coalesce(previous, %(never)s), town, category, count(*)
      FROM (
        SELECT month, town, category,
               lag(month) OVER (PARTITION BY person_id, town, category ORDER BY month) AS previous
          FROM paid
        UNION ALL
        SELECT month, town, '', lag(month) OVER (PARTITION BY person_id, town ORDER BY month)
          FROM (SELECT DISTINCT month, person_id, town FROM paid) AS by_town
        UNION ALL
        SELECT month, '', category, lag(month) OVER (PARTITION BY person_id, category ORDER BY month)
          FROM (SELECT DISTINCT month, person_id, category FROM paid) AS by_category
        UNION ALL
        SELECT month, '', '', lag(month) OVER (PARTITION BY person_id ORDER BY month)
          FROM (SELECT DISTINCT month, person_id FROM paid) AS by_person
      ) AS starts
     GROUP BY 1, 2, 3, 4
"""
REBUILD_LAST_PAID_SQL = """
    INSERT INTO dashboards_lastpaid (person_id, town, category, month)
    SELECT person_id, town, category, max(month) FROM paid GROUP BY 1, 2, 3
"""
# For a month after every month known: each person's previous month per grain from LastPaid.
APPEND_STARTS_SQL = """
    INSERT INTO dashboards_peoplestart (month, previous, town, category, people)
    SELECT %(month)s, coalesce(previous, %(never)s), town, category, count(*)
      FROM (
        SELECT p.town, p.category, l.month AS previous
          FROM paid AS p
          LEFT JOIN dashboards_lastpaid AS l
                 ON l.person_id = p.person_id AND l.town = p.town AND l.category = p.category
        UNION ALL
        SELECT p.town, '', max(l.month)
          FROM (SELECT DISTINCT person_id, town FROM paid) AS p
          LEFT JOIN dashboards_lastpaid AS l ON l.person_id = p.person_id AND l.town = p.town
         GROUP BY p.person_id, p.town
        UNION ALL
        SELECT '', p.category, max(l.month)
          FROM (SELECT DISTINCT person_id, category FROM paid) AS p
          LEFT JOIN dashboards_lastpaid AS l ON l.person_id = p.person_id AND l.category = p.category
         GROUP BY p.person_id, p.category
        UNION ALL
        SELECT '', '', max(l.month)
          FROM (SELECT DISTINCT person_id FROM paid) AS p
          LEFT JOIN dashboards_lastpaid AS l ON l.person_id = p.person_id
         GROUP BY p.person_id
      ) AS starts
     GROUP BY 2, 3, 4
"""
APPEND_LAST_PAID_SQL = """
    INSERT INTO dashboards_lastpaid (person_id, town, category, month)
    SELECT person_id, town, category, month FROM paid
    ON CONFLICT (person_id, town, category) DO UPDATE SET month = excluded.month
"""


def _paid_table(months: list[datetime.date]) -> None:
    sql, params = statistics.paid_people_query(months=months)
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS paid")
        cursor.execute(f"CREATE TEMPORARY TABLE paid ON COMMIT DROP AS {sql}", params)
        cursor.execute("ANALYZE paid")


def _people_rebuild(months: list[datetime.date]) -> None:
    """Every month again: one pass over all their payments (when an earlier month changed)."""
    _paid_table(months)
    PeopleStart.objects.all().delete()
    LastPaid.objects.all().delete()
    with connection.cursor() as cursor:
        cursor.execute(REBUILD_STARTS_SQL, {"never": NEVER})
        cursor.execute(REBUILD_LAST_PAID_SQL)


def _people_append(month: datetime.date) -> None:
    """A month after all the others (the monthly case): its payments only, against LastPaid."""
    _paid_table([month])
    with connection.cursor() as cursor:
        cursor.execute(APPEND_STARTS_SQL, {"month": month, "never": NEVER})
        cursor.execute(APPEND_LAST_PAID_SQL)


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
