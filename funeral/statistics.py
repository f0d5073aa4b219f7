"""Aggregates of funeral services for the dashboards (SPEC §9): deaths, eco-burial subsidies (count and amount)
and basic funeral fee waivers in a period, per town/street, from the scoped selectors, in a fixed number of
queries. The definitions are those of ``selectors.totals``: a death by its date, a subsidy by its burial date
unless rejected, a waiver by the deceased's date of death.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncMonth

from civil_affairs.divisions.selectors import town_of

from . import selectors
from .workflow import SubsidyState


def empty_town() -> dict[str, Any]:
    return {"deaths": 0, "burial_subsidies": 0, "burial_subsidy_amount": Decimal("0.00"), "fee_waivers": 0}


def figures_by_town(
    *, user: Any, within: str, first: datetime.date, last: datetime.date
) -> dict[str, dict[str, Any]]:
    """Per town under ``within``, for the days ``first``…``last``. Three queries."""
    towns: dict[str, dict[str, Any]] = defaultdict(empty_town)
    deaths = (
        selectors.death_list(user=user)
        .filter(date_of_death__range=(first, last), division__code__startswith=within)
        .order_by()
        .annotate(town=town_of())
        .values("town")
        .annotate(n=Count("pk"))
    )
    for row in deaths:
        towns[row["town"]]["deaths"] = row["n"]
    subsidies = (
        selectors.burial_subsidy_list(user=user)
        .filter(burial_date__range=(first, last), division__code__startswith=within)
        .exclude(state=SubsidyState.REJECTED)
        .order_by()
        .annotate(town=town_of())
        .values("town")
        .annotate(n=Count("pk"), amount=Sum("amount"))
    )
    for row in subsidies:
        towns[row["town"]]["burial_subsidies"] = row["n"]
        towns[row["town"]]["burial_subsidy_amount"] = row["amount"] or Decimal("0.00")
    waivers = (
        selectors.fee_waiver_list(user=user)
        .filter(deceased__date_of_death__range=(first, last), division__code__startswith=within)
        .order_by()
        .annotate(town=town_of())
        .values("town")
        .annotate(n=Count("pk"))
    )
    for row in waivers:
        towns[row["town"]]["fee_waivers"] = row["n"]
    return dict(towns)


def deaths_by_month(
    *, user: Any, within: str, first: datetime.date, last: datetime.date
) -> dict[datetime.date, int]:
    """Deaths per month (its first day) in ``within``. One query."""
    rows = (
        selectors.death_list(user=user)
        .filter(date_of_death__range=(first, last), division__code__startswith=within)
        .order_by()
        .annotate(month=TruncMonth("date_of_death"))
        .values("month")
        .annotate(n=Count("pk"))
    )
    return {row["month"]: row["n"] for row in rows}


def open_work(*, user: Any) -> dict[str, int]:
    """Eco-burial subsidies waiting for a decision and approved ones waiting to be paid (one query)."""
    counts = (
        selectors.burial_subsidy_list(user=user)
        .order_by()
        .aggregate(
            to_decide=Count("pk", filter=Q(state=SubsidyState.SUBMITTED)),
            to_pay=Count("pk", filter=Q(state=SubsidyState.APPROVED)),
        )
    )
    return {key: value or 0 for key, value in counts.items()}
