"""``python -m benchmarks.uplift --enrollments N``: the annual uplift job (assistance.jobs.uplift_run) on N
enrollments against two floors measured in the same run (SPEC §10): ``floor_s``, one plain SQL UPDATE of
the project's enrollments computing the same amounts, and ``physical_floor_s``, the same UPDATE of a table
that holds only the columns the amounts need (the income snapshot, category, status, end, amount) and a
primary key.

Prints ``{"enrollments", "project_s", "floor_s", "physical_floor_s", "ratio", "physical_ratio"}``. The job's
time covers all it does: the new standards, the chunked UPDATE of the amounts with the INSERT of their
history rows, the progress cursor, the audit events and the anchor of the audit chain. All three must end
with the same amounts, which is checked.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from benchmarks import scratch

RATE = Decimal("0.05")
EFFECTIVE_FROM = datetime.date(2024, 7, 1)
AMOUNTS = "SELECT count(*), sum(monthly_amount), sum(hashtext(id || ':' || monthly_amount)) FROM assistance_enrollment"

# The floor: the same amounts (rules.monthly_amount), written out by hand as one statement; the physical
# floor runs it on PHYSICAL_TABLE instead.
FLOOR_SQL = """
    UPDATE {table} AS e
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
PHYSICAL_TABLE = "physical_enrollment"
PHYSICAL_COLUMNS = """id bigint, category varchar(24), status varchar(12), "end" date, member_count smallint,
    covered_count smallint, total_income numeric(12, 2), monthly_amount numeric(12, 2), updated_at timestamptz"""
PHYSICAL_SOURCE = """SELECT id, category, status, "end", member_count, covered_count, total_income,
    monthly_amount, updated_at FROM assistance_enrollment"""


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
        arguments = {
            "categories": [line["category"] for line in uplift.lines],
            "amounts": [line["new_amount"] for line in uplift.lines],
            "effective_from": EFFECTIVE_FROM,
        }
        with floor.cursor() as cursor:
            scratch.physical_table(cursor, PHYSICAL_TABLE, PHYSICAL_COLUMNS, "id", PHYSICAL_SOURCE)
        with (
            floor.cursor() as cursor,
            scratch.timed("physical floor: one UPDATE of a narrow table") as physical_s,
        ):
            cursor.execute(FLOOR_SQL.format(table=PHYSICAL_TABLE), arguments)
            floor.commit()
        with floor.cursor() as cursor:
            physical_amounts = scratch.checksum(
                cursor, AMOUNTS.replace("assistance_enrollment", PHYSICAL_TABLE)
            )
            cursor.execute("CHECKPOINT")
        floor.commit()
        with floor.cursor() as cursor, scratch.timed("floor: one UPDATE") as floor_s:
            cursor.execute(FLOOR_SQL.format(table="assistance_enrollment"), arguments)
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
        if not project_amounts == floor_amounts == physical_amounts:
            raise SystemExit(
                f"the job and the floors disagree: {project_amounts} vs {floor_amounts} vs {physical_amounts}"
            )
        scratch.report(enrollments, project_s(), floor_s(), physical_s())


if __name__ == "__main__":
    main()
