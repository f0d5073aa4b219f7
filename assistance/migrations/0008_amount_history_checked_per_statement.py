"""The amount history costs as little per row as it can (issue 15): an uplift writes a row for every
enrollment it recomputes, a million in one run.

- Its key is (enrollment, effective_from), the one index it keeps: the surrogate ``id`` and its index
  served nothing (every look-up is by enrollment, in date order).
- Its references are checked once per statement instead of row by row: at a million rows the two foreign
  keys (to the enrollment and to the uplift) cost more at the chunks' commits than the rows themselves. The
  same guarantees, by triggers that work on whole statements:

  - Inserted or updated rows name enrollments that exist when the statement ends; an uplift they name
    exists and has been approved (is not a preview).
  - Deleting enrollments that still have history rows is refused (Django's CASCADE deletes the rows first).
    The check first takes a SHARE lock on the history, so it waits for every transaction writing history
    rows and sees what they committed; a writer that comes later waits for the delete and then finds the
    enrollment gone. An enrollment's id cannot change.
  - An uplift can be deleted only while it is a preview (a preview has no history rows: only an approved
    uplift's job writes them) and never becomes a preview again, so the uplift a row names stays.

The errors are PostgreSQL's ``foreign_key_violation`` (Django's IntegrityError), as the foreign keys' were.
"""

import django.db.models.deletion
from django.db import migrations, models

FORWARD = """
CREATE FUNCTION assistance_amount_references_check() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    lowest bigint;
    highest bigint;
BEGIN
    -- Bounded by the rows' own id range, so that any join the planner picks costs what the statement
    -- wrote (the uplift's chunks are id ranges), never a scan of all enrollments.
    SELECT min(enrollment_id), max(enrollment_id) INTO lowest, highest FROM changed_rows;
    IF EXISTS (SELECT 1 FROM changed_rows AS r
                WHERE NOT EXISTS (SELECT 1 FROM assistance_enrollment AS e
                                   WHERE e.id = r.enrollment_id AND e.id BETWEEN lowest AND highest)) THEN
        RAISE EXCEPTION 'assistance_enrollmentamount: a row names an enrollment that does not exist'
            USING ERRCODE = 'foreign_key_violation';
    END IF;
    IF EXISTS (SELECT 1 FROM changed_rows AS r
                WHERE r.uplift_id IS NOT NULL AND NOT EXISTS (
                      SELECT 1 FROM assistance_uplift AS u WHERE u.id = r.uplift_id AND u.status <> 'preview')) THEN
        RAISE EXCEPTION 'assistance_enrollmentamount: a row names an uplift that does not exist or was not approved'
            USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER assistance_amount_inserted AFTER INSERT ON assistance_enrollmentamount
    REFERENCING NEW TABLE AS changed_rows
    FOR EACH STATEMENT EXECUTE FUNCTION assistance_amount_references_check();
CREATE TRIGGER assistance_amount_updated AFTER UPDATE ON assistance_enrollmentamount
    REFERENCING NEW TABLE AS changed_rows
    FOR EACH STATEMENT EXECUTE FUNCTION assistance_amount_references_check();

CREATE FUNCTION assistance_enrollment_deleted_check() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    LOCK TABLE assistance_enrollmentamount IN SHARE MODE;
    IF EXISTS (SELECT 1 FROM deleted_rows AS d
                 JOIN assistance_enrollmentamount AS a ON a.enrollment_id = d.id) THEN
        RAISE EXCEPTION 'assistance_enrollment: an enrollment with amount history cannot be deleted'
            USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER assistance_enrollment_deleted AFTER DELETE ON assistance_enrollment
    REFERENCING OLD TABLE AS deleted_rows
    FOR EACH STATEMENT EXECUTE FUNCTION assistance_enrollment_deleted_check();

CREATE FUNCTION assistance_enrollment_id_fixed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'assistance_enrollment: an enrollment''s id cannot change'
        USING ERRCODE = 'foreign_key_violation';
END
$$;
CREATE TRIGGER assistance_enrollment_id_fixed BEFORE UPDATE OF id ON assistance_enrollment
    FOR EACH ROW WHEN (OLD.id IS DISTINCT FROM NEW.id)
    EXECUTE FUNCTION assistance_enrollment_id_fixed();

CREATE FUNCTION assistance_uplift_kept() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF OLD.status <> 'preview' THEN
            RAISE EXCEPTION 'assistance_uplift: an approved uplift cannot be deleted'
                USING ERRCODE = 'foreign_key_violation';
        END IF;
        RETURN OLD;
    END IF;
    IF NEW.id IS DISTINCT FROM OLD.id OR (NEW.status = 'preview' AND OLD.status <> 'preview') THEN
        RAISE EXCEPTION 'assistance_uplift: an approved uplift cannot become a preview again or change its id'
            USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER assistance_uplift_kept BEFORE DELETE OR UPDATE OF id, status ON assistance_uplift
    FOR EACH ROW EXECUTE FUNCTION assistance_uplift_kept();
"""

