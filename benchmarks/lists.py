"""``python -m benchmarks.lists --enrollments N --payments M``: the lists and pages that grow with the tables
(issue 15, SPEC §3, §10), each timed through the whole Django stack beside the same queries in raw SQL.

Fills a scratch database (benchmarks/scratch.py) with N enrollments, their covered members (one person per
member) and M payments (whole months from January 2024, as benchmarks/dashboard.py), then times, after
warm-ups, REQUESTS requests of each:

- ``enrollments_district``: ``GET /api/v1/assistance/enrollments/?page_size=50`` for the district (every
  row in scope), ``enrollments_town`` for a town's caseworker, ``enrollments_cursor_first`` with
  ``?cursor=``;
- ``enrollments_offset_<n>`` and ``enrollments_cursor_<n>``: the page ``n`` rows deep by ``?page=`` (an
  offset, which grows with the page number) and by ``?cursor=`` (keyset: continues from the row before);
- ``household_page``: a household's page (``/assistance/households/<id>/``: members, applications,
  enrollments with their amounts) for its town's caseworker;
- ``batch``: a payment batch (``GET /api/v1/assistance/payment-batches/<id>/``) and ``batch_page``: the
  batches' page (``/assistance/payment-batches/``), whose figures are the batches' own count and total;
- ``enrollment_list_page`` and ``enrollment_list_page_district``: the enrollments' page
  (``/assistance/enrollments/``) for the town's caseworker and for the district.

"The same queries in raw SQL" are the statements the request ran (captured once), replayed on a plain
cursor, so the difference is what Django, DRF and the templates add. Prints one JSON line:
``{"enrollments", "payments", "months", "<name>": {"p50_ms", "p95_ms", "sql_p50_ms", "sql_p95_ms",
"queries"}, ...}``.
"""

from __future__ import annotations

import argparse
import base64
import json
import logging
import os
import statistics
import time
from collections.abc import Callable
from typing import Any

from benchmarks import scratch

REQUESTS, WARM_UP = 40, 3
DISTRICT, TOWN = "370114", "370114001"
DEPTHS = (1_000, 100_000)


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--enrollments", type=int, default=1_000_000, help="how many (default 1,000,000)")
    parser.add_argument("--payments", type=int, default=None, help="how many (default 10 × enrollments)")
    return parser.parse_args()


def percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def timings(run: Callable[[], Any]) -> list[float]:
    for _ in range(WARM_UP):
        run()
    samples = []
    for _ in range(REQUESTS):
        started = time.perf_counter()
        run()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def measure(client: Any, url: str) -> dict[str, Any]:
    """p50/p95 of ``url`` through the stack, and of its own SQL statements replayed raw."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def get() -> None:
        response = client.get(url)
        if response.status_code != 200:
            raise SystemExit(f"{url}: {response.status_code} {response.content[:300]!r}")

    stack = timings(get)
    with CaptureQueriesContext(connection) as captured:
        get()
    statements = [query["sql"] for query in captured.captured_queries]

    def replay() -> None:
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)
                if cursor.description is not None:
                    cursor.fetchall()

    raw = timings(replay)
    return {
        "p50_ms": round(statistics.median(stack), 1),
        "p95_ms": round(percentile(stack, 0.95), 1),
        "sql_p50_ms": round(statistics.median(raw), 1),
        "sql_p95_ms": round(percentile(raw, 0.95), 1),
        "queries": len(statements),
    }


def cursor_at(depth: int, prefix: str) -> str:
    """The ``?cursor=`` of the page that starts ``depth`` rows into the district's list (newest first):
    the cursor names the row before it, as a ``next`` link would."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id FROM assistance_enrollment WHERE division_id LIKE %s ORDER BY id DESC OFFSET %s LIMIT 1",
            [prefix + "%", depth - 1],
        )
        (row_id,) = cursor.fetchone()
    data = json.dumps({"p": [row_id], "r": 0}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def main() -> None:
    options = arguments()
    payments = options.payments if options.payments is not None else 10 * options.enrollments
    os.environ.setdefault("HTTPS", "0")
    os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")
    with scratch.scratch_project() as (_server, _name):
        from django.core.management import call_command
        from django.test import Client
        from rest_framework.test import APIClient

        from assistance.models import Household, PaymentBatch
        from benchmarks.dashboard import fill_people_and_payments
        from civil_affairs.accounts.lines import Line
        from civil_affairs.accounts.models import Role, User

        with scratch.timed("migrate every app"):
            call_command("migrate", verbosity=0, skip_checks=True)
        with scratch.timed(f"fill {options.enrollments:,} enrollments"):
            scratch.fill(options.enrollments)
        with scratch.timed(f"fill their covered members and {payments:,} payments"):
            months = fill_people_and_payments(payments)

        logging.getLogger("axes").setLevel(logging.WARNING)  # a line per force_login otherwise
        reviewer = User.objects.create_user(
            username="bench_district", password=None, role=Role.DISTRICT_REVIEWER, jurisdiction_id=DISTRICT
        )
        caseworker = User.objects.create_user(
            username="bench_town",
            password=None,
            role=Role.CASEWORKER,
            jurisdiction_id=TOWN,
            lines=[Line.ASSISTANCE],
        )
        district_api, town_api = APIClient(), APIClient()
        district_api.force_authenticate(reviewer)
        town_api.force_authenticate(caseworker)
        town_pages, district_pages = Client(), Client()
        town_pages.force_login(caseworker)
        district_pages.force_login(reviewer)

        enrollments = "/api/v1/assistance/enrollments/?page_size=50"
        household = Household.objects.filter(division__code__startswith=TOWN).order_by("-id").first()
        batch = PaymentBatch.objects.order_by("-month").first()
        assert household is not None and batch is not None
        results: dict[str, Any] = {}
        results["enrollments_district"] = measure(district_api, enrollments)
        results["enrollments_town"] = measure(town_api, enrollments)
        results["enrollments_cursor_first"] = measure(district_api, f"{enrollments}&cursor=")
        for depth in [d for d in DEPTHS if d < options.enrollments * 0.9]:
            results[f"enrollments_offset_{depth}"] = measure(
                district_api, f"{enrollments}&page={depth // 50 + 1}"
            )
            results[f"enrollments_cursor_{depth}"] = measure(
                district_api, f"{enrollments}&cursor={cursor_at(depth + 1, DISTRICT)}"
            )
        results["household_page"] = measure(town_pages, f"/assistance/households/{household.pk}/")
        results["batch"] = measure(district_api, f"/api/v1/assistance/payment-batches/{batch.pk}/")
        results["batch_page"] = measure(district_pages, "/assistance/payment-batches/")
        results["enrollment_list_page"] = measure(town_pages, "/assistance/enrollments/")
        results["enrollment_list_page_district"] = measure(district_pages, "/assistance/enrollments/")
        for name, figures in results.items():
            scratch.note(f"{name}: {figures}")
        line = {"enrollments": options.enrollments, "payments": payments, "months": months, **results}
        print(json.dumps(line), flush=True)


if __name__ == "__main__":
    main()
