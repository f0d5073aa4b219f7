"""The case's dates (received, accepted, home visit) in order, the decision's due date and its extension
(SPEC §4.2), and the periodic re-checks of enrollments (动态管理).

Existing applications were received on the day they were filed (submitted_at, Asia/Shanghai)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

BACKFILL_RECEIVED_ON = """
UPDATE assistance_application
   SET received_on = (submitted_at AT TIME ZONE 'Asia/Shanghai')::date
 WHERE received_on IS NULL;
"""


class Migration(migrations.Migration):
    dependencies = [
        ("assistance", "0005_payees_suspensions_uplift_base"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="application",
            name="received_on",
            field=models.DateField(null=True, verbose_name="received on"),
        ),
        migrations.RunSQL(BACKFILL_RECEIVED_ON, migrations.RunSQL.noop),
        migrations.AlterField(
            model_name="application",
            name="received_on",
            field=models.DateField(verbose_name="received on"),
        ),
        migrations.AddField(
            model_name="application",
            name="accepted_on",
            field=models.DateField(blank=True, null=True, verbose_name="accepted on"),
        ),
        migrations.AddField(
            model_name="application",
            name="visited_on",
            field=models.DateField(blank=True, null=True, verbose_name="home visit on"),
        ),
        migrations.AddField(
            model_name="application",
            name="decision_due",
            field=models.DateField(blank=True, null=True, verbose_name="decision due"),
        ),
        migrations.AddField(
            model_name="application",
            name="decision_extension_reason",
            field=models.TextField(blank=True, verbose_name="reason for extending the decision period"),
        ),
        migrations.AddConstraint(
            model_name="application",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("accepted_on__isnull", True),
                    ("accepted_on__gte", models.F("received_on")),
                    _connector="OR",
                ),
                name="application_accepted_after_received",
            ),
        ),
        migrations.AddConstraint(
            model_name="application",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("visited_on__isnull", True),
                    ("accepted_on__isnull", True),
                    ("visited_on__gte", models.F("accepted_on")),
                    _connector="OR",
                ),
                name="application_visited_after_accepted",
            ),
        ),
        migrations.AddConstraint(
            model_name="application",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("notice_from__isnull", True),
                    ("visited_on__isnull", True),
                    ("notice_from__gte", models.F("visited_on")),
                    _connector="OR",
                ),
                name="application_notice_after_visit",
            ),
        ),
        migrations.CreateModel(
            name="Recheck",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("visited_on", models.DateField(verbose_name="home visit on")),
                ("report", models.TextField(verbose_name="re-check report")),
                ("incomes", models.JSONField(default=list, verbose_name="members' monthly incomes")),
                (
                    "total_income",
                    models.DecimalField(
                        decimal_places=2, max_digits=12, verbose_name="household monthly income"
                    ),
                ),
                (
                    "member_count",
                    models.PositiveSmallIntegerField(verbose_name="number of household members"),
                ),
                ("irregular_income", models.BooleanField(default=False, verbose_name="irregular income")),
                (
                    "amount_before",
                    models.DecimalField(
                        decimal_places=2, max_digits=12, verbose_name="monthly amount before"
                    ),
                ),
                (
                    "amount_after",
                    models.DecimalField(decimal_places=2, max_digits=12, verbose_name="monthly amount after"),
                ),
                ("effective_from", models.DateField(verbose_name="effective from")),
                ("next_review", models.DateField(verbose_name="next re-check")),
                ("terminated", models.BooleanField(default=False, verbose_name="terminated the enrollment")),
                ("recorded_at", models.DateTimeField(auto_now_add=True, verbose_name="recorded at")),
                (
                    "enrollment",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="rechecks",
                        to="assistance.enrollment",
                    ),
                ),
                (
                    "recorded_by",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "re-check",
                "verbose_name_plural": "re-checks",
                "ordering": ["enrollment", "-visited_on", "-id"],
                "indexes": [
                    models.Index(fields=["enrollment", "-visited_on"], name="recheck_enrollment_idx")
                ],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("amount_after__gte", 0)), name="recheck_amount_not_negative"
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("next_review__gt", models.F("visited_on"))),
                        name="recheck_next_after_visit",
                    ),
                ],
            },
        ),
    ]
