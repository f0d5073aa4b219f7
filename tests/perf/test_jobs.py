"""What issue 15 changed in the batch jobs, beside the job tests in tests/assistance: the audit chain is
anchored at the end of each job, a first run that meets a payment already made still pays each enrollment
once, and the uplift's history row already dated its day takes the new amount."""

import datetime
import json
from decimal import Decimal

import pytest

from assistance import jobs
from assistance.models import EnrollmentAmount, JobStatus, Payment, PaymentBatch
from civil_affairs.audit.models import AuditEvent
from civil_affairs.errors import Conflict
from tests.assistance.factories import EnrollmentFactory, StandardFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("divisions")]

JULY = datetime.date(2024, 7, 1)


def last_anchor(path):
    return json.loads(path.read_text().splitlines()[-1])


@pytest.mark.parametrize("job", ["payments", "uplift"])
def test_each_batch_job_anchors_the_audit_chains_head_once_it_has_committed(
    job, audit_anchor_file, django_capture_on_commit_callbacks
):
    StandardFactory()
    EnrollmentFactory()
    with django_capture_on_commit_callbacks(execute=True):
        if job == "payments":
            batch = jobs.payment_batch_create(actor=None, month=JULY, queue_job=False)
            jobs.payment_batch_run(batch_id=batch.pk)
        else:
            uplift = jobs.uplift_preview(actor=None, year=2024, rate=Decimal("0.05"), effective_from=JULY)
            jobs.uplift_approve(actor=None, uplift=uplift, queue_job=False)
            jobs.uplift_run(uplift_id=uplift.pk)

    head = AuditEvent.objects.order_by("-id").first()
    assert head.action == "complete"
    assert (last_anchor(audit_anchor_file)["id"], last_anchor(audit_anchor_file)["hash"]) == (
        head.pk,
        head.hash,
    )


def test_a_failed_job_anchors_its_failure_too(audit_anchor_file, django_capture_on_commit_callbacks):
    StandardFactory()
    EnrollmentFactory()
    uplift = jobs.uplift_preview(actor=None, year=2024, rate=Decimal("0.05"), effective_from=JULY)
    jobs.uplift_approve(actor=None, uplift=uplift, queue_job=False)
    StandardFactory(monthly_amount=Decimal("1040.00"), effective_from=JULY)  # entered by hand meanwhile

    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(Conflict),
    ):
        jobs.uplift_run(uplift_id=uplift.pk)

    head = AuditEvent.objects.order_by("-id").first()
    assert head.action == "fail"
    assert last_anchor(audit_anchor_file)["id"] == head.pk


def test_a_first_run_meeting_a_payment_already_made_pays_every_enrollment_once():
    enrollments = [EnrollmentFactory(standard=Decimal(900 + i)) for i in range(5)]
    batch = jobs.payment_batch_create(actor=None, month=JULY, queue_job=False)
    # Another runner got there first for one enrollment of the second chunk.
    Payment.objects.create(
        batch=batch, enrollment=enrollments[3], month=JULY, amount=enrollments[3].monthly_amount
    )

    done = jobs.payment_batch_run(batch_id=batch.pk, chunk_size=2)

    assert sorted(Payment.objects.filter(batch=batch).values_list("enrollment_id", "amount")) == sorted(
        (e.pk, e.monthly_amount) for e in enrollments
    )
    assert (done.status, done.count, done.total) == (JobStatus.COMPLETED, 5, Decimal(sum(range(900, 905))))


def test_a_killed_first_run_is_resumed_and_pays_the_rest_once():
    """A worker killed after its first chunks committed leaves the batch running; the task's retry runs it
    again, inserting only what is missing."""
    enrollments = [EnrollmentFactory(standard=Decimal(900 + i)) for i in range(5)]
    batch = jobs.payment_batch_create(actor=None, month=JULY, queue_job=False)
    PaymentBatch.objects.filter(pk=batch.pk).update(status=JobStatus.RUNNING)
    for enrollment in enrollments[:2]:  # the chunk it committed
        Payment.objects.create(
            batch=batch, enrollment=enrollment, month=JULY, amount=enrollment.monthly_amount
        )
    committed = set(Payment.objects.values_list("id", flat=True))

    done = jobs.payment_batch_run(batch_id=batch.pk, chunk_size=2)

    rows = Payment.objects.filter(batch=batch)
    assert sorted(rows.values_list("enrollment_id", flat=True)) == sorted(e.pk for e in enrollments)
    assert committed <= set(rows.values_list("id", flat=True))
    assert (done.count, done.total) == (5, Decimal(sum(range(900, 905))))


def test_the_uplift_gives_a_history_row_already_dated_its_day_the_new_amount():
    StandardFactory()
    starts_on_the_day = EnrollmentFactory(start=JULY)  # its first row is dated 1 July
    earlier = EnrollmentFactory()
    uplift = jobs.uplift_preview(actor=None, year=2024, rate=Decimal("0.05"), effective_from=JULY)
    jobs.uplift_approve(actor=None, uplift=uplift, queue_job=False)

    done = jobs.uplift_run(uplift_id=uplift.pk)

    assert done.processed_enrollments == 2
    history = {
        e.pk: list(
            EnrollmentAmount.objects.filter(enrollment=e)
            .order_by("effective_from")
            .values_list("effective_from", "monthly_amount", "uplift_id")
        )
        for e in (starts_on_the_day, earlier)
    }
    assert history == {
        starts_on_the_day.pk: [(JULY, Decimal("1050.00"), uplift.pk)],
        earlier.pk: [
            (datetime.date(2024, 1, 1), Decimal("1000.00"), None),
            (JULY, Decimal("1050.00"), uplift.pk),
        ],
    }
