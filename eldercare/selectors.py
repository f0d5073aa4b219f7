"""Reads of elder-care data, each scoped to the user's jurisdiction and the elder-care line (SPEC §2.3)."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet

from civil_affairs.accounts.jurisdiction import scoped
from civil_affairs.accounts.lines import Line

from .models import (
    Alert,
    CaregiverAward,
    CaregiverTraining,
    EscrowStatement,
    Facility,
    Hazard,
    HomeCareProject,
    Inspection,
    MealReport,
    Severity,
)


def facility_list(*, user: Any) -> QuerySet[Facility]:
    return scoped(Facility.objects.select_related("division"), user, line=Line.ELDERCARE).order_by(
        "division_id", "name", "id"
    )


def statement_list(*, user: Any) -> QuerySet[EscrowStatement]:
    return scoped(
        EscrowStatement.objects.select_related("facility"),
        user,
        line=Line.ELDERCARE,
        division_field="facility__division",
    ).order_by("-month", "facility_id")


def alert_list(*, user: Any) -> QuerySet[Alert]:
    return scoped(
        Alert.objects.select_related("facility", "facility__division", "hazard"),
        user,
        line=Line.ELDERCARE,
        division_field="facility__division",
    ).order_by("-raised_at", "-id")


def open_alerts_by_kind(*, user: Any) -> dict[str, int]:
    rows = (
        alert_list(user=user).filter(closed_at__isnull=True).order_by().values("kind").annotate(n=Count("id"))
    )
    return {row["kind"]: row["n"] for row in rows}


def inspection_list(*, user: Any) -> QuerySet[Inspection]:
    return scoped(
        Inspection.objects.select_related("facility").prefetch_related(
            Prefetch("hazards", queryset=Hazard.objects.order_by("id"))
        ),
        user,
        line=Line.ELDERCARE,
        division_field="facility__division",
    ).order_by("-date", "-id")


def hazard_list(*, user: Any) -> QuerySet[Hazard]:
    return scoped(
        Hazard.objects.select_related("facility", "inspection"),
        user,
        line=Line.ELDERCARE,
        division_field="facility__division",
    ).order_by("deadline", "id")


def overdue_q(today: datetime.date) -> Q:
    """Unrectified and past the deadline (the deadline day itself is not late)."""
    return Q(rectified_on__isnull=True, deadline__lt=today)


def open_critical_hazards(*, user: Any) -> QuerySet[Hazard]:
    return hazard_list(user=user).filter(severity=Severity.CRITICAL, rectified_on__isnull=True)


def home_care_list(*, user: Any) -> QuerySet[HomeCareProject]:
    return scoped(
        HomeCareProject.objects.select_related("person", "division"), user, line=Line.ELDERCARE
    ).order_by("-id")


def meal_report_list(*, user: Any) -> QuerySet[MealReport]:
    return scoped(
        MealReport.objects.select_related("facility"),
        user,
        line=Line.ELDERCARE,
        division_field="facility__division",
    ).order_by("-month", "facility_id")


def training_list(*, user: Any) -> QuerySet[CaregiverTraining]:
    return scoped(CaregiverTraining.objects.select_related("person"), user, line=Line.ELDERCARE).order_by(
        "-date", "-id"
    )


def award_list(*, user: Any) -> QuerySet[CaregiverAward]:
    return scoped(CaregiverAward.objects.select_related("person"), user, line=Line.ELDERCARE).order_by(
        "-awarded_on", "-id"
    )
