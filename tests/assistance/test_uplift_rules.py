"""The uplift's legal rules (SPEC §4.4; issue 8 #7, issue 9 #3): a stale preview cannot be approved, a new
preview replaces an unapproved one, 特困 stays at least 1.3 × the 低保 of its area, an enrollment starting on or
after the effective date gets the standard in force on its start whenever the uplift ran, and the preview counts
the enrollments the job recomputes."""

import datetime
import io
from decimal import ROUND_CEILING, Decimal

import pytest
from django.core.management import CommandError, call_command
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from assistance import jobs
from assistance.models import Enrollment, Payment, Standard, Uplift
from assistance.rules import Category
from assistance.workflow import EnrollmentStatus, UpliftStatus
from civil_affairs.accounts.models import Role
from civil_affairs.audit.models import AuditEvent
from civil_affairs.errors import Conflict
from tests.assistance.clock import freeze_today
from tests.assistance.factories import EnrollmentFactory, StandardFactory, household_with

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("divisions")]

UPLIFTS = "/api/v1/assistance/uplifts/"
APPLICATIONS = "/api/v1/assistance/applications/"
JANUARY = datetime.date(2024, 1, 1)
JULY = datetime.date(2024, 7, 1)
RATE = Decimal("0.05")


def standards(on=JANUARY, **amounts):
    return {
        category: StandardFactory(category=category, monthly_amount=Decimal(amount), effective_from=on)
        for category, amount in amounts.items()
    }


def new_standards(uplift):
    return {line["category"]: line["new_amount"] for line in uplift.lines}


@pytest.fixture
def previewer(make_user):
    return make_user(Role.DISTRICT_REVIEWER, "370114", "previewer")


def preview(actor, year=2024, effective_from=JULY, rate=RATE):
    return jobs.uplift_preview(actor=actor, year=year, rate=rate, effective_from=effective_from)


def approve_and_run(uplift, approver):
    jobs.uplift_approve(actor=approver, uplift=uplift, queue_job=False)
    return jobs.uplift_run(uplift_id=uplift.pk)


# --- 特困 stays at least 1.3 × the 低保 of its area ---------------------------------------------------------


def test_the_demo_figures_raise_tekun_to_1_3_times_the_new_dibao_rounded_up(previewer):
    standards(dibao_urban="1010.00", tekun_urban="1313.00")

    uplift = preview(previewer)

    # 低保 1010 × 1.05 = 1060.5 → 1061; 特困 1313 × 1.05 = 1378.65 → 1379 < 1.3 × 1061 = 1379.3 → 1380.
    assert new_standards(uplift) == {"dibao_urban": "1061.00", "tekun_urban": "1380.00"}
    tekun = next(line for line in uplift.lines if line["category"] == "tekun_urban")
    assert tekun["explanation"] == "max(1379, ⌈1.3 × 1061⌉ = 1380) = 1380"


def test_tekun_keeps_its_uplifted_standard_when_that_is_already_above_1_3_times_dibao(previewer):
    standards(dibao_rural="800.00", tekun_rural="1100.00")

    uplift = preview(previewer)

    # 1100 × 1.05 = 1155 ≥ ⌈1.3 × 840⌉ = 1092.
    assert new_standards(uplift) == {"dibao_rural": "840.00", "tekun_rural": "1155.00"}


def test_each_tekun_is_compared_with_the_dibao_of_its_own_area(previewer):
    standards(dibao_urban="1010.00", dibao_rural="700.00", tekun_urban="1313.00", tekun_rural="920.00")

    uplift = preview(previewer)

    # Urban: max(1379, ⌈1.3 × 1061⌉ = 1380); rural: max(966, ⌈1.3 × 735⌉ = 956) = 966 — never the urban 1380.
    assert new_standards(uplift) == {
        "dibao_urban": "1061.00",
        "dibao_rural": "735.00",
        "tekun_urban": "1380.00",
        "tekun_rural": "966.00",
    }


