"""Demo data of social assistance: standards (demo figures), households across the 18 towns/streets,
applications in every state and a few thousand enrollments (issue #3, item 8).

Idempotent: standards are looked up by (category, date); the households are made once, keyed by the
first demo resident's ID number. Everything is bulk-inserted, so a load takes seconds.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass
from decimal import Decimal
from io import TextIOBase
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from civil_affairs.accounts.models import User
from civil_affairs.audit.services import audit_record
from civil_affairs.calendar import add_working_days
from civil_affairs.demo import GIVEN, SURNAMES
from civil_affairs.divisions.models import Division, DivisionLevel
from civil_affairs.people.id_numbers import compose_id_number
from civil_affairs.people.models import Person
from civil_affairs.workflow.models import StateChange

from . import rules
from .models import (
    Application,
    Enrollment,
    EnrollmentAmount,
    Household,
    HouseholdMember,
    Payment,
    PaymentBatch,
    Recheck,
    Standard,
)
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


# Disability certificates drawn for the demo (kind, grade).
SEVERE_FOR_TEKUN = [("intellectual", 2), ("mental", 3), ("physical", 1), ("visual", 1)]
ANY_CERTIFICATE = [
    ("physical", 3),
    ("physical", 4),
    ("hearing", 2),
    ("speech", 3),
    ("visual", 2),
    ("multiple", 2),
]
SEVERE_FOR_CARE = [("physical", 1), ("physical", 2), ("intellectual", 1), ("mental", 2), ("multiple", 1)]
DEMO_REPORT = "入户调查：家庭收入、财产情况属实。"
DEMO_RECHECK_REPORT = "复核：家庭人口、收入、财产情况无明显变化。"
DEMO_RECHECK_RAISED = "复核：家庭成员外出务工，月收入明显增加。"
DEMO_REJECTED_AFTER_VISIT = "入户调查发现家庭有机动车辆和经营性收入，不符合条件。"
DEMO_REJECTED_INCOME = "家庭人均收入不低于当地低保标准。"
DEMO_EXTENSION = "需补充外出务工人员收入证明。"


def _born(today: datetime.date, rng: random.Random, youngest: int, oldest: int) -> datetime.date:
    """A birth date giving an age from ``youngest`` to ``oldest`` today."""
    latest = rules.add_months(today, -12 * youngest)
    earliest = rules.add_months(today, -12 * (oldest + 1)) + datetime.timedelta(days=1)
    return earliest + datetime.timedelta(days=rng.randrange(0, max(1, (latest - earliest).days)))


@dataclass
class DemoPerson:
    birth: datetime.date
    relation: str
    income: Decimal
    covered: bool = True
    certificate: tuple[str, int] | None = None


def _household_people(category: str, today: datetime.date, rng: random.Random) -> list[DemoPerson]:
    """The members of a demo household applying for ``category``, eligible as SPEC §4.2 asks."""
    if category in rules.CHILD_CATEGORIES:
        child = DemoPerson(_born(today, rng, 6, 16), "self", Decimal(0))
        if rng.random() < 0.5:  # with a grandparent who looks after the child, not covered
            return [
                child,
                DemoPerson(_born(today, rng, 62, 80), "grandparent", Decimal(rng.randrange(0, 400)), False),
            ]
        return [child]
    if category in rules.TEKUN:
        if rng.random() < 0.8:  # 60 or over since before the application (up to 3 years back)
            return [DemoPerson(_born(today, rng, 64, 92), "self", Decimal(0))]
        return [
            DemoPerson(
                _born(today, rng, 25, 59), "self", Decimal(0), certificate=rng.choice(SEVERE_FOR_TEKUN)
            )
        ]
    if category == Category.DISABILITY_CARE:
        return [
            DemoPerson(_born(today, rng, 20, 85), "self", Decimal(0), certificate=rng.choice(SEVERE_FOR_CARE))
        ]
    size = rng.choice((1, 1, 2, 2, 3, 3, 4, 5))
    # A few households earn the standard or more: their application is refused, never approved at 0.00.
    well_off = rng.random() < 0.04
    members = []
    for position in range(size):
        relation = "self" if position == 0 else rng.choice(("spouse", "child", "parent"))
        ages = {"self": (25, 80), "spouse": (25, 80), "child": (4, 30), "parent": (55, 90)}
        youngest, oldest = ages[relation]
        income = Decimal(0) if position == 0 or rng.random() < 0.5 else Decimal(rng.randrange(0, 900))
        if well_off:
            income = Decimal(rng.randrange(1100, 2500))
        members.append(DemoPerson(_born(today, rng, youngest, oldest), relation, income))
    if category == Category.DISABILITY_LIVING:  # a 低保 household with a disabled member
        members[-1].certificate = rng.choice(ANY_CERTIFICATE + SEVERE_FOR_CARE)
    return members


@dataclass
class DemoCase:
    """One demo application's story: the state it reached and the dated steps that brought it there."""

    state: str
    steps: list[tuple[str, str, str, datetime.date, str]]  # action, from, to, day, note
    received_on: datetime.date
    accepted_on: datetime.date | None = None
    visited_on: datetime.date | None = None
    notice_from: datetime.date | None = None
    decided_on: datetime.date | None = None
    decision_reason: str = ""
    extension_reason: str = ""


