"""Reads of community work, scoped to the user's jurisdiction and lines of work (SPEC §2.3, §8): workers with
their pay, staffing per town against the targets, grade steps due, funds with their ledgers, assessments."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import django_filters
from django.core.validators import RegexValidator
from django.db.models import Count, DecimalField, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from civil_affairs.accounts.jurisdiction import scoped, within_jurisdiction
from civil_affairs.accounts.lines import Line, serves
from civil_affairs.api.query_filters import StrictBooleanFilter
from civil_affairs.divisions.models import Division, DivisionLevel
from civil_affairs.divisions.selectors import town_of
from civil_affairs.filtering import apply_filterset, division_filter
from civil_affairs.people.selectors import PersonSearchFilter

from . import rules
from .models import CommunityWorker, FundMovement, MovementKind, MutualAidFund, PayScale, VillageAssessment
from .rules import GRADE_RANGES, Certificate, Post


def in_post_q(on: datetime.date, prefix: str = "") -> Q:
    """Workers in post on ``on``: the contract covers the day and the last day worked is empty or not before it."""
    return Q(**{f"{prefix}contract_start__lte": on, f"{prefix}contract_end__gte": on}) & (
        Q(**{f"{prefix}left_on__isnull": True}) | Q(**{f"{prefix}left_on__gte": on})
    )


def pay_table() -> QuerySet[PayScale]:
    return PayScale.objects.order_by("post", "grade")


def worker_list(*, user: Any, filters: Mapping[str, Any] | None = None) -> QuerySet[CommunityWorker]:
    """The user's community workers with their monthly pay from the pay table (one query, whatever the page),
    narrowed by :class:`WorkerFilter` over ``filters``."""
    pay = PayScale.objects.filter(post=OuterRef("post"), grade=OuterRef("grade")).values("monthly_pay")[:1]
    workers = (
        scoped(
            CommunityWorker.objects.select_related("person", "community", "community__parent"),
            user,
            line=Line.COMMUNITY,
            division_field="community",
        )
        .annotate(monthly_pay=Subquery(pay, output_field=DecimalField(max_digits=10, decimal_places=2)))
        .order_by("-id")
    )
    return apply_filterset(WorkerFilter, workers, filters)


def workers_in_post(
    *, user: Any, on: datetime.date, filters: Mapping[str, Any] | None = None
) -> QuerySet[CommunityWorker]:
    return worker_list(user=user, filters=filters).filter(in_post_q(on))


def grade_steps_due(
    *, user: Any, on: datetime.date, filters: Mapping[str, Any] | None = None
) -> QuerySet[CommunityWorker]:
    """Workers in post on ``on`` whose three years in their grade are over and who are below the top of
    their post's range: their next step (one grade per three years) is due. ``filters`` as the worker list's."""
    due = Q()
    for post, (_low, high) in GRADE_RANGES.items():
        due |= Q(post=post, grade__lt=high)
    return (
        workers_in_post(user=user, on=on, filters=filters)
        .filter(due, grade_since__lte=rules.add_years(on, -rules.YEARS_PER_STEP))
        .order_by("grade_since", "id")
    )


# --- Staffing ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TownStaffing:
    """A town's staffing on a day against the targets (18 per 10,000 urban residents, 75% certified)."""

    division: str
    name: str
    urban_population: int
    workers: int
    certified: int

    @property
    def per_10000(self) -> Decimal | None:
        return rules.per_10000(self.workers, self.urban_population)

    @property
    def certified_share(self) -> Decimal | None:
        return rules.certified_share(self.certified, self.workers)

    @property
    def below_target(self) -> bool:
        return rules.below_target(self.workers, self.certified, self.urban_population)


