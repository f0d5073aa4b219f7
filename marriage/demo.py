"""Demo data of marriage registration: a year of registrations and divorces in the seed's proportions, and
counselling cases (issue #4, item 7), plus the registry office's demo account; a marriage a court annulled,
certificates issued again (issue 9 item 13) and a groom registered in Beijing (nationwide registration, item 10).

The seed: 8,658 marriage registrations in a year; 1,580 people (790 couples) counselled, 486 couples reconciled.
The number of divorce applications is a demo figure. Every record obeys the rules the services enforce (legal
age, one marriage at a time, the divorce calendar), so the demo behaves like real data in the pages and the API.

Idempotent: the registrar account is looked up by username; the records are made once, keyed by the first
demo party's ID number. Everything is bulk-inserted, so a load takes seconds.
"""

from __future__ import annotations

import datetime
import random
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from io import TextIOBase
from typing import Any

from django.db import transaction
from django.utils import timezone

from civil_affairs.accounts.models import User
from civil_affairs.audit.services import audit_record
from civil_affairs.demo import GIVEN, SURNAMES
from civil_affairs.divisions.models import Division, DivisionLevel
from civil_affairs.people.id_numbers import compose_id_number
from civil_affairs.people.models import Person

from . import civil_code, periods
from .models import CertificateReissue, CounsellingCase, CounsellingSession, DivorceApplication, Registration
from .services import reserve_certificate_numbers
from .workflow import AnnulmentGround, CounsellingOutcome, DivorceState, WithdrawalReason

# username, role, jurisdiction, display name: the district's registry office serves the whole district.
# The registry office's demo account (civil_affairs/demo.py makes it).
REGISTRAR = ("marriage_registrar",)

REGISTRATIONS_A_YEAR = 8_658  # the seed
REMARRIAGES = 60  # of which couples who divorced earlier in the year and married each other again (复婚)
DIVORCE_APPLICATIONS_A_YEAR = 3_000  # a demo figure
COUNSELLING_CASES = 790  # 1,580 people counselled (the seed), as couples
RECONCILED = 486  # the seed
COUNSELLED_AND_DIVORCED = 220
# Demo parties' ID numbers: 章丘区's code with sequences 300–499, which no other demo loader uses
# (civil_affairs/demo.py uses 0–239, assistance/demo.py the code 370181).
AREA = "370114"
FIRST_SEQUENCE = 300
SEQUENCES_PER_SEX_AND_DAY = 100
FIRST_GROOM_BIRTH = datetime.date(1990, 1, 1)
MARKER_ID_NUMBER = compose_id_number(AREA, FIRST_GROOM_BIRTH, FIRST_SEQUENCE + 1, "male")

COUNSELLORS = ("刘芳", "王建国", "张丽娟", "陈静")
SESSION_NOTES = (
    "双方陈述矛盾起因，主要为家务分工与育儿观念分歧。",
    "与双方分别谈话，引导换位思考，约定每周沟通一次。",
    "讨论财产与子女抚养安排，双方情绪较为平稳。",
    "回访：双方关系有所缓和，表示愿意继续共同生活。",
)
CONCERNS = ("家庭矛盾", "婆媳关系", "子女教育分歧", "经济压力", "沟通不畅")
AGREEMENTS = (
    "婚生子由女方抚养，男方每月支付抚养费1500元至子女年满十八周岁；共同住房归女方所有，女方补偿男方房屋折价款20万元；"
    "婚后共同债务由双方各承担一半。",
    "双方无子女；共同存款平均分割，车辆归男方所有；无共同债务。",
    "婚生子由男方抚养，女方每月支付抚养费1000元，每周末可探望；共同住房出售后价款平分；双方各自名下债务由各自承担。",
)
COURT = "济南市章丘区人民法院"
# Nationwide registration (婚姻登记条例 2025): a groom whose household registration is in 北京市朝阳区.
BEIJING_AREA = "110105"
BEIJING_GROOM = ("赵京生", datetime.date(1994, 10, 2))


