"""The two daily jobs (SPEC §5): statement_missing after the 10th, rectification_overdue after the deadline;
set-based, idempotent, run on a real worker twice."""

from __future__ import annotations

import datetime

import pytest

from eldercare import services, tasks
from eldercare.models import Alert, AlertKind, EscrowStatement, Hazard, Inspection
from tests.helpers import wait_for


@pytest.mark.django_db
def test_statement_missing_is_raised_on_the_11th_not_the_10th(make_facility):
    missing = make_facility()
    filed = make_facility()
    make_facility(has_escrow_account=False)
    EscrowStatement.objects.create(
        facility=filed,
        month=datetime.date(2024, 4, 1),
        residents=1,
        monthly_fee=1,
        prepaid_fees_held=0,
        deposits_held=0,
    )
    assert services.raise_missing_statements(today=datetime.date(2024, 5, 10)) == 0
    assert not Alert.objects.exists()
    assert services.raise_missing_statements(today=datetime.date(2024, 5, 11)) == 1
    alert = Alert.objects.get()
    assert (alert.facility_id, alert.kind, alert.month) == (
        missing.pk,
        AlertKind.STATEMENT_MISSING,
        datetime.date(2024, 4, 1),
    )
    assert services.raise_missing_statements(today=datetime.date(2024, 5, 12)) == 0
    assert Alert.objects.count() == 1


@pytest.mark.django_db
def test_a_late_statement_closes_the_missing_alert(make_facility, officer):
    facility = make_facility()
    services.raise_missing_statements(today=datetime.date(2024, 5, 11))
    services.statement_record(
        actor=officer,
        facility=facility,
        month=datetime.date(2024, 4, 1),
        residents=1,
        monthly_fee=1,
        prepaid_fees_held=0,
        deposits_held=0,
    )
    assert Alert.objects.get().closed_at is not None
    assert services.raise_missing_statements(today=datetime.date(2024, 5, 13)) == 0


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("change", "closes"),
    [
        ({"has_escrow_account": False}, True),  # no account, no statement due
        ({"status": "closed"}, True),  # the job skips closed facilities
        ({"status": "suspended"}, False),  # a suspended home still owes its statement
        ({"beds": 120}, False),
    ],
)
def test_the_missing_statement_alert_closes_when_no_statement_is_due_any_more(
    make_facility, officer, change, closes
):
    facility = make_facility()
    services.raise_missing_statements(today=datetime.date(2024, 5, 11))
    services.facility_update(actor=officer, facility=facility, **change)
    alert = Alert.objects.get(facility=facility, kind=AlertKind.STATEMENT_MISSING)
    assert (alert.closed_at is not None) is closes


@pytest.mark.django_db
def test_rectification_overdue_after_the_deadline_day(make_facility, officer):
    facility = make_facility()
    inspection = Inspection.objects.create(facility=facility, date=datetime.date(2024, 5, 1), inspector="x")
    hazard = Hazard.objects.create(
        inspection=inspection,
        facility=facility,
        description="a",
        severity="critical",
        deadline=datetime.date(2024, 5, 20),
    )
    assert services.raise_overdue_rectifications(today=datetime.date(2024, 5, 20)) == 0
    assert services.raise_overdue_rectifications(today=datetime.date(2024, 5, 21)) == 1
    alert = Alert.objects.get()
    assert (alert.kind, alert.hazard_id, alert.deadline) == (
        AlertKind.RECTIFICATION_OVERDUE,
        hazard.pk,
        hazard.deadline,
    )
    services.hazard_rectify(actor=officer, hazard=hazard, rectified_on=datetime.date(2024, 5, 22))
    alert.refresh_from_db()
    assert alert.closed_at is not None
    assert services.raise_overdue_rectifications(today=datetime.date(2024, 5, 23)) == 0


@pytest.mark.django_db(transaction=True)
def test_both_jobs_on_a_real_worker_twice_add_nothing_the_second_time(celery_worker_running, make_facility):
    make_facility()
    make_facility()
    facility = make_facility(has_escrow_account=False)
    inspection = Inspection.objects.create(facility=facility, date=datetime.date(2020, 1, 1), inspector="x")
    Hazard.objects.create(
        inspection=inspection,
        facility=facility,
        description="a",
        severity="minor",
        deadline=datetime.date(2020, 1, 2),
    )
    from django.utils import timezone

    expected_missing = 2 if timezone.localdate().day > services.STATEMENT_DUE_DAY else 0
    for _ in range(2):
        missing = tasks.raise_missing_statements.delay()
        overdue = tasks.raise_overdue_rectifications.delay()
        wait_for(lambda m=missing, o=overdue: m.ready() and o.ready())
    assert Alert.objects.filter(kind=AlertKind.STATEMENT_MISSING).count() == expected_missing
    assert Alert.objects.filter(kind=AlertKind.RECTIFICATION_OVERDUE).count() == 1
    assert missing.get() == 0 and overdue.get() == 0
