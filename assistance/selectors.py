"""Reads of social-assistance data, scoped to the user's jurisdiction, with what lists need prefetched."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Prefetch, Q, QuerySet

from civil_affairs.accounts.jurisdiction import scoped
from civil_affairs.accounts.lines import Line
from civil_affairs.divisions.selectors import count_by_town

from .models import Application, Enrollment, Household, HouseholdMember, Recheck, Standard
from .workflow import EnrollmentStatus, State


def standard_list(*, category: str | None = None) -> QuerySet[Standard]:
    standards = Standard.objects.order_by("category", "-effective_from")
    if category:
        standards = standards.filter(category=category).order_by("-effective_from")
    return standards


def household_list(*, user: Any) -> QuerySet[Household]:
    members = HouseholdMember.objects.select_related("person").order_by("id")
    return scoped(
        Household.objects.select_related("division").prefetch_related(Prefetch("members", queryset=members)),
        user,
        line=Line.ASSISTANCE,
    ).order_by("-id")


def application_list(*, user: Any) -> QuerySet[Application]:
    """Applications with what their proposed amount needs (the household's members) prefetched."""
    return scoped(
        Application.objects.select_related("household", "division", "enrollment").prefetch_related(
            "covered_members", Prefetch("household__members", queryset=HouseholdMember.objects.order_by("id"))
        ),
        user,
        line=Line.ASSISTANCE,
    ).order_by("-id")


def decision_overdue_q(today: datetime.date) -> Q:
    """The one definition of "decision overdue" (SPEC §4.2): awaiting its decision past the due date."""
    return Q(state__in=[State.ACCEPTED, State.INVESTIGATED, State.PUBLICISED], decision_due__lt=today)


def enrollment_list(*, user: Any) -> QuerySet[Enrollment]:
    """Enrollments with their amount history prefetched (the explanation of the amount reads it)."""
    return scoped(
        Enrollment.objects.select_related("division", "application").prefetch_related(
            "covered_members", "amounts"
        ),
        user,
        line=Line.ASSISTANCE,
    ).order_by("-id")


def recheck_list(enrollment: Enrollment) -> QuerySet[Recheck]:
    """An enrollment's re-checks, newest visit first, with who recorded them."""
    return (
        Recheck.objects.filter(enrollment=enrollment)
        .select_related("recorded_by")
        .order_by("-visited_on", "-id")
    )


def recheck_overdue_q(today: datetime.date) -> Q:
    """The one definition of "re-check overdue" (逾期未复核, SPEC §4.5): active and past its next re-check date."""
    return Q(status=EnrollmentStatus.ACTIVE, next_review__lt=today)


def rechecks_overdue(*, user: Any | None = None, today: datetime.date) -> QuerySet[Enrollment]:
    """Active enrollments whose periodic re-check date has passed (SPEC §4.5)."""
    enrollments = Enrollment.objects.filter(recheck_overdue_q(today))
    if user is not None:
        enrollments = scoped(enrollments, user, line=Line.ASSISTANCE)
    return enrollments.order_by("next_review", "id")


def rechecks_overdue_by_town(*, today: datetime.date) -> dict[str, int]:
    """How many re-checks are overdue in each town/street (its 9-digit code), one aggregate query."""
    return count_by_town(rechecks_overdue(today=today))
