"""Who was a beneficiary of social assistance on a date: the door other apps ask (SPEC §7, fee waivers)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.db.models import Q

from .models import Enrollment
from .workflow import State


def was_beneficiary_on(person: Any, on: datetime.date, categories: Iterable[str]) -> str | None:
    """The category (one of ``categories``) of an approved enrollment covering ``person`` that had not ended
    before ``on`` — even if its first paid month was still to come (SPEC §7) — else None."""
    enrollment = (
        Enrollment.objects.filter(covered_members=person, category__in=list(categories))
        .filter(Q(application__isnull=True) | Q(application__state=State.APPROVED))
        .filter(Q(end__isnull=True) | Q(end__gte=on))
        .order_by("start", "id")
        .values_list("category", flat=True)
        .first()
    )
    return enrollment
