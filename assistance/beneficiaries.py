"""Who was a beneficiary of social assistance on a date: the door other apps ask (SPEC §7, fee waivers)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.db.models import Q

from .models import Enrollment
from .rules import DIBAO, TEKUN, Category
from .workflow import State

# 低保 and 特困: the subsistence categories other lines of work ask about (情暖夕阳 meal delivery, SPEC §4.5).
SUBSISTENCE_CATEGORIES = DIBAO | TEKUN


def _in_force_on(on: datetime.date) -> Q:
    return (Q(application__isnull=True) | Q(application__state=State.APPROVED)) & (
        Q(end__isnull=True) | Q(end__gte=on)
    )


def was_beneficiary_on(person: Any, on: datetime.date, categories: Iterable[str]) -> str | None:
    """The category (one of ``categories``) of an approved enrollment covering ``person`` that had not ended
    before ``on`` — even if its first paid month was still to come (SPEC §7) — else None."""
    enrollment = (
        Enrollment.objects.filter(covered_members=person, category__in=list(categories))
        .filter(_in_force_on(on))
        .order_by("start", "id")
        .values_list("category", flat=True)
        .first()
    )
    return enrollment


def beneficiaries_on(on: datetime.date, categories: Iterable[str]) -> dict[int, tuple[str, datetime.date]]:
    """Every person ``was_beneficiary_on`` would answer for, in one query (demo data, reports): person id →
    (category, start) of their earliest such enrollment."""
    rows = (
        Enrollment.covered_members.through.objects.filter(
            enrollment__in=Enrollment.objects.filter(category__in=list(categories)).filter(_in_force_on(on))
        )
        .order_by("person_id", "-enrollment__start")
        .values_list("person_id", "enrollment__category", "enrollment__start")
    )
    return {person: (category, start) for person, category, start in rows}


def category_label(code: str) -> str:
    """An assistance category's name as people read it (in the current language); an unknown code as it is."""
    try:
        return str(Category(code).label)
    except ValueError:
        return code
