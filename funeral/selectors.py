"""Reads of funeral data, scoped to the user's jurisdiction and the funeral line, with what lists need loaded."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Count, QuerySet, Sum

from civil_affairs.accounts.jurisdiction import scoped
from civil_affairs.accounts.lines import Line
from civil_affairs.audit.models import AuditEvent

from .models import (
    BurialSubsidy,
    Cemetery,
    CouncilEvent,
    DeathRecord,
    FeeWaiver,
    PlotAllocation,
    VillageCouncil,
)


def death_list(*, user: Any) -> QuerySet[DeathRecord]:
    return scoped(
        DeathRecord.objects.select_related("person", "division", "recorded_by"), user, line=Line.FUNERAL
    ).order_by("-date_of_death", "-id")


def burial_subsidy_list(*, user: Any) -> QuerySet[BurialSubsidy]:
    return scoped(
        BurialSubsidy.objects.select_related("deceased", "applicant", "division"), user, line=Line.FUNERAL
    ).order_by("-id")


def fee_waiver_list(*, user: Any) -> QuerySet[FeeWaiver]:
    return scoped(FeeWaiver.objects.select_related("deceased", "division"), user, line=Line.FUNERAL).order_by(
        "-id"
    )


def cemetery_list(*, user: Any) -> QuerySet[Cemetery]:
    return scoped(Cemetery.objects.select_related("division"), user, line=Line.FUNERAL).order_by("name")


def plot_allocation_list(*, user: Any, cemetery: Cemetery) -> QuerySet[PlotAllocation]:
    return PlotAllocation.objects.filter(cemetery=cemetery).select_related("deceased").order_by("plot")


def village_council_list(*, user: Any) -> QuerySet[VillageCouncil]:
    return scoped(
        VillageCouncil.objects.select_related("division").annotate(event_count=Count("events")),
        user,
        line=Line.FUNERAL,
    ).order_by("division_id")


def council_event_list(*, user: Any) -> QuerySet[CouncilEvent]:
    return scoped(
        CouncilEvent.objects.select_related("council", "council__division"),
        user,
        line=Line.FUNERAL,
        division_field="council__division",
    ).order_by("-held_on", "-id")


def death_effects(record: DeathRecord) -> list[AuditEvent]:
    """The audit events the death wrote across the portal (the person, enrollments, services, marriage…),
    in order: everything recorded in the death's transaction, from the person's marking to the record."""
    first = (
        AuditEvent.objects.filter(
            object_type="people.person", object_id=str(record.person_id), action="death"
        )
        .order_by("-id")
        .values_list("id", flat=True)
        .first()
    )
    last = (
        AuditEvent.objects.filter(
            object_type="funeral.deathrecord", object_id=str(record.pk), action="create"
        )
        .values_list("id", flat=True)
        .first()
    )
    if first is None or last is None:
        return []
    return list(AuditEvent.objects.filter(id__gte=first, id__lte=last).order_by("id"))


def totals(*, user: Any, start: datetime.date, end: datetime.date) -> dict[str, Any]:
    """Deaths, subsidies (count and amount) and waivers in a period, for dashboards."""
    subsidies = (
        burial_subsidy_list(user=user).filter(burial_date__range=(start, end)).exclude(state="rejected")
    )
    amount = subsidies.order_by().aggregate(total=Sum("amount"))["total"]
    return {
        "deaths": death_list(user=user).filter(date_of_death__range=(start, end)).count(),
        "burial_subsidies": subsidies.count(),
        "burial_subsidy_amount": amount or 0,
        "fee_waivers": fee_waiver_list(user=user).filter(deceased__date_of_death__range=(start, end)).count(),
    }
