"""The dashboard summary (SPEC §9): each line's figures for a period and a division (the district or a town),
per town and per month, scoped to the caller's jurisdiction and the lines they serve.

Social assistance comes from the summary tables (models.py), which the beat job keeps within minutes of the
data; the other lines' tables are small and are read live through each app's ``statistics`` module (its
scoped selectors). Either way the number of queries is fixed, whatever the period's length or the data's size.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import Q, QuerySet, Sum
from django.http import Http404
from django.utils.translation import gettext as _

from assistance import statistics as assistance_statistics
from assistance.rules import Category
from civil_affairs.accounts.jurisdiction import covers, jurisdiction_code
from civil_affairs.accounts.lines import Line, serves
from civil_affairs.divisions.models import Division, DivisionLevel
from civil_affairs.errors import RuleViolation
from community import statistics as community_statistics
from eldercare import statistics as eldercare_statistics
from eldercare.models import FacilityKind
from funeral import statistics as funeral_statistics
from marriage import statistics as marriage_statistics

from .figures import SECTIONS
from .models import PaymentTotal, PeopleStart, SummaryState
from .periods import Period

ZERO = Decimal("0.00")
ASSISTANCE_STATE = "assistance"


def dashboard_divisions(user: Any) -> QuerySet[Division]:
    """The divisions a user may open a dashboard for: their jurisdiction (district or town) and the towns under
    it, in code order."""
    code = jurisdiction_code(user)
    if code is None:
        return Division.objects.none()
    return Division.objects.filter(
        code__startswith=code, level__in=[DivisionLevel.DISTRICT, DivisionLevel.TOWN]
    ).order_by("code")


def division_for(user: Any, code: str | None) -> Division:
    """The division a summary is asked for (default: the user's jurisdiction). Unknown or outside the
    jurisdiction: 404; a village: 400 (dashboards go down to towns/streets)."""
    code = (code or "").strip() or jurisdiction_code(user)
    if not code or not covers(user, code):
        raise Http404
    division = Division.objects.filter(code=code).first()
    if division is None:
        raise Http404
    if division.level == DivisionLevel.VILLAGE:
        raise RuleViolation(
            _("Dashboards show the district or a town/street; choose one of those."),
            field="division",
            code="division_level",
        )
    return division


def sections_of(user: Any) -> list[str]:
    """The sections (lines of work) a user sees: the lines they serve."""
    return [section for section, _title in SECTIONS if serves(user, section)]


@dataclass
class Summary:
    """A division's figures for a period: per section, per town under it and per month."""

    period: Period
    division: Division
    as_of: datetime.date
    refreshed_at: datetime.datetime | None
    sections: dict[str, dict[str, Any]] = field(default_factory=dict)
    towns: list[Division] = field(default_factory=list)
    by_town: dict[str, dict[str, Any]] = field(default_factory=dict)
    by_month: dict[datetime.date, dict[str, Any]] = field(default_factory=dict)
    by_category: list[dict[str, Any]] = field(default_factory=list)


def summary(*, user: Any, division: Division, period: Period, today: datetime.date) -> Summary:
    """The summary of SPEC §9 for ``division`` (already checked by ``division_for``) over ``period``; counts of
    open things as of the period's last day or today, whichever is earlier."""
    within = division.code
    if division.level == DivisionLevel.DISTRICT:
        towns = list(
            Division.objects.filter(level=DivisionLevel.TOWN, code__startswith=within).order_by("code")
        )
    else:
        towns = [division]
    state = SummaryState.objects.filter(name=ASSISTANCE_STATE).first()
    result = Summary(
        period=period,
        division=division,
        as_of=period.as_of(today),
        refreshed_at=state.refreshed_at if state else None,
        towns=towns,
        by_town={town.code: {} for town in towns},
        by_month={month: {} for month in period.months},
    )
    sections = sections_of(user)
    if Line.ASSISTANCE in sections:
        _assistance(result, user)
    if Line.ELDERCARE in sections:
        _eldercare(result, user)
    if Line.MARRIAGE in sections:
        _marriage(result, user)
    if Line.FUNERAL in sections:
        _funeral(result, user)
    if Line.COMMUNITY in sections:
        _community(result, user)
    return result


def _put(result: Summary, town: str, values: dict[str, Any]) -> None:
    if town in result.by_town:
        result.by_town[town].update(values)


# --- Social assistance: from the summary tables -------------------------------------------------------------

LEVELS_SQL = """
    SELECT cell.kind, cell.town, cell.category, level.count
      FROM unnest(%(kinds)s::varchar[], %(towns)s::varchar[], %(categories)s::varchar[])
           AS cell(kind, town, category)
     CROSS JOIN LATERAL (
            SELECT l.count FROM dashboards_enrollmentlevel AS l
             WHERE l.kind = cell.kind AND l.town = cell.town AND l.category = cell.category AND l.day <= %(on)s
             ORDER BY l.day DESC
             LIMIT 1
           ) AS level
"""


def enrollment_levels(*, towns: list[str], on: datetime.date) -> dict[tuple[str, str, str], int]:
    """{(kind, town, category): count} of enrollments in force and re-checks overdue on ``on``: one index probe
    per cell, so it costs the same whatever the history's length."""
    kinds = (assistance_statistics.IN_FORCE, assistance_statistics.RECHECK_OVERDUE)
    cells = [(kind, town, category) for kind in kinds for town in towns for category in Category.values]
    params: dict[str, Any] = {
        "kinds": [cell[0] for cell in cells],
        "towns": [cell[1] for cell in cells],
        "categories": [cell[2] for cell in cells],
        "on": on,
    }
    with connection.cursor() as cursor:
        cursor.execute(LEVELS_SQL, params)
        return {(kind, town, category): count for kind, town, category, count in cursor.fetchall()}


def _assistance(result: Summary, user: Any) -> None:
    period, within = result.period, result.division.code
    district = result.division.level == DivisionLevel.DISTRICT
    whole = "" if district else within  # the town key of the division's own distinct-people rows
    payments = PaymentTotal.objects.filter(month__range=(period.first, period.last), town__startswith=within)
    town_totals: dict[str, dict[str, Any]] = defaultdict(lambda: {"paid": ZERO, "person_times": 0})
    category_totals: dict[str, dict[str, Any]] = defaultdict(lambda: {"paid": ZERO, "person_times": 0})
    for row in (
        payments.order_by()
        .values("town", "category")
        .annotate(paid=Sum("paid"), person_times=Sum("person_times"))
    ):
        for bucket in (town_totals[row["town"]], category_totals[row["category"]]):
            bucket["paid"] += row["paid"]
            bucket["person_times"] += row["person_times"]
    for row in (
        payments.order_by().values("month").annotate(paid=Sum("paid"), person_times=Sum("person_times"))
    ):
        result.by_month[row["month"]].update(paid=row["paid"], person_times=row["person_times"])

    # Distinct people: each counted once, at their first payment in the period (models.PeopleStart).
    starts = PeopleStart.objects.filter(month__range=(period.first, period.last), previous__lt=period.first)
    starts = (
        starts.filter(Q(town__startswith=within) | Q(town="")) if district else starts.filter(town=within)
    )
    people = {
        (row["town"], row["category"]): row["people"]
        for row in starts.order_by().values("town", "category").annotate(people=Sum("people"))
    }
    for row in (
        PeopleStart.objects.filter(month__range=(period.first, period.last), town=whole, category="")
        .order_by()
        .values("month")
        .annotate(people=Sum("people"))
    ):
        result.by_month[row["month"]]["people"] = row["people"]

    levels = enrollment_levels(towns=[town.code for town in result.towns], on=result.as_of)
    decisions = assistance_statistics.decisions_overdue_by_town(user=user, within=within, on=result.as_of)
    overpaid = assistance_statistics.overpayments_by_town(user=user, within=within)

    def level(kind: str, town: str) -> int:
        return sum(levels.get((kind, town, category), 0) for category in Category.values)

    for town in result.towns:
        _put(
            result,
            town.code,
            {
                "paid": town_totals[town.code]["paid"] if town.code in town_totals else ZERO,
                "person_times": town_totals[town.code]["person_times"] if town.code in town_totals else 0,
                "people": people.get((town.code, ""), 0),
                "active_enrollments": level(assistance_statistics.IN_FORCE, town.code),
                "rechecks_overdue": level(assistance_statistics.RECHECK_OVERDUE, town.code),
                "decisions_overdue": decisions.get(town.code, 0),
                "overpayments": overpaid.get(town.code, (0, ZERO))[0],
                "overpayment_amount": overpaid.get(town.code, (0, ZERO))[1],
            },
        )
    for month in result.by_month.values():
        month.setdefault("paid", ZERO)
        month.setdefault("person_times", 0)
        month.setdefault("people", 0)
    result.by_category = [
        {
            "category": category.value,
            "paid": category_totals[category.value]["paid"] if category.value in category_totals else ZERO,
            "person_times": category_totals[category.value]["person_times"]
            if category.value in category_totals
            else 0,
            "people": people.get((whole, category.value), 0),
        }
        for category in Category
    ]
    result.sections[Line.ASSISTANCE] = {
        "paid": sum((row["paid"] for row in town_totals.values()), ZERO),
        "person_times": sum(row["person_times"] for row in town_totals.values()),
        "people": people.get((whole, ""), 0),
        "by_category": result.by_category,
        "active_enrollments": sum(
            count for (kind, _t, _c), count in levels.items() if kind == assistance_statistics.IN_FORCE
        ),
        "rechecks_overdue": sum(
            count for (kind, _t, _c), count in levels.items() if kind == assistance_statistics.RECHECK_OVERDUE
        ),
        "decisions_overdue": sum(decisions.values()),
        "overpayments": sum(count for count, _amount in overpaid.values()),
        "overpayment_amount": sum((amount for _count, amount in overpaid.values()), ZERO),
    }


# --- The other lines: live, through each app's statistics module --------------------------------------------


def _eldercare(result: Summary, user: Any) -> None:
    per_town = eldercare_statistics.figures_by_town(user=user, within=result.division.code, on=result.as_of)
    by_kind = {kind.value: 0 for kind in FacilityKind}
    totals = {"beds": 0, "open_alerts": 0, "hazards_overdue": 0}
    for town, figures in per_town.items():
        for kind, count in figures["facilities_by_kind"].items():
            by_kind[kind] += count
        for key in totals:
            totals[key] += figures[key]
        _put(
            result,
            town,
            {"facilities": sum(figures["facilities_by_kind"].values()), **{k: figures[k] for k in totals}},
        )
    for town_figures in result.by_town.values():
        town_figures.setdefault("facilities", 0)
        for key in totals:
            town_figures.setdefault(key, 0)
    result.sections[Line.ELDERCARE] = {
        "facilities_by_kind": by_kind,
        "facilities": sum(by_kind.values()),
        **totals,
    }


def _marriage(result: Summary, user: Any) -> None:
    period, within = result.period, result.division.code
    total, per_town = marriage_statistics.figures_by_town(
        user=user, within=within, first=period.first_day, last=period.last_day
    )
    for town in result.by_town:
        _put(result, town, per_town.get(town, dict.fromkeys(marriage_statistics.FIGURES, 0)))
    by_month = marriage_statistics.registrations_by_month(
        user=user, within=within, first=period.first_day, last=period.last_day
    )
    for month, figures in result.by_month.items():
        figures["registrations"] = by_month.get(month, 0)
    result.sections[Line.MARRIAGE] = total


def _funeral(result: Summary, user: Any) -> None:
    period, within = result.period, result.division.code
    per_town = funeral_statistics.figures_by_town(
        user=user, within=within, first=period.first_day, last=period.last_day
    )
    totals = funeral_statistics.empty_town()
    for town, figures in per_town.items():
        for key in totals:
            totals[key] += figures[key]
        _put(result, town, figures)
    for town_figures in result.by_town.values():
        for key, value in funeral_statistics.empty_town().items():
            town_figures.setdefault(key, value)
    by_month = funeral_statistics.deaths_by_month(
        user=user, within=within, first=period.first_day, last=period.last_day
    )
    for month, figures in result.by_month.items():
        figures["deaths"] = by_month.get(month, 0)
    result.sections[Line.FUNERAL] = totals


def _community(result: Summary, user: Any) -> None:
    total, per_town = community_statistics.figures_by_town(
        user=user, within=result.division.code, on=result.as_of
    )
    for town, figures in per_town.items():
        _put(result, town, figures)
    result.sections[Line.COMMUNITY] = total
