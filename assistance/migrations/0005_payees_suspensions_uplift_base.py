"""Enrollments carry the payee's bank account (SPEC §4.3); suspensions get their own dated history, so a
payment batch pays by the status on the month's first day; an uplift preview remembers the standards it
uplifted (SPEC §4.4).

Enrollments suspended today get an open suspension from the day of their last suspend step (Asia/Shanghai),
or from their last change where no step was recorded."""

import django.db.models.deletion
from django.db import migrations, models


BACKFILL = """
INSERT INTO assistance_enrollmentsuspension (enrollment_id, start, "end", reason, created_at)
SELECT e.id,
       GREATEST(e.start, COALESCE(
           (SELECT (max(c.occurred_at) AT TIME ZONE 'Asia/Shanghai')::date FROM workflow_statechange c
             WHERE c.object_type = 'assistance.enrollment' AND c.object_id = e.id AND c.action = 'suspend'),
           (e.updated_at AT TIME ZONE 'Asia/Shanghai')::date)),
       NULL, e.status_reason, now()
  FROM assistance_enrollment e
 WHERE e.status = 'suspended'
 ORDER BY e.id;
"""


class Migration(migrations.Migration):
    dependencies = [
        ("assistance", "0004_kernel_workflow_history"),
    ]

    operations = [
        migrations.AddField(
            model_name="enrollment",
            name="bank_account",
            field=models.CharField(blank=True, max_length=40, verbose_name="bank account"),
        ),
        migrations.AddField(
            model_name="enrollment",
            name="bank_name",
            field=models.CharField(blank=True, max_length=100, verbose_name="bank"),
        ),
        migrations.AddField(
            model_name="enrollment",
            name="payee",
            field=models.CharField(blank=True, max_length=100, verbose_name="payee"),
        ),
        migrations.AddField(
            model_name="uplift",
            name="base_standards",
            field=models.JSONField(default=dict),
        ),
        migrations.CreateModel(
            name="EnrollmentSuspension",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("start", models.DateField(verbose_name="suspended from")),
                ("end", models.DateField(blank=True, null=True, verbose_name="suspended until")),
                ("reason", models.TextField(blank=True, verbose_name="reason")),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                (
                    "enrollment",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="suspensions",
                        to="assistance.enrollment",
                    ),
                ),
            ],
            options={
                "verbose_name": "suspension",
                "verbose_name_plural": "suspensions",
                "ordering": ["enrollment", "-start"],
                "constraints": [
                    models.UniqueConstraint(
                        condition=models.Q(("end__isnull", True)),
                        fields=("enrollment",),
                        name="suspension_one_open_per_enrollment",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("end__isnull", True), ("end__gte", models.F("start")), _connector="OR"
                        ),
                        name="suspension_end_after_start",
                    ),
                ],
            },
        ),
        migrations.RunSQL(BACKFILL, migrations.RunSQL.noop),
    ]
