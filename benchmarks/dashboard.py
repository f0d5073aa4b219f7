"""``python -m benchmarks.dashboard --enrollments N --payments M``: the dashboard summary (SPEC §9,
``GET /api/v1/dashboards/summary/``) for a year, at district and at town level, against one plain SQL aggregate
computing the same social-assistance figures (paid, person-times, distinct people, by town) from the raw
payments, enrollments and covered members.

Fills a scratch database (benchmarks/scratch.py) with N enrollments, their covered members (one person per
member) and M payments (whole months from January 2024, each paying every enrollment in force that month,
until M), refreshes the summary tables once (the beat job's work, timed), then times 50 requests of each
summary through the whole Django stack (after 3 warm-ups) and 5 runs of the plain aggregate.

Prints one JSON line: ``{"enrollments", "payments", "months", "refresh_s" (every month but the last, from
nothing), "refresh_unchanged_s", "refresh_new_month_s" (the last month's batch completed: the monthly case),
"district": {"p50_ms", "p95_ms"}, "town": {"p50_ms", "p95_ms"}, "plain_sql": {"district_p50_ms",
"town_p50_ms"}}``. The summary's figures must
equal the plain aggregate's, which is checked.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import statistics
import time
from decimal import Decimal
from typing import Any

from benchmarks import scratch

YEAR_FROM, YEAR_TO = "2024-01", "2024-12"
DISTRICT, TOWN = "370114", "370114001"
REQUESTS, WARM_UP, PLAIN_RUNS = 50, 3, 5

# One person per covered member of each enrollment (ID-number-shaped digits, unique); the model's other
# columns get their defaults (people_columns).
PEOPLE_SQL = """
    INSERT INTO people_person (id_number, name, sex, birth_date, division_id, created_at, updated_at{columns})
    SELECT lpad((e.id * 4 + k)::text, 18, '0'), 'p' || e.id || '-' || k, 'male', DATE '1960-01-01',
           e.division_id, now(), now(){values}
      FROM assistance_enrollment AS e, generate_series(1, e.covered_count) AS k
"""
COVERED_SQL = """
    INSERT INTO assistance_enrollment_covered_members (enrollment_id, person_id)
    SELECT e.id, p.id
      FROM assistance_enrollment AS e
     CROSS JOIN generate_series(1, e.covered_count) AS k
      JOIN people_person AS p ON p.id_number = lpad((e.id * 4 + k)::text, 18, '0')
"""
# A month's payments: every enrollment in force that month (not suspended), up to the number still wanted.
MONTH_SQL = """
    INSERT INTO assistance_payment (batch_id, enrollment_id, month, amount)
    SELECT %(batch)s, e.id, %(month)s, e.monthly_amount
      FROM assistance_enrollment AS e
     WHERE e.start <= %(month_end)s AND (e."end" IS NULL OR e."end" >= %(month)s) AND e.status <> 'suspended'
     ORDER BY e.id
     LIMIT %(limit)s
"""

# The same figures from the raw tables, in one statement: per town and for the whole (ROLLUP).
PLAIN_SQL = """
    WITH paid AS MATERIALIZED (
        SELECT p.enrollment_id, p.amount, e.covered_count, substr(e.division_id, 1, 9) AS town
          FROM assistance_payment AS p
          JOIN assistance_enrollment AS e ON e.id = p.enrollment_id
         WHERE p.month BETWEEN %(first)s AND %(last)s AND e.division_id LIKE %(prefix)s
    ), money AS (
        SELECT town, sum(amount) AS paid, sum(covered_count) AS person_times FROM paid GROUP BY ROLLUP (town)
    ), people AS (
        SELECT paid.town, count(DISTINCT m.person_id) AS people
          FROM paid JOIN assistance_enrollment_covered_members AS m ON m.enrollment_id = paid.enrollment_id
         GROUP BY ROLLUP (paid.town)
    )
    SELECT money.town, money.paid, money.person_times, people.people
      FROM money JOIN people ON people.town IS NOT DISTINCT FROM money.town
