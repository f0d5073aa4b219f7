"""Aggregates of social-assistance data for the dashboards (SPEC §9).

Two kinds of read live here:

- **District-wide aggregates** the dashboards' summary tables are built from, every few minutes by a beat job
  (``dashboards/services.py``), never per request: payments by month, town and category; the people paid in
  each month (so that "distinct people paid in a period" can be summed from a small table); enrollments in
  force and re-checks overdue as levels per town and category from a day on. Each is one set-based statement.
- **Scoped live counts** over tables that stay small (applications whose decision is overdue), starting from
  the selectors, so they honour the caller's jurisdiction and lines of work like every list.

Towns are the first nine digits of a division code (``civil_affairs.divisions.selectors.town_code``).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import Count, Q, Sum

from civil_affairs.divisions.selectors import count_by_town, town_of

from . import selectors
from .models import JobStatus, PaymentBatch
from .overpayments import overpayment_list
from .workflow import OPEN_STATES, EnrollmentStatus, State

# The two levels kept per town and category from a day on.
IN_FORCE = "in_force"
RECHECK_OVERDUE = "recheck_overdue"


@dataclass(frozen=True)
class PaymentTotal:
    """One month's payments in one town and category."""

    month: datetime.date
    town: str
    category: str
    paid: Decimal
    payments: int
    person_times: int


@dataclass(frozen=True)
class Level:
    """How many enrollments of a town and category are in ``kind`` (IN_FORCE, RECHECK_OVERDUE) from ``day``
    on, until the next level of the same town, category and kind."""

    kind: str
    town: str
    category: str
    day: datetime.date
    count: int


def _rows(sql: str, params: dict[str, Any] | None = None) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())


# --- Payments -------------------------------------------------------------------------------------------------


def payment_batch_fingerprints() -> dict[datetime.date, str]:
    """What each month's payments are, as far as a summary built from them needs to know: its completed batch,
    count and total (a batch still running is left out until it completes). A summary built from the same
    fingerprint is still right: payments are written once."""
    batches = (
        PaymentBatch.objects.filter(status=JobStatus.COMPLETED)
        .order_by("month")
        .values_list("month", "pk", "status", "count", "total")
    )
    return {month: f"{pk}:{status}:{count}:{total}" for month, pk, status, count, total in batches}


# person_times counts the members each paid enrollment covered (covered_count, kept with the covered members).
PAYMENT_TOTALS_SQL = """
    SELECT p.month, substr(e.division_id, 1, 9) AS town, e.category,
           sum(p.amount) AS paid, count(*) AS payments, sum(e.covered_count) AS person_times
      FROM assistance_payment AS p
      JOIN assistance_enrollment AS e ON e.id = p.enrollment_id
     WHERE p.month = ANY(%(months)s)
     GROUP BY 1, 2, 3
"""


def payment_totals(*, months: Iterable[datetime.date]) -> list[PaymentTotal]:
    """Payments of these months by month, town and category: amount, count, person-times (SPEC §9)."""
    wanted = sorted(set(months))
    if not wanted:
        return []
    return [PaymentTotal(*row) for row in _rows(PAYMENT_TOTALS_SQL, {"months": wanted})]


# Each person covered by an enrollment paid in a month, with the town and category of that enrollment.
PAID_PEOPLE_SQL = """
    SELECT DISTINCT p.month, m.person_id, substr(e.division_id, 1, 9) AS town, e.category
      FROM assistance_payment AS p
      JOIN assistance_enrollment AS e ON e.id = p.enrollment_id
      JOIN assistance_enrollment_covered_members AS m ON m.enrollment_id = p.enrollment_id
     WHERE p.month = ANY(%(months)s)
"""


def paid_people_query(*, months: Iterable[datetime.date]) -> tuple[str, dict[str, Any]]:
    """The statement (and its parameters) giving the rows ``(month, person_id, town, category)``: each person
    covered by an enrollment paid in one of these months. A statement, not rows, because it is millions of
    rows at a district's scale: the dashboards' refresh reads it into a temporary table of its own."""
    return PAID_PEOPLE_SQL, {"months": sorted(set(months))}


# --- Enrollments in force and re-checks overdue ---------------------------------------------------------------

