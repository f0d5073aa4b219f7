"""Demo data of social assistance: standards (demo figures), households across the 18 towns/streets,
applications in every state and a few thousand enrollments (issue #3, item 8).

Idempotent: standards are looked up by (category, date); the households are made once, keyed by the
first demo resident's ID number. Everything is bulk-inserted, so a load takes seconds.
"""

from __future__ import annotations

import datetime
import random
from decimal import Decimal
from io import TextIOBase

from django.db import connection, transaction
from django.utils import timezone

from civil_affairs.accounts.models import User
from civil_affairs.audit.services import audit_record
from civil_affairs.demo import GIVEN, SURNAMES
from civil_affairs.divisions.models import Division, DivisionLevel
from civil_affairs.people.id_numbers import compose_id_number
from civil_affairs.people.models import Person

from . import rules
from .models import Application, Enrollment, EnrollmentAmount, Household, HouseholdMember, Standard
from .rules import Category
from .workflow import EnrollmentStatus, State

# Demo figures only, not the district's published standards. 特困 is 1.3 × 低保 (SPEC §11).
DEMO_STANDARDS = {
    Category.DIBAO_URBAN: ("962.00", "1010.00"),
    Category.DIBAO_RURAL: ("824.00", "865.00"),
    Category.TEKUN_URBAN: ("1251.00", "1313.00"),
    Category.TEKUN_RURAL: ("1071.00", "1125.00"),
    Category.ORPHAN_INSTITUTION: ("1905.00", "2000.00"),
    Category.ORPHAN_COMMUNITY: ("1429.00", "1500.00"),
    Category.UNSUPPORTED_CHILD: ("1429.00", "1500.00"),
    Category.DISABILITY_LIVING: ("95.00", "100.00"),
    Category.DISABILITY_CARE: ("95.00", "100.00"),
}
HOUSEHOLDS = 3_400
# The demo residents' ID numbers use the former 章丘市 area code and sequences 500–999, which no other
# demo loader uses.
AREA = "370181"
FIRST_SEQUENCE = 500
# Share of households per category (weights) and the family sizes drawn for them.
CATEGORY_WEIGHTS = [
    (Category.DIBAO_URBAN, 18),
    (Category.DIBAO_RURAL, 40),
    (Category.TEKUN_URBAN, 3),
    (Category.TEKUN_RURAL, 12),
    (Category.ORPHAN_INSTITUTION, 1),
    (Category.ORPHAN_COMMUNITY, 2),
    (Category.UNSUPPORTED_CHILD, 2),
    (Category.DISABILITY_LIVING, 12),
    (Category.DISABILITY_CARE, 10),
]
OPEN_STATE_SHARE = 0.08  # households whose application is still under review


def load_standards(year: int) -> int:
    created = 0
    for category, (previous, current) in DEMO_STANDARDS.items():
        for effective_from, amount in (
            (datetime.date(year - 1, 1, 1), previous),
            (datetime.date(year, 1, 1), current),
        ):
            _standard, was_created = Standard.objects.get_or_create(
                category=category,
                effective_from=effective_from,
                defaults={"monthly_amount": Decimal(amount), "is_demo": True},
            )
            created += was_created
    return created


def _size_for(category: str, rng: random.Random) -> int:
    if category in rules.GAP_CATEGORIES:
        return rng.choice((1, 1, 2, 2, 3, 3, 4, 5))
    return rng.choice((1, 1, 1, 2))


