"""Pure rules of community work (SPEC §8): the 三岗十八级 grade ranges, grade steps, the staffing targets and
their arithmetic. No database here, so every rule is testable on its own."""

from __future__ import annotations

import datetime
import re
from decimal import ROUND_HALF_UP, Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _


class Post(models.TextChoices):
    HEAD = "head", _("Head")
    DEPUTY = "deputy", _("Deputy")
    STAFF = "staff", _("Staff member")


class Certificate(models.TextChoices):
    NONE = "none", _("None")
    ASSISTANT = "assistant", _("Assistant social worker")
    SOCIAL_WORKER = "social_worker", _("Social worker")
    SENIOR = "senior", _("Senior social worker")


# 三岗十八级: each post spans twelve of the eighteen grades (Shandong's community-worker pay scheme).
GRADE_RANGES: dict[str, tuple[int, int]] = {Post.HEAD: (7, 18), Post.DEPUTY: (4, 15), Post.STAFF: (1, 12)}
# One grade step every three years of service in the grade.
YEARS_PER_STEP = 3
# The targets of the seed year: at least 18 community workers per 10,000 urban residents, 75% certified.
TARGET_PER_10000 = Decimal("18")
TARGET_CERTIFIED_SHARE = Decimal("0.75")

QUARTER_PATTERN = re.compile(r"^[0-9]{4}Q[1-4]$")

# The span of days community records may carry: the portal's calendar covers 2000–2100, and no mutual-aid fund
# (幸福家园 began in the 2010s), assessment or current labour contract reaches back before it. A date outside it
# is a typing slip (1900-01-01, 0026-07-01), not history.
EARLIEST_DAY = datetime.date(2000, 1, 1)
LATEST_DAY = datetime.date(2100, 12, 31)


def grade_in_range(post: str, grade: int) -> bool:
    low, high = GRADE_RANGES[post]
    return low <= grade <= high


def add_years(day: datetime.date, years: int) -> datetime.date:
    """The same day ``years`` later (29 February → 28 February in a common year)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def next_step_due(post: str, grade: int, grade_since: datetime.date) -> datetime.date | None:
    """When the next grade step is due (three years in the grade), or None at the top of the post's range."""
    if grade >= GRADE_RANGES[post][1]:
        return None
    return add_years(grade_since, YEARS_PER_STEP)


def per_10000(workers: int, urban_population: int) -> Decimal | None:
    """Workers per 10,000 urban residents, rounded half-up to two places; None without urban residents."""
    if urban_population <= 0:
        return None
    return (Decimal(workers) * 10000 / Decimal(urban_population)).quantize(Decimal("0.01"), ROUND_HALF_UP)


def certified_share(certified: int, workers: int) -> Decimal | None:
    """The share of workers holding a certificate, four places; None without workers."""
    if workers <= 0:
        return None
    return (Decimal(certified) / Decimal(workers)).quantize(Decimal("0.0001"), ROUND_HALF_UP)


def below_target(workers: int, certified: int, urban_population: int) -> bool:
    """Whether either present figure falls short of its target, compared exactly (never the rounded figure):
    workers × 10,000 < 18 × urban population, or certified < 75% of workers."""
    short_of_workers = urban_population > 0 and Decimal(workers) * 10000 < TARGET_PER_10000 * urban_population
    short_of_certified = workers > 0 and Decimal(certified) < TARGET_CERTIFIED_SHARE * workers
    return short_of_workers or short_of_certified


def quarter_of(day: datetime.date) -> str:
    return f"{day.year}Q{(day.month - 1) // 3 + 1}"


def quarter_key(quarter: str) -> tuple[int, int]:
    """A well-formed quarter ("2026Q3") as (year, quarter), so quarters compare in time order."""
    return int(quarter[:4]), int(quarter[5])
