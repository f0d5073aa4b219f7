"""Demo data of elder care at the seed year's scale (issue #10, item 8; ../shared/seed).

549 facilities (the district centre, a centre in every town/street, rural happiness homes, day-care centres,
nursing homes and 414 meal sites), 16 institutions with escrow accounts and six months of statements (a few
over the cap, one missing last month), inspections with hazards (some overdue), 150 family beds, 400 home
services and 240 renovations, meal reports, 情暖夕阳 meal delivery for the assistance demo's eligible
beneficiaries (the seed served 574) with their monthly deliveries, 2,254 caregiver trainings (person-times, 人次) and the four awards.
The daily jobs then raise the alerts the data calls for.

Idempotent: keyed by the district centre's name; everything is bulk-inserted, so a load takes seconds.
"""

from __future__ import annotations

import datetime
import random
from decimal import Decimal
from io import TextIOBase
from typing import Any

from django.db import transaction
from django.utils import timezone

from assistance.beneficiaries import SUBSISTENCE_CATEGORIES, beneficiaries_on
from civil_affairs.audit.services import audit_record
from civil_affairs.demo import GIVEN, SURNAMES
from civil_affairs.divisions.models import Division, DivisionLevel
from civil_affairs.people.id_numbers import compose_id_number
from civil_affairs.people.models import Person
from civil_affairs.people.services import home_division

from . import services
from .models import (
    AwardLevel,
    CaregiverAward,
    CaregiverTraining,
    CertificateLevel,
    EscrowStatement,
    Facility,
    FacilityKind,
    Hazard,
    HomeCareKind,
    HomeCareProject,
    HomeCareStatus,
    Inspection,
    MealDelivery,
    MealDeliveryEnrolment,
    MealReport,
    Ownership,
    Severity,
)

DISTRICT_CENTRE = "济南章丘养老服务中心"
# Kinds and how many (549 in all, SPEC §5, seed): the district centre is one of the 30 nursing homes.
FACILITY_COUNTS = {
    FacilityKind.NURSING_HOME: 30,
    FacilityKind.TOWN_CENTRE: 18,
    FacilityKind.HAPPINESS_HOME: 71,
    FacilityKind.DAY_CARE: 16,
    FacilityKind.MEAL_SITE: 414,
}
ESCROW_INSTITUTIONS = 16
HOME_CARE_COUNTS = {
    HomeCareKind.FAMILY_BED: 150,
    HomeCareKind.HOME_SERVICE: 400,
    HomeCareKind.RENOVATION: 240,
}
MEAL_DELIVERY_SEED = 574  # 情暖夕阳 in the seed year: disabled 低保 elders served at home
ELDERLY_PEOPLE = 700  # some of them have two projects (a family bed and home services, say)
CAREGIVERS = 1_600
TRAININGS = 2_254  # person-times
# Demo residents of elder care: area 370114, sequences 240–299 (other loaders use 0–239 and 300+), one
# person per birth date, so numbers never collide.
AREA = "370114"
ELDERLY_SEQUENCE = 250
CAREGIVER_SEQUENCE = 270
COURSES = [
    ("养老护理员初级培训", Decimal("40.0"), CertificateLevel.JUNIOR),
    ("养老护理员中级培训", Decimal("60.0"), CertificateLevel.INTERMEDIATE),
    ("养老护理员高级培训", Decimal("80.0"), CertificateLevel.SENIOR),
    ("养老护理技师研修", Decimal("120.0"), CertificateLevel.TECHNICIAN),
    ("失能老人照护专题", Decimal("16.0"), ""),
    ("消防安全与应急处置", Decimal("8.0"), ""),
]
HAZARDS = [
    "消防通道堆放杂物",
    "灭火器过期未更换",
    "电动车在室内充电",
    "厨房燃气报警器失灵",
    "卫生间未安装扶手",
    "应急照明损坏",
    "护理记录不全",
    "食品留样不规范",
]


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def _people(
    rng: random.Random, count: int, first_birth: datetime.date, sequence: int, villages: list[str]
) -> list[Person]:
    people = []
    for index in range(count):
        sex = "male" if index % 2 else "female"
        birth = first_birth + datetime.timedelta(days=index * 7 + index % 5)
        people.append(
            Person(
                id_number=compose_id_number(AREA, birth, sequence + (1 if sex == "male" else 0), sex),
                name=_name(rng),
                sex=sex,
                birth_date=birth,
                division_id=villages[index % len(villages)],
                phone=f"1{rng.choice('3578')}{rng.randrange(10**8, 10**9)}",
            )
        )
    Person.objects.bulk_create(people, ignore_conflicts=True)
    return list(Person.objects.filter(id_number__in=[p.id_number for p in people]).order_by("id"))