def load_households(today: datetime.date) -> int:
    first_number = compose_id_number(AREA, datetime.date(1950, 1, 1), FIRST_SEQUENCE, "male")
    if Person.objects.filter(id_number=first_number).exists():
        return 0
    rng = random.Random(2023)
    actor = User.objects.filter(username="mingshui_caseworker").first() or User.objects.order_by("id").first()
    if actor is None:
        return 0
    villages = list(Division.objects.filter(level=DivisionLevel.VILLAGE).values_list("code", "is_urban"))
    standards = {(s.category, s.effective_from): s.monthly_amount for s in Standard.objects.all()}
    categories, weights = zip(*CATEGORY_WEIGHTS, strict=True)

    people, plans = [], []
    serial = 0
    for index in range(HOUSEHOLDS):
        code, urban = villages[index % len(villages)]
        category = rng.choices(categories, weights)[0]
        if category in (Category.DIBAO_URBAN, Category.DIBAO_RURAL):
            category = Category.DIBAO_URBAN if urban else Category.DIBAO_RURAL
        if category in (Category.TEKUN_URBAN, Category.TEKUN_RURAL):
            category = Category.TEKUN_URBAN if urban else Category.TEKUN_RURAL
        rows = []
        for position in range(_size_for(category, rng)):
            sex = rng.choice(("male", "female"))
            birth = datetime.date(1940, 1, 1) + datetime.timedelta(days=rng.randrange(0, 365 * 70))
            number = compose_id_number(AREA, birth, FIRST_SEQUENCE + serial % 500, sex)
            if serial == 0:
                number = first_number
                birth, sex = datetime.date(1950, 1, 1), "male"
            serial += 1
            name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))
            people.append(
                Person(
                    id_number=number,
                    name=name,
                    sex=sex,
                    birth_date=birth,
                    division_id=code,
                    phone=f"1{rng.choice('3578')}{rng.randrange(10**8, 10**9)}",
                )
            )
            income = Decimal(0) if position == 0 or rng.random() < 0.5 else Decimal(rng.randrange(0, 900))
            rows.append(
                (number, "self" if position == 0 else rng.choice(("spouse", "child", "parent")), income)
            )
        plans.append((code, category, rows))

    with transaction.atomic():
        Person.objects.bulk_create(people, ignore_conflicts=True)
        person_ids = dict(
            Person.objects.filter(id_number__in=[p.id_number for p in people]).values_list("id_number", "id")
        )
        taken = set(
            HouseholdMember.objects.filter(person_id__in=person_ids.values()).values_list(
                "person_id", flat=True
            )
        )
        households = Household.objects.bulk_create(
            Household(division_id=code, address=f"{code[-3:]}号院{index + 1}户")
            for index, (code, _c, _m) in enumerate(plans)
        )
        members, applications, enrollment_plans = [], [], []
        for household, (code, category, rows) in zip(households, plans, strict=True):
            ids, total_income = [], Decimal(0)
            for number, relation, income in rows:
                person_id = person_ids[number]
                if person_id in taken:  # an ID number drawn twice: the person is in a household already
                    continue
                taken.add(person_id)
                ids.append(person_id)
                total_income += income
                members.append(
                    HouseholdMember(
                        household=household,
                        person_id=person_id,
                        relation=relation if ids[1:] else "self",
                        monthly_income=income,
                    )
                )
            if not ids:
                continue
            state = _demo_state(rng)
            decided = state in (State.APPROVED, State.REJECTED)
            submitted_days_ago = rng.randrange(20, 900) if decided else rng.randrange(0, 40)
            notice_from = (
                today - datetime.timedelta(days=max(submitted_days_ago - 5, 0))
                if state in (State.PUBLICISED, State.APPROVED, State.REJECTED)
                else None
            )
            application = Application(
                household=household,
                division_id=code,
                category=category,
                state=state,
                received_on=today - datetime.timedelta(days=submitted_days_ago),
                submitted_by=actor,
                notice_from=notice_from,
                investigation_report="入户调查：家庭收入、财产情况属实。"
                if state not in (State.SUBMITTED, State.ACCEPTED)
                else "",
                decided_at=timezone.now() - datetime.timedelta(days=submitted_days_ago - 12)
                if decided
                else None,
                decision_reason="家庭人均收入高于当地低保标准。" if state == State.REJECTED else "",
            )
            applications.append((application, ids))
            if state == State.APPROVED:
                decided_on = today - datetime.timedelta(days=submitted_days_ago - 12)
                enrollment_plans.append(
                    (application, household, code, category, ids, total_income, decided_on)
                )
        HouseholdMember.objects.bulk_create(members)
        Application.objects.bulk_create([a for a, _ids in applications])
        Application.covered_members.through.objects.bulk_create(
            Application.covered_members.through(application_id=a.pk, person_id=pid)
            for a, ids in applications
            for pid in ids
        )
        enrollments = []
        for application, household, code, category, ids, total_income, decided_on in enrollment_plans:
            start = rules.first_of_next_month(decided_on)
            standard = (
                standards.get((category, datetime.date(start.year, 1, 1)))
                or standards[(category, datetime.date(today.year, 1, 1))]
            )
            amount = rules.monthly_amount(
                category=category,
                standard=standard,
                total_income=total_income,
                member_count=len(ids),
                covered_count=len(ids),
            )
            status = EnrollmentStatus.ACTIVE if rng.random() > 0.04 else EnrollmentStatus.SUSPENDED
            enrollments.append(
                Enrollment(
                    application=application,
                    household=household,
                    division_id=code,
                    category=category,
                    total_income=total_income,
                    member_count=len(ids),
                    covered_count=len(ids),
                    monthly_amount=amount,
                    start=start,
                    status=status,
                    status_reason="待复核家庭收入变化" if status == EnrollmentStatus.SUSPENDED else "",
                    next_review=rules.next_review(start, irregular_income=rng.random() < 0.3),
                )
            )
        Enrollment.objects.bulk_create(enrollments)
        Enrollment.covered_members.through.objects.bulk_create(
            Enrollment.covered_members.through(enrollment_id=e.pk, person_id=pid)
            for e, plan in zip(enrollments, enrollment_plans, strict=True)
            for pid in plan[4]
        )
        EnrollmentAmount.objects.bulk_create(
            EnrollmentAmount(enrollment=e, monthly_amount=e.monthly_amount, effective_from=e.start)
            for e in enrollments
        )
        audit_record(
            actor=None,
            action="load_demo",
            object_type="assistance.household",
            object_id="*",
            changes={"households": [0, len(households)], "enrollments": [0, len(enrollments)]},
        )
    return len(households)


