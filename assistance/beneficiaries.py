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
    """Every person ``was_beneficiary_on`` would answer for (demo data, reports): person id → (category,
    start) of their earliest such enrollment. Two plain queries, the enrollments first, then their covered
    members by the link table's index (one query with the enrollments as a subquery planned badly on
    tables without statistics)."""
    enrollments = {
        pk: (category, start)
        for pk, category, start in Enrollment.objects.filter(category__in=list(categories))
        .filter(_in_force_on(on))
        .values_list("pk", "category", "start")
    }
    found: dict[int, tuple[str, datetime.date]] = {}
    links = Enrollment.covered_members.through.objects.filter(enrollment_id__in=list(enrollments))
    for person, enrollment in links.values_list("person_id", "enrollment_id"):
        category, start = enrollments[enrollment]
        if person not in found or start < found[person][1]:
            found[person] = (category, start)
    return found


def category_label(code: str) -> str:
    """An assistance category's name as people read it (in the current language); an unknown code as it is."""
    try:
        return str(Category(code).label)
    except ValueError:
        return code
