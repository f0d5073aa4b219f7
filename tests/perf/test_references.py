"""The amount history's and the payments' references, checked once per statement by triggers (migrations
0008, 0009) instead of row-by-row foreign keys: the same guarantees as the foreign keys gave (issue 15)."""

import datetime
import threading
import time
from decimal import Decimal

import psycopg2
import pytest
from django.db import IntegrityError, connection, transaction

from assistance import jobs
from assistance.models import Enrollment, EnrollmentAmount, Payment, PaymentBatch, Uplift
from assistance.workflow import UpliftStatus
from tests.assistance.factories import EnrollmentFactory, StandardFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("divisions")]

JULY = datetime.date(2024, 7, 1)


def sql(statement, params=None):
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def refused(statement, params=None):
    """Run ``statement`` in a savepoint; the message of the foreign-key error it raised (or None)."""
    try:
        with transaction.atomic():
            sql(statement, params)
    except IntegrityError as error:
        assert error.__cause__.pgcode == "23503"  # foreign_key_violation, as a foreign key answers
        return str(error)
    return None


def bare_enrollment():
    """An enrollment referenced by nothing but its history (no covered members)."""
    enrollment = EnrollmentFactory()
    enrollment.covered_members.clear()
    return enrollment


def test_a_history_row_for_an_enrollment_that_does_not_exist_is_refused():
    enrollment = EnrollmentFactory()

    assert "enrollment that does not exist" in refused(
        "INSERT INTO assistance_enrollmentamount (enrollment_id, monthly_amount, effective_from)"
        " VALUES (%s, 1, '2024-08-01'), (%s, 1, '2024-08-01')",
        [enrollment.pk, enrollment.pk + 1000],
    )
    assert "enrollment that does not exist" in refused(
        "UPDATE assistance_enrollmentamount SET enrollment_id = %s WHERE enrollment_id = %s",
        [enrollment.pk + 1000, enrollment.pk],
    )
    assert list(EnrollmentAmount.objects.values_list("enrollment_id", "effective_from")) == [
        (enrollment.pk, enrollment.start)
    ]


def test_a_history_row_naming_a_preview_or_a_missing_uplift_is_refused():
    StandardFactory()
    enrollment = EnrollmentFactory()
    preview = jobs.uplift_preview(actor=None, year=2024, rate=Decimal("0.05"), effective_from=JULY)
    insert = (
        "INSERT INTO assistance_enrollmentamount (enrollment_id, monthly_amount, effective_from, uplift_id)"
        " VALUES (%s, 1050, '2024-07-01', %s)"
    )

    assert "not approved" in refused(insert, [enrollment.pk, preview.pk])
    assert "not approved" in refused(insert, [enrollment.pk, preview.pk + 1000])
    approved = jobs.uplift_approve(actor=None, uplift=preview, queue_job=False)
    assert refused(insert, [enrollment.pk, approved.pk]) is None
    assert EnrollmentAmount.objects.get(enrollment=enrollment, effective_from=JULY).uplift_id == approved.pk


def test_an_enrollment_with_history_or_payments_cannot_be_deleted_by_sql_and_django_deletes_its_history():
    paid, kept = bare_enrollment(), bare_enrollment()
    batch = PaymentBatch.objects.create(month=JULY)
    Payment.objects.create(batch=batch, enrollment=paid, month=JULY, amount=Decimal("1000.00"))

    assert "amount history" in refused("DELETE FROM assistance_enrollment WHERE id = %s", [kept.pk])
    assert refused("DELETE FROM assistance_enrollmentamount WHERE enrollment_id = %s", [paid.pk]) is None
    assert "payments" in refused("DELETE FROM assistance_enrollment WHERE id = %s", [paid.pk])
    assert "id cannot change" in refused(
        "UPDATE assistance_enrollment SET id = id + 1000 WHERE id = %s", [kept.pk]
    )

    Enrollment.objects.filter(pk=kept.pk).delete()  # CASCADE: Django deletes the history first

    assert not EnrollmentAmount.objects.filter(enrollment_id=kept.pk).exists()
    assert set(Enrollment.objects.values_list("pk", flat=True)) == {paid.pk}