def test_the_job_writes_the_raised_tekun_standard_and_pays_it_from_the_effective_date(previewer, reviewer):
    standards(dibao_urban="1010.00", tekun_urban="1313.00")
    tekun = EnrollmentFactory(
        category=Category.TEKUN_URBAN,
        standard=Decimal("1313.00"),
        household=household_with(["0", "0"]),
        member_count=2,
        covered_count=2,
    )

    uplift = approve_and_run(preview(previewer), reviewer)

    assert uplift.status == UpliftStatus.COMPLETED
    written = dict(Standard.objects.filter(uplift=uplift).values_list("category", "monthly_amount"))
    assert written == {"dibao_urban": Decimal("1061.00"), "tekun_urban": Decimal("1380.00")}
    assert written["tekun_urban"] >= Decimal("1.3") * written["dibao_urban"]
    tekun.refresh_from_db()
    assert tekun.monthly_amount == Decimal("2760.00")
    assert list(tekun.amounts.order_by("effective_from").values_list("effective_from", "monthly_amount")) == [
        (JANUARY, Decimal("2626.00")),
        (JULY, Decimal("2760.00")),
    ]


@hypothesis_settings(max_examples=300, deadline=None)
@given(
    dibao=st.decimals(min_value=100, max_value=3000, places=2),
    tekun=st.decimals(min_value=100, max_value=5000, places=2),
    rate=st.decimals(min_value=Decimal("0.0001"), max_value=Decimal("0.9999"), places=4),
)
def test_the_new_tekun_is_the_larger_of_its_uplift_and_1_3_times_the_new_dibao_rounded_up(dibao, tekun, rate):
    new = jobs.uplifted_standards({"dibao_urban": dibao, "tekun_urban": tekun}, rate)

    new_dibao, new_tekun = new["dibao_urban"][0], new["tekun_urban"][0]
    floor = (Decimal("1.3") * new_dibao).to_integral_value(rounding=ROUND_CEILING)
    assert new_tekun == max(jobs.rules.uplifted_standard(tekun, rate), floor)
    assert new_tekun >= Decimal("1.3") * new_dibao
    assert new_tekun == new_tekun.to_integral_value()


# --- Stale previews (issue 8 #7) ---------------------------------------------------------------------


def test_approving_a_preview_made_before_another_uplift_ran_is_409_and_changes_nothing(
    api_as, previewer, reviewer
):
    standards(dibao_urban="1010.00")
    enrollment = EnrollmentFactory(standard=Decimal("1010.00"))
    uplift_2024 = preview(previewer)
    uplift_2025 = preview(previewer, year=2025, effective_from=datetime.date(2025, 7, 1))
    approve_and_run(uplift_2024, reviewer)  # 1010 → 1061 from 2024-07-01: 2025's preview still says 1010
    standards_before = set(Standard.objects.values_list("id", "monthly_amount"))

    response = api_as(reviewer).post(f"{UPLIFTS}{uplift_2025.pk}/approve/")

    assert response.status_code == 409
    assert "new preview" in response.json()["detail"]
    assert Uplift.objects.get(pk=uplift_2025.pk).status == UpliftStatus.PREVIEW
    assert set(Standard.objects.values_list("id", "monthly_amount")) == standards_before
    enrollment.refresh_from_db()
    assert enrollment.monthly_amount == Decimal("1061.00")


def test_a_new_preview_of_the_stale_year_uplifts_the_standard_now_in_force(api_as, previewer, reviewer):
    standards(dibao_urban="1010.00")
    stale = preview(previewer, year=2025, effective_from=datetime.date(2025, 7, 1))
    approve_and_run(preview(previewer), reviewer)

    fresh = api_as(previewer).post(
        UPLIFTS, {"year": 2025, "rate": "0.05", "effective_from": "2025-07-01"}, format="json"
    )
    approved = api_as(reviewer).post(f"{UPLIFTS}{fresh.json()['id']}/approve/")

    assert fresh.status_code == 201, fresh.json()
    assert fresh.json()["lines"][0]["old_amount"] == "1061.00"
    assert fresh.json()["lines"][0]["new_amount"] == "1114.00"  # 1061 × 1.05 = 1114.05
    assert approved.status_code == 200, approved.json()
    assert not Uplift.objects.filter(pk=stale.pk).exists()


def test_approving_an_earlier_year_after_a_later_one_ran_is_409(api_as, previewer, reviewer):
    standards(dibao_urban="1010.00")
    uplift_2024 = preview(previewer)
    approve_and_run(preview(previewer, year=2025, effective_from=datetime.date(2025, 7, 1)), reviewer)

    response = api_as(reviewer).post(f"{UPLIFTS}{uplift_2024.pk}/approve/")

    assert response.status_code == 409
    assert "2025-07-01" in response.json()["detail"]
    assert not Standard.objects.filter(uplift=uplift_2024).exists()


