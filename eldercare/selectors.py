"""Reads of elder-care data, each scoped to the user's jurisdiction and the elder-care line (SPEC §2.3)."""

from __future__ import annotations

import datetime
from typing import Any

import django_filters
from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from civil_affairs.accounts.jurisdiction import scoped
from civil_affairs.accounts.lines import Line
from civil_affairs.api.query_filters import StrictBooleanFilter
from civil_affairs.people.selectors import PersonSearchFilter

from .models import (
    Alert,
    CaregiverAward,
    CaregiverTraining,
    EscrowStatement,
    Facility,
    Hazard,
    HomeCareProject,
    Inspection,
    MealDelivery,
    MealDeliveryEnrolment,
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


def meal_enrolment_list(*, user: Any) -> QuerySet[MealDeliveryEnrolment]:
    return scoped(
        MealDeliveryEnrolment.objects.select_related("person", "division", "facility"),
        user,
        line=Line.ELDERCARE,
    ).order_by("-enrolled_on", "-id")


def meal_delivery_list(*, user: Any) -> QuerySet[MealDelivery]:
    return scoped(
        MealDelivery.objects.select_related("enrolment", "enrolment__person", "enrolment__facility"),
        user,
        line=Line.ELDERCARE,
        division_field="enrolment__division",
    ).order_by("-month", "enrolment_id")


class MealEnrolmentFilter(django_filters.FilterSet):
    """情暖夕阳 enrolments, for the API and the page alike."""

    search = PersonSearchFilter(people=["person"], label=_("Name or whole ID number"))
    facility = django_filters.NumberFilter(field_name="facility_id", label=_("Meal site"))
    open = StrictBooleanFilter(
        field_name="ended_on", lookup_expr="isnull", label=_("In service"), help_text="true: not ended."
    )
    division = django_filters.CharFilter(
        field_name="division__code",
        lookup_expr="startswith",
        label=_("Division"),
        help_text="Division code (its whole subtree).",
    )

    class Meta:
        model = MealDeliveryEnrolment
        fields = ["facility"]


class MealDeliveryFilter(django_filters.FilterSet):
    enrolment = django_filters.NumberFilter(field_name="enrolment_id", label=_("Enrolment"))
    facility = django_filters.NumberFilter(field_name="enrolment__facility_id", label=_("Meal site"))
    division = django_filters.CharFilter(
        field_name="enrolment__division__code",
        lookup_expr="startswith",
        label=_("Division"),
        help_text="Division code (its whole subtree).",
    )

    class Meta:
        model = MealDelivery
        fields = ["enrolment"]
