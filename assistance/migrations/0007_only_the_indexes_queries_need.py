"""Only the indexes a query needs on the assistance tables (README "Benchmarks" names each with its query),
and a fill factor of 50 on the enrollments so that the uplift's updates of every amount stay HOT.

- The division foreign keys of households, applications and enrollments each had three indexes: Django's
  plain and ``_like`` ones and a (division, -id) one. Scoping is a prefix match (``division_id LIKE
  '370114001%'``), which under the database's collation only a ``varchar_pattern_ops`` index serves; that
  one index also serves equality. The (division, -id) ones served nothing a list asks (lists are ordered by
  id, which the primary key serves backwards).
- ``enrollment_status_cat_idx`` (status, category): two low-cardinality columns, read as a whole by the
  jobs and never as an index range; every non-HOT update paid for it.
- Fill factor 50: an enrollment row is ~170 bytes; at 50 % each page keeps room for a second version of
  every row on it, so an update that changes no indexed column (the uplift's amount and ``updated_at``)
  is a heap-only tuple update that writes no index. Applies to pages written from now on: rows already
  stored move into the free room as vacuum and updates go (``VACUUM FULL assistance_enrollment`` rewrites
  them at once, under an exclusive lock).
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("assistance", "0006_case_dates_deadlines_rechecks"),
        ("divisions", "0002_labels"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="application", name="application_division_idx"),
        migrations.RemoveIndex(model_name="enrollment", name="enrollment_status_cat_idx"),
        migrations.RemoveIndex(model_name="enrollment", name="enrollment_division_idx"),
        migrations.RemoveIndex(model_name="household", name="household_division_idx"),
        migrations.AlterField(
            model_name="application",
            name="division",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="divisions.division",
            ),
        ),
        migrations.AlterField(
            model_name="enrollment",
            name="division",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="divisions.division",
            ),
        ),
        migrations.AlterField(
            model_name="household",
            name="division",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="divisions.division",
                verbose_name="division",
            ),
        ),
        migrations.AddIndex(
            model_name="application",
            index=models.Index(
                fields=["division"], name="application_division_like_idx", opclasses=["varchar_pattern_ops"]
            ),
        ),
        migrations.AddIndex(
            model_name="enrollment",
            index=models.Index(
                fields=["division"], name="enrollment_division_like_idx", opclasses=["varchar_pattern_ops"]
            ),
        ),
        migrations.AddIndex(
            model_name="household",
            index=models.Index(
                fields=["division"], name="household_division_like_idx", opclasses=["varchar_pattern_ops"]
            ),
        ),
        migrations.RunSQL(
            "ALTER TABLE assistance_enrollment SET (fillfactor = 50)",
            "ALTER TABLE assistance_enrollment RESET (fillfactor)",
        ),
    ]
