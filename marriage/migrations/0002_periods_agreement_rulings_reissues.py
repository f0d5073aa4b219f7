"""Divorce periods on the holiday calendar (kept end dates), the written agreement and attendance, archive
records, court rulings on registrations, reissued certificates (issue 9 items 11-13, issue 8 finding 1)."""

import datetime
import django.db.models.deletion
import django.db.models.expressions
from django.conf import settings
from django.db import migrations, models


def set_periods(apps, schema_editor):
    """The end dates of the applications already recorded, on the holiday calendar known now."""
    from marriage.periods import divorce_calendar

    DivorceApplication = apps.get_model("marriage", "DivorceApplication")
    calendars = {}
    for divorce in DivorceApplication.objects.filter(cooling_off_ends__isnull=True).only("id", "application_date"):
        day = divorce.application_date
        if day not in calendars:
            calendars[day] = divorce_calendar(day)
        DivorceApplication.objects.filter(pk=divorce.pk).update(
            cooling_off_ends=calendars[day].cooling_off_ends,
            certificate_window_ends=calendars[day].certificate_window_ends,
        )


class Migration(migrations.Migration):

    dependencies = [
        ('marriage', '0001_registrations_divorces_counselling'),
        ('people', '0002_labels'),
        ('workcalendar', '0001_calendar_days'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='CertificateReissue',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('certificate_number', models.CharField(max_length=24, unique=True, verbose_name='reissued certificate number')),
                ('original_number', models.CharField(max_length=24, verbose_name='original certificate number')),
                ('issued_on', models.DateField(verbose_name='issued on')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='recorded at')),
            ],
            options={
                'verbose_name': 'reissued certificate',
                'verbose_name_plural': 'reissued certificates',
                'ordering': ['issued_on', 'id'],
            },
        ),
        migrations.AddField(
            model_name='divorceapplication',
            name='agreement',
            field=models.TextField(blank=True, verbose_name='written agreement on children, property and debts'),
        ),
        migrations.AddField(
            model_name='divorceapplication',
            name='archive_reason',
            field=models.TextField(blank=True, verbose_name='reason for the archive record'),
        ),
        migrations.AddField(
            model_name='divorceapplication',
            name='attended_in_person',
            field=models.BooleanField(default=False, verbose_name='both parties attended in person'),
        ),
        migrations.AddField(
            model_name='divorceapplication',
            name='certificate_window_ends',
            field=models.DateField(null=True, verbose_name='certificate period ends'),
        ),
        migrations.AddField(
            model_name='divorceapplication',
            name='cooling_off_ends',
            field=models.DateField(null=True, verbose_name='cooling-off period ends'),
        ),
        migrations.AddField(
            model_name='registration',
            name='annulment_court',
            field=models.CharField(blank=True, max_length=100, verbose_name='court'),
        ),
        migrations.AddField(
            model_name='registration',
            name='annulment_ground',
            field=models.CharField(blank=True, choices=[('coercion', 'Coercion (art. 1052)'), ('undisclosed_illness', 'A serious illness not disclosed before marriage (art. 1053)'), ('bigamy', 'Bigamy (art. 1051)'), ('close_relatives', 'Relatives within the prohibited degrees (art. 1051)'), ('under_age', 'Under the legal marriage age (art. 1051)')], max_length=20, verbose_name="ground of the court's ruling"),
        ),
        migrations.AddField(
            model_name='registration',
            name='annulment_ruling_date',
            field=models.DateField(blank=True, null=True, verbose_name='date of the ruling'),
        ),
        migrations.RunPython(set_periods, migrations.RunPython.noop),
        migrations.AlterField(
            model_name='divorceapplication',
            name='certificate_window_ends',
            field=models.DateField(verbose_name='certificate period ends'),
        ),
        migrations.AlterField(
            model_name='divorceapplication',
            name='cooling_off_ends',
            field=models.DateField(verbose_name='cooling-off period ends'),
        ),
        migrations.AlterField(
            model_name='divorceapplication',
            name='withdrawal_reason',
            field=models.CharField(blank=True, choices=[('party', 'Withdrawn by a party'), ('lapsed', 'Lapsed: the certificate was not issued within the certificate period'), ('annulled', 'Closed: a court ruled the marriage void or annulled')], max_length=10, verbose_name='withdrawal reason'),
        ),
        migrations.AddIndex(
            model_name='divorceapplication',
            index=models.Index(fields=['state', 'certificate_window_ends'], name='marriage_divorce_lapse_idx'),
        ),
        migrations.AddConstraint(
            model_name='divorceapplication',
            constraint=models.CheckConstraint(condition=models.Q(('cooling_off_ends__gte', django.db.models.expressions.CombinedExpression(models.F('application_date'), '+', models.Value(datetime.timedelta(days=30)))), ('certificate_window_ends__gte', django.db.models.expressions.CombinedExpression(models.F('cooling_off_ends'), '+', models.Value(datetime.timedelta(days=30))))), name='marriage_divorce_periods_at_least_30_days'),
        ),
        migrations.AddConstraint(
            model_name='registration',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('annulment_court', ''), ('annulment_ground', ''), ('annulment_ruling_date__isnull', True)), models.Q(models.Q(('annulment_ground', ''), _negated=True), models.Q(('annulment_court', ''), _negated=True), ('annulment_ruling_date__gte', models.F('registration_date'))), _connector='OR'), name='marriage_registration_annulment_complete'),
        ),
        migrations.AddField(
            model_name='certificatereissue',
            name='created_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='certificatereissue',
            name='divorce',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='reissues', to='marriage.divorceapplication', verbose_name='divorce application'),
        ),
        migrations.AddField(
            model_name='certificatereissue',
            name='registration',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='reissues', to='marriage.registration', verbose_name='marriage'),
        ),
        migrations.AddConstraint(
            model_name='certificatereissue',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('divorce__isnull', True), ('registration__isnull', False), ('certificate_number__regex', '^BJ[0-9]{6}-[0-9]{4}-[0-9]{6}$')), models.Q(('divorce__isnull', False), ('registration__isnull', True), ('certificate_number__regex', '^BL[0-9]{6}-[0-9]{4}-[0-9]{6}$')), _connector='OR'), name='marriage_reissue_of_one_certificate'),
        ),
    ]