def _facilities(
    rng: random.Random, towns: list[Division], villages: list[str], today: datetime.date
) -> list[Facility]:
    rows: list[Facility] = [
        Facility(
            name=DISTRICT_CENTRE,
            kind=FacilityKind.NURSING_HOME,
            division_id=towns[0].code,
            operator="章丘区民政局",
            ownership=Ownership.PUBLIC,
            beds=500,
            star_rating=4,
            opened_on=datetime.date(today.year - 1, 9, 28),
        )
    ]
    for index in range(FACILITY_COUNTS[FacilityKind.NURSING_HOME] - 1):
        town = towns[index % len(towns)]
        private = index % 3 != 0
        rows.append(
            Facility(
                name=f"{town.name.removesuffix('街道').removesuffix('镇')}{'颐养院' if private else '敬老院'}{index // len(towns) + 1}",
                kind=FacilityKind.NURSING_HOME,
                division_id=town.code,
                operator=f"{_name(rng)}养老服务有限公司" if private else f"{town.name}人民政府",
                ownership=Ownership.PRIVATE if private else Ownership.PUBLIC,
                beds=rng.randrange(40, 300, 10),
                star_rating=rng.choice([None, 1, 2, 3, 3, 4, 5]),
                opened_on=datetime.date(rng.randrange(2005, today.year), rng.randrange(1, 13), 1),
            )
        )
    for index, town in enumerate(towns):
        rows.append(
            Facility(
                name=f"{town.name}综合养老服务中心",
                kind=FacilityKind.TOWN_CENTRE,
                division_id=town.code,
                operator=f"{town.name}人民政府",
                ownership=Ownership.PUBLIC,
                beds=rng.randrange(50, 150, 10),
                star_rating=rng.choice([2, 3, 4]),
                # The seed year's two new centres.
                opened_on=datetime.date(today.year - 1, 6 + index, 1)
                if index < 2
                else datetime.date(2018, 1, 1),
            )
        )
    for kind, suffix, beds in (
        (FacilityKind.HAPPINESS_HOME, "幸福院", (8, 30)),
        (FacilityKind.DAY_CARE, "日间照料中心", (10, 40)),
        (FacilityKind.MEAL_SITE, "助餐点", (0, 1)),
    ):
        for index in range(FACILITY_COUNTS[kind]):
            village = villages[index % len(villages)]
            rows.append(
                Facility(
                    name=f"{village}-{suffix}{index // len(villages) + 1}",
                    kind=kind,
                    division_id=village,
                    operator="村（居）委会",
                    ownership=Ownership.PUBLIC if index % 4 else Ownership.PRIVATE,
                    beds=rng.randrange(*beds),
                    opened_on=datetime.date(rng.randrange(2015, today.year + 1), rng.randrange(1, 13), 1)
                    if kind != FacilityKind.MEAL_SITE
                    else datetime.date(2020, 1, 1),
                )
            )
    for facility in rows:
        if facility.opened_on and facility.opened_on > today:
            facility.opened_on = today.replace(day=1)
    Facility.objects.bulk_create(rows)
    return rows


