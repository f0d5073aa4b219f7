"""``python -m benchmarks.uplift --enrollments N``: the annual uplift job (assistance.jobs.uplift_run) on N
enrollments against the floor, one plain SQL UPDATE computing the same amounts (issue #3, item 9).

Prints ``{"enrollments": N, "project_s": …, "floor_s": …, "ratio": …}``. The job's time covers all it
does: the new standards, the chunked UPDATE of the amounts with the INSERT of their history rows, the
progress cursor and the audit events. Both runs must end with the same amounts, which is checked.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from benchmarks import scratch

RATE = Decimal("0.05")
EFFECTIVE_FROM = datetime.date(2024, 7, 1)
AMOUNTS = "SELECT count(*), sum(monthly_amount), sum(hashtext(id || ':' || monthly_amount)) FROM assistance_enrollment"

# The floor: the same amounts (rules.monthly_amount), written out by hand as one statement.
FLOOR_SQL = """
    UPDATE assistance_enrollment AS e
       SET monthly_amount = CASE
               WHEN e.category IN ('dibao_urban', 'dibao_rural') THEN GREATEST(
                   0, ROUND((s.amount * e.member_count - e.total_income) * e.covered_count / e.member_count, 2))
               ELSE s.amount * e.covered_count
           END,
           updated_at = now()
      FROM unnest(%(categories)s::varchar[], %(amounts)s::numeric[]) AS s(category, amount)
     WHERE s.category = e.category
       AND e.status IN ('active', 'suspended') AND (e."end" IS NULL OR e."end" >= %(effective_from)s)
"""


def main() -> None:
    enrollments = scratch.arguments(__doc__.splitlines()[0]).enrollments
    with scratch.scratch_project() as (server, name):
        from assistance import jobs

        with scratch.timed(f"fill {enrollments:,} enrollments"):
            scratch.fill(enrollments)
        uplift = jobs.uplift_preview(actor=None, year=2024, rate=RATE, effective_from=EFFECTIVE_FROM)
        uplift = jobs.uplift_approve(actor=None, uplift=uplift, queue_job=False)
        floor_url = scratch.clone_for_floor(server, name)

        floor = scratch.floor_connection(floor_url)
        with floor.cursor() as cursor, scratch.timed("floor: one UPDATE") as floor_s:
            cursor.execute(
                FLOOR_SQL,
                {
                    "categories": [line["category"] for line in uplift.lines],
                    "amounts": [line["new_amount"] for line in uplift.lines],
                    "effective_from": EFFECTIVE_FROM,
                },
            )
            floor.commit()
        with floor.cursor() as cursor:
            floor_amounts = scratch.checksum(cursor, AMOUNTS)
        floor.close()

        scratch.run_sql("CHECKPOINT")
        with scratch.timed(
            f"project: uplift_run, chunks of {jobs.chunk_size_setting(jobs.UPLIFT_CHUNK_SIZE):,}"
        ) as project_s:
            done = jobs.uplift_run(uplift_id=uplift.pk)
        from django.db import connection

        with connection.cursor() as cursor:
            project_amounts = scratch.checksum(cursor, AMOUNTS)
        scratch.note(f"{done.processed_enrollments:,} enrollments recomputed, status {done.status}")
        if project_amounts != floor_amounts:
            raise SystemExit(f"the job and the floor disagree: {project_amounts} vs {floor_amounts}")
        scratch.report(enrollments, project_s(), floor_s())


if __name__ == "__main__":
    main()
