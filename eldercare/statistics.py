"""Aggregates of elder-care data for the dashboards (SPEC §9): facilities by kind and their beds, alerts open
and hazards overdue on a day, per town/street, each from the scoped selectors (the caller's jurisdiction and
lines of work), in a fixed number of queries.

Each figure is what the lists give for the same filter: facilities ``?status=operating&kind=&division=``,
alerts ``?open=true&division=`` and hazards ``?overdue=true&division=`` (on today).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from typing import Any

from django.db.models import Count, Q, Sum
from django.utils import timezone

from civil_affairs.divisions.selectors import town_of

from . import selectors
from .models import FacilityKind, FacilityStatus


def _start_of_next_day(on: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(on + datetime.timedelta(days=1), datetime.time.min))


def open_alert_q(on: datetime.date) -> Q:
    """Alerts open at the end of ``on``: raised by then and not closed by then."""
    end = _start_of_next_day(on)
    return Q(raised_at__lt=end) & (Q(closed_at__isnull=True) | Q(closed_at__gte=end))


def hazard_overdue_q(on: datetime.date) -> Q:
    """Hazards overdue on ``on`` (selectors.overdue_q on that day): found by then, past the deadline and not
    rectified by then."""
    return Q(inspection__date__lte=on, deadline__lt=on) & (
        Q(rectified_on__isnull=True) | Q(rectified_on__gt=on)
    )


def empty_town() -> dict[str, Any]:
    return {
        "facilities_by_kind": {kind.value: 0 for kind in FacilityKind},
        "beds": 0,
        "open_alerts": 0,
        "hazards_overdue": 0,
    }


def figures_by_town(*, user: Any, within: str, on: datetime.date) -> dict[str, dict[str, Any]]:
    """Per town under ``within``: operating facilities by kind and their beds (today), alerts open and hazards
    overdue on ``on``. Three queries."""
    towns: dict[str, dict[str, Any]] = defaultdict(empty_town)
    facilities = (
        selectors.facility_list(user=user)
        .filter(status=FacilityStatus.OPERATING, division__code__startswith=within)
        .order_by()
        .annotate(town=town_of())
        .values("town", "kind")
        .annotate(n=Count("pk"), beds=Sum("beds"))
    )
    for row in facilities:
        town = towns[row["town"]]
        town["facilities_by_kind"][row["kind"]] = row["n"]
        town["beds"] += row["beds"] or 0
    alerts = (
        selectors.alert_list(user=user)
        .filter(open_alert_q(on), facility__division__code__startswith=within)
        .order_by()
        .annotate(town=town_of("facility__division"))
        .values("town")
        .annotate(n=Count("pk"))
    )
    for row in alerts:
        towns[row["town"]]["open_alerts"] = row["n"]
    hazards = (
        selectors.hazard_list(user=user)
        .filter(hazard_overdue_q(on), facility__division__code__startswith=within)
        .order_by()
        .annotate(town=town_of("facility__division"))
        .values("town")
        .annotate(n=Count("pk"))
    )
    for row in hazards:
        towns[row["town"]]["hazards_overdue"] = row["n"]
    return dict(towns)


def open_work(*, user: Any, today: datetime.date) -> dict[str, int]:
    """The user's open elder-care work for the home page's to-dos: alerts open, hazards overdue."""
    return {
        "open_alerts": selectors.alert_list(user=user).filter(closed_at__isnull=True).count(),
        "hazards_overdue": selectors.hazard_list(user=user).filter(selectors.overdue_q(today)).count(),
    }