def _case(
    state: str,
    today: datetime.date,
    rng: random.Random,
    *,
    reject_after_visit: bool,
    received_after: datetime.date | None = None,
) -> DemoCase:
    """Dates in order, none in the future: received, accepted, visited, noticed, decided (SPEC §4.2). A case
    decided is received at least 45 days ago, so its notice has run before its decision."""

    def after(day: datetime.date, low: int, high: int) -> datetime.date:
        return min(today, day + datetime.timedelta(days=rng.randint(low, high)))

    if state == State.SUBMITTED:
        received = today - datetime.timedelta(days=rng.randint(0, 6))
        return DemoCase(state, [("submit", "", State.SUBMITTED, received, "")], received)
    if received_after is not None:
        received = received_after + datetime.timedelta(days=rng.randint(0, 15))
    elif state in (State.APPROVED, State.REJECTED, State.WITHDRAWN):
        received = today - datetime.timedelta(days=rng.randint(45, 1100))
    else:
        received = today - datetime.timedelta(days=rng.randint(5, 35))
    case = DemoCase(state, [("submit", "", State.SUBMITTED, received, "")], received)
    stages: int = {
        str(State.ACCEPTED): 1,
        str(State.INVESTIGATED): 2,
        str(State.PUBLICISED): 3,
        str(State.APPROVED): 3,
        str(State.REJECTED): 2 if reject_after_visit else 3,
        str(State.WITHDRAWN): rng.randint(1, 3),
    }[state]
    case.accepted_on = after(received, 0, 3)
    case.steps.append(("accept", State.SUBMITTED, State.ACCEPTED, case.accepted_on, ""))
    if stages >= 2:
        case.visited_on = after(case.accepted_on, 1, 8)
        case.steps.append(("investigate", State.ACCEPTED, State.INVESTIGATED, case.visited_on, DEMO_REPORT))
    if stages >= 3:
        assert case.visited_on is not None
        case.notice_from = after(case.visited_on, 0, 3)
        case.steps.append(("publicise", State.INVESTIGATED, State.PUBLICISED, case.notice_from, ""))
    last_state, last_day = case.steps[-1][2], case.steps[-1][3]
    if state == State.APPROVED:
        assert case.notice_from is not None
        case.decided_on = after(rules.notice_ends(case.notice_from), 0, 6)
        case.steps.append(("approve", State.PUBLICISED, State.APPROVED, case.decided_on, ""))
    elif state == State.REJECTED:
        start = rules.notice_ends(case.notice_from) if case.notice_from else last_day
        case.decided_on = after(start, 1, 8)
        case.decision_reason = DEMO_REJECTED_AFTER_VISIT
        case.steps.append(("reject", last_state, State.REJECTED, case.decided_on, case.decision_reason))
    elif state == State.WITHDRAWN:
        case.steps.append(
            ("withdraw", last_state, State.WITHDRAWN, after(last_day, 1, 10), "申请人书面撤回申请。")
        )
    return case


class _DueDates:
    """Decision due dates by acceptance day, computed once per day (the calendar is asked per day)."""

    def __init__(self) -> None:
        self._due: dict[tuple[datetime.date, bool], datetime.date] = {}

    def __call__(self, accepted_on: datetime.date, *, extended: bool = False) -> datetime.date:
        key = (accepted_on, extended)
        if key not in self._due:
            self._due[key] = add_working_days(
                accepted_on, rules.DECISION_EXTENDED_WORKING_DAYS if extended else rules.DECISION_WORKING_DAYS
            )
        return self._due[key]


