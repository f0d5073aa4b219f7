"""Demo data of funeral work (issue #11, item 7): a year of deaths, eco-burial subsidies by burial type summing
to the seed's 2.98 million yuan, fee waivers, four public-welfare cemeteries, councils in the seed's villages.

Deaths of assistance beneficiaries go through the death service, so their effects happen (enrollments
terminated or recomputed, overpayments where the last two months were already paid); the other deaths, with
nothing to react to, are bulk-inserted. Idempotent: each part is keyed by a natural key (the first demo
deceased's ID number, cemetery names, council villages) and skipped when present.
"""

from __future__ import annotations

import datetime
import random
from decimal import Decimal
from io import TextIOBase

from django.db import transaction
from django.utils import timezone

from assistance import jobs
from assistance.models import Enrollment, PaymentBatch
from assistance.workflow import EnrollmentStatus
from civil_affairs.accounts.models import User
from civil_affairs.audit.services import audit_record
from civil_affairs.demo import GIVEN, SURNAMES
from civil_affairs.divisions.models import Division, DivisionLevel
from civil_affairs.errors import DomainError
from civil_affairs.people.id_numbers import compose_id_number
from civil_affairs.people.models import Person
from civil_affairs.people.services import home_division

from . import rules, services
from .models import BurialSubsidy, Cemetery, CouncilEvent, DeathRecord, PlotAllocation, VillageCouncil
from .rules import BurialType
from .workflow import SubsidyState

# Demo deceased: area 370181, sequences 300–399 (the kernel uses 0–239 there, assistance 500–999), one person
# per birth date, so numbers never collide.
AREA = "370181"
FIRST_SEQUENCE = 300
FIRST_BIRTH = datetime.date(1928, 1, 1)
DEATHS = 1_400
# Paid subsidies per burial type: 4000 × 110 + 3000 × 640 + 2000 × 150 + 1000 × 320 = 2,980,000 yuan (seed).
PAID_SUBSIDIES = {
    BurialType.SCATTERING: 60,
    BurialType.SEA: 50,
    BurialType.DEGRADABLE_URN: 180,
    BurialType.TREE: 250,
    BurialType.FLOWER: 120,
    BurialType.LAWN: 90,
    BurialType.DEEP_NO_MOUND: 150,
    BurialType.NICHE: 320,
}
# Beneficiaries whose deaths go through the service: one-person enrollments whose last two months were already
# paid (overpayments), then other one-person and household enrollments.
OVERPAID_DEATHS = 12
OTHER_BENEFICIARY_DEATHS = 36
PENDING_SUBSIDIES = 18
CEMETERIES = [
    ("双山街道马安公益性公墓", "双山街道", 800),
    ("白云湖街道杨北公益性公墓", "白云湖街道", 600),
    ("相公庄街道桑园公益性公墓", "相公庄街道", 500),
    ("垛庄镇公益性公墓", "垛庄镇", 400),
]
SEED_COUNCIL_VILLAGES = ["马安村", "杨北村", "桑园村"]
OTHER_COUNCILS = 9
PLACES = ["家中", "章丘区人民医院", "章丘区中医医院", "明水街道社区卫生服务中心", "养老院"]


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def _day_in_last_year(rng: random.Random, today: datetime.date) -> datetime.date:
    return today - datetime.timedelta(days=rng.randrange(3, 365))