def test_a_second_approval_while_another_uplift_has_not_completed_is_409(api_as, previewer, reviewer):
    standards(dibao_urban="1010.00")
    uplift_2024 = preview(previewer)
    uplift_2025 = preview(previewer, year=2025, effective_from=datetime.date(2025, 7, 1))
    jobs.uplift_approve(actor=reviewer, uplift=uplift_2024, queue_job=False)  # queued, not yet run

    response = api_as(reviewer).post(f"{UPLIFTS}{uplift_2025.pk}/approve/")

    assert response.status_code == 409
    assert "2024" in response.json()["detail"]
    assert Uplift.objects.get(pk=uplift_2025.pk).status == UpliftStatus.PREVIEW


def test_a_job_whose_standards_changed_after_approval_fails_and_changes_nothing(previewer, reviewer):
    standards(dibao_urban="1010.00")
    enrollment = EnrollmentFactory(standard=Decimal("1010.00"))
    uplift = jobs.uplift_approve(actor=reviewer, uplift=preview(previewer), queue_job=False)
    StandardFactory(
        category=Category.DIBAO_URBAN,
        monthly_amount=Decimal("1030.00"),
        effective_from=datetime.date(2024, 9, 1),
    )

    with pytest.raises(Conflict):
        jobs.uplift_run(uplift_id=uplift.pk)

    failed = Uplift.objects.get(pk=uplift.pk)
    assert failed.status == UpliftStatus.FAILED
    assert "2024-09-01" in failed.error
    assert not Standard.objects.filter(uplift=uplift).exists()
    enrollment.refresh_from_db()
    assert enrollment.monthly_amount == Decimal("1010.00")
    assert enrollment.amounts.count() == 1


def test_the_uplift_page_says_a_stale_preview_cannot_be_approved(client, previewer, reviewer):
    standards(dibao_urban="1010.00")
    stale = preview(previewer, year=2025, effective_from=datetime.date(2025, 7, 1))
    approve_and_run(preview(previewer), reviewer)
    client.force_login(reviewer)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"

    page = client.get(f"/assistance/uplifts/{stale.pk}/")

    assert page.context["stale"]
    assert "make a new preview" in page.content.decode()
    assert 'id="approve"' not in page.content.decode()


# --- A new preview replaces an unapproved one of its year --------------------------------------------


def test_a_new_preview_replaces_the_unapproved_one_of_its_year(api_as, previewer, reviewer):
    standards(dibao_urban="1000.00")
    client = api_as(previewer)
    first = client.post(
        UPLIFTS, {"year": 2024, "rate": "0.05", "effective_from": "2024-07-01"}, format="json"
    )

    second = client.post(
        UPLIFTS, {"year": 2024, "rate": "0.03", "effective_from": "2024-08-01"}, format="json"
    )

    assert second.status_code == 201, second.json()
    assert list(Uplift.objects.values_list("rate", "effective_from", "status")) == [
        (Decimal("0.0300"), datetime.date(2024, 8, 1), UpliftStatus.PREVIEW)
    ]
    assert client.get(f"{UPLIFTS}{first.json()['id']}/").status_code == 404
    assert api_as(reviewer).post(f"{UPLIFTS}{first.json()['id']}/approve/").status_code == 404
    replaced = AuditEvent.objects.get(
        object_type="assistance.uplift", object_id=str(first.json()["id"]), action="delete"
    )
    assert replaced.changes["replaced_by_a_new_preview"] == [None, True]
    assert api_as(reviewer).post(f"{UPLIFTS}{second.json()['id']}/approve/").status_code == 200


# --- The preview counts what the job recomputes ------------------------------------------------------


def test_the_preview_counts_the_active_and_suspended_enrollments_the_job_recomputes(previewer, reviewer):
    standards(dibao_urban="1000.00", disability_care="100.00")
    EnrollmentFactory()
    EnrollmentFactory(status=EnrollmentStatus.SUSPENDED)
    EnrollmentFactory(end=datetime.date(2024, 12, 31))
    EnrollmentFactory(status=EnrollmentStatus.TERMINATED, end=datetime.date(2024, 5, 31))  # ended before
    EnrollmentFactory(end=datetime.date(2024, 6, 30))  # ends the day before the effective date
    EnrollmentFactory(
        category=Category.DISABILITY_CARE, standard=Decimal("100.00"), status=EnrollmentStatus.SUSPENDED
    )

    uplift = preview(previewer)
    counted = {line["category"]: line["enrollments"] for line in uplift.lines}
    done = approve_and_run(uplift, reviewer)

    assert counted == {"dibao_urban": 3, "disability_care": 1}
    assert done.processed_enrollments == sum(counted.values()) == 4
    assert {line["category"]: line["monthly_cost_change"] for line in uplift.lines} == {
        "dibao_urban": "150.00",
        "disability_care": "5.00",
    }