STAFFING_ORDERING = {
    "division": lambda row: row.division,
    "name": lambda row: row.name,
    "urban_population": lambda row: row.urban_population,
    "workers": lambda row: row.workers,
    "per_10000": lambda row: (row.per_10000 is not None, row.per_10000 or Decimal(0)),
    "certified_share": lambda row: (row.certified_share is not None, row.certified_share or Decimal(0)),
    "below_target": lambda row: row.below_target,
}


def staffing_by_town(
    *, user: Any, on: datetime.date, ordering: str | None = None, below_target_only: bool = False
) -> list[TownStaffing]:
    """Per town/street in the user's jurisdiction: workers in post on ``on`` and how many hold a certificate,
    in one aggregate query over the workers and one over the towns (SPEC §8). Towns below target come first,
    then by code, unless ``ordering`` (a key of STAFFING_ORDERING, ``-`` for descending) says otherwise;
    ``below_target_only``: those towns alone (the home page's to-do)."""
    if not serves(user, Line.COMMUNITY):
        return []
    towns = within_jurisdiction(Division.objects.filter(level=DivisionLevel.TOWN), user, "")
    workers = (
        scoped(CommunityWorker.objects.all(), user, line=Line.COMMUNITY, division_field="community")
        .filter(in_post_q(on))
        .order_by()
        .annotate(town=town_of("community"))
        .values("town")
        .annotate(
            workers=Count("pk"),
            certified=Count("pk", filter=~Q(certificate=Certificate.NONE)),
        )
    )
    counts = {row["town"]: (row["workers"], row["certified"]) for row in workers}
    rows = [
        TownStaffing(
            division=town.code,
            name=town.name,
            urban_population=town.urban_population,
            workers=counts.get(town.code, (0, 0))[0],
            certified=counts.get(town.code, (0, 0))[1],
        )
        for town in towns.order_by("code")
    ]
    if below_target_only:
        rows = [row for row in rows if row.below_target]
    if ordering and ordering.lstrip("-") in STAFFING_ORDERING:
        key = STAFFING_ORDERING[ordering.lstrip("-")]
        rows.sort(key=key, reverse=ordering.startswith("-"))
    else:
        rows.sort(key=lambda row: not row.below_target)  # stable: by code within each group
    return rows


def staffing_total(rows: list[TownStaffing]) -> TownStaffing:
    """The figures of several towns together (the district line under the table)."""
    return TownStaffing(
        division="",
        name="",
        urban_population=sum(r.urban_population for r in rows),
        workers=sum(r.workers for r in rows),
        certified=sum(r.certified for r in rows),
    )


# --- Funds ------------------------------------------------------------------------------------------------


def fund_list(*, user: Any, filters: Mapping[str, Any] | None = None) -> QuerySet[MutualAidFund]:
    funds = scoped(
        MutualAidFund.objects.select_related("village", "village__parent"),
        user,
        line=Line.COMMUNITY,
        division_field="village",
    ).order_by("village_id")
    return apply_filterset(FundFilter, funds, filters)


def fund_total(funds: QuerySet[MutualAidFund]) -> Decimal:
    return funds.order_by().aggregate(total=Coalesce(Sum("balance"), Decimal("0.00")))["total"]


def movement_list(*, user: Any, filters: Mapping[str, Any] | None = None) -> QuerySet[FundMovement]:
    movements = scoped(
        FundMovement.objects.select_related("fund", "fund__village", "recorded_by"),
        user,
        line=Line.COMMUNITY,
        division_field="fund__village",
    ).order_by("-id")
    return apply_filterset(MovementFilter, movements, filters)


# --- Assessments ------------------------------------------------------------------------------------------


def assessment_list(*, user: Any, filters: Mapping[str, Any] | None = None) -> QuerySet[VillageAssessment]:
    assessments = scoped(
        VillageAssessment.objects.select_related("village", "village__parent"),
        user,
        line=Line.COMMUNITY,
        division_field="village",
    ).order_by("-quarter", "village_id")
    return apply_filterset(AssessmentFilter, assessments, filters)


# --- Divisions the user may name ---------------------------------------------------------------------------


