"""Reads of funeral data, scoped to the user's jurisdiction and the funeral line, with what lists need loaded,
and each list's one FilterSet (the API's ``filterset_class``, and the pages' through these selectors'
``filters``)."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any

import django_filters
from django.db.models import Count, QuerySet, Sum
from django.utils.translation import gettext_lazy as _

from assistance.rules import Category
from civil_affairs.accounts.jurisdiction import scoped
from civil_affairs.accounts.lines import Line
from civil_affairs.api.query_filters import StrictBooleanFilter
from civil_affairs.audit.models import AuditEvent
from civil_affairs.filtering import apply_filterset, division_filter
from civil_affairs.people.selectors import PersonSearchFilter

from .models import (
    BurialSubsidy,
    Cemetery,
    CouncilEvent,
    CouncilEventKind,
    DeathRecord,
    FeeWaiver,
    PlotAllocation,
    VillageCouncil,
)
from .rules import FEE_WAIVER_CATEGORIES, BurialType
from .workflow import SubsidyState

# --- Filters and ordering (one FilterSet per list, for the API and the pages alike) ------------------------------
# Labels are the pages' (translated); help texts are the API schema's and never shown on a page.


def _date_filter(field_name: str, lookup_expr: str, label: Any) -> django_filters.DateFilter:
    return django_filters.DateFilter(field_name=field_name, lookup_expr=lookup_expr, label=label)


class DeathRecordFilter(django_filters.FilterSet):
    search = PersonSearchFilter(people=["person"], label=_("Name or whole ID number"))
    division = division_filter()
    person = django_filters.NumberFilter(
        field_name="person_id", label=_("Deceased (person id)"), help_text="The deceased's person id."
    )
    died_after = _date_filter("date_of_death", "gte", _("Died from"))
    died_before = _date_filter("date_of_death", "lte", _("Died until"))
    cremated = StrictBooleanFilter(label=_("Cremated only"))

    class Meta:
        model = DeathRecord
        fields = ["division", "person", "cremated"]


class BurialSubsidyFilter(django_filters.FilterSet):
    state = django_filters.ChoiceFilter(
        choices=SubsidyState.choices, label=_("State"), empty_label=_("Any state")
    )
    burial_type = django_filters.ChoiceFilter(
        choices=BurialType.choices, label=_("Burial type"), empty_label=_("Any burial type")
    )
    division = division_filter()
    buried_after = _date_filter("burial_date", "gte", _("Buried from"))
    buried_before = _date_filter("burial_date", "lte", _("Buried until"))

    class Meta:
        model = BurialSubsidy
        fields = ["state", "burial_type", "division"]


class FeeWaiverFilter(django_filters.FilterSet):
    division = division_filter()
    # The categories a waiver can carry (低保 and 特困); another value answers 400, naming the parameter.
    category = django_filters.ChoiceFilter(
        choices=[(value, Category(value).label) for value in FEE_WAIVER_CATEGORIES],
        label=_("Assistance category"),
        empty_label=_("Any category"),
    )

    class Meta:
        model = FeeWaiver
        fields = ["division", "category"]


class CemeteryFilter(django_filters.FilterSet):
    division = division_filter()

    class Meta:
        model = Cemetery
        fields = ["division"]


class CouncilFilter(django_filters.FilterSet):
    division = division_filter()

    class Meta:
        model = VillageCouncil
        fields = ["division"]


class CouncilEventFilter(django_filters.FilterSet):
    council = django_filters.NumberFilter(
        field_name="council_id", label=_("Council"), help_text="The village council's id."
    )
    kind = django_filters.ChoiceFilter(
        choices=CouncilEventKind.choices,
        label=_("Wedding or funeral"),
        empty_label=_("Weddings and funerals"),
    )
    held_after = _date_filter("held_on", "gte", _("Held from"))
    held_before = _date_filter("held_on", "lte", _("Held until"))

    class Meta:
        model = CouncilEvent
        fields = ["council", "kind"]


# ``?ordering=`` columns of each list (API and page); anything else answers 400 in the API.
DEATH_ORDERING = ["date_of_death", "id"]
SUBSIDY_ORDERING = ["burial_date", "amount", "id"]
WAIVER_ORDERING = ["id", "granted_at", "amount"]
CEMETERY_ORDERING = ["name", "plots_total", "plots_used"]
COUNCIL_ORDERING = ["division", "charter_date"]
EVENT_ORDERING = ["held_on", "id", "guests", "cost"]


# --- Lists ----------------------------------------------------------------------------------------------------
# Each takes ``filters`` (the query parameters) and applies its FilterSet; an invalid value raises RuleViolation.


def death_list(*, user: Any, filters: Mapping[str, Any] | None = None) -> QuerySet[DeathRecord]:
    records = scoped(
        DeathRecord.objects.select_related("person", "division", "recorded_by"), user, line=Line.FUNERAL
    ).order_by("-date_of_death", "-id")
    return apply_filterset(DeathRecordFilter, records, filters)


def burial_subsidy_list(*, user: Any, filters: Mapping[str, Any] | None = None) -> QuerySet[BurialSubsidy]:
    subsidies = scoped(
        BurialSubsidy.objects.select_related("deceased", "applicant", "division"), user, line=Line.FUNERAL
    ).order_by("-id")
    return apply_filterset(BurialSubsidyFilter, subsidies, filters)


def fee_waiver_list(*, user: Any, filters: Mapping[str, Any] | None = None) -> QuerySet[FeeWaiver]:
    waivers = scoped(
        FeeWaiver.objects.select_related("deceased", "division"), user, line=Line.FUNERAL
    ).order_by("-id")
    return apply_filterset(FeeWaiverFilter, waivers, filters)


def cemetery_list(*, user: Any, filters: Mapping[str, Any] | None = None) -> QuerySet[Cemetery]:
    cemeteries = scoped(Cemetery.objects.select_related("division"), user, line=Line.FUNERAL).order_by("name")
    return apply_filterset(CemeteryFilter, cemeteries, filters)


def plot_allocation_list(*, user: Any, cemetery: Cemetery) -> QuerySet[PlotAllocation]:
    return PlotAllocation.objects.filter(cemetery=cemetery).select_related("deceased").order_by("plot")


def village_council_list(*, user: Any, filters: Mapping[str, Any] | None = None) -> QuerySet[VillageCouncil]:
    councils = scoped(
        VillageCouncil.objects.select_related("division").annotate(event_count=Count("events")),
        user,
        line=Line.FUNERAL,
    ).order_by("division_id")
    return apply_filterset(CouncilFilter, councils, filters)


def council_event_list(*, user: Any, filters: Mapping[str, Any] | None = None) -> QuerySet[CouncilEvent]:
    events = scoped(
        CouncilEvent.objects.select_related("council", "council__division"),
        user,
        line=Line.FUNERAL,
        division_field="council__division",
    ).order_by("-held_on", "-id")
    return apply_filterset(CouncilEventFilter, events, filters)


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