"""


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--enrollments", type=int, default=1_000_000, help="how many (default 1,000,000)")
    parser.add_argument("--payments", type=int, default=10_000_000, help="how many (default 10,000,000)")
    return parser.parse_args()


def people_defaults() -> tuple[list[str], list[Any]]:
    """The person columns PEOPLE_SQL does not name, with their model defaults (blank text, false, null)."""
    from civil_affairs.people.models import Person

    named = {"id", "id_number", "name", "sex", "birth_date", "division_id", "created_at", "updated_at"}
    columns, values = [], []
    for model_field in Person._meta.concrete_fields:
        if model_field.column in named:
            continue
        columns.append(model_field.column)
        values.append(
            model_field.get_default() if model_field.has_default() or not model_field.null else None
        )
    return columns, values


def fill_people_and_payments(payments: int) -> int:
    """Covered members and ``payments`` payments in whole months from January 2024; returns the months."""
    from django.db import connection

    from assistance.models import JobStatus, PaymentBatch
    from dashboards.periods import month_end, next_month

    columns, defaults = people_defaults()
    people = PEOPLE_SQL.format(
        columns="".join(f", {column}" for column in columns), values="".join(", %s" for _ in columns)
    )
    with connection.cursor() as cursor:
        cursor.execute(people, defaults)
    scratch.run_sql(COVERED_SQL)
    month, done, months = datetime.date(2024, 1, 1), 0, 0
    while done < payments:
        batch = PaymentBatch.objects.create(month=month, status=JobStatus.RUNNING)
        with connection.cursor() as cursor:
            cursor.execute(
                MONTH_SQL,
                {"batch": batch.pk, "month": month, "month_end": month_end(month), "limit": payments - done},
            )
            count = cursor.rowcount
            cursor.execute(
                "SELECT coalesce(sum(amount), 0) FROM assistance_payment WHERE batch_id = %s", [batch.pk]
            )
            total = cursor.fetchone()[0]
        done, months, month = done + count, months + 1, next_month(month)
        # The last month stays "running" until the first refresh has run: then it is the month a refresh adds.
        status = JobStatus.COMPLETED if done < payments else JobStatus.RUNNING
        PaymentBatch.objects.filter(pk=batch.pk).update(status=status, count=count, total=total)
        if count == 0:
            raise SystemExit("no enrollment in force any more: ask for fewer payments")
    scratch.run_sql("VACUUM ANALYZE")
    return months


def percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def time_requests(client: Any, division: str) -> tuple[dict[str, float], dict[str, Any]]:
    query = {"from": YEAR_FROM, "to": YEAR_TO, "division": division}
    for _ in range(WARM_UP):
        client.get("/api/v1/dashboards/summary/", query)
    samples = []
    for _ in range(REQUESTS):
        started = time.perf_counter()
        response = client.get("/api/v1/dashboards/summary/", query)
        samples.append(time.perf_counter() - started)
        if response.status_code != 200:
            raise SystemExit(f"the summary answered {response.status_code}: {response.content[:300]!r}")
    timing = {
        "p50_ms": round(percentile(samples, 0.5) * 1000, 1),
        "p95_ms": round(percentile(samples, 0.95) * 1000, 1),
    }
    return timing, response.json()


def time_plain(prefix: str) -> tuple[float, dict[str | None, tuple[Decimal, int, int]]]:
    from django.db import connection

    samples, rows = [], {}
    for _ in range(PLAIN_RUNS):
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(
                PLAIN_SQL,
                {
                    "first": datetime.date(2024, 1, 1),
                    "last": datetime.date(2024, 12, 1),
                    "prefix": f"{prefix}%",
                },
            )
            rows = {
                town: (paid, person_times, people) for town, paid, person_times, people in cursor.fetchall()
            }
        samples.append(time.perf_counter() - started)
    return round(statistics.median(samples) * 1000, 1), rows


def check(summary: dict[str, Any], plain: dict[str | None, tuple[Decimal, int, int]]) -> None:
    paid, person_times, people = plain[None]
    figures = summary["assistance"]
    got = (Decimal(figures["paid"]), figures["person_times"], figures["people"])
    if got != (paid, person_times, people):
        raise SystemExit(
            f"the summary and the plain aggregate disagree: {got} vs {(paid, person_times, people)}"
        )
    for town in summary["by_town"]:
        expected = plain.get(town["division"], (Decimal(0), 0, 0))
        if (Decimal(town["paid"]), town["person_times"], town["people"]) != expected:
            raise SystemExit(f"{town['division']}: {town} vs {expected}")


def main() -> None:
    options = arguments()
    # The requests go through the whole stack on plain http, as a test client.
    os.environ.setdefault("HTTPS", "0")
    os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")
    with scratch.scratch_project() as (_server, _name):
        from django.core.management import call_command
        from django.utils import timezone
        from rest_framework.test import APIClient

        from assistance.models import JobStatus, PaymentBatch
        from civil_affairs.accounts.models import Role, User
        from dashboards import services

        with scratch.timed("migrate every app the summary reads"):
            call_command("migrate", verbosity=0, skip_checks=True)
        with scratch.timed(f"fill {options.enrollments:,} enrollments"):
            scratch.fill(options.enrollments)
        with scratch.timed(f"fill their covered members and {options.payments:,} payments"):
            months = fill_people_and_payments(options.payments)
        with scratch.timed("refresh the summary tables") as refresh_s:
            services.summaries_refresh()
        with scratch.timed("refresh again, nothing changed") as again_s:
            services.summaries_refresh()
        PaymentBatch.objects.filter(status=JobStatus.RUNNING).update(status=JobStatus.COMPLETED)
        with scratch.timed("refresh after the last month's batch completed") as new_month_s:
            services.summaries_refresh()

        user = User.objects.create_user(
            username="bench", password=None, role=Role.ADMINISTRATOR, jurisdiction_id=DISTRICT, lines=[]
        )
        client = APIClient()
        client.force_authenticate(user)
        district, district_summary = time_requests(client, DISTRICT)
        town, town_summary = time_requests(client, TOWN)
        plain_district_ms, plain_district = time_plain(DISTRICT)
        plain_town_ms, plain_town = time_plain(TOWN)
        check(district_summary, plain_district)
        check(town_summary, plain_town)
        scratch.note(
            f"today {timezone.localdate()}, {months} months paid; figures agree with the plain aggregate"
        )
        line = {
            "enrollments": options.enrollments,
            "payments": options.payments,
            "months": months,
            "refresh_s": round(refresh_s(), 2),
            "refresh_unchanged_s": round(again_s(), 2),
            "refresh_new_month_s": round(new_month_s(), 2),
            "district": district,
            "town": town,
            "plain_sql": {"district_p50_ms": plain_district_ms, "town_p50_ms": plain_town_ms},
        }
        print(json.dumps(line), flush=True)


if __name__ == "__main__":
    main()
