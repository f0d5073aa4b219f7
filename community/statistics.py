"""Aggregates of community work for the dashboards (SPEC §9): workers in post on a day, per 10,000 urban
residents and the share certified, against the targets, per town/street and for a division as a whole; from
``selectors.staffing_by_town`` (the staffing list, ``GET /api/v1/community/staffing/?date=``), so each figure is
what that list gives. Two queries.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from . import rules, selectors


def figures_by_town(
    *, user: Any, within: str, on: datetime.date
) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    """(the figures of ``within``, the figures per town under it) on ``on``: workers in post, per 10,000 urban
    residents, certified share and, for the whole, how many towns are below target."""
    rows = [
        row for row in selectors.staffing_by_town(user=user, on=on) if row.division.startswith(within[:9])
    ]
    whole = selectors.staffing_total(rows)
    towns = {
        row.division: {
            "workers": row.workers,
            "per_10000": row.per_10000,
            "certified_share": row.certified_share,
            "below_target": row.below_target,
        }
        for row in rows
    }
    total = {
        "workers": whole.workers,
        "per_10000": whole.per_10000,
        "certified_share": whole.certified_share,
        "towns_below_target": sum(1 for row in rows if row.below_target),
    }
    return total, towns


def targets() -> dict[str, Decimal]:
    return {"per_10000": rules.TARGET_PER_10000, "certified_share": rules.TARGET_CERTIFIED_SHARE}


def open_work(*, user: Any, today: datetime.date) -> dict[str, int]:
    """Community to-dos: grade steps due, towns below target (today)."""
    rows = selectors.staffing_by_town(user=user, on=today)
    return {
        "steps_due": selectors.grade_steps_due(user=user, on=today).count(),
        "towns_below_target": sum(1 for row in rows if row.below_target),
    }
