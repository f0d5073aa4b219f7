"""Monthly payment batches (SPEC §4.3): once per month, one payment per active enrollment at the amount in
force, idempotent, run by a real Celery worker, exported as CSV for the bank with reconciling totals."""

import csv
import datetime
import io
from decimal import Decimal

import pytest

from assistance import jobs
from assistance.models import EnrollmentAmount, JobStatus, Payment, PaymentBatch
from assistance.rules import Category
from assistance.workflow import EnrollmentStatus
from civil_affairs.accounts.models import Role
from civil_affairs.audit.models import AuditEvent
from civil_affairs.errors import Conflict
from tests.assistance.factories import EnrollmentFactory, household_with
from tests.helpers import wait_for

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("divisions")]

BATCHES = "/api/v1/assistance/payment-batches/"
JULY = datetime.date(2024, 7, 1)


def run_batch(month, **options):
    batch = jobs.payment_batch_create(actor=None, month=month, queue_job=False)
    return jobs.payment_batch_run(batch_id=batch.pk, **options)


def paid(batch):
    return dict(Payment.objects.filter(batch=batch).values_list("enrollment_id", "amount"))


def test_a_batch_pays_each_enrollment_active_in_the_month_once_on_the_worker(
    api_as, reviewer, celery_worker_running
):
    whole_month = EnrollmentFactory(start=datetime.date(2024, 1, 1))
    from_first_day = EnrollmentFactory(
        start=JULY, category=Category.DISABILITY_CARE, standard=Decimal("100.00"), covered_count=1
    )
    from_mid_month = EnrollmentFactory(start=datetime.date(2024, 7, 20), standard=Decimal("900.00"))
    ends_in_month = EnrollmentFactory(end=datetime.date(2024, 7, 10))
    EnrollmentFactory(end=datetime.date(2024, 6, 30))  # ended before the month
    EnrollmentFactory(start=datetime.date(2024, 8, 1))  # not yet started
    EnrollmentFactory(status=EnrollmentStatus.SUSPENDED)
    EnrollmentFactory(status=EnrollmentStatus.TERMINATED, end=datetime.date(2024, 12, 31))

    response = api_as(reviewer).post(BATCHES, {"month": "2024-07"}, format="json")

    assert response.status_code == 202, response.json()
    assert response.json()["status"] == "queued"
    batch_id = response.json()["id"]
    wait_for(lambda: PaymentBatch.objects.get(pk=batch_id).status == JobStatus.COMPLETED)
    batch = PaymentBatch.objects.get(pk=batch_id)
    assert paid(batch) == {
        whole_month.pk: Decimal("1000.00"),
        from_first_day.pk: Decimal("100.00"),
        from_mid_month.pk: Decimal("900.00"),
        ends_in_month.pk: Decimal("1000.00"),
    }
    assert set(Payment.objects.filter(batch=batch).values_list("month", flat=True)) == {JULY}
    assert (batch.count, batch.total) == (4, Decimal("3000.00"))
    body = api_as(reviewer).get(f"{BATCHES}{batch_id}/").json()
    assert body == {
        "id": batch_id,
        "month": "2024-07",
        "status": "completed",
        "count": 4,
        "total": "3000.00",
        "created_at": body["created_at"],
        "finished_at": body["finished_at"],
        "error": "",
    }


def test_a_second_batch_for_the_month_is_409_and_creates_nothing(api_as, reviewer):
    EnrollmentFactory()
    client = api_as(reviewer)

    first = client.post(BATCHES, {"month": "2024-07"}, format="json")
    second = client.post(BATCHES, {"month": "2024-07"}, format="json")

    assert first.status_code == 202
    assert second.status_code == 409
    assert "2024-07" in second.json()["detail"]
    assert PaymentBatch.objects.count() == 1
    assert not Payment.objects.exists()
    assert AuditEvent.objects.filter(object_type="assistance.paymentbatch", action="create").count() == 1


def test_the_service_refuses_a_second_batch_for_the_month_with_a_conflict():
    jobs.payment_batch_create(actor=None, month=JULY, queue_job=False)

    with pytest.raises(Conflict):
        jobs.payment_batch_create(actor=None, month=datetime.date(2024, 7, 15), queue_job=False)

    assert PaymentBatch.objects.count() == 1


def test_each_month_is_paid_the_amount_in_force_on_its_first_day():
    enrollment = EnrollmentFactory(start=datetime.date(2024, 1, 1))  # 1000.00 from 2024-01-01
    for effective_from, amount in ((JULY, "1100.00"), (datetime.date(2024, 8, 15), "1200.00")):
        EnrollmentAmount.objects.create(
            enrollment=enrollment, effective_from=effective_from, monthly_amount=Decimal(amount)
        )

    amounts = {month: paid(run_batch(datetime.date(2024, month, 1)))[enrollment.pk] for month in (6, 7, 8, 9)}

    assert amounts == {
        6: Decimal("1000.00"),
        7: Decimal("1100.00"),
        8: Decimal("1100.00"),  # the change of 15 August is in force on 1 September
        9: Decimal("1200.00"),
    }