def _demo_state(rng: random.Random) -> str:
    if rng.random() < OPEN_STATE_SHARE:
        return rng.choice([State.SUBMITTED, State.ACCEPTED, State.INVESTIGATED, State.PUBLICISED])
    return rng.choices([State.APPROVED, State.REJECTED, State.WITHDRAWN], [90, 6, 4])[0]


# The banks the demo payees are paid through (their 章丘 branches), and the card number prefixes (BIN) each
# issues: a demo account is the prefix and digits drawn from the enrollment's id, 19 digits in all.
DEMO_BANKS = [
    ("中国农业银行济南章丘支行", "622848"),
    ("中国工商银行济南章丘支行", "622202"),
    ("中国建设银行济南章丘支行", "621700"),
    ("中国邮政储蓄银行济南章丘区支行", "621799"),
    ("章丘农村商业银行", "623059"),
]

# Demo enrollments without bank details get the household head as payee, an account and a bank; suspended
# ones without a suspension period get one from a few weeks ago (or from their start). Idempotent.
DEMO_PAYEES_SQL = """
UPDATE assistance_enrollment AS e
   SET payee = p.name,
       bank_account = (%(prefixes)s::text[])[1 + e.id %% %(banks)s] || lpad((e.id * 7919 %% 10000000000000)::text, 13, '0'),
       bank_name = (%(banks_named)s::text[])[1 + e.id %% %(banks)s]
  FROM assistance_householdmember AS m
  JOIN people_person AS p ON p.id = m.person_id
 WHERE m.household_id = e.household_id AND m.relation = 'self' AND e.bank_account = ''
   AND p.id_number LIKE %(area)s
"""
DEMO_SUSPENSIONS_SQL = """
INSERT INTO assistance_enrollmentsuspension (enrollment_id, start, "end", reason, created_at)
SELECT e.id, GREATEST(e.start, %(today)s::date - (5 + e.id %% 60)::integer), NULL, e.status_reason, now()
  FROM assistance_enrollment AS e
 WHERE e.status = 'suspended'
   AND NOT EXISTS (SELECT 1 FROM assistance_enrollmentsuspension AS s
                    WHERE s.enrollment_id = e.id AND s."end" IS NULL)
"""


def load_payees(today: datetime.date) -> tuple[int, int]:
    """Bank details for the demo enrollments and dated suspensions for the suspended ones (SPEC §4.3)."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            DEMO_PAYEES_SQL,
            {
                "prefixes": [prefix for _bank, prefix in DEMO_BANKS],
                "banks_named": [bank for bank, _prefix in DEMO_BANKS],
                "banks": len(DEMO_BANKS),
                "area": f"{AREA}%",
            },
        )
        payees = cursor.rowcount
        cursor.execute(DEMO_SUSPENSIONS_SQL, {"today": today})
        suspensions = cursor.rowcount
        if payees or suspensions:
            audit_record(
                actor=None,
                action="load_demo",
                object_type="assistance.enrollment",
                object_id="*",
                changes={"bank_details": [0, payees], "suspensions": [0, suspensions]},
            )
    return payees, suspensions


def load(out: TextIOBase) -> None:
    today = timezone.localdate()
    out.write(f"assistance standards: {load_standards(today.year)} created\n")
    out.write(f"assistance households: {load_households(today)} created\n")
    payees, suspensions = load_payees(today)
    out.write(f"assistance bank details: {payees} set; suspension periods: {suspensions} created\n")