# The key: (enrollment, effective_from) instead of a surrogate id beside a unique constraint on them.
KEY_FORWARD = """
ALTER TABLE assistance_enrollmentamount DROP CONSTRAINT assistance_enrollmentamount_pkey, DROP COLUMN id;
ALTER TABLE assistance_enrollmentamount DROP CONSTRAINT enrollment_amount_one_per_date;
ALTER TABLE assistance_enrollmentamount
    ADD CONSTRAINT assistance_enrollmentamount_pkey PRIMARY KEY (enrollment_id, effective_from);
"""
KEY_BACKWARD = """
ALTER TABLE assistance_enrollmentamount DROP CONSTRAINT assistance_enrollmentamount_pkey;
ALTER TABLE assistance_enrollmentamount
    ADD CONSTRAINT enrollment_amount_one_per_date UNIQUE (enrollment_id, effective_from);
ALTER TABLE assistance_enrollmentamount ADD COLUMN id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY;
"""

BACKWARD = """
DROP TRIGGER assistance_uplift_kept ON assistance_uplift;
DROP FUNCTION assistance_uplift_kept();
DROP TRIGGER assistance_enrollment_id_fixed ON assistance_enrollment;
DROP FUNCTION assistance_enrollment_id_fixed();
DROP TRIGGER assistance_enrollment_deleted ON assistance_enrollment;
DROP FUNCTION assistance_enrollment_deleted_check();
DROP TRIGGER assistance_amount_updated ON assistance_enrollmentamount;
DROP TRIGGER assistance_amount_inserted ON assistance_enrollmentamount;
DROP FUNCTION assistance_amount_references_check();
"""


class Migration(migrations.Migration):
    dependencies = [("assistance", "0007_only_the_indexes_queries_need")]

    operations = [
        migrations.AlterField(
            model_name="enrollmentamount",
            name="enrollment",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="amounts",
                to="assistance.enrollment",
            ),
        ),
        migrations.AlterField(
            model_name="enrollmentamount",
            name="uplift",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="assistance.uplift",
            ),
        ),
        migrations.RunSQL(FORWARD, BACKWARD),
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunSQL(KEY_FORWARD, KEY_BACKWARD)],
            state_operations=[
                migrations.RemoveConstraint(
                    model_name="enrollmentamount", name="enrollment_amount_one_per_date"
                ),
                migrations.RemoveField(model_name="enrollmentamount", name="id"),
                migrations.AddField(
                    model_name="enrollmentamount",
                    name="pk",
                    field=models.CompositePrimaryKey(
                        "enrollment",
                        "effective_from",
                        blank=True,
                        editable=False,
                        primary_key=True,
                        serialize=False,
                    ),
                ),
            ],
        ),
    ]
