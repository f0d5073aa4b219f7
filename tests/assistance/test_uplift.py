"""The annual uplift of the standards (SPEC §4.4): the preview and its arithmetic, approval by role and
state, the job on a real Celery worker, exactly once per year, resumable after its worker is killed,
and the management command."""

import datetime
import io
import json
import os
import signal
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import psycopg2
import pytest
import redis
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from assistance import jobs
from assistance.models import Enrollment, EnrollmentAmount, Standard, Uplift
from assistance.rules import Category, monthly_amount
from assistance.tasks import run_uplift
from assistance.workflow import EnrollmentStatus, UpliftStatus
from civil_affairs.accounts.models import Role
from civil_affairs.audit.models import AuditEvent
from civil_affairs.errors import Conflict
from tests.assistance.factories import EnrollmentFactory, StandardFactory
from tests.helpers import wait_for

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("divisions")]

UPLIFTS = "/api/v1/assistance/uplifts/"
JANUARY = datetime.date(2024, 1, 1)
JULY = datetime.date(2024, 7, 1)
RATE = Decimal("0.05")


def standards(**amounts):
    """Standards in force from 1 January 2024, e.g. standards(dibao_urban="1000.00")."""
    return {
        category: StandardFactory(category=category, monthly_amount=Decimal(amount), effective_from=JANUARY)
        for category, amount in amounts.items()
    }


def preview(**overrides):
    arguments = {"actor": None, "year": 2024, "rate": RATE, "effective_from": JULY, **overrides}
    return jobs.uplift_preview(**arguments)


def run_uplift_now(**overrides):
    uplift = jobs.uplift_approve(actor=None, uplift=preview(**overrides), queue_job=False)
    return jobs.uplift_run(uplift_id=uplift.pk)


def expected_amount(enrollment, standard):
    return monthly_amount(
        category=enrollment.category,
        standard=standard,
        total_income=enrollment.total_income,
        member_count=enrollment.member_count,
        covered_count=enrollment.covered_count,
    )


def snapshot():
    """Everything an uplift may change, to compare before and after."""
    return {
        "standards": sorted(
            Standard.objects.values_list("id", "category", "monthly_amount", "effective_from")
        ),
        "enrollments": sorted(Enrollment.objects.values_list("id", "monthly_amount", "updated_at")),
        "history": sorted(
            # (enrollment, effective_from) is the history's key
            EnrollmentAmount.objects.values_list(
                "enrollment_id", "effective_from", "monthly_amount", "uplift_id"
            )
        ),
        "row_versions": row_versions(),
    }


