"""No index without a query (issue 15; README "Benchmarks" lists every index left with the query it serves).

- Re-checks' (enrollment) index: recheck_enrollment_idx (enrollment, -visited_on) serves every look-up.
- Applications' (submitted_by) and re-checks' (recorded_by) indexes: nothing reads them by that user (users
  are deactivated, not deleted), and they grow with the cases.
- The covered members' tables (Django's many-to-many tables) each had a single-column index beside the
  unique (application or enrollment, person) one that starts with the same column. Django creates those
  tables itself, so they are dropped here by name (and made again on the way back).
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("assistance", "0009_payment_references_checked_per_statement"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunSQL(
            "DROP INDEX assistance_application_covered_members_application_id_40bb449c;"
            " DROP INDEX assistance_enrollment_covered_members_enrollment_id_0e5b1073;",
            "CREATE INDEX assistance_application_covered_members_application_id_40bb449c"
            " ON assistance_application_covered_members (application_id);"
            " CREATE INDEX assistance_enrollment_covered_members_enrollment_id_0e5b1073"
            " ON assistance_enrollment_covered_members (enrollment_id);",
        ),
        migrations.AlterField(
            model_name="application",
            name="submitted_by",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AlterField(
            model_name="recheck",
            name="enrollment",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="rechecks",
                to="assistance.enrollment",
            ),
        ),
        migrations.AlterField(
            model_name="recheck",
            name="recorded_by",
            field=models.ForeignKey(
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
    ]
