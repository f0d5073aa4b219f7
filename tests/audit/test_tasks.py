"""The nightly chain check as a Celery task on a real worker and Redis, scheduled from the database."""

import pytest
from django_celery_beat.models import PeriodicTask
from django_celery_beat.schedulers import DatabaseScheduler

from civil_affairs.audit.models import AuditEvent
from civil_affairs.audit.tasks import verify_audit_chain
from civil_affairs.celery import app
from civil_affairs.people import services
from tests.audit.test_audit import as_owner
from tests.people.factories import PersonFactory


@pytest.mark.django_db(transaction=True)
def test_chain_check_runs_on_a_real_worker_and_counts_breaks(celery_worker_running, caseworker):
    person = PersonFactory()
    services.person_update(actor=caseworker, person=person, phone="1")
    services.person_update(actor=caseworker, person=person, phone="2")

    assert verify_audit_chain.delay().get(timeout=30) == 0

    first = AuditEvent.objects.order_by("id").first()
    as_owner("UPDATE audit_auditevent SET action = 'forged' WHERE id = %s", [first.pk])

    assert verify_audit_chain.delay().get(timeout=30) == 1


@pytest.mark.django_db(transaction=True)  # the scheduler closes its connection, as beat does
def test_beat_schedule_is_stored_in_the_database():
    DatabaseScheduler(app=app)  # what `celery beat` does at start

    task = PeriodicTask.objects.get(name="verify-audit-chain-nightly")
    assert task.task == "civil_affairs.audit.tasks.verify_audit_chain"
    assert (task.crontab.hour, task.crontab.minute) == ("2", "0")
