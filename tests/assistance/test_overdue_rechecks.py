"""The daily job listing overdue re-checks (SPEC §4.5), on a real Celery worker."""

import datetime

import pytest

from assistance.tasks import list_overdue_rechecks
from assistance.workflow import EnrollmentStatus
from tests.assistance.factories import EnrollmentFactory


@pytest.mark.django_db(transaction=True)
def test_daily_job_counts_overdue_reviews_by_town(celery_worker_running, divisions):
    EnrollmentFactory.create_batch(2, division_id="370114001001", next_review=datetime.date(2020, 1, 1))
    EnrollmentFactory(division_id="370114002001", next_review=datetime.date(2020, 1, 1))
    EnrollmentFactory(division_id="370114002001", next_review=datetime.date(2999, 1, 1))  # not due
    EnrollmentFactory(
        division_id="370114003001", next_review=datetime.date(2020, 1, 1), status=EnrollmentStatus.SUSPENDED
    )  # not active

    result = list_overdue_rechecks.delay().get(timeout=30)

    assert result == {"370114001": 2, "370114002": 1}