def load_deaths(today: datetime.date) -> int:
    """The bulk of the year's deaths (people with no benefits to end) with their paid eco-burial subsidies."""
    marker = compose_id_number(AREA, FIRST_BIRTH, FIRST_SEQUENCE, "female")
    if Person.objects.filter(id_number=marker).exists():
        return 0
    rng = random.Random(2023_11)
    villages = list(Division.objects.filter(level=DivisionLevel.VILLAGE).values_list("code", flat=True))
    officer = User.objects.filter(username="funeral_officer").first()
    applicants = list(
        Person.objects.filter(is_deceased=False).order_by("id").values_list("id", "division_id")[:2000]
    )
    if not villages or officer is None or not applicants:
        return 0
    people = []
    for index in range(DEATHS):
        birth = FIRST_BIRTH + datetime.timedelta(days=index * 13)
        sex = "female" if index % 2 == 0 else "male"
        died = _day_in_last_year(rng, today)
        people.append(
            Person(
                id_number=compose_id_number(AREA, birth, FIRST_SEQUENCE + (index % 50) * 2, sex),
                name=_name(rng),
                sex=sex,
                birth_date=birth,
                division_id=villages[index % len(villages)],
                is_deceased=True,
                date_of_death=died,
            )
        )
    Person.objects.bulk_create(people)
    records = []
    for person in people:
        assert person.date_of_death is not None
        cremated = rng.random() < 0.93
        records.append(
            DeathRecord(
                person=person,
                division_id=home_division(person),
                date_of_death=person.date_of_death,
                place=rng.choice(PLACES),
                cremated=cremated,
                cremated_on=min(person.date_of_death + datetime.timedelta(days=rng.randrange(1, 4)), today)
                if cremated
                else None,
                recorded_by=officer,
            )
        )
    DeathRecord.objects.bulk_create(records)
    amounts = rules.burial_subsidy_amounts()
    burial_types = [kind for kind, count in PAID_SUBSIDIES.items() for _ in range(count)]
    subsidies = []
    for person, burial_type in zip(people, burial_types, strict=False):
        assert person.date_of_death is not None
        buried = min(person.date_of_death + datetime.timedelta(days=rng.randrange(2, 20)), today)
        subsidies.append(
            BurialSubsidy(
                deceased=person,
                division_id=home_division(person),
                burial_type=burial_type,
                applicant_id=applicants[rng.randrange(len(applicants))][0],
                burial_date=buried,
                amount=amounts[burial_type],
                state=SubsidyState.PAID,
                submitted_by=officer,
                decided_at=timezone.now(),
                paid_on=min(buried + datetime.timedelta(days=rng.randrange(10, 40)), today),
            )
        )
    BurialSubsidy.objects.bulk_create(subsidies)
    audit_record(
        actor=None,
        action="load_demo",
        object_type="funeral.deathrecord",
        object_id="*",
        changes={"deaths": [0, len(records)], "burial_subsidies": [0, len(subsidies)]},
    )
    return len(records)


def _pay(month: datetime.date, reviewer: User) -> None:
    if not PaymentBatch.objects.filter(month=month).exists():
        batch = jobs.payment_batch_create(actor=reviewer, month=month, queue_job=False)
        jobs.payment_batch_run(batch_id=batch.pk)


def _record(officer: User, person: Person, died: datetime.date, rng: random.Random) -> DeathRecord | None:
    try:
        return services.death_record(
            actor=officer,
            person=person,
            date_of_death=died,
            place=rng.choice(PLACES),
            cremated=True,
            cremated_on=died,
        )
    except DomainError:
        return None


def load_beneficiary_deaths(today: datetime.date) -> int:
    """Deaths of assistance beneficiaries, through the death service: their enrollments end or shrink; the
    first group's last two months were already paid (overpayments to recover). Each gets its fee waiver."""
    if DeathRecord.objects.filter(beneficiary_category__gt="").exists():
        return 0
    officer = User.objects.filter(username="funeral_officer").first()
    reviewer = User.objects.filter(username="district_reviewer").first()
    if officer is None or reviewer is None:
        return 0
    rng = random.Random(2023_12)
    this_month = today.replace(day=1)
    paid_months = [(this_month - datetime.timedelta(days=40)).replace(day=1), this_month]
    death_month = (paid_months[0] - datetime.timedelta(days=1)).replace(day=1)
    in_force = Enrollment.objects.filter(
        status=EnrollmentStatus.ACTIVE,
        category__in=rules.FEE_WAIVER_CATEGORIES,
        start__lte=death_month,
        covered_members__is_deceased=False,
    ).order_by("id")
    single = list(in_force.filter(covered_count=1).prefetch_related("covered_members")[: OVERPAID_DEATHS * 2])
    households = list(in_force.filter(covered_count__gte=3).prefetch_related("covered_members")[:12])
    for month in paid_months:
        _pay(month, reviewer)
    recorded = []
    for enrollment in single[:OVERPAID_DEATHS]:
        died = death_month + datetime.timedelta(days=rng.randrange(0, 25))
        recorded.append(_record(officer, enrollment.covered_members.all()[0], died, rng))
    others = [e.covered_members.all()[0] for e in single[OVERPAID_DEATHS:]]
    others += [list(e.covered_members.all())[-1] for e in households]
    for person in others[:OTHER_BENEFICIARY_DEATHS]:
        died = max(_day_in_last_year(rng, today), person.birth_date)
        recorded.append(_record(officer, person, died, rng))
    waived = 0
    for record in recorded:
        if record is not None and record.beneficiary_category:
            try:
                services.fee_waiver_grant(actor=officer, deceased=record.person)
                waived += 1
            except DomainError:
                continue
    return waived


