"""``GET …/enrollments/<id>/amounts/`` (SPEC §7): the amount history with its reasons, scoped like the enrollment."""

import datetime
from decimal import Decimal

import pytest

from assistance.models import EnrollmentAmount
from tests.assistance.factories import EnrollmentFactory

pytestmark = pytest.mark.django_db


def test_the_amount_history_lists_each_amount_with_its_reason(api_as, caseworker, other_caseworker):
    enrollment = EnrollmentFactory(start=datetime.date(2024, 1, 1))
    EnrollmentAmount.objects.create(
        enrollment=enrollment, monthly_amount=Decimal("1234.50"), effective_from=datetime.date(2024, 9, 1)
    )

    history = api_as(caseworker).get(f"/api/v1/assistance/enrollments/{enrollment.pk}/amounts/")
    outside = api_as(other_caseworker).get(f"/api/v1/assistance/enrollments/{enrollment.pk}/amounts/")

    assert history.status_code == 200
    rows = history.json()
    assert [(r["effective_from"], r["reason"]) for r in rows] == [
        ("2024-09-01", "recomputed"),
        ("2024-01-01", "approval"),
    ]
    assert rows[0]["monthly_amount"] == "1234.50"
    assert outside.status_code == 404
