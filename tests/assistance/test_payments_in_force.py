"""Who a payment batch pays (SPEC §4.3, issue 9 #2, issue 8 #6): every enrollment in force on the month's first
day — started, not ended, not suspended on that day, whatever its status today — at the amount in force that
day; and only for months up to next month."""

import datetime
from decimal import Decimal

import pytest

from assistance import jobs, services
from assistance.models import EnrollmentSuspension, Payment, PaymentBatch
from assistance.workflow import EnrollmentStatus
from civil_affairs.audit.models import AuditEvent
from civil_affairs.errors import RuleViolation
from tests.assistance.clock import freeze_today
from tests.assistance.factories import EnrollmentFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("divisions")]

BATCHES = "/api/v1/assistance/payment-batches/"


def month(year, number):
    return datetime.date(year, number, 1)


def paid_in(months, enrollment):
    """{month number: amount paid} over batches run now for ``months`` (each made once)."""
    amounts = {}
    for first_day in months:
        batch = PaymentBatch.objects.filter(month=first_day).first()
        if batch is None:
            batch = jobs.payment_batch_create(actor=None, month=first_day, queue_job=False)
            jobs.payment_batch_run(batch_id=batch.pk)
        payment = Payment.objects.filter(batch=batch, enrollment=enrollment).first()
        amounts[first_day.month] = payment.amount if payment else None
    return amounts


def change(actor, enrollment, action, reason, **options):
    return services.enrollment_change_status(
        actor=actor, enrollment=enrollment, action=action, reason=reason, **options
    )


# --- In force on the first day, whatever the status today ---------------------------------------------


def test_an_enrollment_terminated_on_2_july_with_end_30_june_is_paid_for_june_and_not_for_july(
    monkeypatch, reviewer
):
    enrollment = EnrollmentFactory(start=month(2024, 1), standard=Decimal("1010.00"))
    freeze_today(monkeypatch, datetime.date(2024, 7, 2))
    change(reviewer, enrollment, "terminate", "迁出本区", end=datetime.date(2024, 6, 30))
    enrollment.refresh_from_db()
    assert (enrollment.status, enrollment.end) == (EnrollmentStatus.TERMINATED, datetime.date(2024, 6, 30))

    # The June batch is made after the termination: the enrollment was in force on 1 June all the same.
    assert paid_in([month(2024, 6), month(2024, 7)], enrollment) == {6: Decimal("1010.00"), 7: None}


def test_a_suspension_from_the_first_day_skips_the_months_it_covers_even_after_resumption(
    monkeypatch, reviewer, caseworker
):
    enrollment = EnrollmentFactory(start=month(2024, 1))
    freeze_today(monkeypatch, datetime.date(2024, 7, 1))
    change(caseworker, enrollment, "suspend", "外出务工，收入待核")
    freeze_today(monkeypatch, datetime.date(2024, 8, 10))
    change(reviewer, enrollment, "resume", "收入核实无变化")
    freeze_today(monkeypatch, datetime.date(2024, 10, 5))

    paid = paid_in([month(2024, m) for m in (6, 7, 8, 9, 10)], enrollment)

    # Active today, but suspended on 1 July and on 1 August (resumed on the 10th).
    assert paid == {6: Decimal("1000.00"), 7: None, 8: None, 9: Decimal("1000.00"), 10: Decimal("1000.00")}
    assert list(EnrollmentSuspension.objects.filter(enrollment=enrollment).values_list("start", "end")) == [
        (datetime.date(2024, 7, 1), datetime.date(2024, 8, 10))
    ]


def test_an_enrollment_suspended_after_the_first_day_is_paid_for_that_month_and_not_the_next(
    monkeypatch, caseworker
):
    enrollment = EnrollmentFactory(start=month(2024, 1))
    freeze_today(monkeypatch, datetime.date(2024, 7, 2))
    change(caseworker, enrollment, "suspend", "暂停待核")
    enrollment.refresh_from_db()
    assert enrollment.status == EnrollmentStatus.SUSPENDED

    assert paid_in([month(2024, 7), month(2024, 8)], enrollment) == {7: Decimal("1000.00"), 8: None}


def test_a_suspension_resumed_on_the_first_day_does_not_cover_it(monkeypatch, reviewer, caseworker):
    enrollment = EnrollmentFactory(start=month(2024, 1))
    freeze_today(monkeypatch, datetime.date(2024, 7, 20))
    change(caseworker, enrollment, "suspend", "暂停待核")
    freeze_today(monkeypatch, datetime.date(2024, 8, 1))
    change(reviewer, enrollment, "resume", "核实完毕")

    assert paid_in([month(2024, 8)], enrollment) == {8: Decimal("1000.00")}


def test_a_terminated_suspended_enrollment_stays_unpaid_up_to_its_end(monkeypatch, reviewer, caseworker):
    enrollment = EnrollmentFactory(start=month(2024, 1))
    freeze_today(monkeypatch, datetime.date(2024, 6, 15))
    change(caseworker, enrollment, "suspend", "暂停待核")
    freeze_today(monkeypatch, datetime.date(2024, 7, 20))
    change(reviewer, enrollment, "terminate", "不再符合条件", end=datetime.date(2024, 9, 30))

    assert paid_in([month(2024, m) for m in (6, 7, 8)], enrollment) == {
        6: Decimal("1000.00"),
        7: None,
        8: None,
    }
    assert EnrollmentSuspension.objects.get(enrollment=enrollment).end is None