def load_pending_subsidies(today: datetime.date) -> int:
    """A few subsidies still in the workflow, filed and decided through the services (four eyes)."""
    if BurialSubsidy.objects.exclude(state=SubsidyState.PAID).exists():
        return 0
    officer = User.objects.filter(username="funeral_officer").first()
    reviewer = User.objects.filter(username="district_reviewer").first()
    if officer is None or reviewer is None:
        return 0
    rng = random.Random(2024_01)
    recent = list(
        DeathRecord.objects.filter(
            person__burial_subsidy__isnull=True, date_of_death__gte=today - datetime.timedelta(days=60)
        )
        .select_related("person")
        .order_by("-date_of_death")[:PENDING_SUBSIDIES]
    )
    applicant = Person.objects.filter(is_deceased=False).order_by("id").first()
    if applicant is None:
        return 0
    filed = 0
    for index, record in enumerate(recent):
        try:
            subsidy = services.burial_subsidy_submit(
                actor=officer,
                deceased=record.person,
                burial_type=rng.choice(BurialType.values),
                applicant=applicant,
                burial_date=min(record.date_of_death + datetime.timedelta(days=3), today),
            )
            if index % 3 == 1:
                services.burial_subsidy_approve(actor=reviewer, subsidy=subsidy)
            elif index % 6 == 2:
                services.burial_subsidy_reject(
                    actor=reviewer, subsidy=subsidy, reason="安葬方式不符合生态安葬条件"
                )
        except DomainError:
            continue
        filed += 1
    return filed


def load_cemeteries() -> int:
    created = 0
    towns = dict(Division.objects.filter(level=DivisionLevel.TOWN).values_list("name", "code"))
    for name, town, plots in CEMETERIES:
        if town not in towns or Cemetery.objects.filter(name=name).exists():
            continue
        Cemetery.objects.create(name=name, division_id=towns[town], plots_total=plots)
        created += 1
    if created:
        # The year's niche and deep burials rest in the new cemeteries, in plot order.
        cemeteries = list(Cemetery.objects.order_by("name"))
        taken = set(PlotAllocation.objects.values_list("deceased_id", flat=True))
        buried = [
            pid
            for pid in BurialSubsidy.objects.filter(
                burial_type__in=[BurialType.DEEP_NO_MOUND, BurialType.LAWN], state=SubsidyState.PAID
            )
            .order_by("id")
            .values_list("deceased_id", flat=True)
            if pid not in taken
        ]
        allocations = []
        for index, person_id in enumerate(buried):
            cemetery = cemeteries[index % len(cemeteries)]
            if cemetery.plots_used >= cemetery.plots_total:
                continue
            cemetery.plots_used += 1
            allocations.append(
                PlotAllocation(cemetery=cemetery, plot=cemetery.plots_used, deceased_id=person_id)
            )
        PlotAllocation.objects.bulk_create(allocations)
        for cemetery in cemeteries:
            cemetery.save(update_fields=["plots_used"])
        audit_record(
            actor=None,
            action="load_demo",
            object_type="funeral.cemetery",
            object_id="*",
            changes={"cemeteries": [0, created], "plots": [0, len(allocations)]},
        )
    return created


def load_councils(today: datetime.date) -> int:
    rng = random.Random(2023_03)
    seed = list(Division.objects.filter(level=DivisionLevel.VILLAGE, name__in=SEED_COUNCIL_VILLAGES))
    others = list(
        Division.objects.filter(level=DivisionLevel.VILLAGE)
        .exclude(name__in=SEED_COUNCIL_VILLAGES)
        .order_by("code")
    )
    villages = seed + others[:: max(1, len(others) // OTHER_COUNCILS)][:OTHER_COUNCILS]
    existing = set(VillageCouncil.objects.values_list("division_id", flat=True))
    councils = []
    for village in villages:
        if village.code in existing:
            continue
        members = [_name(rng) for _ in range(rng.randrange(5, 9))]
        councils.append(
            VillageCouncil(
                division=village,
                chair=members[0],
                members=members,
                charter_date=today - datetime.timedelta(days=rng.randrange(400, 1500)),
            )
        )
    VillageCouncil.objects.bulk_create(councils)
    events = []
    for council in councils:
        for _ in range(rng.randrange(6, 18)):
            kind = rng.choice(["wedding", "funeral"])
            events.append(
                CouncilEvent(
                    council=council,
                    kind=kind,
                    held_on=_day_in_last_year(rng, today),
                    family=rng.choice(SURNAMES) + "家",
                    guests=rng.randrange(20, 120),
                    cost=Decimal(rng.randrange(20, 200) * 100),
                    note="简办：不收礼金、不放鞭炮" if kind == "funeral" else "新事新办：婚宴不超过10桌",
                )
            )
    CouncilEvent.objects.bulk_create(events)
    return len(councils)


def load(out: TextIOBase) -> None:
    today = timezone.localdate()
    with transaction.atomic():
        out.write(f"funeral deaths: {load_deaths(today)} created\n")
    out.write(f"funeral beneficiary deaths with fee waivers: {load_beneficiary_deaths(today)} created\n")
    with transaction.atomic():
        out.write(f"funeral subsidies in the workflow: {load_pending_subsidies(today)} created\n")
        out.write(f"funeral cemeteries: {load_cemeteries()} created\n")
        out.write(f"funeral village councils: {load_councils(today)} created\n")
