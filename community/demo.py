"""Demo data of community work (issue #12, item 5), aimed at the seed year's figures.

The seed: 386 community workers recruited (batch 2023), the target of 18 workers per 10,000 urban residents and
75% holding a social-work certificate, 幸福家园 mutual-aid funds raising 10.65 million yuan in all 18 towns.
386 is exactly what the towns' demo urban populations (civil_affairs/demo.py TOWNS) need to reach 18 per
10,000 town by town, so the recruits are shared out that way; every village or community also has a serving
head and deputy. Then, so that the staffing page shows both outcomes, some recruits of 龙山街道, 文祖街道 and
黄河街道 have left (short of 18 per 10,000) and 圣井街道 and 刁镇街道 hold fewer certificates (short of 75%).
The pay table is demo figures (``is_demo``). Funds: donations summing to exactly 10,650,000.00 yuan shared over
every village and community, a few disbursements, and four quarters of transparency scores.

Idempotent: each part is made once (workers keyed by the 2023 batch, funds by village, scores by village and
quarter, pay by post and grade). Everything is bulk-inserted. Demo people's ID numbers use 章丘区's code with
sequences 800–801, which no other demo loader uses.
"""

from __future__ import annotations

import datetime
import math
import random
from decimal import Decimal
from io import TextIOBase

from django.db import transaction
from django.utils import timezone

from civil_affairs.audit.services import audit_record
from civil_affairs.demo import GIVEN, SURNAMES
from civil_affairs.divisions.models import Division, DivisionLevel
from civil_affairs.people.id_numbers import compose_id_number
from civil_affairs.people.models import Person

from .models import CommunityWorker, FundMovement, MovementKind, MutualAidFund, PayScale, VillageAssessment
from .rules import GRADE_RANGES, TARGET_PER_10000, Certificate, Post, add_years, quarter_of

RECRUITS = 386  # the seed
RECRUITMENT_BATCH = "2023"
RECRUITED_ON = datetime.date(2023, 7, 1)
FUNDS_RAISED = Decimal("10650000.00")  # the seed
AREA = "370114"
SEQUENCE = 800
FIRST_BIRTH = datetime.date(1970, 1, 1)
# Towns kept below a target in the demo, so that the staffing page shows both outcomes.
SHORT_OF_WORKERS = ("龙山街道", "文祖街道", "黄河街道")
SHORT_OF_CERTIFICATES = ("圣井街道", "刁镇街道")
CERTIFIED_SHARE_MET = 0.8
CERTIFIED_SHARE_SHORT = 0.6
# Demo pay (yuan a month): a base, a step per grade, a post allowance. The bureau keeps the real table.
PAY_BASE, PAY_STEP = Decimal("2800.00"), Decimal("150.00")
POST_ALLOWANCE: dict[str, Decimal] = {
    Post.HEAD: Decimal("600.00"),
    Post.DEPUTY: Decimal("300.00"),
    Post.STAFF: Decimal("0.00"),
}
DONORS = (
    "章丘区慈善总会",
    "山东某建材有限公司",
    "村民集体捐赠",
    "在外乡贤",
    "章丘某农业合作社",
    "爱心企业联合捐赠",
)
RECIPIENTS = ("困难老人", "大病患者家庭", "留守儿童", "残疾人家庭", "受灾农户")
PURPOSES = ("大病救助", "困难老人慰问", "助学帮扶", "临时生活救助", "节日走访慰问")


def _pay_scale() -> int:
    rows = [
        PayScale(
            post=post,
            grade=grade,
            monthly_pay=PAY_BASE + PAY_STEP * grade + POST_ALLOWANCE[post],
            is_demo=True,
        )
        for post, (low, high) in GRADE_RANGES.items()
        for grade in range(low, high + 1)
    ]
    existing = set(PayScale.objects.values_list("post", "grade"))
    return len(PayScale.objects.bulk_create([row for row in rows if (row.post, row.grade) not in existing]))