# Each enrollment opens and closes an interval of each level it belongs to (+1 on its first day, −1 on the day
# after its last); the running sum per town, category and kind is the level from each change on.
# In force (the payment batches' rule, jobs.PAYMENT_CHUNK_SQL): started, not past its end, not suspended that
# day by its dated suspension history (−1 from the suspension's first day within the enrollment, +1 from the
# day it was resumed), whatever its status today; one terminated on its start never was.
# Re-check overdue: active today and past its next re-check date (selectors.recheck_overdue_q), while in force.
LEVELS_SQL = """
    WITH changes AS (
        SELECT c.kind, substr(e.division_id, 1, 9) AS town, e.category, c.day, c.delta
          FROM assistance_enrollment AS e
         CROSS JOIN LATERAL (VALUES
                (%(in_force)s, e.start, 1),
                (%(in_force)s, e."end" + 1, -1),
                (%(overdue)s, greatest(e.start, e.next_review + 1), 1),
                (%(overdue)s, e."end" + 1, -1)
               ) AS c(kind, day, delta)
         WHERE c.day IS NOT NULL
           AND CASE c.kind
                 WHEN %(in_force)s THEN NOT (e.status = %(terminated)s AND e."end" = e.start)
                 ELSE e.status = %(active)s
                      AND (e."end" IS NULL OR e."end" >= greatest(e.start, e.next_review + 1))
               END
        UNION ALL
        SELECT %(in_force)s, substr(e.division_id, 1, 9), e.category, c.day, c.delta
          FROM assistance_enrollmentsuspension AS s
          JOIN assistance_enrollment AS e ON e.id = s.enrollment_id
         CROSS JOIN LATERAL (
                SELECT greatest(s.start, e.start) AS low,
                       least(coalesce(s."end", 'infinity'::date), e."end" + 1) AS high
               ) AS span
         CROSS JOIN LATERAL (VALUES (span.low, -1), (span.high, 1)) AS c(day, delta)
         WHERE span.low < span.high AND c.day <> 'infinity'::date
           AND NOT (e.status = %(terminated)s AND e."end" = e.start)
    ), merged AS (
        SELECT kind, town, category, day, sum(delta) AS delta FROM changes GROUP BY 1, 2, 3, 4
    )
    SELECT kind, town, category, day,
           sum(delta) OVER (PARTITION BY kind, town, category ORDER BY day) AS level
      FROM merged
     WHERE delta <> 0
"""


def enrollment_levels() -> list[Level]:
    """Enrollments in force and re-checks overdue per town and category, as levels from each day they change
    (one pass over the enrollments)."""
    params = {
        "in_force": IN_FORCE,
        "overdue": RECHECK_OVERDUE,
        "active": EnrollmentStatus.ACTIVE,
        "terminated": EnrollmentStatus.TERMINATED,
    }
    return [Level(*row) for row in _rows(LEVELS_SQL, params)]


# --- Decisions overdue (live: applications are a small table) --------------------------------------------------


def decision_overdue_on_q(on: datetime.date) -> Q:
    """Applications whose decision was overdue on ``on``: awaiting it past the due date then
    (selectors.decision_overdue_q, the list's definition), or decided only after that day."""
    decided_later = Q(
        decision_due__lt=on, decided_at__date__gt=on, state__in=[State.APPROVED, State.REJECTED]
    )
    return selectors.decision_overdue_q(on) | decided_later


def decisions_overdue_by_town(*, user: Any, within: str, on: datetime.date) -> dict[str, int]:
    """Applications of the user's whose decision was overdue on ``on``, per town, under division ``within``."""
    applications = selectors.application_list(user=user).filter(
        decision_overdue_on_q(on), division__code__startswith=within
    )
    return count_by_town(applications)


def open_cases(*, user: Any, today: datetime.date) -> dict[str, int]:
    """The user's work in progress, for the home page's to-dos, in one query: applications to accept, home
    visits due, notices to post, notices over (7 full days ended) awaiting a decision, decisions overdue."""
    counts = {
        "to_accept": Count("pk", filter=Q(state="submitted")),
        "visits_due": Count("pk", filter=Q(state="accepted")),
        "notices_to_post": Count("pk", filter=Q(state="investigated")),
        "ready_for_decision": Count("pk", filter=selectors.ready_for_decision_q(today)),
        "decisions_overdue": Count("pk", filter=selectors.decision_overdue_q(today)),
        # Per state, for the work-queue tab to link to.
        **{
            f"decisions_overdue_{state}": Count(
                "pk", filter=selectors.decision_overdue_q(today) & Q(state=state)
            )
            for state in (State.ACCEPTED, State.INVESTIGATED, State.PUBLICISED)
        },
    }
    applications = selectors.application_list(user=user).order_by().filter(state__in=OPEN_STATES)
    result = applications.aggregate(**counts)
    result["rechecks_overdue"] = selectors.rechecks_overdue(user=user, today=today).count()
    return result


def overpayments_by_town(*, user: Any, within: str) -> dict[str, tuple[int, Decimal]]:
    """Payments to recover after deaths (SPEC §7), per town under ``within``: (how many, how much). One query."""
    rows = (
        overpayment_list(user=user)
        .filter(enrollment__division__code__startswith=within)
        .order_by()
        .annotate(town=town_of("enrollment__division"))
        .values("town")
        .annotate(n=Count("pk"), total=Sum("overpaid"))
    )
    return {row["town"]: (row["n"], row["total"] or Decimal("0.00")) for row in rows}