# --- An enrollment starting on or after the effective date (issue 9 #3) --------------------------------


def file_and_publicise(client, notice_from):
    household = household_with(["0"])
    application = client.post(
        APPLICATIONS, {"household": household.pk, "category": Category.DIBAO_URBAN}, format="json"
    ).json()
    base = f"{APPLICATIONS}{application['id']}/"
    assert client.post(f"{base}accept/").status_code == 200
    assert client.post(f"{base}investigate/", {"report": "入户调查属实"}, format="json").status_code == 200
    response = client.post(f"{base}publicise/", {"notice_from": notice_from.isoformat()}, format="json")
    assert response.status_code == 200, response.json()
    return base


def test_an_enrollment_approved_after_the_uplift_ran_but_starting_after_its_date_gets_the_new_standard(
    api_as, monkeypatch, caseworker, previewer, reviewer
):
    standards(dibao_urban="1010.00")
    freeze_today(monkeypatch, datetime.date(2024, 6, 3))
    approve_and_run(preview(previewer), reviewer)  # completed on 3 June, effective 1 July
    base = file_and_publicise(api_as(caseworker), datetime.date(2024, 6, 3))
    freeze_today(monkeypatch, datetime.date(2024, 6, 20))

    response = api_as(reviewer).post(f"{base}approve/")

    assert response.status_code == 200, response.json()
    enrollment = Enrollment.objects.get(application_id=response.json()["id"])
    assert (enrollment.start, enrollment.monthly_amount) == (JULY, Decimal("1061.00"))
    assert list(enrollment.amounts.values_list("effective_from", "monthly_amount")) == [
        (JULY, Decimal("1061.00"))
    ]
    batch = jobs.payment_batch_create(actor=None, month=JULY, queue_job=False)
    jobs.payment_batch_run(batch_id=batch.pk)
    assert Payment.objects.get(enrollment=enrollment).amount == Decimal("1061.00")


def test_an_enrollment_approved_before_the_uplift_ran_and_starting_on_its_date_is_recomputed(
    api_as, monkeypatch, caseworker, previewer, reviewer
):
    standards(dibao_urban="1010.00")
    freeze_today(monkeypatch, datetime.date(2024, 6, 3))
    base = file_and_publicise(api_as(caseworker), datetime.date(2024, 6, 3))
    freeze_today(monkeypatch, datetime.date(2024, 6, 12))
    response = api_as(reviewer).post(f"{base}approve/")
    enrollment = Enrollment.objects.get(application_id=response.json()["id"])
    assert (enrollment.start, enrollment.monthly_amount) == (JULY, Decimal("1010.00"))

    approve_and_run(preview(previewer), reviewer)

    enrollment.refresh_from_db()
    assert enrollment.monthly_amount == Decimal("1061.00")
    assert list(enrollment.amounts.values_list("effective_from", "monthly_amount")) == [
        (JULY, Decimal("1061.00"))
    ]


# --- The management command --------------------------------------------------------------------------


def test_the_command_dry_run_shows_tekun_raised_to_1_3_times_dibao():
    standards(dibao_urban="1010.00", tekun_urban="1313.00")
    out = io.StringIO()

    call_command(
        "uplift_standards",
        "--year",
        "2024",
        "--rate",
        "0.05",
        "--effective-from",
        "2024-07-01",
        "--dry-run",
        stdout=out,
    )

    tekun = next(line for line in out.getvalue().splitlines() if line.startswith("tekun_urban"))
    assert "1313.00" in tekun and "1380.00" in tekun
    assert "max(1379, ⌈1.3 × 1061⌉ = 1380) = 1380" in tekun
    assert not Uplift.objects.exists()


def test_the_command_refuses_a_stale_preview_of_the_year(previewer, reviewer):
    standards(dibao_urban="1010.00")
    preview(previewer, year=2025, effective_from=datetime.date(2025, 7, 1))
    approve_and_run(preview(previewer), reviewer)

    with pytest.raises(CommandError, match="2025-07-01"):
        call_command(
            "uplift_standards",
            "--year",
            "2025",
            "--rate",
            "0.05",
            "--effective-from",
            "2025-07-01",
            stdout=io.StringIO(),
        )

    assert Uplift.objects.get(year=2025).status == UpliftStatus.PREVIEW