class _Standards:
    """The demo standards in force on a day (the earliest one before any)."""

    def __init__(self) -> None:
        self._rows = sorted(Standard.objects.values_list("category", "effective_from", "monthly_amount"))

    def on(self, category: str, day: datetime.date) -> Decimal:
        rows = [(start, amount) for c, start, amount in self._rows if c == category]
        in_force = [amount for start, amount in rows if start <= day]
        return in_force[-1] if in_force else rows[0][1]


def _moment(day: datetime.date, rng: random.Random) -> datetime.datetime:
    """A time in office hours on ``day`` (Asia/Shanghai)."""
    return timezone.make_aware(
        datetime.datetime.combine(day, datetime.time(rng.randint(8, 16), rng.randint(0, 59)))
    )


@dataclass
class DemoRecheck:
    visited_on: datetime.date
    effective_from: datetime.date
    next_review: datetime.date
    amount_before: Decimal
    amount_after: Decimal
    total_income: Decimal
    terminated: bool = False
    raised_income: Decimal = Decimal(0)


def _rechecks(
    *,
    category: str,
    start: datetime.date,
    total_income: Decimal,
    members: int,
    covered: int,
    irregular: bool,
    today: datetime.date,
    standards: _Standards,
    rng: random.Random,
) -> tuple[list[DemoRecheck], datetime.date, list[tuple[datetime.date, Decimal]]]:
    """The re-checks done since ``start`` (most on time, a few left overdue, a few finding the income risen to
    the standard), the next re-check date and the amount history they leave (SPEC §4.2, §11)."""

    def amount(day: datetime.date, income: Decimal) -> Decimal:
        return rules.monthly_amount(
            category=category,
            standard=standards.on(category, day),
            total_income=income,
            member_count=members,
            covered_count=covered,
        )

    history = {start: amount(start, total_income)}
    done: list[DemoRecheck] = []
    due = rules.next_review(start, irregular_income=irregular)
    left_overdue = rng.random() < 0.06
    while due <= today:
        if left_overdue and rules.next_review(due, irregular_income=irregular) > today:
            break  # the last re-check not yet done: overdue
        visited = min(today, max(start, due - datetime.timedelta(days=rng.randint(0, 25))))
        effective = max(rules.first_of_next_month(visited), start)
        before = history[max(history)]
        recheck = DemoRecheck(
            visited,
            effective,
            rules.next_review(visited, irregular_income=irregular),
            before,
            before,
            total_income,
        )
        if category in rules.GAP_CATEGORIES and rng.random() < 0.03:  # income risen to the standard: ends
            raised = standards.on(category, effective) * members
            recheck.raised_income, recheck.total_income = raised, raised
            recheck.amount_after, recheck.terminated = Decimal("0.00"), True
            done.append(recheck)
            return done, recheck.next_review, sorted(history.items())
        recheck.amount_after = amount(effective, total_income)
        history[effective] = recheck.amount_after
        done.append(recheck)
        due = recheck.next_review
    # The standards of 1 January apply to every enrollment (as the annual uplift would); a very few were
    # missed and show as paid below the current standard.
    new_year = datetime.date(today.year, 1, 1)
    if max(history) < new_year <= today and rng.random() > 0.005:
        history[new_year] = amount(new_year, total_income)
    return done, due, sorted(history.items())


