"""People carry an optional disability certificate (SPEC §2.2): its kind and grade, both or neither."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0002_labels"),
    ]

    operations = [
        migrations.AddField(
            model_name="person",
            name="disability_kind",
            field=models.CharField(
                blank=True,
                choices=[
                    ("visual", "Visual disability"),
                    ("hearing", "Hearing disability"),
                    ("speech", "Speech disability"),
                    ("physical", "Physical disability"),
                    ("intellectual", "Intellectual disability"),
                    ("mental", "Mental disability"),
                    ("multiple", "Multiple disabilities"),
                ],
                max_length=12,
                verbose_name="disability kind",
            ),
        ),
        migrations.AddField(
            model_name="person",
            name="disability_grade",
            field=models.PositiveSmallIntegerField(
                blank=True,
                choices=[(1, "1"), (2, "2"), (3, "3"), (4, "4")],
                null=True,
                verbose_name="disability grade",
            ),
        ),
        migrations.AddConstraint(
            model_name="person",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("disability_grade__isnull", True), ("disability_kind", "")),
                    models.Q(
                        models.Q(("disability_kind", ""), _negated=True),
                        ("disability_grade__gte", 1),
                        ("disability_grade__lte", 4),
                    ),
                    _connector="OR",
                ),
                name="person_disability_certificate_whole",
            ),
        ),
    ]