@dataclass
class Demo:
    """The rows being built, before they are bulk-inserted."""

    rng: random.Random
    today: datetime.date
    villages: list[str]
    people: list[Person] = field(default_factory=list)
    drawn: dict[tuple[datetime.date, str], int] = field(default_factory=lambda: defaultdict(int))
    calendars: dict[datetime.date, civil_code.DivorceCalendar] = field(default_factory=dict)

    def divorce_calendar(self, applied: datetime.date) -> civil_code.DivorceCalendar:
        """The periods on the holiday calendar, once per application date."""
        if applied not in self.calendars:
            self.calendars[applied] = periods.divorce_calendar(applied)
        return self.calendars[applied]

    def person(self, sex: str, birth: datetime.date, village: str) -> Person:
        key = (birth, sex)
        while self.drawn[key] >= SEQUENCES_PER_SEX_AND_DAY:  # never more than 100 per sex and birthday
            birth -= datetime.timedelta(days=1)  # earlier, so still of age
            key = (birth, sex)
        index = self.drawn[key]
        self.drawn[key] += 1
        sequence = FIRST_SEQUENCE + 2 * index + (1 if sex == "male" else 0)
        given = "".join(self.rng.choice(GIVEN) for _ in range(self.rng.choice((1, 2))))
        person = Person(
            id_number=compose_id_number(AREA, birth, sequence, sex),
            name=self.rng.choice(SURNAMES) + given,
            sex=sex,
            birth_date=birth,
            division_id=village,
            phone=f"1{self.rng.choice('3578')}{self.rng.randrange(10**8, 10**9)}",
        )
        self.people.append(person)
        return person

    def couple(self, married_on: datetime.date) -> tuple[Person, Person]:
        """A man and a woman each of legal age on ``married_on``."""
        groom_age = self.rng.choice((22, 23, 24, 25, 25, 26, 26, 27, 27, 28, 29, 30, 31, 33, 36, 41))
        bride_age = max(20, groom_age - self.rng.choice((0, 1, 2, 2, 3, 4)))
        # Born on or before 1 January of the year ``age`` years back: of age on any day of the wedding year.
        groom_birth = datetime.date(married_on.year - groom_age, 1, 1) - datetime.timedelta(
            days=self.rng.randrange(0, 360)
        )
        bride_birth = datetime.date(married_on.year - bride_age, 1, 1) - datetime.timedelta(
            days=self.rng.randrange(0, 360)
        )
        if not self.people:
            groom_birth = FIRST_GROOM_BIRTH  # the marker that makes the load idempotent
        village = self.rng.choice(self.villages)
        groom = self.person("male", groom_birth, village)
        bride = self.person(
            "female", bride_birth, village if self.rng.random() < 0.6 else self.rng.choice(self.villages)
        )
        assert civil_code.has_legal_age(groom.birth_date, "male", married_on)
        assert civil_code.has_legal_age(bride.birth_date, "female", married_on)
        return groom, bride

    def day_in_last_year(self) -> datetime.date:
        return self.today - datetime.timedelta(days=self.rng.randrange(0, 365))

    def between(self, start: datetime.date, end: datetime.date) -> datetime.date:
        return start + datetime.timedelta(days=self.rng.randrange(0, (end - start).days + 1))


def _divorce_outcome(demo: Demo, divorce: DivorceApplication) -> None:
    """Where an application of that date stands today, in plausible shares."""
    rng, applied = demo.rng, divorce.application_date
    calendar = demo.divorce_calendar(applied)
    divorce.cooling_off_ends = calendar.cooling_off_ends
    divorce.certificate_window_ends = calendar.certificate_window_ends
    divorce.agreement = rng.choice(AGREEMENTS)
    divorce.attended_in_person = True
    draw = rng.random()

    def withdraw_in_cooling_off() -> None:
        divorce.state, divorce.withdrawal_reason = DivorceState.WITHDRAWN, WithdrawalReason.PARTY
        divorce.withdrawn_on = demo.between(applied, min(calendar.cooling_off_until, demo.today))

    def issue() -> None:
        divorce.state = DivorceState.ISSUED
        divorce.issued_on = demo.between(
            calendar.certificate_from, min(calendar.certificate_until, demo.today)
        )

    if demo.today <= calendar.cooling_off_ends:
        if draw < 0.15:
            withdraw_in_cooling_off()
    elif demo.today <= calendar.certificate_window_ends:
        if draw < 0.40:
            issue()
        elif draw < 0.55:
            withdraw_in_cooling_off()
    elif draw < 0.65:
        issue()
    elif draw < 0.87:
        withdraw_in_cooling_off()
    else:
        divorce.state, divorce.withdrawal_reason = DivorceState.WITHDRAWN, WithdrawalReason.LAPSED
        divorce.withdrawn_on = calendar.lapses_on


def _number(records: Sequence[Any], kind: str, attribute: str, date_of: str) -> None:
    """Give each record the next numbers of its year's sequence, in date order."""
    by_year: dict[int, list[Any]] = defaultdict(list)
    for record in sorted(records, key=lambda r: getattr(r, date_of)):
        by_year[getattr(record, date_of).year].append(record)
    for year, year_records in by_year.items():
        numbers = reserve_certificate_numbers(kind, year, len(year_records))
        for record, number in zip(year_records, numbers, strict=True):
            setattr(record, attribute, number)


