"""``python -m benchmarks.payments --enrollments N``: a month's payment batch job
(assistance.jobs.payment_batch_run) on N enrollments against the floor, one plain SQL ``INSERT … SELECT``
of the same payments (issue #3, item 9).

Prints ``{"enrollments": N, "project_s": …, "floor_s": …, "ratio": …}``. Half the enrollments have a
second amount from the paid month's first day, so "the amount in force" has to be looked up. The job's
time covers all it does: the chunked inserts, the batch's count and total and its audit event. Both runs
must end with the same payments, which is checked.
"""

from __future__ import annotations

import datetime

from benchmarks import scratch

MONTH = datetime.date(2024, 7, 1)
PAYMENTS = (
    "SELECT count(*), sum(amount), sum(hashtext(enrollment_id || ':' || amount)) FROM assistance_payment"
)

# The floor: every enrollment in force on 1 July (started, not ended, not suspended that day) at the amount
# in force that day, in one statement.
FLOOR_SQL = """
    INSERT INTO assistance_payment (batch_id, enrollment_id, month, amount)
    SELECT %(batch)s, e.id, DATE '2024-07-01', coalesce(a.monthly_amount, e.monthly_amount)
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
        with floor.cursor() as cursor, scratch.timed("floor: one INSERT … SELECT") as floor_s:
            cursor.execute(FLOOR_SQL, {"batch": batch.pk})
            floor.commit()
        with floor.cursor() as cursor:
            floor_payments = scratch.checksum(cursor, PAYMENTS)
        floor.close()

        scratch.run_sql("CHECKPOINT")
        chunk_size = jobs.chunk_size_setting(jobs.PAYMENT_CHUNK_SIZE)
        with scratch.timed(f"project: payment_batch_run, chunks of {chunk_size:,}") as project_s:
            done = jobs.payment_batch_run(batch_id=batch.pk)
        with connection.cursor() as cursor:
            project_payments = scratch.checksum(cursor, PAYMENTS)
        scratch.note(f"{done.count:,} payments, {done.total} yuan, status {done.status}")
        if project_payments != floor_payments:
            raise SystemExit(f"the job and the floor disagree: {project_payments} vs {floor_payments}")
        scratch.report(enrollments, project_s(), floor_s())


if __name__ == "__main__":
    main()
