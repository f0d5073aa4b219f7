"""``python -m benchmarks.payments --enrollments N``: a month's payment batch job
(assistance.jobs.payment_batch_run) on N enrollments against two floors measured in the same run (SPEC
§10): ``floor_s``, one plain SQL ``INSERT … SELECT`` of the same payments into the project's payment table,
and ``physical_floor_s``, the same statement writing the same payment rows (enrollment, month, amount) into
a table that holds only those columns and a primary key (enrollment, month) instead. Standard error also
shows what writing those rows alone costs, from a copy of them made beforehand (the statement's reads
left out).

Prints ``{"enrollments", "project_s", "floor_s", "physical_floor_s", "ratio", "physical_ratio"}``. Half the
enrollments have a second amount from the paid month's first day, so "the amount in force" has to be
looked up. The job's time covers all it does: choosing the enrollments in force and their amounts, writing
the payments, the batch's count and total, its audit event and the anchor of the audit chain. All three
must end with the same payments, which is checked.
"""

from __future__ import annotations

import datetime

from benchmarks import scratch

MONTH = datetime.date(2024, 7, 1)
PAYMENTS = (
    "SELECT count(*), sum(amount), sum(hashtext(enrollment_id || ':' || amount)) FROM assistance_payment"
)
PHYSICAL_COLUMNS = "enrollment_id bigint, month date, amount numeric(12, 2)"
# The rows alone, copied out of the floor's result, for the write without the reads.
STAGED_SQL = "CREATE TABLE staged_payment AS SELECT enrollment_id, month, amount FROM assistance_payment"
WRITE_ONLY_SQL = "INSERT INTO written_payment SELECT enrollment_id, month, amount FROM staged_payment"

# The floor: every enrollment in force on 1 July (started, not ended, not suspended that day) at the amount
# in force that day, in one statement: into the project's table, or the physical floor's.
FLOOR_INTO = "INSERT INTO assistance_payment (batch_id, enrollment_id, month, amount) SELECT %(batch)s,"
PHYSICAL_INTO = "INSERT INTO physical_payment (enrollment_id, month, amount) SELECT"
FLOOR_SQL = """
    {into} e.id, DATE '2024-07-01', coalesce(a.monthly_amount, e.monthly_amount)
      FROM assistance_enrollment AS e
      LEFT JOIN LATERAL (
            SELECT monthly_amount FROM assistance_enrollmentamount
             WHERE enrollment_id = e.id AND effective_from <= DATE '2024-07-01'
             ORDER BY effective_from DESC LIMIT 1
           ) AS a ON true
     WHERE e.start <= DATE '2024-07-01' AND (e."end" IS NULL OR e."end" >= DATE '2024-07-01')
       AND NOT (e.status = 'terminated' AND e."end" = e.start)
       AND NOT EXISTS (
           SELECT 1 FROM assistance_enrollmentsuspension AS s
            WHERE s.enrollment_id = e.id AND s.start <= DATE '2024-07-01'
              AND (s."end" IS NULL OR s."end" > DATE '2024-07-01'))
"""


def main() -> None:
    enrollments = scratch.arguments(__doc__.splitlines()[0]).enrollments
    with scratch.scratch_project() as (server, name):
        from django.db import connection

        from assistance import jobs

        with scratch.timed(f"fill {enrollments:,} enrollments"):
            scratch.fill(enrollments)
            scratch.run_sql(
                [
                    "INSERT INTO assistance_enrollmentamount (enrollment_id, monthly_amount, effective_from)"
                    " SELECT id, monthly_amount + 10, DATE '2024-07-01' FROM assistance_enrollment"
                    " WHERE id % 2 = 0 AND start < DATE '2024-07-01'",
                    "VACUUM ANALYZE assistance_enrollmentamount",
                ]
            )
        batch = jobs.payment_batch_create(actor=None, month=MONTH, queue_job=False)
        floor_url = scratch.clone_for_floor(server, name)

        floor = scratch.floor_connection(floor_url)
        with floor.cursor() as cursor:
            scratch.physical_table(cursor, "physical_payment", PHYSICAL_COLUMNS, "enrollment_id, month")
        with (
            floor.cursor() as cursor,
            scratch.timed("physical floor: the INSERT … SELECT into a narrow table") as physical_s,
        ):
            cursor.execute(FLOOR_SQL.format(into=PHYSICAL_INTO))
            floor.commit()
        with floor.cursor() as cursor:
            physical_payments = scratch.checksum(
                cursor, PAYMENTS.replace("assistance_payment", "physical_payment")
            )
            cursor.execute("CHECKPOINT")
        floor.commit()
        with floor.cursor() as cursor, scratch.timed("floor: one INSERT … SELECT") as floor_s:
            cursor.execute(FLOOR_SQL.format(into=FLOOR_INTO), {"batch": batch.pk})
            floor.commit()
        with floor.cursor() as cursor:
            floor_payments = scratch.checksum(cursor, PAYMENTS)
            cursor.execute(STAGED_SQL)
            floor.commit()
            scratch.physical_table(cursor, "written_payment", PHYSICAL_COLUMNS, "enrollment_id, month")
        with floor.cursor() as cursor, scratch.timed("(the same rows alone, written into a narrow table)"):
            cursor.execute(WRITE_ONLY_SQL)
            floor.commit()
        floor.close()

        scratch.run_sql("CHECKPOINT")
        chunk_size = jobs.chunk_size_setting(jobs.PAYMENT_CHUNK_SIZE)
        with scratch.timed(f"project: payment_batch_run, chunks of {chunk_size:,}") as project_s:
            done = jobs.payment_batch_run(batch_id=batch.pk)
        with connection.cursor() as cursor:
            project_payments = scratch.checksum(cursor, PAYMENTS)
        scratch.note(f"{done.count:,} payments, {done.total} yuan, status {done.status}")
        if not project_payments == floor_payments == physical_payments:
            raise SystemExit(
                f"the job and the floors disagree: {project_payments} vs {floor_payments} vs {physical_payments}"
            )
        scratch.report(enrollments, project_s(), floor_s(), physical_s())


if __name__ == "__main__":
    main()
