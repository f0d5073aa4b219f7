"""Demo data of the shared kernel: 章丘区's divisions, the demo accounts of SPEC §1, some residents.

Idempotent: every row is looked up by its natural key first, so a second run creates nothing twice.
Population figures are demo figures, not statistics.
"""

from __future__ import annotations

import datetime
import random
from io import TextIOBase
from typing import Any

from django.db import transaction

from civil_affairs.accounts.lines import ALL_LINES, TOWN_LINES, Line
from civil_affairs.accounts.models import Role, User
from civil_affairs.audit.services import audit_record
from civil_affairs.divisions.models import Division, DivisionLevel
from civil_affairs.people.id_numbers import compose_id_number
from civil_affairs.people.models import Person

DEMO_PASSWORD = "demo-pass-2024"  # noqa: S105 - documented demo credential (SPEC §1)
DISTRICT = ("370114", "章丘区")
# The 18 towns/streets of SPEC §2.1, in code order: (name, urban, demo population, demo urban population).
TOWNS = [
    ("明水街道", True, 160_000, 60_000),
    ("双山街道", True, 120_000, 40_000),
    ("枣园街道", True, 50_000, 8_000),
    ("龙山街道", True, 45_000, 6_000),
    ("埠村街道", True, 55_000, 9_000),
    ("圣井街道", True, 80_000, 25_000),
    ("普集街道", True, 60_000, 9_000),
    ("绣惠街道", True, 60_000, 8_000),
    ("相公庄街道", True, 65_000, 7_000),
    ("文祖街道", True, 50_000, 5_000),
    ("官庄街道", True, 55_000, 6_000),
    ("高官寨街道", True, 45_000, 4_000),
    ("白云湖街道", True, 40_000, 5_000),
    ("宁家埠街道", True, 50_000, 6_000),
    ("曹范街道", True, 35_000, 3_000),
    ("刁镇街道", True, 60_000, 7_000),
    ("黄河街道", True, 40_000, 3_000),
    ("垛庄镇", False, 30_000, 0),
]
# Villages/communities named in the seed document, by town; every town also gets one community and one village.
SEED_VILLAGES = {"双山街道": ["马安村", "三涧溪村"], "白云湖街道": ["杨北村"], "相公庄街道": ["桑园村"]}

# The demo accounts of SPEC §1: username, role, jurisdiction code, display name, lines of work served.
DEMO_ACCOUNTS = [
    ("admin", Role.ADMINISTRATOR, "370114", "系统管理员", ALL_LINES),
    ("district_reviewer", Role.DISTRICT_REVIEWER, "370114", "区级审核员", ALL_LINES),
    ("leader", Role.VIEWER, "370114", "局领导", ALL_LINES),
    ("mingshui_caseworker", Role.CASEWORKER, "370114001", "明水街道经办人", TOWN_LINES),
    ("shuangshan_caseworker", Role.CASEWORKER, "370114002", "双山街道经办人", TOWN_LINES),
    ("api_client", Role.API_CLIENT, "370114", "外部系统", ALL_LINES),
    ("marriage_registrar", Role.CASEWORKER, "370114", "婚姻登记员", (Line.MARRIAGE,)),
    ("eldercare_officer", Role.CASEWORKER, "370114", "养老服务科经办人", (Line.ELDERCARE,)),
    ("funeral_officer", Role.CASEWORKER, "370114", "殡葬管理科经办人", (Line.FUNERAL,)),
    ("community_officer", Role.CASEWORKER, "370114", "基层政权科经办人", (Line.COMMUNITY,)),
]

SURNAMES = (
    "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎"
)
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉兰萍建华红梅志强淑珍建国海燕丽娟文"