def test_the_suspension_and_resumption_are_audited_with_their_dates(monkeypatch, reviewer, caseworker):
    enrollment = EnrollmentFactory(start=month(2024, 1))
    freeze_today(monkeypatch, datetime.date(2024, 7, 3))
    change(caseworker, enrollment, "suspend", "暂停待核")
    freeze_today(monkeypatch, datetime.date(2024, 7, 9))
    change(reviewer, enrollment, "resume", "核实完毕")

    events = AuditEvent.objects.filter(object_type="assistance.enrollment", object_id=str(enrollment.pk))
    suspend = events.get(action="transition:suspend").changes
    resume = events.get(action="transition:resume").changes
    assert suspend["suspended_from"] == [None, "2024-07-03"]
    assert resume["suspended_until"] == [None, "2024-07-09"]


# --- No batch for a month after next (issue 8 #6) -----------------------------------------------------


@pytest.mark.parametrize("asked", ["2030-01", "２０３０-０１", "2024-09", "２０２４－０９"])
def test_a_batch_for_a_month_after_next_is_400_naming_the_rule_and_stores_nothing(
    api_as, reviewer, monkeypatch, asked
):
    EnrollmentFactory()
    freeze_today(monkeypatch, datetime.date(2024, 7, 15))

    response = api_as(reviewer).post(BATCHES, {"month": asked}, format="json")

    assert response.status_code == 400, response.json()
    body = response.json()
    assert body["rule"] == "month_too_late"
    assert "2024-08" in body["month"][0]
    assert not PaymentBatch.objects.exists()
    assert not Payment.objects.exists()


def test_next_month_is_the_latest_month_a_batch_may_pay_and_full_width_digits_read_as_ascii(
    api_as, reviewer, monkeypatch
):
    freeze_today(monkeypatch, datetime.date(2024, 7, 31))
    client = api_as(reviewer)

    this_month = client.post(BATCHES, {"month": "2024-07"}, format="json")
    next_month = client.post(BATCHES, {"month": "２０２４－０８"}, format="json")

    assert (this_month.status_code, next_month.status_code) == (202, 202)
    assert next_month.json()["month"] == "2024-08"
    assert list(PaymentBatch.objects.order_by("month").values_list("month", flat=True)) == [
        month(2024, 7),
        month(2024, 8),
    ]


@pytest.mark.parametrize("asked", ["٢٠٢٤-٠٨", "२०२४-०८"])
def test_other_scripts_digits_are_not_a_month(api_as, reviewer, asked):
    response = api_as(reviewer).post(BATCHES, {"month": asked}, format="json")

    assert response.status_code == 400
    assert list(response.json()) == ["month"]


def test_the_service_refuses_a_future_month_whoever_calls_it(monkeypatch):
    freeze_today(monkeypatch, datetime.date(2024, 12, 20))

    assert jobs.payment_batch_create(actor=None, month=month(2025, 1), queue_job=False).month == month(
        2025, 1
    )
    with pytest.raises(RuleViolation) as refused:
        jobs.payment_batch_create(actor=None, month=month(2025, 2), queue_job=False)

    assert refused.value.code == "month_too_late"
    assert PaymentBatch.objects.count() == 1


def test_the_batch_page_refuses_a_future_month_beside_the_field(client, reviewer, monkeypatch):
    freeze_today(monkeypatch, datetime.date(2024, 7, 15))
    client.force_login(reviewer)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"

    response = client.post("/assistance/payment-batches/", {"month": "2030-01"})

    assert response.status_code == 200
    assert "next month (2024-08) at the latest" in response.context["form"].errors["month"][0]
    assert not PaymentBatch.objects.exists()


def test_an_enrollment_terminated_before_it_started_is_never_paid(monkeypatch, reviewer):
    enrollment = EnrollmentFactory(start=month(2024, 7))
    freeze_today(monkeypatch, datetime.date(2024, 6, 25))
    change(reviewer, enrollment, "terminate", "申请人撤回")
    enrollment.refresh_from_db()
    assert (enrollment.status, enrollment.end) == (EnrollmentStatus.TERMINATED, month(2024, 7))  # end = start
    freeze_today(monkeypatch, datetime.date(2024, 8, 5))

    assert paid_in([month(2024, 7), month(2024, 8)], enrollment) == {7: None, 8: None}


def test_an_enrollment_ended_on_the_first_day_of_a_later_month_is_paid_for_that_month(monkeypatch, reviewer):
    enrollment = EnrollmentFactory(start=month(2024, 1))
    freeze_today(monkeypatch, datetime.date(2024, 7, 1))
    change(reviewer, enrollment, "terminate", "迁出本区", end=month(2024, 7))

    assert paid_in([month(2024, 7), month(2024, 8)], enrollment) == {7: Decimal("1000.00"), 8: None}