def villages_of(user: Any) -> QuerySet[Division]:
    """Villages and communities in the user's jurisdiction (where workers, funds and assessments belong)."""
    return within_jurisdiction(Division.objects.filter(level=DivisionLevel.VILLAGE), user, "").order_by(
        "code"
    )


def towns_of(user: Any) -> QuerySet[Division]:
    return within_jurisdiction(Division.objects.filter(level=DivisionLevel.TOWN), user, "").order_by("code")


# --- Filters and ordering (one FilterSet per list, for the API and the pages alike) ------------------------

# The columns each list may be ordered by (``?ordering=``, ``-`` for descending); anything else answers 400.
WORKER_ORDERING = [
    "id",
    "person__name",
    "community",
    "post",
    "grade",
    "contract_start",
    "contract_end",
    "certificate",
]
FUND_ORDERING = ["id", "village", "balance"]
MOVEMENT_ORDERING = ["id", "date", "amount"]
ASSESSMENT_ORDERING = ["id", "quarter", "village", "score"]


# A village's or community's code is 12 digits and a quarter reads like 2026Q3: anything else in those filters
# is a mistake to name (400 in the API, a message on the page), not a value that quietly matches nothing.
VILLAGE_CODE = RegexValidator(
    r"^[0-9]{12}$", message=_("Give a village or community code: 12 digits."), code="village_code"
)
QUARTER = RegexValidator(rules.QUARTER_PATTERN, message=_("Give a quarter like 2026Q3."), code="quarter")


class WorkerFilter(django_filters.FilterSet):
    town = division_filter("community__code", label=_("Town or street"))
    community = django_filters.CharFilter(
        field_name="community_id", validators=[VILLAGE_CODE], label=_("Village or community")
    )
    post = django_filters.ChoiceFilter(choices=Post.choices, label=_("Post"))
    certificate = django_filters.ChoiceFilter(choices=Certificate.choices, label=_("Social-work certificate"))
    recruitment_batch = django_filters.CharFilter(label=_("Recruitment batch"))
    current = StrictBooleanFilter(
        method="filter_current",
        label=_("In post today"),
        help_text="In post today (contract covers it, not left).",
    )
    search = PersonSearchFilter(people=["person"], label=_("Name or whole ID number"))

    class Meta:
        model = CommunityWorker
        fields = ["town", "community", "post", "certificate", "recruitment_batch"]

    def filter_current(
        self, queryset: QuerySet[CommunityWorker], name: str, value: bool | None
    ) -> QuerySet[CommunityWorker]:
        if value is None:
            return queryset
        today = timezone.localdate()
        return queryset.filter(in_post_q(today)) if value else queryset.exclude(in_post_q(today))


class FundFilter(django_filters.FilterSet):
    town = division_filter("village__code", label=_("Town or street"))

    class Meta:
        model = MutualAidFund
        fields = ["town"]


class MovementFilter(django_filters.FilterSet):
    fund = django_filters.NumberFilter(field_name="fund_id", label=_("Fund"))
    kind = django_filters.ChoiceFilter(choices=MovementKind.choices, label=_("Kind"))
    town = division_filter("fund__village__code", label=_("Town or street"))
    date_from = django_filters.DateFilter(field_name="date", lookup_expr="gte", label=_("From"))
    date_to = django_filters.DateFilter(field_name="date", lookup_expr="lte", label=_("To"))

    class Meta:
        model = FundMovement
        fields = ["fund", "kind", "town"]


class AssessmentFilter(django_filters.FilterSet):
    town = division_filter("village__code", label=_("Town or street"))
    village = django_filters.CharFilter(
        field_name="village_id", validators=[VILLAGE_CODE], label=_("Village or community")
    )
    quarter = django_filters.CharFilter(validators=[QUARTER], label=_("Quarter"))

    class Meta:
        model = VillageAssessment
        fields = ["town", "village", "quarter"]
