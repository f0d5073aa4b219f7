"""Reads over the division tree that every app and the dashboards share (SPEC §2.1, §9)."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, F, QuerySet, Sum
from django.db.models.functions import Substr

from .models import Division, DivisionLevel

TOWN_CODE_LENGTH = 9


def town_code(code: str | None) -> str | None:
    """The town/street a village-, town- or deeper-level code belongs to (its first nine digits)."""
    if not code or len(code) < TOWN_CODE_LENGTH:
        return None
    return code[:TOWN_CODE_LENGTH]


def town_of(division_field: str = "division") -> Substr:
    """A query expression giving each row's town code, to group case data by town in one query."""
    return Substr(f"{division_field}_id", 1, TOWN_CODE_LENGTH)


def count_by_town(queryset: QuerySet[Any], division_field: str = "division") -> dict[str, int]:
    """How many rows lie in each town/street, as {town code: count}, in one aggregate query."""
    rows = queryset.order_by().annotate(town=town_of(division_field)).values("town").annotate(n=Count("pk"))
    return {row["town"]: row["n"] for row in rows}


def sum_by_town(queryset: QuerySet[Any], amount: str, division_field: str = "division") -> dict[str, Any]:
    """The sum of ``amount`` in each town/street, as {town code: total}, in one aggregate query."""
    rows = (
        queryset.order_by()
        .annotate(town=town_of(division_field))
        .values("town")
        .annotate(total=Sum(F(amount)))
    )
    return {row["town"]: row["total"] for row in rows}


def towns(within: str | None = None) -> QuerySet[Division]:
    """The towns/streets, optionally only those under (or equal to) a division code."""
    result = Division.objects.filter(level=DivisionLevel.TOWN)
    if within:
        result = result.filter(code__startswith=within[:TOWN_CODE_LENGTH] if len(within) > 6 else within)
    return result.order_by("code")
