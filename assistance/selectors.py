"""Reads of social-assistance data, scoped to the user's jurisdiction, with what lists need prefetched, and
each list's one FilterSet (used by the API's ``filterset_class`` and by the pages through these selectors'
``filters``)."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any

import django_filters
from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from civil_affairs.accounts.jurisdiction import scoped
from civil_affairs.accounts.lines import Line
from civil_affairs.api.query_filters import StrictBooleanFilter
from civil_affairs.divisions.selectors import count_by_town
from civil_affairs.filtering import apply_filterset, division_filter
from civil_affairs.people.selectors import PersonSearchFilter

from . import rules
from .models import Application, Enrollment, Household, HouseholdMember, Recheck, Standard
from .rules import Category
from .workflow import EnrollmentStatus, State

# --- Definitions shared by the lists, the filters and the statistics ------------------------------------------


def decision_overdue_q(today: datetime.date) -> Q:
    """The one definition of "decision overdue" (SPEC §4.2): awaiting its decision past the due date."""
    return Q(state__in=[State.ACCEPTED, State.INVESTIGATED, State.PUBLICISED], decision_due__lt=today)


def ready_for_decision_q(today: datetime.date) -> Q:
    """Publicised, and its 7-day public notice is over by ``today`` (rules.notice_ends), so it may be decided."""
    latest_notice = today - (rules.notice_ends(today) - today)
    return Q(state=State.PUBLICISED, notice_from__lte=latest_notice)


def recheck_overdue_q(today: datetime.date) -> Q:
    """The one definition of "re-check overdue" (逾期未复核, SPEC §4.5): active and past its next re-check date."""
    return Q(status=EnrollmentStatus.ACTIVE, next_review__lt=today)


# --- Filters and ordering (one FilterSet per list, for the API and the pages alike) ------------------------------


def _category_filter() -> django_filters.ChoiceFilter:
    return django_filters.ChoiceFilter(
        choices=Category.choices, label=_("Assistance category"), empty_label=_("Any category")
    )


class StandardFilter(django_filters.FilterSet):
    category = _category_filter()

    class Meta:
        model = Standard
        fields = ["category"]


class HouseholdFilter(django_filters.FilterSet):
    search = PersonSearchFilter(people=["members__person"], text=["address"])
    division = division_filter()

    class Meta:
        model = Household
        fields = ["division"]


class ApplicationFilter(django_filters.FilterSet):
    search = PersonSearchFilter(people=["household__members__person"], text=["household__address"])
    state = django_filters.ChoiceFilter(choices=State.choices, label=_("State"), empty_label=_("Any state"))
    category = _category_filter()
    division = division_filter()
    household = django_filters.NumberFilter(field_name="household_id")
    submitted_after = django_filters.DateFilter(
        field_name="submitted_at", lookup_expr="date__gte", label=_("Submitted from")
    )
    submitted_before = django_filters.DateFilter(
        field_name="submitted_at", lookup_expr="date__lte", label=_("Submitted until")
    )
    decided_after = django_filters.DateFilter(
        field_name="decided_at", lookup_expr="date__gte", label=_("Decided from")
    )
    decided_before = django_filters.DateFilter(
        field_name="decided_at", lookup_expr="date__lte", label=_("Decided until")
    )
    decision_overdue = StrictBooleanFilter(
        method="filter_decision_overdue",
        label=_("Only those past their decision's due date"),
        help_text="Awaiting its decision past its due date.",
    )
    ready = StrictBooleanFilter(
        method="filter_ready",
        label=_("Only those ready for a decision"),
        help_text="Publicised, and its 7-day public notice is over.",
    )

    class Meta:
        model = Application
        fields = ["state", "category", "division", "household"]

    def filter_decision_overdue(
        self, queryset: QuerySet[Application], name: str, value: bool | None
    ) -> QuerySet[Application]:
        if value is None:
            return queryset
        overdue = decision_overdue_q(timezone.localdate())
        return queryset.filter(overdue) if value else queryset.exclude(overdue)

    def filter_ready(
        self, queryset: QuerySet[Application], name: str, value: bool | None
    ) -> QuerySet[Application]:
        if value is None:
            return queryset
        ready = ready_for_decision_q(timezone.localdate())
        return queryset.filter(ready) if value else queryset.exclude(ready)


class EnrollmentFilter(django_filters.FilterSet):
    search = PersonSearchFilter(people=["household__members__person"])
    status = django_filters.ChoiceFilter(
        choices=EnrollmentStatus.choices, label=_("Status"), empty_label=_("Any status")
    )
    category = _category_filter()
    division = division_filter()
    household = django_filters.NumberFilter(field_name="household_id")
    recheck_overdue = StrictBooleanFilter(
        method="filter_recheck_overdue",
        label=_("Re-check overdue"),
        help_text="Active and past its next re-check (复核) date.",
    )
    next_review_before = django_filters.DateFilter(field_name="next_review", lookup_expr="lt")

    class Meta:
        model = Enrollment
        fields = ["status", "category", "division", "household"]

    def filter_recheck_overdue(
        self, queryset: QuerySet[Enrollment], name: str, value: bool | None
    ) -> QuerySet[Enrollment]:
        if value is None:
            return queryset
        overdue = recheck_overdue_q(timezone.localdate())
        return queryset.filter(overdue) if value else queryset.exclude(overdue)


# ``?ordering=`` columns of each list (API and page); anything else answers 400 in the API.
HOUSEHOLD_ORDERING = ["id", "address", "division"]
APPLICATION_ORDERING = [
    "id",
    "state",
    "category",
    "received_on",
    "decision_due",
    "notice_from",
    "submitted_at",
    "decided_at",
    "division",
]
ENROLLMENT_ORDERING = [
    "id",
    "category",
    "monthly_amount",
    "start",
    "end",
    "status",
    "next_review",
    "division",
]


# --- Lists ----------------------------------------------------------------------------------------------------
# Each takes ``filters`` (the query parameters) and applies its FilterSet; an invalid value raises RuleViolation.


def standard_list(
    *, category: str | None = None, filters: Mapping[str, Any] | None = None
) -> QuerySet[Standard]:
    standards = Standard.objects.order_by("category", "-effective_from")
    if category:
        standards = standards.filter(category=category).order_by("-effective_from")
    return apply_filterset(StandardFilter, standards, filters)


def household_list(*, user: Any, filters: Mapping[str, Any] | None = None) -> QuerySet[Household]:
    members = HouseholdMember.objects.select_related("person").order_by("id")
    households = scoped(
        Household.objects.select_related("division").prefetch_related(Prefetch("members", queryset=members)),
        user,
        line=Line.ASSISTANCE,
    ).order_by("-id")
    return apply_filterset(HouseholdFilter, households, filters)


def application_list(*, user: Any, filters: Mapping[str, Any] | None = None) -> QuerySet[Application]:
    """Applications with what their proposed amount needs (the household's members) prefetched."""
    applications = scoped(
        Application.objects.select_related("household", "division", "enrollment").prefetch_related(
            "covered_members", Prefetch("household__members", queryset=HouseholdMember.objects.order_by("id"))
        ),
        user,
        line=Line.ASSISTANCE,
    ).order_by("-id")
    return apply_filterset(ApplicationFilter, applications, filters)


def enrollment_list(*, user: Any, filters: Mapping[str, Any] | None = None) -> QuerySet[Enrollment]:
    """Enrollments with their amount history prefetched (the explanation of the amount reads it)."""
    enrollments = scoped(
        Enrollment.objects.select_related("division", "application").prefetch_related(
            "covered_members", "amounts"
        ),
        user,
        line=Line.ASSISTANCE,
    ).order_by("-id")
    return apply_filterset(EnrollmentFilter, enrollments, filters)


def recheck_list(enrollment: Enrollment) -> QuerySet[Recheck]:
    """An enrollment's re-checks, newest visit first, with who recorded them."""
    return (
        Recheck.objects.filter(enrollment=enrollment)
        .select_related("recorded_by")
        .order_by("-visited_on", "-id")
    )


def rechecks_overdue(*, user: Any | None = None, today: datetime.date) -> QuerySet[Enrollment]:
    """Active enrollments whose periodic re-check date has passed (SPEC §4.5)."""
    enrollments = Enrollment.objects.filter(recheck_overdue_q(today))
    if user is not None:
        enrollments = scoped(enrollments, user, line=Line.ASSISTANCE)
    return enrollments.order_by("next_review", "id")


def rechecks_overdue_by_town(*, today: datetime.date) -> dict[str, int]:
    """How many re-checks are overdue in each town/street (its 9-digit code), one aggregate query."""
    return count_by_town(rechecks_overdue(today=today))