def row_versions():
    """The transaction that last wrote each enrollment row (PostgreSQL's xmin): changes on any rewrite."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, xmin::text FROM assistance_enrollment")
        return dict(cursor.fetchall())


def gap_enrollment(total_income, member_count, covered_count, **options):
    return EnrollmentFactory(
        total_income=Decimal(total_income), member_count=member_count, covered_count=covered_count, **options
    )


# --- The preview --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "rate", "new"),
    [
        ("1010.00", "0.05", "1061.00"),  # 1060.5 rounds up
        ("990.00", "0.05", "1040.00"),  # 1039.5 rounds up
        ("1009.00", "0.05", "1059.00"),  # 1059.45 rounds down
        ("1000.00", "0.05", "1050.00"),
        ("962.00", "0.05", "1010.00"),  # 1010.1
        ("100.00", "0.035", "104.00"),  # 103.5 rounds up
        ("1234.56", "0.03", "1272.00"),  # 1271.5968
        ("1.00", "0.4999", "1.00"),  # 1.4999 rounds down
    ],
)
def test_the_new_standard_is_old_times_one_plus_rate_rounded_half_up_to_whole_yuan(old, rate, new):
    standards(dibao_urban=old)

    uplift = preview(rate=Decimal(rate))

    assert [(line["old_amount"], line["new_amount"]) for line in uplift.lines] == [(old, new)]


def test_the_preview_changes_nothing_but_recording_itself(api_as, reviewer):
    standards(dibao_urban="1000.00", disability_care="100.00")
    EnrollmentFactory()
    gap_enrollment("900.00", 2, 2)
    before = snapshot()

    response = api_as(reviewer).post(
        UPLIFTS, {"year": 2024, "rate": "0.05", "effective_from": "2024-07-01"}, format="json"
    )

    assert response.status_code == 201, response.json()
    assert snapshot() == before
    assert Uplift.objects.get().status == UpliftStatus.PREVIEW
    assert AuditEvent.objects.filter(object_type="assistance.uplift", action="create").count() == 1


def test_the_preview_shows_each_category_with_a_standard_and_its_monthly_cost_change(api_as, reviewer):
    standards(dibao_urban="1000.00", disability_care="100.00")
    gap_enrollment("0.00", 1, 1)  # 1000.00 → 1050.00
    gap_enrollment("2500.00", 3, 2)  # (3000 − 2500)·2/3 = 333.33 → (3150 − 2500)·2/3 = 433.33
    gap_enrollment("3200.00", 3, 3)  # income above the standard before and after: 0.00 → 0.00
    gap_enrollment("3100.00", 3, 3)  # above before, below after: 0.00 → 50.00
    gap_enrollment("1000.01", 2, 1)  # 499.995 → 500.00, 549.995 → 550.00 (half a fen rounds up)
    gap_enrollment("0.00", 1, 1, status=EnrollmentStatus.SUSPENDED)  # recomputed by the job too: counted
    gap_enrollment("0.00", 1, 1, status=EnrollmentStatus.TERMINATED, end=datetime.date(2024, 6, 30))  # not
    EnrollmentFactory(
        category=Category.DISABILITY_CARE, standard=Decimal("100.00"), member_count=2, covered_count=2
    )

    body = (
        api_as(reviewer)
        .post(UPLIFTS, {"year": 2024, "rate": "0.05", "effective_from": "2024-07-01"}, format="json")
        .json()
    )

    assert body["lines"] == [
        {
            "category": "dibao_urban",
            "old_amount": "1000.00",
            "new_amount": "1050.00",
            "explanation": "1000.00 × (1 + 0.0500) ≈ 1050",
            "enrollments": 6,
            "monthly_cost_change": "300.00",  # 50 + 100 + 0 + 50 + 50 + 50 (the suspended one)
        },
        {
            "category": "disability_care",
            "old_amount": "100.00",
            "new_amount": "105.00",
            "explanation": "100.00 × (1 + 0.0500) ≈ 105",
            "enrollments": 1,
            "monthly_cost_change": "10.00",
        },
    ]
    assert body["status"] == "preview"
    assert body["rate"] == "0.0500"
    assert body["effective_from"] == "2024-07-01"
    assert (body["total_enrollments"], body["processed_enrollments"]) == (0, 0)


@hypothesis_settings(max_examples=300, deadline=None)
@given(
    category=st.sampled_from([Category.DIBAO_URBAN, Category.DIBAO_RURAL, Category.TEKUN_URBAN]),
    standard=st.decimals(min_value=1, max_value=5000, places=2),
    total_income=st.decimals(min_value=0, max_value=30000, places=2),
    member_count=st.integers(min_value=1, max_value=9),
    covered_share=st.floats(min_value=0, max_value=1),
)
def test_the_jobs_sql_amount_is_the_rules_amount(
    category, standard, total_income, member_count, covered_share
):
    covered_count = max(1, round(member_count * covered_share))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT {amount} FROM (SELECT %(category)s::varchar AS category, %(total_income)s::numeric(12, 2)"
            " AS total_income, %(member_count)s::smallint AS member_count, %(covered_count)s::smallint"
            " AS covered_count) AS e".format(
                amount=jobs.AMOUNT_SQL.format(standard="%(standard)s::numeric(12, 2)")
            ),
            {
                "category": category,
                "standard": standard,
                "total_income": total_income,
                "member_count": member_count,
                "covered_count": covered_count,
                "gap_categories": sorted(jobs.rules.GAP_CATEGORIES),
            },
        )
        (in_sql,) = cursor.fetchone()

    assert in_sql == monthly_amount(
        category=category,
        standard=standard,
        total_income=total_income,
        member_count=member_count,
        covered_count=covered_count,
    )


@pytest.mark.parametrize("rate", ["0", "1", "-0.05", "1.5", "0.00001", "abc"])
def test_a_rate_outside_0_and_1_is_400_naming_rate(api_as, reviewer, rate):
    standards(dibao_urban="1000.00")

    response = api_as(reviewer).post(
        UPLIFTS, {"year": 2024, "rate": rate, "effective_from": "2024-07-01"}, format="json"
    )

    assert response.status_code == 400
    assert list(response.json()) == ["rate"]
    assert not Uplift.objects.exists()


@pytest.mark.parametrize("effective_from", ["2025-01-01", "2023-12-31", "2024-02-30", "July"])
def test_an_effective_date_outside_the_year_is_400_naming_it(api_as, reviewer, effective_from):
    standards(dibao_urban="1000.00")

    response = api_as(reviewer).post(
        UPLIFTS, {"year": 2024, "rate": "0.05", "effective_from": effective_from}, format="json"
    )

    assert response.status_code == 400
    assert list(response.json()) == ["effective_from"]


def test_an_effective_date_before_a_later_standard_is_refused():
    standards(dibao_urban="1000.00")
    StandardFactory(category=Category.DIBAO_URBAN, monthly_amount=Decimal("1020.00"), effective_from=JULY)

    with pytest.raises(jobs.RuleViolation) as refused:
        preview(effective_from=JULY)

    assert "effective_from" in refused.value.errors


def test_a_second_uplift_for_the_year_once_one_is_approved_is_409(api_as, reviewer, make_user):
    standards(dibao_urban="1000.00")
    previewer = api_as(make_user(Role.DISTRICT_REVIEWER, "370114", "previewer"))
    first = previewer.post(
        UPLIFTS, {"year": 2024, "rate": "0.05", "effective_from": "2024-07-01"}, format="json"
    )
    assert api_as(reviewer).post(f"{UPLIFTS}{first.json()['id']}/approve/").status_code == 200

    second = previewer.post(
        UPLIFTS, {"year": 2024, "rate": "0.03", "effective_from": "2024-08-01"}, format="json"
    )

    assert second.status_code == 409
    assert "2024" in second.json()["detail"]
    assert list(Uplift.objects.values_list("rate", "status")) == [(RATE, UpliftStatus.APPROVED)]


# --- Approval -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.CASEWORKER, Role.VIEWER, Role.API_CLIENT])
def test_only_a_district_reviewer_or_administrator_approves(api_as, make_user, role):
    standards(dibao_urban="1000.00")
    uplift = preview()

    response = api_as(make_user(role, "370114")).post(f"{UPLIFTS}{uplift.pk}/approve/")

    assert response.status_code == 403
    assert Uplift.objects.get().status == UpliftStatus.PREVIEW


@pytest.mark.parametrize(
    ("role", "status"),
    [(Role.ADMINISTRATOR, 200), (Role.API_CLIENT, 200), (Role.CASEWORKER, 403), (Role.VIEWER, 403)],
)
def test_uplifts_are_read_by_deciders_and_the_api_client_only(api_as, make_user, role, status):
    standards(dibao_urban="1000.00")
    uplift = preview()
    client = api_as(make_user(role, "370114"))

    assert client.get(UPLIFTS).status_code == status
    assert client.get(f"{UPLIFTS}{uplift.pk}/").status_code == status


def test_only_a_preview_can_be_approved(api_as, reviewer):
    standards(dibao_urban="1000.00")
    uplift = preview()
    client = api_as(reviewer)

    first = client.post(f"{UPLIFTS}{uplift.pk}/approve/")
    second = client.post(f"{UPLIFTS}{uplift.pk}/approve/")

    assert first.status_code == 200
    assert first.json()["status"] == "approved"
    assert second.status_code == 409
    assert "detail" in second.json()
    assert not Standard.objects.filter(uplift=uplift).exists()  # the job runs once the approval commits


# --- The job ------------------------------------------------------------------------------------------


def test_the_approved_uplift_runs_on_the_worker_and_recomputes_amounts_from_the_effective_date(
    api_as, reviewer, make_user, celery_worker_running
):
    old = standards(dibao_urban="1000.00", disability_care="100.00")
    plain = gap_enrollment("0.00", 1, 1)
    partial = gap_enrollment("2500.00", 3, 2)
    above = gap_enrollment("3200.00", 3, 3)
    half_fen = gap_enrollment("1000.01", 2, 1)
    suspended = gap_enrollment("0.00", 1, 1, status=EnrollmentStatus.SUSPENDED)
    flat = EnrollmentFactory(
        category=Category.DISABILITY_CARE, standard=Decimal("100.00"), member_count=2, covered_count=2
    )
    starts_later = EnrollmentFactory(start=datetime.date(2024, 9, 1))  # its amount used the old standard
    ended = EnrollmentFactory(status=EnrollmentStatus.TERMINATED, end=datetime.date(2024, 3, 31))
    previewer = api_as(make_user(Role.DISTRICT_REVIEWER, "370114", "previewer"))
    uplift_id = previewer.post(
        UPLIFTS, {"year": 2024, "rate": "0.05", "effective_from": "2024-07-01"}, format="json"
    ).json()["id"]

    approved = api_as(reviewer).post(f"{UPLIFTS}{uplift_id}/approve/")

    assert approved.status_code == 200, approved.json()
    wait_for(lambda: Uplift.objects.get(pk=uplift_id).status == UpliftStatus.COMPLETED)
    new = {s.category: s for s in Standard.objects.filter(uplift_id=uplift_id)}
    assert {c: (s.monthly_amount, s.effective_from) for c, s in new.items()} == {
        "dibao_urban": (Decimal("1050.00"), JULY),
        "disability_care": (Decimal("105.00"), JULY),
    }
    assert Standard.objects.filter(pk__in=[s.pk for s in old.values()]).count() == 2  # history kept
    recomputed = [plain, partial, above, half_fen, suspended, flat, starts_later]
    for enrollment in recomputed:
        enrollment.refresh_from_db()
        assert enrollment.monthly_amount == expected_amount(
            enrollment, new[enrollment.category].monthly_amount
        )
    assert [e.monthly_amount for e in (plain, partial, above, half_fen, flat)] == [
        Decimal("1050.00"),
        Decimal("433.33"),
        Decimal("0.00"),
        Decimal("550.00"),
        Decimal("210.00"),
    ]
    history = {
        e.pk: list(e.amounts.order_by("effective_from").values_list("effective_from", "monthly_amount"))
        for e in [*recomputed, ended]
    }
    assert history[partial.pk] == [(JANUARY, Decimal("333.33")), (JULY, Decimal("433.33"))]
    assert history[half_fen.pk] == [(JANUARY, Decimal("500.00")), (JULY, Decimal("550.00"))]
    assert history[starts_later.pk] == [(datetime.date(2024, 9, 1), Decimal("1050.00"))]
    assert history[ended.pk] == [(JANUARY, Decimal("1000.00"))]
    ended.refresh_from_db()
    assert ended.monthly_amount == Decimal("1000.00")
    body = api_as(reviewer).get(f"{UPLIFTS}{uplift_id}/").json()
    assert (body["status"], body["total_enrollments"], body["processed_enrollments"]) == ("completed", 7, 7)


def test_running_a_completed_uplift_again_changes_nothing():
    standards(dibao_urban="1000.00")
    for income in ("0.00", "500.00", "2000.00"):
        gap_enrollment(income, 2, 2)
    uplift = run_uplift_now()
    before = snapshot()

    again = jobs.uplift_run(uplift_id=uplift.pk)

    assert again.status == UpliftStatus.COMPLETED
    assert snapshot() == before
    assert AuditEvent.objects.filter(object_type="assistance.uplift", action="complete").count() == 1


def test_a_failed_uplift_records_its_error_and_runs_again_from_where_it_stopped():
    standards(dibao_urban="1000.00")
    enrollments = [gap_enrollment("0.00", 1, 1) for _ in range(3)]
    uplift = jobs.uplift_approve(actor=None, uplift=preview(), queue_job=False)
    # Someone enters the new standard by hand between the preview and the run.
    by_hand = StandardFactory(
        category=Category.DIBAO_URBAN, monthly_amount=Decimal("1040.00"), effective_from=JULY
    )

    with pytest.raises(Conflict):
        jobs.uplift_run(uplift_id=uplift.pk)

    failed = Uplift.objects.get(pk=uplift.pk)
    assert failed.status == UpliftStatus.FAILED
    assert "outside this uplift" in failed.error
    assert all(e.amounts.count() == 1 for e in enrollments)
    by_hand.delete()
    done = jobs.uplift_run(uplift_id=uplift.pk)
    assert (done.status, done.processed_enrollments) == (UpliftStatus.COMPLETED, 3)
    assert set(Enrollment.objects.values_list("monthly_amount", flat=True)) == {Decimal("1050.00")}


def _forget_queue(queue):
    """Drop what a killed worker left in Redis: its queue, bindings and unacknowledged message."""
    client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    client.delete(queue, f"_kombu.binding.{queue}", f"_kombu.binding_permanent.{queue}")
    for tag, raw in client.hgetall("unacked").items():
        if json.loads(raw)[2] == queue:
            client.hdel("unacked", tag)
            client.zrem("unacked_index", tag)


def test_the_uplift_resumes_after_its_worker_is_killed_mid_run_and_every_amount_is_exact(
    transactional_db, divisions, tmp_path, subprocess_database_url
):
    standards(dibao_urban="1000.00", disability_living="100.00")
    enrollments = [
        gap_enrollment(f"{37 * i}.{i:02d}", 1 + i % 4, 1, division_id="370114001001")
        if i % 3
        else EnrollmentFactory(category=Category.DISABILITY_LIVING, standard=Decimal("100.00"))
        for i in range(40)
    ]
    ids = sorted(e.pk for e in enrollments)
    old_amounts = dict(Enrollment.objects.values_list("id", "monthly_amount"))
    uplift = jobs.uplift_approve(actor=None, uplift=preview(), queue_job=False)
    queue = f"{settings.CELERY_TASK_DEFAULT_QUEUE}.kill.{os.getpid()}"
    # Chunks of 5; a row of the fifth chunk is locked, so the worker stops there, mid-chunk, after 20.
    blocker = psycopg2.connect(subprocess_database_url)
    with blocker.cursor() as cursor:
        cursor.execute("SELECT id FROM assistance_enrollment WHERE id = %s FOR UPDATE", [ids[22]])
    log = tmp_path / "worker.log"
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "civil_affairs",
            "worker",
            "--pool",
            "solo",
            "-Q",
            queue,
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "--loglevel",
            "INFO",
        ],
        cwd=Path(settings.BASE_DIR),
        env={**os.environ, "DATABASE_URL": subprocess_database_url, "ASSISTANCE_UPLIFT_CHUNK_SIZE": "5"},
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        run_uplift.apply_async(args=[uplift.pk], queue=queue)

        def stuck_after_four_chunks():
            # Asked on our own connection: the blocker's transaction would see one frozen snapshot.
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                    " AND wait_event_type = 'Lock'"
                )
                waiting = cursor.fetchone()[0]
            return waiting > 0 and Uplift.objects.get(pk=uplift.pk).processed_enrollments == 20

        try:
            wait_for(stuck_after_four_chunks)
        except AssertionError:
            raise AssertionError(log.read_text()) from None
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(timeout=30)
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()
        blocker.rollback()  # the dead worker's transaction finishes its statement, then rolls back
        blocker.close()
        _forget_queue(queue)
    stopped = Uplift.objects.get(pk=uplift.pk)
    assert stopped.status == UpliftStatus.RUNNING
    assert (stopped.processed_enrollments, stopped.total_enrollments) == (20, 40)
    assert stopped.last_enrollment_id == ids[19]
    written_before_the_kill = {i: v for i, v in row_versions().items() if i <= ids[19]}
    assert EnrollmentAmount.objects.filter(uplift=uplift).count() == 20

    out = io.StringIO()
    call_command(
        "uplift_standards", "--year", "2024", "--rate", "0.05", "--effective-from", "2024-07-01", stdout=out
    )

    assert "Continuing the uplift of 2024 after 20 enrollments" in out.getvalue()
    done = Uplift.objects.get(pk=uplift.pk)
    assert (done.status, done.processed_enrollments, done.total_enrollments) == (
        UpliftStatus.COMPLETED,
        40,
        40,
    )
    new = dict(Standard.objects.filter(uplift=uplift).values_list("category", "monthly_amount"))
    assert new == {"dibao_urban": Decimal("1050.00"), "disability_living": Decimal("105.00")}
    for enrollment in Enrollment.objects.all():
        amount = expected_amount(enrollment, new[enrollment.category])
        assert enrollment.monthly_amount == amount
        assert list(
            enrollment.amounts.order_by("effective_from").values_list("effective_from", "monthly_amount")
        ) == [(JANUARY, old_amounts[enrollment.pk]), (JULY, amount)]
    # The chunks committed before the kill were not written again.
    assert {i: v for i, v in row_versions().items() if i <= ids[19]} == written_before_the_kill


# --- The management command ---------------------------------------------------------------------------


def command(*extra):
    out = io.StringIO()
    call_command(
        "uplift_standards",
        "--year",
        "2024",
        "--rate",
        "0.05",
        "--effective-from",
        "2024-07-01",
        *extra,
        stdout=out,
    )
    return out.getvalue()


def test_the_command_dry_run_prints_the_preview_and_changes_nothing():
    standards(dibao_urban="1000.00")
    gap_enrollment("2500.00", 3, 2)
    before, events = snapshot(), AuditEvent.objects.count()

    output = command("--dry-run")

    assert "dibao_urban" in output
    assert "1050.00" in output
    assert "100.00" in output  # the monthly cost change
    assert "nothing changed" in output
    assert not Uplift.objects.exists()
    assert snapshot() == before
    assert AuditEvent.objects.count() == events


def test_the_command_runs_the_uplift_and_a_second_run_changes_nothing():
    standards(dibao_urban="1000.00")
    enrollment = gap_enrollment("2500.00", 3, 2)

    output = command()

    assert "completed" in output
    uplift = Uplift.objects.get()
    assert (uplift.status, uplift.approved_by, uplift.processed_enrollments) == (
        UpliftStatus.COMPLETED,
        None,
        1,
    )
    enrollment.refresh_from_db()
    assert enrollment.monthly_amount == Decimal("433.33")
    before = snapshot()

    again = command()

    assert "already ran" in again
    assert snapshot() == before


def test_the_command_refuses_other_figures_for_a_year_that_has_an_uplift():
    standards(dibao_urban="1000.00")
    preview(rate=Decimal("0.03"))

    with pytest.raises(CommandError, match="other figures"):
        command()

    assert Uplift.objects.get().status == UpliftStatus.PREVIEW


def test_the_command_reports_a_broken_rule_as_a_command_error():
    standards(dibao_urban="1000.00")

    with pytest.raises(CommandError, match="rate"):
        call_command(
            "uplift_standards",
            "--year",
            "2024",
            "--rate",
            "1.5",
            "--effective-from",
            "2024-07-01",
            stdout=io.StringIO(),
        )

    assert not Uplift.objects.exists()
