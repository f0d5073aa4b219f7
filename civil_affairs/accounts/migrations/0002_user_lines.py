import django.contrib.postgres.fields
from django.db import migrations, models

ALL_LINES = ["assistance", "eldercare", "marriage", "funeral", "community"]


def existing_caseworkers_keep_every_line(apps, schema_editor):
    """Before lines of work existed a caseworker could act in every line; keep that until an administrator
    narrows it (the demo loader sets the demo accounts' lines of SPEC §1)."""
    User = apps.get_model("accounts", "User")
    User.objects.filter(role="caseworker").update(lines=ALL_LINES)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="user",
            name="lines",
            field=django.contrib.postgres.fields.ArrayField(
                base_field=models.CharField(
                    choices=[
                        ("assistance", "Social assistance"),
                        ("eldercare", "Elder care"),
                        ("marriage", "Marriage registration"),
                        ("funeral", "Funeral services"),
                        ("community", "Community governance"),
                    ],
                    max_length=20,
                ),
                blank=True,
                default=list,
                help_text="For caseworkers: the lines of work they serve. Other roles read every line.",
                size=None,
                verbose_name="lines of work",
            ),
        ),
        migrations.RunPython(existing_caseworkers_keep_every_line, migrations.RunPython.noop),
    ]