def load_households(today: datetime.date) -> int:
    """The demo's households, their applications with every step dated in order (each in the history), the
    enrollments of the approved ones with their re-checks and amount history."""
    first_number = compose_id_number(AREA, datetime.date(1950, 1, 1), FIRST_SEQUENCE, "male")
    if Person.objects.filter(id_number=first_number).exists():
        return 0
    rng = random.Random(2023)
    users = {
        u.username: u
        for u in User.objects.filter(
            username__in=["mingshui_caseworker", "shuangshan_caseworker", "district_reviewer"]
        )
    }
    fallback = User.objects.order_by("id").first()
    if fallback is None:
        return 0
    town_caseworkers = {
        "370114001": users.get("mingshui_caseworker"),
        "370114002": users.get("shuangshan_caseworker"),
    }
    default_caseworker = users.get("mingshui_caseworker") or fallback
    decider = users.get("district_reviewer") or fallback
    villages = list(Division.objects.filter(level=DivisionLevel.VILLAGE).values_list("code", "is_urban"))
    standards = _Standards()
    due_dates = _DueDates()
    categories, weights = zip(*CATEGORY_WEIGHTS, strict=True)

    people: list[Person] = []
    plans = []
    serial = 0
    for index in range(HOUSEHOLDS):
        code, urban = villages[index % len(villages)]
        category = rng.choices(categories, weights)[0]
        if category in rules.DIBAO:
            category = Category.DIBAO_URBAN if urban else Category.DIBAO_RURAL
        if category in rules.TEKUN:
            category = Category.TEKUN_URBAN if urban else Category.TEKUN_RURAL
        rows = []
        for member in _household_people(category, today, rng):
            sex = rng.choice(("male", "female"))
            number = compose_id_number(AREA, member.birth, FIRST_SEQUENCE + serial % 500, sex)
            if serial == 0:
                number = first_number
                member.birth, sex = datetime.date(1950, 1, 1), "male"
            serial += 1
            name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))
            kind, grade = member.certificate or ("", None)
            people.append(
                Person(
                    id_number=number,
                    name=name,
                    sex=sex,
                    birth_date=member.birth,
                    division_id=code,
                    phone=f"1{rng.choice('3578')}{rng.randrange(10**8, 10**9)}",
                    disability_kind=kind,
                    disability_grade=grade,
                )
            )
            rows.append((number, member))
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
        members: list[HouseholdMember] = []
        incomes: dict[int, list[tuple[int, Decimal]]] = {}  # each household's members and incomes
        # (application, covered ids, case, household, code, total income, member count, certificate holder)
        cases: list[tuple[Application, list[int], DemoCase, Household, str, Decimal, int]] = []
        for household, (code, category, rows) in zip(households, plans, strict=True):
            ids, covered, total_income, disabled = [], [], Decimal(0), None
            for number, member in rows:
                person_id = person_ids[number]
                if person_id in taken:  # an ID number drawn twice: the person is in a household already
                    continue
                taken.add(person_id)
                ids.append(person_id)
                total_income += member.income
                if member.covered:
                    covered.append(person_id)
                if member.certificate:
                    disabled = person_id
                members.append(
                    HouseholdMember(
                        household=household,
                        person_id=person_id,
                        relation=member.relation if ids[1:] else "self",
                        monthly_income=member.income,
                    )
                )
            if not covered:
                continue
            incomes[household.pk] = [(m.person_id, m.monthly_income) for m in members[-len(ids) :]]
            applied = [(category, covered)]
            if category == Category.DISABILITY_LIVING:
                # A 低保 household first; the disabled member's living subsidy beside it.
                gap = Category.DIBAO_URBAN if code in _urban(villages) else Category.DIBAO_RURAL
                applied = [(gap, covered)] + ([(category, [disabled])] if disabled else [])
            caseworker = town_caseworkers.get(code[:9]) or default_caseworker
            dibao_decided: datetime.date | None = None
            for position, (applied_category, applied_ids) in enumerate(applied):
                if position == 0:
                    state = State.APPROVED if len(applied) > 1 else _demo_state(rng)
                    case = _case(state, today, rng, reject_after_visit=rng.random() < 0.5)
                elif dibao_decided is None:
                    break  # the 低保 was refused: no living subsidy for the disabled member
                elif dibao_decided <= today - datetime.timedelta(days=60):
                    # The living subsidy applied for once the household receives 低保.
                    case = _case(
                        _demo_state(rng),
                        today,
                        rng,
                        reject_after_visit=rng.random() < 0.5,
                        received_after=dibao_decided,
                    )
                else:
                    case = _case(
                        State.INVESTIGATED, today, rng, reject_after_visit=False, received_after=dibao_decided
                    )
                if case.state == State.APPROVED and applied_category in rules.GAP_CATEGORIES:
                    assert case.decided_on is not None
                    proposed = rules.monthly_amount(
                        category=applied_category,
                        standard=standards.on(applied_category, rules.first_of_next_month(case.decided_on)),
                        total_income=total_income,
                        member_count=len(ids),
                        covered_count=len(applied_ids),
                    )
                    if proposed <= 0:  # income not below the standard: refused, not approved at 0.00
                        case.state = State.REJECTED
                        case.decision_reason = DEMO_REJECTED_INCOME
                        _action, source, _target, day, _note = case.steps[-1]
                        case.steps[-1] = ("reject", source, State.REJECTED, day, DEMO_REJECTED_INCOME)
                if (
                    case.state in (State.ACCEPTED, State.INVESTIGATED, State.PUBLICISED)
                    and rng.random() < 0.1
                ):
                    case.extension_reason = DEMO_EXTENSION
                if position == 0 and case.state == State.APPROVED:
                    dibao_decided = case.decided_on
                application = Application(
                    household=household,
                    division_id=code,
                    category=applied_category,
                    state=case.state,
                    submitted_by=caseworker,
                    irregular_income=rng.random() < 0.3 and applied_category in rules.GAP_CATEGORIES,
                    received_on=case.received_on,
                    accepted_on=case.accepted_on,
                    visited_on=case.visited_on,
                    notice_from=case.notice_from,
                    decision_due=due_dates(case.accepted_on, extended=bool(case.extension_reason))
                    if case.accepted_on
                    else None,
                    decision_extension_reason=case.extension_reason,
                    investigation_report=DEMO_REPORT if case.visited_on else "",
                    decided_at=_moment(case.decided_on, rng) if case.decided_on else None,
                    decision_reason=case.decision_reason,
                )
                cases.append((application, applied_ids, case, household, code, total_income, len(ids)))
        HouseholdMember.objects.bulk_create(members)
        Application.objects.bulk_create([row[0] for row in cases])
        Application.covered_members.through.objects.bulk_create(
            Application.covered_members.through(application_id=a.pk, person_id=pid)
            for a, ids, *_rest in cases
            for pid in ids
        )
        _write_histories(cases, town_caseworkers, default_caseworker, decider, rng)
        enrollments = _write_enrollments(cases, incomes, today, standards, default_caseworker, rng)
        audit_record(
            actor=None,
            action="load_demo",
            object_type="assistance.household",
            object_id="*",
            changes={"households": [0, len(households)], "enrollments": [0, enrollments]},
        )
    return len(households)


