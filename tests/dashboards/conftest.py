"""A small bureau for the dashboard tests: every line of work with records in 明水街道 and 双山街道 over the last
three months (payments made by the real batch job), and the users who read them."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from assistance import jobs
from assistance.models import Enrollment
from assistance.rules import Category
from assistance.workflow import EnrollmentStatus
from civil_affairs.accounts.lines import Line
from civil_affairs.accounts.models import Role
from civil_affairs.divisions.models import Division
from community.rules import Certificate
from dashboards import services
from dashboards.periods import next_month
from eldercare.models import (
    Alert,
    AlertKind,
    Facility,
    FacilityKind,
    FacilityStatus,
    Hazard,
    Inspection,
    Ownership,
    Severity,
)
from funeral.models import BurialSubsidy, DeathRecord, FeeWaiver
from funeral.workflow import SubsidyState
from marriage.civil_code import certificate_number
from marriage.models import CertificateReissue
from marriage.workflow import DivorceState
from tests.assistance.factories import EnrollmentFactory, household_with
from tests.community.factories import WorkerFactory
from tests.marriage.factories import DivorceFactory, RegistrationFactory, man, woman
from tests.people.factories import PersonFactory

MINGSHUI, SHUANGSHAN, DISTRICT = "370114001", "370114002", "370114"
MINGSHUI_VILLAGE, SHUANGSHAN_VILLAGE = "370114001001", "370114002001"


def months_ago(n: int) -> datetime.date:
    month = timezone.localdate().replace(day=1)
    for _ in range(n):
        month = (month - datetime.timedelta(days=1)).replace(day=1)
    return month


def ym(month: datetime.date) -> str:
    return f"{month:%Y-%m}"


def pay(*months: datetime.date) -> None:
    """Run the real payment batch of each month, synchronously."""
    for month in months:
        batch = jobs.payment_batch_create(actor=None, month=month, queue_job=False)
        jobs.payment_batch_run(batch_id=batch.pk)


@dataclass
class Bureau:
    m2: datetime.date  # two months ago
    m1: datetime.date  # last month
    m0: datetime.date  # this month
    enrollments: dict[str, Enrollment]
    facilities: dict[str, Facility]
    deceased: Any


@pytest.fixture
def bureau(divisions: dict[str, Division], make_user: Any) -> Bureau:
    """Records of every line in 明水 and 双山; payments for the last three months; the summaries refreshed."""
    m0, m1, m2 = months_ago(0), months_ago(1), months_ago(2)
    far = m0.replace(year=m0.year + 2)
    recorder = make_user(Role.ADMINISTRATOR, DISTRICT, "recorder")

    # --- Social assistance: five enrollments, one person in two categories, one suspended, one ended.
    family = household_with(["0", "200"], division_id=MINGSHUI_VILLAGE)
    enrollments = {
        "family": EnrollmentFactory(
            household=family,
            division_id=MINGSHUI_VILLAGE,
            member_count=2,
            covered_count=2,
            start=m2,
            total_income=Decimal("200.00"),
            next_review=far,
        ),
        "head_disability": EnrollmentFactory(
            household=family,
            division_id=MINGSHUI_VILLAGE,
            category=Category.DISABILITY_LIVING,
            standard=Decimal("100.00"),
            member_count=2,
            covered_count=1,
            start=m2,
            next_review=far,
        ),
        "overdue": EnrollmentFactory(
            division_id=MINGSHUI_VILLAGE,
            category=Category.TEKUN_URBAN,
            standard=Decimal("1300.00"),
            start=m2,
            next_review=m1,
        ),
        "suspended": EnrollmentFactory(
            division_id=MINGSHUI_VILLAGE, start=m2, status=EnrollmentStatus.SUSPENDED, next_review=far
        ),
        "shuangshan": EnrollmentFactory(
            division_id=SHUANGSHAN_VILLAGE, category=Category.DIBAO_RURAL, start=m2, next_review=far
        ),
        "ended": EnrollmentFactory(
            division_id=MINGSHUI_VILLAGE,
            start=m2,
            end=next_month(m2) - datetime.timedelta(days=1),
            status=EnrollmentStatus.TERMINATED,
            next_review=far,
        ),
    }
    pay(m2, m1, m0)

    # --- Elder care: facilities in both towns, an alert open and one closed, a hazard overdue and one not.
    def facility(
        name: str, kind: str, division: str, beds: int, status: str = FacilityStatus.OPERATING
    ) -> Facility:
        return Facility.objects.create(
            name=name, kind=kind, division_id=division, ownership=Ownership.PUBLIC, beds=beds, status=status
        )

    facilities = {
        "home": facility("明水颐养院", FacilityKind.NURSING_HOME, MINGSHUI_VILLAGE, 120),
        "closed": facility(
            "明水老敬老院", FacilityKind.NURSING_HOME, MINGSHUI_VILLAGE, 40, FacilityStatus.CLOSED
        ),
        "meals": facility("明水助餐点", FacilityKind.MEAL_SITE, MINGSHUI_VILLAGE, 0),
        "day": facility("双山日间照料中心", FacilityKind.DAY_CARE, SHUANGSHAN_VILLAGE, 20),
    }
    Alert.objects.create(facility=facilities["home"], kind=AlertKind.PREPAID_OVER_CAP, month=m1)
    Alert.objects.create(
        facility=facilities["home"], kind=AlertKind.DEPOSIT_OVER_CAP, month=m2, closed_at=timezone.now()
    )
    Alert.objects.create(facility=facilities["day"], kind=AlertKind.STATEMENT_MISSING, month=m1)
    inspection = Inspection.objects.create(
        facility=facilities["home"], date=m2, inspector="区民政局", created_by=recorder
    )
    Hazard.objects.create(
        inspection=inspection,
        facility=facilities["home"],
        description="消防通道堵塞",
        severity=Severity.CRITICAL,
        deadline=m1,
    )
    Hazard.objects.create(
        inspection=inspection,
        facility=facilities["home"],
        description="灭火器过期",
        severity=Severity.MINOR,
        deadline=m1,
        rectified_on=m1,
    )

    # --- Marriage: a couple from both towns, one from 双山 alone, one from before the period; a divorce issued
    # for a 明水 couple; a reissued certificate.
    in_period = m1 + datetime.timedelta(days=9)
    RegistrationFactory(
        party_a=man(division_id=MINGSHUI_VILLAGE),
        party_b=woman(division_id=SHUANGSHAN_VILLAGE),
        registration_date=in_period,
    )
    shuangshan_couple = RegistrationFactory(
        party_a=man(division_id=SHUANGSHAN_VILLAGE),
        party_b=woman(division_id=SHUANGSHAN_VILLAGE),
        registration_date=in_period,
    )
    earlier = RegistrationFactory(
        party_a=man(division_id=MINGSHUI_VILLAGE),
        party_b=woman(division_id=MINGSHUI_VILLAGE),
        registration_date=m2.replace(year=m2.year - 3),
    )
    DivorceFactory(
        registration=earlier,
        application_date=in_period - datetime.timedelta(days=40),
        cooling_off_ends=in_period - datetime.timedelta(days=10),
        certificate_window_ends=in_period + datetime.timedelta(days=20),
        state=DivorceState.ISSUED,
        issued_on=in_period,
        certificate_number=certificate_number("L", "370114", in_period.year, 1),
    )
    CertificateReissue.objects.create(
        registration=shuangshan_couple,
        certificate_number=certificate_number("BJ", "370114", in_period.year, 1),
        original_number=shuangshan_couple.certificate_number,
        issued_on=in_period,
    )

    # --- Funeral: a death in 明水 last month with a subsidy and a fee waiver; one in 双山 two years ago.
    deceased = PersonFactory(division_id=MINGSHUI_VILLAGE, is_deceased=True, date_of_death=in_period)
    applicant = PersonFactory(division_id=MINGSHUI_VILLAGE)
    DeathRecord.objects.create(
        person=deceased, division_id=MINGSHUI_VILLAGE, date_of_death=in_period, recorded_by=recorder
    )
    BurialSubsidy.objects.create(
        deceased=deceased,
        division_id=MINGSHUI_VILLAGE,
        burial_type="tree",
        applicant=applicant,
        burial_date=in_period + datetime.timedelta(days=3),
        amount=Decimal("3000.00"),
        state=SubsidyState.APPROVED,
        submitted_by=recorder,
    )
    FeeWaiver.objects.create(
        deceased=deceased,
        division_id=MINGSHUI_VILLAGE,
        amount=Decimal("630.00"),
        category="dibao_urban",
        granted_by=recorder,
    )
    long_ago = PersonFactory(
        division_id=SHUANGSHAN_VILLAGE, is_deceased=True, date_of_death=m2.replace(year=m2.year - 2)
    )
    DeathRecord.objects.create(
        person=long_ago,
        division_id=SHUANGSHAN_VILLAGE,
        date_of_death=m2.replace(year=m2.year - 2),
        recorded_by=recorder,
    )

    # --- Community: 明水 with 10,000 urban residents and 3 workers (2 certified): below both targets.
    Division.objects.filter(code=MINGSHUI).update(population=20_000, urban_population=10_000)
    WorkerFactory(community_id=MINGSHUI_VILLAGE)
    WorkerFactory(community_id=MINGSHUI_VILLAGE)
    WorkerFactory(community_id=MINGSHUI_VILLAGE, certificate=Certificate.NONE)
    WorkerFactory(community_id=SHUANGSHAN_VILLAGE)

    services.summaries_refresh()
    return Bureau(m2=m2, m1=m1, m0=m0, enrollments=enrollments, facilities=facilities, deceased=deceased)


@pytest.fixture
def district_admin(make_user: Any) -> Any:
    return make_user(Role.ADMINISTRATOR, DISTRICT, "district-admin")


@pytest.fixture
def mingshui_marriage_user(make_user: Any) -> Any:
    """A caseworker of 明水 serving marriage, whose lists show the couples with a party in 明水."""
    return make_user(Role.CASEWORKER, MINGSHUI, "mingshui-marriage", lines=[Line.MARRIAGE])


def summary_of(client: Any, **query: str) -> dict[str, Any]:
    response = client.get("/api/v1/dashboards/summary/", query)
    assert response.status_code == 200, response.content
    return response.json()


def count_of(client: Any, url: str, **query: str) -> int:
    response = client.get(url, query)
    assert response.status_code == 200, response.content
    return response.json()["count"]