def _months_back(today: datetime.date, count: int) -> list[datetime.date]:
    months = [services.first_of_month(today)]
    for _ in range(count - 1):
        months.append(services.previous_month(months[-1]))
    return months[1:]  # the current month has no statement yet


def _statements(rng: random.Random, facilities: list[Facility], today: datetime.date) -> int:
    private = [
        f for f in facilities if f.kind == FacilityKind.NURSING_HOME and f.ownership == Ownership.PRIVATE
    ]
    escrow = ([f for f in facilities if f.name == DISTRICT_CENTRE] + private)[:ESCROW_INSTITUTIONS]
    Facility.objects.filter(pk__in=[f.pk for f in escrow]).update(has_escrow_account=True)
    months = _months_back(today, 7)
    last_month = months[0]
    # The one institution whose statement is missing: last month's once the 10th has passed, else the month
    # before (whose due date has passed), so the daily job's alert is there to see.
    missing_month = last_month if today.day > services.STATEMENT_DUE_DAY else months[1]
    statements = []
    for index, facility in enumerate(escrow):
        residents = max(10, int(facility.beds * rng.uniform(0.5, 0.9)))
        fee = Decimal(rng.randrange(1800, 4200, 100))
        for month in months:
            if index == 0 and month == missing_month:
                continue  # the one institution whose statement for last month is missing
            prepaid = (residents * fee * Decimal(rng.uniform(1.5, 5.5))).quantize(Decimal("0.01"))
            deposits = (residents * fee * Decimal(rng.uniform(2, 10))).quantize(Decimal("0.01"))
            if month == last_month and index in (3, 7):
                prepaid = residents * fee * 6 + Decimal("12000.00")  # over the 6-month cap
            if month == last_month and index == 11:
                deposits = residents * fee * 12 + Decimal("50000.00")  # deposits over the cap
            statements.append(
                EscrowStatement(
                    facility=facility,
                    month=month,
                    residents=residents,
                    monthly_fee=fee,
                    prepaid_fees_held=prepaid,
                    deposits_held=deposits,
                )
            )
    EscrowStatement.objects.bulk_create(statements)
    # The alerts the statements call for, as the service raises them on save.
    for statement in statements:
        if statement.month == last_month:
            services.statement_evaluate(statement)
    return len(statements)


def missing_statements_job_day(today: datetime.date) -> datetime.date:
    """The day on which the daily job has last raised the alert for the demo's missing statement."""
    if today.day > services.STATEMENT_DUE_DAY:
        return today
    return services.previous_month(today).replace(day=services.STATEMENT_DUE_DAY + 1)


def _inspections(rng: random.Random, facilities: list[Facility], today: datetime.date) -> int:
    inspected = [f for f in facilities if f.kind in (FacilityKind.NURSING_HOME, FacilityKind.TOWN_CENTRE)]
    inspected += rng.sample([f for f in facilities if f.kind == FacilityKind.HAPPINESS_HOME], 20)
    inspections = []
    for facility in inspected:
        inspections.append(
            Inspection(
                facility=facility,
                date=today - datetime.timedelta(days=rng.randrange(5, 200)),
                inspector=f"{_name(rng)}、{_name(rng)}",
            )
        )
    Inspection.objects.bulk_create(inspections)
    hazards = []
    for inspection in inspections:
        for _ in range(rng.choice((0, 1, 1, 2, 3))):
            deadline = inspection.date + datetime.timedelta(days=rng.choice((7, 15, 30, 60)))
            rectified = deadline <= today and rng.random() < 0.8
            hazards.append(
                Hazard(
                    inspection=inspection,
                    facility_id=inspection.facility_id,
                    description=rng.choice(HAZARDS),
                    severity=rng.choice([Severity.MINOR, Severity.MINOR, Severity.MAJOR, Severity.CRITICAL]),
                    deadline=deadline,
                    rectified_on=min(today, deadline - datetime.timedelta(days=rng.randrange(0, 5)))
                    if rectified
                    else None,
                    rectification_note="已整改到位" if rectified else "",
                )
            )
    for hazard in hazards:
        if hazard.rectified_on and hazard.rectified_on < hazard.inspection.date:
            hazard.rectified_on = hazard.inspection.date
    Hazard.objects.bulk_create(hazards)
    return len(hazards)