def _urban(villages: list[tuple[str, bool]]) -> set[str]:
    return {code for code, urban in villages if urban}


def _write_histories(
    cases: list[Any],
    town_caseworkers: dict[str, Any],
    default_caseworker: Any,
    decider: Any,
    rng: random.Random,
) -> None:
    """Every application's steps in the kernel's history, dated as the case ran (issue 14 #7)."""
    steps = []
    for application, _ids, case, _household, code, _income, _members in cases:
        caseworker = town_caseworkers.get(code[:9]) or default_caseworker
        for action, source, target, day, note in case.steps:
            at = application.decided_at if action in ("approve", "reject") else _moment(day, rng)
            steps.append(
                (
                    StateChange(
                        object_type="assistance.application",
                        object_id=application.pk,
                        action=action,
                        from_state=source,
                        to_state=target,
                        actor=decider if action in ("approve", "reject") else caseworker,
                        note=note,
                    ),
                    at,
                )
            )
    created = StateChange.objects.bulk_create([step for step, _at in steps], batch_size=5000)
    # occurred_at is stamped on insert; the demo's steps took place on their own days.
    for step, (_step, at) in zip(created, steps, strict=True):
        step.occurred_at = at
    StateChange.objects.bulk_update(created, ["occurred_at"], batch_size=2000)


