"""The daily lapse job as a Celery task on a real worker and Redis, scheduled from the database."""

import pytest
from django_celery_beat.models import PeriodicTask
from django_celery_beat.schedulers import DatabaseScheduler

from civil_affairs.audit.models import AuditEvent
from civil_affairs.celery import app
from marriage.models import DivorceApplication
from marriage.tasks import lapse_divorce_applications
from marriage.workflow import DivorceState, WithdrawalReason
from tests.marriage.conftest import days_ago
from tests.marriage.factories import DivorceFactory


@pytest.mark.django_db(transaction=True)
def test_the_lapse_job_on_a_real_worker_withdraws_applications_past_day_60(celery_worker_running, divisions):
    on_day_60 = DivorceFactory(application_date=days_ago(60))
    on_day_61 = DivorceFactory(application_date=days_ago(61))

    assert lapse_divorce_applications.delay().get(timeout=30) == 1
    assert lapse_divorce_applications.delay().get(timeout=30) == 0  # a second run changes nothing

    on_day_60.refresh_from_db()
    on_day_61.refresh_from_db()
    assert on_day_60.state == DivorceState.OPEN
    assert (on_day_61.state, on_day_61.withdrawal_reason, on_day_61.withdrawn_on) == (
        DivorceState.WITHDRAWN,
        WithdrawalReason.LAPSED,
        days_ago(0),
    )
    event = AuditEvent.objects.get(action="transition:lapse")
    assert event.object_id == str(on_day_61.pk)
    assert DivorceApplication.objects.filter(state=DivorceState.WITHDRAWN).count() == 1


@pytest.mark.django_db(transaction=True)  # the scheduler closes its connection, as beat does
def test_the_lapse_job_is_scheduled_daily_in_the_database():
    DatabaseScheduler(app=app)  # what `celery beat` does at start

    task = PeriodicTask.objects.get(name="marriage-lapse-divorce-applications-daily")
    assert task.task == "marriage.tasks.lapse_divorce_applications"
    assert (task.crontab.hour, task.crontab.minute, task.crontab.day_of_week) == ("0", "5", "*")
