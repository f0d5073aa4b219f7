"""Payments cost less per row (issue 15). A batch writes a payment for every enrollment in force, and the
two foreign keys (to the enrollment and to the batch) cost about as much at the chunks' commits as the rows
themselves: their references are checked once per statement instead, as the amount history's are since 0008.

- Inserted or updated payments name an enrollment and a batch that exist when the statement ends.
- Deleting enrollments or batches that still have payments is refused, after a SHARE lock on the payments
  (every transaction writing payments is waited for and what it committed is seen; a later writer waits for
  the delete and then finds its enrollment or batch gone). A batch's id cannot change.

A batch's payments are found by a BRIN index on the batch instead of a B-tree: they are written together,
batch after batch, so a few pages of block ranges find them, and the index costs next to nothing per row.

The errors are PostgreSQL's ``foreign_key_violation`` (Django's IntegrityError), as the foreign keys' were.
"""

import django.contrib.postgres.indexes
import django.db.models.deletion
from django.db import migrations, models

FORWARD = """
CREATE FUNCTION assistance_payment_references_check() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    lowest bigint;
    highest bigint;
BEGIN
    -- Bounded by the rows' own id range, so that any join the planner picks costs what the statement
    -- wrote (a batch's chunks are id ranges), never a scan of all enrollments.
    SELECT min(enrollment_id), max(enrollment_id) INTO lowest, highest FROM changed_rows;
    IF EXISTS (SELECT 1 FROM changed_rows AS r
                WHERE NOT EXISTS (SELECT 1 FROM assistance_enrollment AS e
                                   WHERE e.id = r.enrollment_id AND e.id BETWEEN lowest AND highest)) THEN
        RAISE EXCEPTION 'assistance_payment: a payment names an enrollment that does not exist'
            USING ERRCODE = 'foreign_key_violation';
    END IF;
    IF EXISTS (SELECT 1 FROM (SELECT DISTINCT batch_id FROM changed_rows) AS r
                WHERE NOT EXISTS (SELECT 1 FROM assistance_paymentbatch AS b WHERE b.id = r.batch_id)) THEN
        RAISE EXCEPTION 'assistance_payment: a payment names a batch that does not exist'
            USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER assistance_payment_inserted AFTER INSERT ON assistance_payment
    REFERENCING NEW TABLE AS changed_rows
    FOR EACH STATEMENT EXECUTE FUNCTION assistance_payment_references_check();
CREATE TRIGGER assistance_payment_updated AFTER UPDATE ON assistance_payment
    REFERENCING NEW TABLE AS changed_rows
    FOR EACH STATEMENT EXECUTE FUNCTION assistance_payment_references_check();

CREATE FUNCTION assistance_enrollment_paid_check() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    LOCK TABLE assistance_payment IN SHARE MODE;
    IF EXISTS (SELECT 1 FROM deleted_rows AS d JOIN assistance_payment AS p ON p.enrollment_id = d.id) THEN
        RAISE EXCEPTION 'assistance_enrollment: an enrollment with payments cannot be deleted'
            USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER assistance_enrollment_paid AFTER DELETE ON assistance_enrollment
    REFERENCING OLD TABLE AS deleted_rows
    FOR EACH STATEMENT EXECUTE FUNCTION assistance_enrollment_paid_check();

CREATE FUNCTION assistance_batch_paid_check() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    LOCK TABLE assistance_payment IN SHARE MODE;
    IF EXISTS (SELECT 1 FROM deleted_rows AS d JOIN assistance_payment AS p ON p.batch_id = d.id) THEN
        RAISE EXCEPTION 'assistance_paymentbatch: a batch with payments cannot be deleted'
            USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER assistance_batch_paid AFTER DELETE ON assistance_paymentbatch
    REFERENCING OLD TABLE AS deleted_rows
    FOR EACH STATEMENT EXECUTE FUNCTION assistance_batch_paid_check();

CREATE FUNCTION assistance_batch_id_fixed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'assistance_paymentbatch: a batch''s id cannot change'
        USING ERRCODE = 'foreign_key_violation';
END
$$;
CREATE TRIGGER assistance_batch_id_fixed BEFORE UPDATE OF id ON assistance_paymentbatch
    FOR EACH ROW WHEN (OLD.id IS DISTINCT FROM NEW.id)
    EXECUTE FUNCTION assistance_batch_id_fixed();
"""

BACKWARD = """
DROP TRIGGER assistance_batch_id_fixed ON assistance_paymentbatch;
DROP FUNCTION assistance_batch_id_fixed();
DROP TRIGGER assistance_batch_paid ON assistance_paymentbatch;
DROP FUNCTION assistance_batch_paid_check();
DROP TRIGGER assistance_enrollment_paid ON assistance_enrollment;
DROP FUNCTION assistance_enrollment_paid_check();
DROP TRIGGER assistance_payment_updated ON assistance_payment;
DROP TRIGGER assistance_payment_inserted ON assistance_payment;
DROP FUNCTION assistance_payment_references_check();
"""


class Migration(migrations.Migration):
    dependencies = [("assistance", "0008_amount_history_checked_per_statement")]

    operations = [
        migrations.AlterField(
            model_name="payment",
            name="batch",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="payments",
                to="assistance.paymentbatch",
            ),
        ),
        migrations.AddIndex(
            model_name="payment",
            index=django.contrib.postgres.indexes.BrinIndex(fields=["batch"], name="payment_batch_brin"),
        ),
        migrations.AlterField(
            model_name="payment",
            name="enrollment",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="payments",
                to="assistance.enrollment",
            ),
        ),
        migrations.RunSQL(FORWARD, BACKWARD),
    ]