def _division_rows() -> list[Division]:
    district = Division(
        code=DISTRICT[0],
        name=DISTRICT[1],
        level=DivisionLevel.DISTRICT,
        is_urban=True,
        population=sum(t[2] for t in TOWNS),
        urban_population=sum(t[3] for t in TOWNS),
    )
    rows = [district]
    for index, (name, urban, population, urban_population) in enumerate(TOWNS, start=1):
        town_code = f"{DISTRICT[0]}{index:03d}"
        rows.append(
            Division(
                code=town_code,
                name=name,
                level=DivisionLevel.TOWN,
                parent_id=DISTRICT[0],
                is_urban=urban,
                population=population,
                urban_population=urban_population,
            )
        )
        short = name.removesuffix("街道").removesuffix("镇")
        villages = [(f"{short}社区", urban, urban_population), (f"{short}村", False, 0)]
        villages += [(village, False, 0) for village in SEED_VILLAGES.get(name, [])]
        for v_index, (v_name, v_urban, v_urban_population) in enumerate(villages, start=1):
            rows.append(
                Division(
                    code=f"{town_code}{v_index:03d}",
                    name=v_name,
                    level=DivisionLevel.VILLAGE,
                    parent_id=town_code,
                    is_urban=v_urban,
                    population=max(v_urban_population, 2_000),
                    urban_population=v_urban_population,
                )
            )
    return rows


def load_divisions() -> int:
    rows = _division_rows()
    existing = set(Division.objects.values_list("code", flat=True))
    new = [row for row in rows if row.code not in existing]
    Division.objects.bulk_create(new)  # parents come before children in `rows`
    return len(new)


def load_accounts() -> int:
    """Create the demo accounts once; their lines of work are brought to SPEC §1 on every run."""
    created = 0
    for username, role, code, display_name, lines in DEMO_ACCOUNTS:
        wanted_lines = sorted(lines)
        user, was_created = User.objects.get_or_create(
            username=username,
            defaults={
                "role": role,
                "jurisdiction_id": code,
                "first_name": display_name,
                "is_staff": role == Role.ADMINISTRATOR,
                "lines": wanted_lines,
            },
        )
        if was_created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
            audit_record(
                actor=None,
                action="create",
                obj=user,
                changes={"username": [None, username], "role": [None, role], "lines": [None, wanted_lines]},
            )
            created += 1
        elif sorted(user.lines) != wanted_lines:
            audit_record(actor=None, action="update", obj=user, changes={"lines": [user.lines, wanted_lines]})
            user.lines = wanted_lines
            user.save(update_fields=["lines"])
    return created


def demo_people(count: int = 240, seed: int = 20231231) -> list[dict[str, Any]]:
    """Deterministic residents spread over the villages and communities."""
    rng = random.Random(seed)
    villages = list(Division.objects.filter(level=DivisionLevel.VILLAGE).values_list("code", flat=True))
    people = []
    for index in range(count):
        sex = "male" if index % 2 else "female"
        birth = datetime.date(1935, 1, 1) + datetime.timedelta(days=rng.randrange(0, 365 * 85))
        area = "370181" if index % 7 == 0 else "370114"  # the former 章丘市 code is valid too (SPEC §11)
        people.append(
            {
                "id_number": compose_id_number(area, birth, index, sex),
                "name": rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2)))),
                "sex": sex,
                "birth_date": birth,
                "division_id": villages[index % len(villages)],
                "phone": f"1{rng.choice('3578')}{rng.randrange(10**8, 10**9)}",
            }
        )
    return people


def load_people() -> int:
    rows = demo_people()
    existing = set(
        Person.objects.filter(id_number__in=[r["id_number"] for r in rows]).values_list(
            "id_number", flat=True
        )
    )
    new = [Person(**row) for row in rows if row["id_number"] not in existing]
    Person.objects.bulk_create(new)
    if new:
        audit_record(
            actor=None,
            action="load_demo",
            object_type="people.person",
            object_id="*",
            changes={"created": [0, len(new)]},
        )
    return len(new)


def load(out: TextIOBase) -> None:
    with transaction.atomic():
        out.write(f"divisions: {load_divisions()} created\n")
        out.write(f"accounts: {load_accounts()} created\n")
        out.write(f"people: {load_people()} created\n")