def _home_care(rng: random.Random, elderly: list[Person], today: datetime.date) -> int:
    projects = []
    order = list(elderly)
    rng.shuffle(order)
    cursor = 0
    for kind, count in HOME_CARE_COUNTS.items():
        for _ in range(count):
            person = order[cursor % len(order)]
            cursor += 1
            status = rng.choice(
                [HomeCareStatus.COMPLETED, HomeCareStatus.COMPLETED, HomeCareStatus.IN_PROGRESS]
            )
            projects.append(
                HomeCareProject(
                    person=person,
                    division_id=home_division(person),
                    kind=kind,
                    contractor=rng.choice(
                        ["章丘康养家政服务中心", "泉城颐家养老服务公司", "明水适老化工程队"]
                    ),
                    subsidy=Decimal({"family_bed": 3000, "home_service": 1200, "renovation": 3500}[kind]),
                    status=status,
                    completed_on=today - datetime.timedelta(days=rng.randrange(10, 300))
                    if status == HomeCareStatus.COMPLETED
                    else None,
                )
            )
    HomeCareProject.objects.bulk_create(projects)
    return len(projects)


def _meals(rng: random.Random, facilities: list[Facility], today: datetime.date) -> int:
    month = services.previous_month(today)
    reports = []
    for facility in facilities:
        if facility.kind == FacilityKind.MEAL_SITE:
            served = rng.randrange(300, 2500)
            reports.append(
                MealReport(
                    facility=facility,
                    month=month,
                    meals_served=served,
                    subsidised_meals=int(served * rng.uniform(0.3, 0.9)),
                )
            )
    MealReport.objects.bulk_create(reports)
    return len(reports)


def _meal_delivery(rng: random.Random, facilities: list[Facility], today: datetime.date) -> tuple[int, int]:
    """Enrol the assistance demo's eligible beneficiaries (up to the seed's 574) with a meal site of their
    town, each enrolled after both their enrollment's start and their 60th birthday, with a delivery record
    for every month since, up to last month."""
    eligible = beneficiaries_on(today, SUBSISTENCE_CATEGORIES)
    # Sixty at least two months ago: room for an enrolment after the birthday month.
    two_months_ago = services.first_of_month(today - datetime.timedelta(days=62))
    sixty = two_months_ago.replace(year=two_months_ago.year - services.ELDERLY_AGE)
    candidates = (
        Person.objects.filter(pk__in=eligible, is_deceased=False, birth_date__lt=sixty)
        .exclude(disability_kind="")
        .order_by("id")[:MEAL_DELIVERY_SEED]
    )
    sites_by_town: dict[str, list[Facility]] = {}
    for facility in facilities:
        if facility.kind == FacilityKind.MEAL_SITE:
            sites_by_town.setdefault(facility.division_id[:9], []).append(facility)
    all_sites = [site for sites in sites_by_town.values() for site in sites]
    enrolments = []
    for person in candidates:
        category, start = eligible[person.pk]
        birthday = services.first_of_month(person.birth_date).replace(year=person.birth_date.year + 60)
        earliest = max(start, birthday + datetime.timedelta(days=31), today - datetime.timedelta(days=540))
        span = (today - datetime.timedelta(days=20) - earliest).days
        enrolled_on = earliest + datetime.timedelta(days=rng.randrange(max(span, 1)))
        division = home_division(person)
        enrolments.append(
            MealDeliveryEnrolment(
                person=person,
                division_id=division,
                facility=rng.choice(sites_by_town.get(division[:9]) or all_sites),
                category=category,
                enrolled_on=min(enrolled_on, today),
            )
        )
    MealDeliveryEnrolment.objects.bulk_create(enrolments)
    last_month = services.previous_month(today)
    deliveries = []
    for enrolment in enrolments:
        month = services.first_of_month(enrolment.enrolled_on)
        while month <= last_month:
            deliveries.append(
                MealDelivery(enrolment=enrolment, month=month, meals_delivered=rng.randrange(20, 31))
            )
            month = (month + datetime.timedelta(days=32)).replace(day=1)
    MealDelivery.objects.bulk_create(deliveries, batch_size=2000)
    return len(enrolments), len(deliveries)