def test_a_payment_needs_its_enrollment_and_batch_and_a_paid_batch_stays():
    enrollment = EnrollmentFactory()
    batch = PaymentBatch.objects.create(month=JULY)
    insert = "INSERT INTO assistance_payment (batch_id, enrollment_id, month, amount) VALUES (%s, %s, %s, 1)"

    assert "enrollment that does not exist" in refused(insert, [batch.pk, enrollment.pk + 1000, JULY])
    assert "batch that does not exist" in refused(insert, [batch.pk + 1000, enrollment.pk, JULY])
    assert refused(insert, [batch.pk, enrollment.pk, JULY]) is None
    assert "with payments" in refused("DELETE FROM assistance_paymentbatch WHERE id = %s", [batch.pk])
    assert "id cannot change" in refused(
        "UPDATE assistance_paymentbatch SET id = id + 1000 WHERE id = %s", [batch.pk]
    )
    empty = PaymentBatch.objects.create(month=datetime.date(2024, 8, 1))
    assert refused("DELETE FROM assistance_paymentbatch WHERE id = %s", [empty.pk]) is None
    assert list(Payment.objects.values_list("batch_id", "enrollment_id")) == [(batch.pk, enrollment.pk)]


def test_only_a_preview_uplift_can_be_deleted_and_none_becomes_a_preview_again():
    StandardFactory()
    preview = jobs.uplift_preview(actor=None, year=2024, rate=Decimal("0.05"), effective_from=JULY)
    approved = jobs.uplift_approve(actor=None, uplift=preview, queue_job=False)

    assert "cannot be deleted" in refused("DELETE FROM assistance_uplift WHERE id = %s", [approved.pk])
    assert "preview again" in refused(
        "UPDATE assistance_uplift SET status = 'preview' WHERE id = %s", [approved.pk]
    )
    second = jobs.uplift_preview(
        actor=None, year=2025, rate=Decimal("0.05"), effective_from=JULY.replace(year=2025)
    )
    third = jobs.uplift_preview(
        actor=None, year=2025, rate=Decimal("0.04"), effective_from=JULY.replace(year=2025)
    )

    assert not Uplift.objects.filter(pk=second.pk).exists()  # a new preview replaced it
    assert Uplift.objects.get(pk=approved.pk).status == UpliftStatus.APPROVED
    assert Uplift.objects.get(pk=third.pk).status == UpliftStatus.PREVIEW


@pytest.mark.django_db(transaction=True)
def test_deleting_an_enrollment_waits_for_a_transaction_writing_its_history_and_then_refuses(
    subprocess_database_url,
):
    """The delete's SHARE lock on the history waits for the writer, then sees its committed row: the
    concurrent case a foreign key's row lock covered."""
    enrollment = bare_enrollment()
    EnrollmentAmount.objects.filter(enrollment=enrollment).delete()
    writer = psycopg2.connect(subprocess_database_url)
    with writer.cursor() as cursor:
        cursor.execute(
            "INSERT INTO assistance_enrollmentamount (enrollment_id, monthly_amount, effective_from)"
            " VALUES (%s, 1000, '2024-01-01')",
            [enrollment.pk],
        )  # not committed yet
    outcome = {}

    def delete():
        deleter = psycopg2.connect(subprocess_database_url)
        try:
            with deleter.cursor() as cursor:
                cursor.execute("DELETE FROM assistance_enrollment WHERE id = %s", [enrollment.pk])
            deleter.commit()
            outcome["deleted"] = True
        except psycopg2.Error as error:
            outcome["error"] = (error.pgcode, "amount history" in str(error))
        finally:
            deleter.close()

    thread = threading.Thread(target=delete)
    thread.start()
    time.sleep(0.5)
    assert thread.is_alive()  # waiting for the writer
    writer.commit()
    writer.close()
    thread.join(10)

    assert outcome == {"error": ("23503", True)}
    assert EnrollmentAmount.objects.filter(enrollment=enrollment).count() == 1
    assert Enrollment.objects.filter(pk=enrollment.pk).exists()