def _write_enrollments(
    cases: list[Any],
    incomes: dict[int, list[tuple[int, Decimal]]],
    today: datetime.date,
    standards: _Standards,
    recorder: Any,
    rng: random.Random,
) -> int:
    """The approved applications' enrollments from the next month, their re-checks and amount history."""
    enrollments, covered, histories, rechecks = [], [], [], []
    for application, ids, case, household, code, total_income, member_count in cases:
        if application.state != State.APPROVED:
            continue
        start = rules.first_of_next_month(case.decided_on)
        done, next_review, history = _rechecks(
            category=application.category,
            start=start,
            total_income=total_income,
            members=member_count,
            covered=len(ids),
            irregular=application.irregular_income,
            today=today,
            standards=standards,
            rng=rng,
        )
        terminated = bool(done) and done[-1].terminated
        status = EnrollmentStatus.ACTIVE if rng.random() > 0.04 else EnrollmentStatus.SUSPENDED
        reason = "待复核家庭收入变化" if status == EnrollmentStatus.SUSPENDED else ""
        end = None
        if terminated:
            status, end = EnrollmentStatus.TERMINATED, done[-1].effective_from - datetime.timedelta(days=1)
            reason = f"{done[-1].visited_on.isoformat()} 复核：家庭人均收入不低于当地低保标准，自次月起停发。"
        enrollment = Enrollment(
            application=application,
            household=household,
            division_id=code,
            category=application.category,
            total_income=done[-1].total_income if terminated else total_income,
            member_count=member_count,
            covered_count=len(ids),
            monthly_amount=history[-1][1],
            start=start,
            end=max(end, start) if end else None,
            status=status,
            status_reason=reason,
            next_review=next_review,
        )
        enrollments.append(enrollment)
        covered.append(ids)
        histories.append(history)
        rechecks.append(done)
    Enrollment.objects.bulk_create(enrollments, batch_size=2000)
    Enrollment.covered_members.through.objects.bulk_create(
        (
            Enrollment.covered_members.through(enrollment_id=e.pk, person_id=pid)
            for e, ids in zip(enrollments, covered, strict=True)
            for pid in ids
        ),
        batch_size=5000,
    )
    EnrollmentAmount.objects.bulk_create(
        (
            EnrollmentAmount(enrollment=e, monthly_amount=amount, effective_from=day)
            for e, history in zip(enrollments, histories, strict=True)
            for day, amount in history
        ),
        batch_size=5000,
    )

    def found(e: Enrollment, r: DemoRecheck) -> list[tuple[int, Decimal]]:
        """The members' incomes a re-check found: as recorded, the head's risen where it ended the benefit."""
        rows = incomes[e.household_id]
        if r.terminated:
            extra = r.total_income - sum((income for _p, income in rows), Decimal(0))
            rows = [(rows[0][0], rows[0][1] + extra), *rows[1:]]
        return rows

    for e, done in zip(enrollments, rechecks, strict=True):
        if done and done[-1].terminated:
            head, income = found(e, done[-1])[0]
            HouseholdMember.objects.filter(person_id=head).update(monthly_income=income)
    Recheck.objects.bulk_create(
        (
            Recheck(
                enrollment=e,
                visited_on=r.visited_on,
                report=DEMO_RECHECK_RAISED if r.terminated else DEMO_RECHECK_REPORT,
                incomes=[{"person": pid, "monthly_income": f"{i:.2f}"} for pid, i in found(e, r)],
                total_income=r.total_income,
                member_count=e.member_count,
                irregular_income=bool(e.application and e.application.irregular_income),
                amount_before=r.amount_before,
                amount_after=r.amount_after,
                effective_from=r.effective_from,
                next_review=r.next_review,
                terminated=r.terminated,
                recorded_by=recorder,
            )
            for e, done in zip(enrollments, rechecks, strict=True)
            for r in done
        ),
        batch_size=5000,
    )
    return len(enrollments)


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
    out.write(f"assistance payment batches: {load_payment_batches(today)} run\n")
    analyze_tables()


def analyze_tables() -> None:
    """Fresh statistics for the tables the demo has just filled. Without them the planner plans the next
    queries (the other apps' demos, a test's) as if the tables were still empty — nested loops over
    thousands of rows, minutes on a fresh database. Inside a transaction ANALYZE sees its own rows."""
    models = (
        Person,
        Household,
        HouseholdMember,
        Application,
        Enrollment,
        EnrollmentAmount,
        Payment,
        PaymentBatch,
    )
    tables = [model._meta.db_table for model in models] + [
        Application.covered_members.through._meta.db_table,
        Enrollment.covered_members.through._meta.db_table,
    ]
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE " + ", ".join(connection.ops.quote_name(table) for table in tables))


# A year of monthly payments, so that the dashboards read like the bureau's report from the first start.
PAID_MONTHS = 12


def load_payment_batches(today: datetime.date) -> int:
    """Run the payment batches of the last twelve months that have none yet (synchronously, like the job)."""
    from . import jobs  # jobs.py imports the models this module does

    reviewer = User.objects.filter(username="district_reviewer").first()
    month = today.replace(day=1)
    created = 0
    for _ in range(PAID_MONTHS):
        month = (month - datetime.timedelta(days=1)).replace(day=1)
        if PaymentBatch.objects.filter(month=month).exists():
            continue
        batch = jobs.payment_batch_create(actor=reviewer, month=month, queue_job=False)
        jobs.payment_batch_run(batch_id=batch.pk)
        created += 1
    return created