def _training(rng: random.Random, caregivers: list[Person], today: datetime.date) -> int:
    trainings: list[CaregiverTraining] = []
    seen: set[tuple[int, str, datetime.date]] = set()
    index = 0
    while len(trainings) < TRAININGS:
        person = caregivers[index % len(caregivers)]
        index += 1
        course, hours, level = COURSES[rng.randrange(len(COURSES))]
        date = today - datetime.timedelta(days=rng.randrange(1, 365))
        if (person.pk, course, date) in seen:
            continue
        seen.add((person.pk, course, date))
        trainings.append(
            CaregiverTraining(
                person=person,
                division_id=home_division(person),
                course=course,
                hours=hours,
                date=date,
                certificate_level=level,
            )
        )
    CaregiverTraining.objects.bulk_create(trainings)
    awards = [
        ("全省养老护理职业技能竞赛一等奖", AwardLevel.PROVINCIAL),
        ("山东省技术能手", AwardLevel.PROVINCIAL),
        ("全市养老护理员职业技能竞赛一等奖", AwardLevel.MUNICIPAL),
        ("全市养老护理员职业技能竞赛优秀奖", AwardLevel.MUNICIPAL),
    ]
    CaregiverAward.objects.bulk_create(
        CaregiverAward(
            person=caregivers[i],
            division_id=home_division(caregivers[i]),
            title=title,
            level=level,
            awarded_on=today - datetime.timedelta(days=60 + i),
        )
        for i, (title, level) in enumerate(awards)
    )
    return len(trainings)


def load(out: TextIOBase | Any) -> None:
    if Facility.objects.filter(name=DISTRICT_CENTRE).exists():
        out.write("Elder care: demo data already loaded.\n")
        return
    rng = random.Random(20231231)
    today = timezone.localdate()
    towns = list(Division.objects.filter(level=DivisionLevel.TOWN).order_by("code"))
    villages = list(
        Division.objects.filter(level=DivisionLevel.VILLAGE).order_by("code").values_list("code", flat=True)
    )
    with transaction.atomic():
        facilities = _facilities(rng, towns, villages, today)
        statements = _statements(rng, facilities, today)
        hazards = _inspections(rng, facilities, today)
        elderly = _people(rng, ELDERLY_PEOPLE, datetime.date(1934, 1, 1), ELDERLY_SEQUENCE, villages)
        projects = _home_care(rng, elderly, today)
        meals = _meals(rng, facilities, today)
        enrolled, delivered = _meal_delivery(rng, facilities, today)
        caregivers = _people(rng, CAREGIVERS, datetime.date(1966, 1, 1), CAREGIVER_SEQUENCE, villages)
        trainings = _training(rng, caregivers, today)
        missing = services.raise_missing_statements(today=missing_statements_job_day(today))
        overdue = services.raise_overdue_rectifications(today=today)
        audit_record(
            actor=None,
            action="demo_load",
            object_type="eldercare",
            changes={
                "facilities": [None, len(facilities)],
                "statements": [None, statements],
                "projects": [None, projects],
            },
        )
    out.write(
        f"Elder care: {len(facilities)} facilities, {statements} escrow statements, {hazards} hazards, "
        f"{projects} home-care projects, {meals} meal reports, {enrolled} meal-delivery enrolments with "
        f"{delivered} monthly deliveries, {trainings} trainings; "
        f"alerts raised: {missing} missing statements, {overdue} overdue rectifications.\n"
    )
