"""Reads of elder-care data, each scoped to the user's jurisdiction and the elder-care line (SPEC §2.3)."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any

import django_filters
from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from civil_affairs.accounts.jurisdiction import scoped
from civil_affairs.accounts.lines import Line
from civil_affairs.api.query_filters import StrictBooleanFilter
from civil_affairs.filtering import apply_filterset, division_filter
from civil_affairs.people.selectors import PersonSearchFilter

from .forms import MonthFormField
from .models import (
    Alert,
    AlertKind,
    CaregiverAward,
    CaregiverTraining,
    CertificateLevel,
    EscrowStatement,
    Facility,
    FacilityKind,
    FacilityStatus,
    Hazard,
    HomeCareKind,
    HomeCareProject,
    HomeCareStatus,
    Inspection,
    MealDelivery,
    MealDeliveryEnrolment,
    MealReport,
    Ownership,
    Severity,
)


def facility_list(*, user: Any, filters: Mapping[str, Any] | None = None) -> QuerySet[Facility]:
    facilities = scoped(Facility.objects.select_related("division"), user, line=Line.ELDERCARE)
    return apply_filterset(FacilityFilter, facilities.order_by("division_id", "name", "id"), filters)


def statement_list(*, user: Any) -> QuerySet[EscrowStatement]:
    return scoped(
        EscrowStatement.objects.select_related("facility"),
        user,
        line=Line.ELDERCARE,
        division_field="facility__division",
    ).order_by("-month", "facility_id")


def alert_list(*, user: Any, filters: Mapping[str, Any] | None = None) -> QuerySet[Alert]:
    alerts = scoped(
        Alert.objects.select_related("facility", "facility__division", "hazard"),
        user,
        line=Line.ELDERCARE,
        division_field="facility__division",
    )
    return apply_filterset(AlertFilter, alerts.order_by("-raised_at", "-id"), filters)


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


def home_care_list(*, user: Any, filters: Mapping[str, Any] | None = None) -> QuerySet[HomeCareProject]:
    projects = scoped(HomeCareProject.objects.select_related("person", "division"), user, line=Line.ELDERCARE)
    return apply_filterset(HomeCareFilter, projects.order_by("-id"), filters)


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


def meal_enrolment_list(
    *, user: Any, filters: Mapping[str, Any] | None = None
) -> QuerySet[MealDeliveryEnrolment]:
    enrolments = scoped(
        MealDeliveryEnrolment.objects.select_related("person", "division", "facility"),
        user,
        line=Line.ELDERCARE,
    )
    return apply_filterset(MealEnrolmentFilter, enrolments.order_by("-enrolled_on", "-id"), filters)


def meal_delivery_list(*, user: Any) -> QuerySet[MealDelivery]:
    return scoped(
        MealDelivery.objects.select_related("enrolment", "enrolment__person", "enrolment__facility"),
        user,
        line=Line.ELDERCARE,
        division_field="enrolment__division",
    ).order_by("-month", "enrolment_id")


# --- Filters: one FilterSet per list, for the API and the pages alike ---------------------------------------


def _facility() -> django_filters.NumberFilter:
    return django_filters.NumberFilter(field_name="facility_id", label=_("Facility"))


class MonthFilter(django_filters.Filter):
    """``?month=YYYY-MM`` (the month's first day); anything else is refused, naming the parameter."""

    field_class = MonthFormField


FACILITY_ORDERING = ["name", "kind", "division", "beds", "star_rating", "opened_on", "status"]


class FacilityFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=FacilityKind.choices, label=_("Kind"))
    status = django_filters.ChoiceFilter(choices=FacilityStatus.choices, label=_("Status"))
    ownership = django_filters.ChoiceFilter(choices=Ownership.choices, label=_("Ownership"))
    division = division_filter()
    has_escrow_account = StrictBooleanFilter(label=_("Escrow account"))

    class Meta:
        model = Facility
        fields = ["kind", "status", "ownership", "division", "has_escrow_account"]