def _people(rng: random.Random, villages: list[str]) -> list[Person]:
    """One new resident per worker, each born on a day of their own (so sequence 800/801 never repeats)."""
    people = []
    for index, village in enumerate(villages):
        sex = "male" if rng.random() < 0.45 else "female"
        birth = FIRST_BIRTH + datetime.timedelta(days=index * 17)
        people.append(
            Person(
                id_number=compose_id_number(AREA, birth, SEQUENCE + (1 if sex == "male" else 0), sex),
                name=rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2)))),
                sex=sex,
                birth_date=birth,
                division_id=village,
                phone=f"1{rng.choice('3578')}{rng.randrange(10**8, 10**9)}",
            )
        )
    existing = set(
        Person.objects.filter(id_number__in=[p.id_number for p in people]).values_list("id_number", flat=True)
    )
    Person.objects.bulk_create([p for p in people if p.id_number not in existing])
    by_number = Person.objects.in_bulk([p.id_number for p in people], field_name="id_number")
    return [by_number[p.id_number] for p in people]


def _workers(rng: random.Random, today: datetime.date) -> int:
    if CommunityWorker.objects.filter(recruitment_batch=RECRUITMENT_BATCH).exists():
        return 0
    towns = list(Division.objects.filter(level=DivisionLevel.TOWN, parent_id="370114").order_by("code"))
    villages_by_town: dict[str, list[str]] = {}
    for code, parent in Division.objects.filter(level=DivisionLevel.VILLAGE).values_list("code", "parent_id"):
        villages_by_town.setdefault(parent, []).append(code)
    contract_end = max(datetime.date(2028, 6, 30), add_years(today, 2))
    plan: list[tuple[Division, str, str, int, datetime.date, str, datetime.date | None]] = []
    for town in towns:
        villages = sorted(villages_by_town.get(town.code, []))
        if not villages:
            continue
        # Serving workers: a head and a deputy in every village or community, in post since 2020 or 2021.
        serving = []
        for village in villages:
            since = datetime.date(rng.choice((2020, 2021)), 1, 1)
            serving.append((village, Post.HEAD, rng.randint(9, 14), since, "2017"))
            serving.append((village, Post.DEPUTY, rng.randint(6, 10), since, "2017"))
        needed = math.ceil(TARGET_PER_10000 * town.urban_population / 10000)
        recruits = [
            (villages[i % len(villages)], Post.STAFF, rng.randint(1, 3), RECRUITED_ON, RECRUITMENT_BATCH)
            for i in range(needed)
        ]
        in_post_target = len(serving) + len(recruits)
        leavers = 0
        if town.name in SHORT_OF_WORKERS:
            leavers = in_post_target - (needed - 1)  # one short of the target once they have gone
        for index, (village, post, grade, since, batch) in enumerate(serving + recruits):
            left_on = None
            if index >= len(serving) and index - len(serving) < leavers:
                left_on = datetime.date(2025, rng.randint(1, 12), 28)
            plan.append((town, village, post, grade, since, batch, left_on))
    recruits_planned = sum(1 for row in plan if row[5] == RECRUITMENT_BATCH)
    # Whatever the divisions hold, the batch is the seed's 386: trim or top up in the largest town.
    while recruits_planned > RECRUITS:
        last = max(i for i, row in enumerate(plan) if row[5] == RECRUITMENT_BATCH and row[6] is None)
        plan.pop(last)
        recruits_planned -= 1
    while recruits_planned < RECRUITS:
        first = next(row for row in plan if row[5] == RECRUITMENT_BATCH)
        plan.append(first)
        recruits_planned += 1
    people = _people(rng, [row[1] for row in plan])
    certified_by_town: dict[str, list[int]] = {}
    for index, row in enumerate(plan):
        if row[6] is None:
            certified_by_town.setdefault(row[0].code, []).append(index)
    certified: set[int] = set()
    for town_code, indices in certified_by_town.items():
        name = next(row[0].name for row in plan if row[0].code == town_code)
        share = CERTIFIED_SHARE_SHORT if name in SHORT_OF_CERTIFICATES else CERTIFIED_SHARE_MET
        rng.shuffle(indices)
        certified.update(indices[: math.ceil(share * len(indices))])
    levels = (Certificate.ASSISTANT, Certificate.SOCIAL_WORKER, Certificate.SOCIAL_WORKER, Certificate.SENIOR)
    workers = [
        CommunityWorker(
            person=person,
            community_id=village,
            post=post,
            grade=grade,
            grade_since=since,
            contract_start=since,
            contract_end=contract_end,
            certificate=rng.choice(levels) if index in certified else Certificate.NONE,
            recruitment_batch=batch,
            left_on=left_on,
        )
        for index, ((_town, village, post, grade, since, batch, left_on), person) in enumerate(
            zip(plan, people, strict=True)
        )
    ]
    CommunityWorker.objects.bulk_create(workers, batch_size=1000)
    return len(workers)


