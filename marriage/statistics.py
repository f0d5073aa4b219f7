"""Aggregates of marriage registration for the dashboards (SPEC §9): registrations, divorces (certificates
issued) and reissued certificates in a period, per town/street, in a fixed number of queries.

The registry office registers couples from anywhere (全国通办), so at district level a figure is everything the
office did in the period; at town level, what concerned a couple where either party's household registration
is in the town (the records the town's users see, ``selectors.couple_q``). A couple from two towns counts in
both towns and once in the district.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Coalesce, Substr, TruncMonth

from civil_affairs.accounts.jurisdiction import covers
from civil_affairs.accounts.lines import Line, serves
from civil_affairs.divisions.selectors import TOWN_CODE_LENGTH

from . import selectors
from .models import CertificateReissue, DivorceApplication, Registration
from .workflow import DivorceState

DISTRICT_CODE_LENGTH = 6
FIGURES = ("registrations", "divorces", "reissues")


def _town(path: str) -> Substr:
    return Substr(f"{path}_id", 1, TOWN_CODE_LENGTH)


def _area(user: Any, within: str, queryset: QuerySet[Any], prefix: str) -> QuerySet[Any]:
    """The records of ``within``: at district level all the office's (for a user whose jurisdiction is the
    district), else those of a couple with a party registered in ``within``."""
    if not serves(user, Line.MARRIAGE) or not covers(user, within):
        return queryset.none()
    if len(within) == DISTRICT_CODE_LENGTH:
        return queryset
    return queryset.filter(
        Q(**{f"{prefix}party_a__division__code__startswith": within})
        | Q(**{f"{prefix}party_b__division__code__startswith": within})
    )


def _per_town(rows: QuerySet[Any], within: str) -> tuple[int, dict[str, int]]:
    """(total, {town: count}) from rows of (town_a, town_b, n): a couple counts in each party's town once."""
    total, towns = 0, defaultdict[str, int](int)
    for row in rows:
        total += row["n"]
        for town in {row["town_a"], row["town_b"]}:
            if town and town.startswith(within[:TOWN_CODE_LENGTH]):
                towns[town] += row["n"]
    return total, dict(towns)


def registrations(user: Any, within: str) -> QuerySet[Registration]:
    return _area(user, within, Registration.objects.all(), "")


def divorces_issued(user: Any, within: str) -> QuerySet[DivorceApplication]:
    return _area(user, within, DivorceApplication.objects.filter(state=DivorceState.ISSUED), "registration__")


def reissues(user: Any, within: str) -> QuerySet[CertificateReissue]:
    if not serves(user, Line.MARRIAGE) or not covers(user, within):
        return CertificateReissue.objects.none()
    if len(within) == DISTRICT_CODE_LENGTH:
        return CertificateReissue.objects.all()
    in_town = Q()
    for prefix in ("registration__", "divorce__registration__"):
        in_town |= Q(**{f"{prefix}party_a__division__code__startswith": within})
        in_town |= Q(**{f"{prefix}party_b__division__code__startswith": within})
    return CertificateReissue.objects.filter(in_town)


def figures_by_town(
    *, user: Any, within: str, first: datetime.date, last: datetime.date
) -> tuple[dict[str, int], dict[str, dict[str, int]]]:
    """(the figures of ``within``, the figures per town under it) for the days ``first``…``last``. Three
    queries."""
    total: dict[str, int] = dict.fromkeys(FIGURES, 0)
    towns: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(FIGURES, 0))

    def add(figure: str, rows: QuerySet[Any]) -> None:
        count, per_town = _per_town(rows, within)
        total[figure] = count
        for town, n in per_town.items():
            towns[town][figure] = n

    add(
        "registrations",
        registrations(user, within)
        .filter(registration_date__range=(first, last))
        .order_by()
        .values(town_a=_town("party_a__division"), town_b=_town("party_b__division"))
        .annotate(n=Count("pk")),
    )
    add(
        "divorces",
        divorces_issued(user, within)
        .filter(issued_on__range=(first, last))
        .order_by()
        .values(
            town_a=_town("registration__party_a__division"), town_b=_town("registration__party_b__division")
        )
        .annotate(n=Count("pk")),
    )
    add(
        "reissues",
        reissues(user, within)
        .filter(issued_on__range=(first, last))
        .order_by()
        .values(
            town_a=Coalesce(
                _town("registration__party_a__division"), _town("divorce__registration__party_a__division")
            ),
            town_b=Coalesce(
                _town("registration__party_b__division"), _town("divorce__registration__party_b__division")
            ),
        )
        .annotate(n=Count("pk")),
    )
    return total, dict(towns)


def registrations_by_month(
    *, user: Any, within: str, first: datetime.date, last: datetime.date
) -> dict[datetime.date, int]:
    """Registrations per month (its first day) in ``within`` from ``first`` to ``last``. One query."""
    rows = (
        registrations(user, within)
        .filter(registration_date__range=(first, last))
        .order_by()
        .annotate(month=TruncMonth("registration_date"))
        .values("month")
        .annotate(n=Count("pk"))
    )
    return {row["month"]: row["n"] for row in rows}


def open_work(*, user: Any, today: datetime.date) -> dict[str, int]:
    """The registrar's to-dos: today's registrations, divorces awaiting their certificate (one query each)."""
    phases = selectors.divorce_phase_counts(user=user, today=today)
    return {
        "registrations_today": selectors.registration_list(user=user, on=today).count(),
        "awaiting_certificate": phases.get("awaiting_certificate", 0),
    }