def load_records(today: datetime.date) -> dict[str, int]:
    if Person.objects.filter(id_number=MARKER_ID_NUMBER).exists():
        return {}
    registrar = User.objects.filter(username=REGISTRAR[0]).first()
    villages = list(Division.objects.filter(level=DivisionLevel.VILLAGE).values_list("code", flat=True))
    if registrar is None or not villages:
        return {}
    demo = Demo(rng=random.Random(4), today=today, villages=villages)

    # The year's new marriages (the remarriages are added below, once the divorces are known).
    year_couples = []
    for _ in range(REGISTRATIONS_A_YEAR - REMARRIAGES):
        married_on = demo.day_in_last_year()
        year_couples.append((married_on, *demo.couple(married_on)))
    # The year's last couple: the groom is registered in Beijing, the bride in 章丘 (nationwide registration).
    married_on, _groom, bride = year_couples[-1]
    demo.people.remove(_groom)
    name, birth = BEIJING_GROOM
    beijing_groom = Person(
        id_number=compose_id_number(BEIJING_AREA, birth, 401, "male"),
        name=name,
        sex="male",
        birth_date=birth,
        division=None,
        registration_area=BEIJING_AREA,
        phone="13900000000",
    )
    demo.people.append(beijing_groom)
    year_couples[-1] = (married_on, beijing_groom, bride)
    # Older marriages that come to the registry for a divorce this year.
    divorce_couples = []
    for _ in range(DIVORCE_APPLICATIONS_A_YEAR):
        married_on = demo.between(datetime.date(1995, 1, 1), today - datetime.timedelta(days=730))
        divorce_couples.append((married_on, *demo.couple(married_on)))

    with transaction.atomic():
        Person.objects.bulk_create(demo.people, batch_size=2000)
        ids = dict(
            Person.objects.filter(id_number__in=[p.id_number for p in demo.people]).values_list(
                "id_number", "id"
            )
        )

        def registration(married_on: datetime.date, groom: Person, bride: Person) -> Registration:
            return Registration(
                party_a_id=ids[groom.id_number],
                party_b_id=ids[bride.id_number],
                registration_date=married_on,
                declares_not_close_relatives=True,
                created_by=registrar,
            )

        older = [registration(*couple) for couple in divorce_couples]
        divorces = [
            DivorceApplication(
                registration=marriage,
                application_date=demo.between(
                    max(marriage.registration_date, today - datetime.timedelta(days=364)), today
                ),
                created_by=registrar,
            )
            for marriage in older
        ]
        for divorce in divorces:
            _divorce_outcome(demo, divorce)
        issued = [d for d in divorces if d.state == DivorceState.ISSUED]
        for divorce in issued:
            divorce.registration.dissolved_on = divorce.issued_on
        # 复婚: some couples divorced early enough in the year marry each other again.
        candidates = [d for d in issued if d.issued_on and (today - d.issued_on).days >= 14]
        remarried = demo.rng.sample(candidates, min(REMARRIAGES, len(candidates)))
        this_year = [registration(*couple) for couple in year_couples]
        for divorce in remarried:
            assert divorce.issued_on is not None
            first = divorce.registration
            this_year.append(
                Registration(
                    party_a_id=first.party_b_id,
                    party_b_id=first.party_a_id,
                    registration_date=demo.between(divorce.issued_on + datetime.timedelta(days=7), today),
                    declares_not_close_relatives=True,
                    created_by=registrar,
                )
            )
        _number(
            older + this_year, civil_code.CertificateKind.MARRIAGE, "certificate_number", "registration_date"
        )
        _number(issued, civil_code.CertificateKind.DIVORCE, "certificate_number", "issued_on")
        Registration.objects.bulk_create(older + this_year, batch_size=2000)
        DivorceApplication.objects.bulk_create(divorces, batch_size=2000)
        cases, sessions = _counselling(demo, divorces, registrar)
        annulled, reissues = _rulings_and_reissues(
            demo, this_year[: REGISTRATIONS_A_YEAR - REMARRIAGES], issued
        )
        audit_record(
            actor=None,
            action="load_demo",
            object_type="marriage.registration",
            object_id="*",
            changes={
                "registrations": [0, len(older) + len(this_year)],
                "divorce_applications": [0, len(divorces)],
                "counselling_cases": [0, cases],
                "annulled": [0, annulled],
                "reissued_certificates": [0, reissues],
            },
        )
    return {
        "people": len(demo.people),
        "registrations this year": len(this_year),
        "earlier registrations": len(older),
        "divorce applications": len(divorces),
        "counselling cases": cases,
        "counselling sessions": sessions,
        "marriages annulled by a court": annulled,
        "certificates issued again": reissues,
    }