class StatementFilter(django_filters.FilterSet):
    facility = _facility()
    month = MonthFilter(field_name="month", label=_("Month"), help_text="YYYY-MM")
    division = division_filter("facility__division__code")

    class Meta:
        model = EscrowStatement
        fields = ["facility"]


class AlertFilter(django_filters.FilterSet):
    open = StrictBooleanFilter(
        field_name="closed_at",
        lookup_expr="isnull",
        label=_("Open"),
        help_text="Only open (true) or closed (false).",
    )
    kind = django_filters.ChoiceFilter(choices=AlertKind.choices, label=_("Kind"))
    facility = _facility()
    division = division_filter("facility__division__code")

    class Meta:
        model = Alert
        fields = ["kind", "facility"]


class InspectionFilter(django_filters.FilterSet):
    facility = _facility()
    division = division_filter("facility__division__code")

    class Meta:
        model = Inspection
        fields = ["facility"]


class HazardFilter(django_filters.FilterSet):
    overdue = StrictBooleanFilter(
        method="filter_overdue", label=_("Overdue"), help_text="Unrectified and past the deadline."
    )
    severity = django_filters.ChoiceFilter(choices=Severity.choices, label=_("Severity"))
    rectified = StrictBooleanFilter(
        field_name="rectified_on", lookup_expr="isnull", exclude=True, label=_("Rectified")
    )
    facility = _facility()
    division = division_filter("facility__division__code")

    class Meta:
        model = Hazard
        fields = ["severity", "facility"]

    def filter_overdue(self, queryset: QuerySet[Hazard], name: str, value: bool) -> QuerySet[Hazard]:
        overdue = overdue_q(timezone.localdate())
        return queryset.filter(overdue) if value else queryset.exclude(overdue)


class HomeCareFilter(django_filters.FilterSet):
    search = PersonSearchFilter(people=["person"], text=["contractor"], label=_("Name or whole ID number"))
    kind = django_filters.ChoiceFilter(choices=HomeCareKind.choices, label=_("Kind"))
    status = django_filters.ChoiceFilter(choices=HomeCareStatus.choices, label=_("Status"))
    person = django_filters.NumberFilter(field_name="person_id", label=_("Person"))
    division = division_filter()

    class Meta:
        model = HomeCareProject
        fields = ["kind", "status", "person"]


class MealReportFilter(django_filters.FilterSet):
    facility = _facility()
    division = division_filter("facility__division__code")

    class Meta:
        model = MealReport
        fields = ["facility"]


class TrainingFilter(django_filters.FilterSet):
    certificate_level = django_filters.ChoiceFilter(
        choices=CertificateLevel.choices, label=_("Certificate level")
    )
    person = django_filters.NumberFilter(field_name="person_id", label=_("Person"))
    division = division_filter()

    class Meta:
        model = CaregiverTraining
        fields = ["certificate_level", "person"]


class MealEnrolmentFilter(django_filters.FilterSet):
    """情暖夕阳 enrolments, for the API and the page alike."""

    search = PersonSearchFilter(people=["person"], label=_("Name or whole ID number"))
    facility = django_filters.NumberFilter(field_name="facility_id", label=_("Meal site"))
    open = StrictBooleanFilter(
        field_name="ended_on", lookup_expr="isnull", label=_("In service"), help_text="true: not ended."
    )
    division = division_filter()

    class Meta:
        model = MealDeliveryEnrolment
        fields = ["facility"]


class MealDeliveryFilter(django_filters.FilterSet):
    enrolment = django_filters.NumberFilter(field_name="enrolment_id", label=_("Enrolment"))
    facility = django_filters.NumberFilter(field_name="enrolment__facility_id", label=_("Meal site"))
    division = division_filter("enrolment__division__code")

    class Meta:
        model = MealDelivery
        fields = ["enrolment"]