def _shares(rng: random.Random, total: Decimal, count: int) -> list[Decimal]:
    """``total`` split into ``count`` uneven whole-yuan parts that add up exactly."""
    weights = [rng.uniform(0.5, 1.5) for _ in range(count)]
    scale = float(total) / sum(weights)
    parts = [Decimal(round(w * scale)) for w in weights]
    parts[-1] += total - sum(parts)
    return [part.quantize(Decimal("0.01")) for part in parts]


def _funds(rng: random.Random, today: datetime.date) -> int:
    if MutualAidFund.objects.exists():
        return 0
    villages = list(
        Division.objects.filter(level=DivisionLevel.VILLAGE).order_by("code").values_list("code", flat=True)
    )
    if not villages:
        return 0
    raised = _shares(rng, FUNDS_RAISED, len(villages))
    funds = MutualAidFund.objects.bulk_create(
        [MutualAidFund(village_id=v, balance=Decimal("0.00")) for v in villages]
    )
    movements: list[FundMovement] = []
    start = add_years(today, -1)
    for fund, amount in zip(funds, raised, strict=True):
        balance = Decimal("0.00")
        donations = _shares(rng, amount, rng.randint(2, 4))
        for index, donation in enumerate(donations):
            balance += donation
            movements.append(
                FundMovement(
                    fund=fund,
                    kind=MovementKind.DONATION,
                    amount=donation,
                    date=start + datetime.timedelta(days=30 * index),
                    party=rng.choice(DONORS),
                    purpose="幸福家园村社互助募集",
                    balance_after=balance,
                )
            )
        for index in range(rng.randint(1, 3)):
            paid = Decimal(rng.randrange(200, 2000, 100)).quantize(Decimal("0.01"))
            balance -= paid
            movements.append(
                FundMovement(
                    fund=fund,
                    kind=MovementKind.DISBURSEMENT,
                    amount=paid,
                    date=start + datetime.timedelta(days=150 + 45 * index),
                    party=rng.choice(RECIPIENTS),
                    purpose=rng.choice(PURPOSES),
                    balance_after=balance,
                )
            )
        fund.balance = balance
    FundMovement.objects.bulk_create(movements, batch_size=2000)
    MutualAidFund.objects.bulk_update(funds, ["balance"], batch_size=1000)
    return len(funds)


def _assessments(rng: random.Random, today: datetime.date) -> int:
    """The last four complete quarters' scores of every village and community."""
    quarters = []
    day = today
    for _ in range(4):
        first_of_quarter = datetime.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
        day = first_of_quarter - datetime.timedelta(days=1)
        quarters.append(quarter_of(day))
    villages = (
        Division.objects.filter(level=DivisionLevel.VILLAGE).order_by("code").values_list("code", flat=True)
    )
    existing = set(
        VillageAssessment.objects.filter(quarter__in=quarters).values_list("village_id", "quarter")
    )
    rows = [
        VillageAssessment(village_id=village, quarter=quarter, score=rng.randint(72, 100))
        for village in villages
        for quarter in quarters
        if (village, quarter) not in existing
    ]
    return len(VillageAssessment.objects.bulk_create(rows, batch_size=2000))


def load(out: TextIOBase) -> None:
    rng = random.Random(20231386)
    today = timezone.localdate()
    with transaction.atomic():
        pay = _pay_scale()
        workers = _workers(rng, today)
        funds = _funds(rng, today)
        scores = _assessments(rng, today)
        if workers or funds or scores:
            audit_record(
                actor=None,
                action="load_demo",
                object_type="community",
                object_id="*",
                changes={
                    "workers": [0, workers],
                    "funds": [0, funds],
                    "assessments": [0, scores],
                    "pay_scale": [0, pay],
                },
            )
    out.write(
        f"Community: {workers} workers, {funds} mutual-aid funds, {scores} assessments, {pay} pay grades\n"
    )