def _rulings_and_reissues(
    demo: Demo, new_marriages: list[Registration], issued: list[DivorceApplication]
) -> tuple[int, int]:
    """One marriage of the year a court annulled for coercion (it never had effect); a marriage certificate and
    a divorce certificate issued again (补领), each keeping its original number."""
    annulled = [r for r in new_marriages if (demo.today - r.registration_date).days >= 90][:1]
    for registration in annulled:
        registration.annulment_ground = AnnulmentGround.COERCION
        registration.annulment_court = COURT
        registration.annulment_ruling_date = registration.registration_date + datetime.timedelta(days=75)
        registration.save(update_fields=["annulment_ground", "annulment_court", "annulment_ruling_date"])
    reissues = []
    marriage = next(r for r in new_marriages if r not in annulled)
    (number,) = reserve_certificate_numbers(civil_code.CertificateKind.MARRIAGE_REISSUED, demo.today.year)
    reissues.append(
        CertificateReissue(
            registration=marriage,
            certificate_number=number,
            original_number=marriage.certificate_number,
            issued_on=demo.today,
            created_by=marriage.created_by,
        )
    )
    for divorce in issued[:1]:
        assert divorce.certificate_number is not None
        (number,) = reserve_certificate_numbers(civil_code.CertificateKind.DIVORCE_REISSUED, demo.today.year)
        reissues.append(
            CertificateReissue(
                divorce=divorce,
                certificate_number=number,
                original_number=divorce.certificate_number,
                issued_on=demo.today,
                created_by=divorce.created_by,
            )
        )
    CertificateReissue.objects.bulk_create(reissues)
    return len(annulled), len(reissues)


def _counselling(demo: Demo, divorces: list[DivorceApplication], registrar: User) -> tuple[int, int]:
    """Couples counselled during their divorce's cooling-off period, in the seed's outcomes."""
    rng, today = demo.rng, demo.today
    withdrawn = [d for d in divorces if d.withdrawal_reason == WithdrawalReason.PARTY]
    issued = [d for d in divorces if d.state == DivorceState.ISSUED]
    still_open = [d for d in divorces if d.state == DivorceState.OPEN]
    plan = [
        (d, CounsellingOutcome.RECONCILED) for d in rng.sample(withdrawn, min(RECONCILED, len(withdrawn)))
    ] + [
        (d, CounsellingOutcome.DIVORCED)
        for d in rng.sample(issued, min(COUNSELLED_AND_DIVORCED, len(issued)))
    ]
    ongoing = COUNSELLING_CASES - len(plan)
    plan += [(d, CounsellingOutcome.ONGOING) for d in rng.sample(still_open, min(ongoing, len(still_open)))]
    cases, session_plans = [], []
    for divorce, outcome in plan:
        closed_on = {
            CounsellingOutcome.RECONCILED: divorce.withdrawn_on,
            CounsellingOutcome.DIVORCED: divorce.issued_on,
        }.get(outcome)
        last_day = closed_on or today
        opened_on = demo.between(
            divorce.application_date, min(last_day, divorce.application_date + datetime.timedelta(days=5))
        )
        marriage = divorce.registration
        cases.append(
            CounsellingCase(
                party_a_id=marriage.party_a_id,
                party_b_id=marriage.party_b_id,
                registration=marriage,
                divorce=divorce,
                opened_on=opened_on,
                concern=rng.choice(CONCERNS),
                outcome=outcome,
                closed_on=closed_on,
                created_by=registrar,
            )
        )
        session_plans.append((opened_on, last_day))
    CounsellingCase.objects.bulk_create(cases, batch_size=2000)
    sessions = [
        CounsellingSession(
            case=case,
            held_on=demo.between(first, last),
            counsellor=rng.choice(COUNSELLORS),
            notes=rng.choice(SESSION_NOTES),
            created_by=registrar,
        )
        for case, (first, last) in zip(cases, session_plans, strict=True)
        for _ in range(rng.choice((1, 1, 2, 2, 3, 4)))
    ]
    CounsellingSession.objects.bulk_create(sessions, batch_size=2000)
    return len(cases), len(sessions)


def load(out: TextIOBase) -> None:
    created = load_records(timezone.localdate())
    if not created:
        out.write("marriage records: 0 created\n")
    for what, count in created.items():
        out.write(f"marriage {what}: {count} created\n")