def test_running_a_batch_again_after_a_lost_worker_creates_nothing_twice():
    enrollments = [EnrollmentFactory(standard=Decimal(900 + i)) for i in range(7)]
    batch = jobs.payment_batch_create(actor=None, month=JULY, queue_job=False)
    # A first attempt committed its first chunk, then its worker died: the batch is left "running".
    jobs.payment_batch_run(batch_id=batch.pk, chunk_size=3)
    first_rows = set(Payment.objects.values_list("id", "enrollment_id", "amount"))
    Payment.objects.filter(enrollment__in=enrollments[3:]).delete()
    PaymentBatch.objects.filter(pk=batch.pk).update(status=JobStatus.RUNNING, count=0, total=0)

    again = jobs.payment_batch_run(batch_id=batch.pk, chunk_size=2)
    once_more = jobs.payment_batch_run(batch_id=batch.pk)

    rows = Payment.objects.filter(batch=batch)
    assert rows.count() == 7
    assert {(p.enrollment_id, p.amount) for p in rows} == {(e.pk, e.monthly_amount) for e in enrollments}
    assert first_rows >= {
        (r.id, r.enrollment_id, r.amount) for r in rows.filter(enrollment__in=enrollments[:3])
    }
    assert (again.status, again.count, again.total) == (JobStatus.COMPLETED, 7, Decimal(sum(range(900, 907))))
    assert (once_more.count, once_more.total) == (again.count, again.total)


def test_a_completed_batch_is_left_as_it_is_when_its_job_runs_again():
    EnrollmentFactory()
    batch = run_batch(JULY)
    EnrollmentFactory()  # enrolled after the batch ran

    again = jobs.payment_batch_run(batch_id=batch.pk)

    assert Payment.objects.count() == 1
    assert (again.count, again.total) == (1, Decimal("1000.00"))
    assert AuditEvent.objects.filter(object_type="assistance.paymentbatch", action="complete").count() == 1


def read_csv(response):
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


def test_the_bank_file_lists_every_payment_and_its_totals_reconcile_with_the_batch(api_as, reviewer):
    gap = EnrollmentFactory(
        household=household_with(["1000.01", "0"]),
        total_income=Decimal("1000.01"),
        member_count=2,
        covered_count=1,
    )  # (2000 − 1000.01) / 2 = 499.995 → 500.00
    flat = EnrollmentFactory(category=Category.ORPHAN_COMMUNITY, standard=Decimal("1500.00"))
    third = EnrollmentFactory(standard=Decimal("987.65"))
    batch = run_batch(JULY)

    response = api_as(reviewer).get(f"{BATCHES}{batch.pk}/export/")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="payments-2024-07.csv"' in response["Content-Disposition"]
    header, *lines, total_line = read_csv(response)
    assert header == ["enrollment_id", "payee_name", "payee_id_number", "category", "month", "amount"]
    head = gap.household.members.get(relation="self").person
    assert lines[0] == [str(gap.pk), head.name, head.id_number, "dibao_urban", "2024-07", "500.00"]
    assert [line[0] for line in lines] == [str(gap.pk), str(flat.pk), str(third.pk)]
    assert sum(Decimal(line[5]) for line in lines) == batch.total == Decimal("2987.65")
    assert total_line == ["TOTAL", str(batch.count), "", "", "2024-07", "2987.65"]
    assert AuditEvent.objects.filter(
        object_type="assistance.paymentbatch", object_id=str(batch.pk), action="export"
    ).exists()


def test_the_bank_file_holds_only_the_callers_jurisdiction(api_as, make_user):
    mingshui = EnrollmentFactory(division_id="370114001001")
    EnrollmentFactory(division_id="370114002001")
    batch = run_batch(JULY)
    town_reviewer = make_user(Role.DISTRICT_REVIEWER, "370114001")

    _, *lines, total_line = read_csv(api_as(town_reviewer).get(f"{BATCHES}{batch.pk}/export/"))

    assert [line[0] for line in lines] == [str(mingshui.pk)]
    assert total_line[1] == "1"


def test_a_batch_that_has_not_completed_cannot_be_exported(api_as, reviewer):
    batch = jobs.payment_batch_create(actor=None, month=JULY, queue_job=False)

    response = api_as(reviewer).get(f"{BATCHES}{batch.pk}/export/")

    assert response.status_code == 409
    assert "detail" in response.json()


@pytest.mark.parametrize("month", ["2024-13", "2024-7", "2024/07", "2024-07-01", "", None, 202407])
def test_a_month_that_is_not_yyyy_mm_is_400_naming_month(api_as, reviewer, month):
    response = api_as(reviewer).post(BATCHES, {"month": month}, format="json")

    assert response.status_code == 400
    assert list(response.json()) == ["month"]
    assert not PaymentBatch.objects.exists()


def test_a_missing_month_is_400_naming_month(api_as, reviewer):
    response = api_as(reviewer).post(BATCHES, {}, format="json")

    assert response.status_code == 400
    assert list(response.json()) == ["month"]


@pytest.mark.parametrize("role", [Role.CASEWORKER, Role.VIEWER, Role.API_CLIENT])
def test_only_deciders_open_a_batch(api_as, make_user, role):
    response = api_as(make_user(role, "370114")).post(BATCHES, {"month": "2024-07"}, format="json")

    assert response.status_code == 403
    assert not PaymentBatch.objects.exists()


@pytest.mark.parametrize(
    ("role", "status"),
    [(Role.ADMINISTRATOR, 200), (Role.API_CLIENT, 200), (Role.CASEWORKER, 403), (Role.VIEWER, 403)],
)
def test_batches_are_read_by_deciders_and_the_api_client_only(api_as, make_user, role, status):
    batch = run_batch(JULY)
    client = api_as(make_user(role, "370114"))

    assert client.get(BATCHES).status_code == status
    assert client.get(f"{BATCHES}{batch.pk}/").status_code == status
    assert client.get(f"{BATCHES}{batch.pk}/export/").status_code == status


def test_the_batch_list_is_paginated_newest_month_first(api_as, reviewer):
    for month in (5, 7, 6):
        run_batch(datetime.date(2024, month, 1))

    body = api_as(reviewer).get(BATCHES, {"status": "completed"}).json()

    assert body["count"] == 3
    assert [row["month"] for row in body["results"]] == ["2024-07", "2024-06", "2024-05"]
