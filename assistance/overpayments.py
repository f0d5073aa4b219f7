"""Overpayments after a death, to recover (SPEC §7): payments already made for months after the month of
death — the whole payment where the enrollment was terminated, the difference between what was paid and
what was due where it was recomputed without the deceased.

One query: each payment beside the amount due for its month (0 after the enrollment's end, else the amount
history's row in force on the month's first day) and the deceased it concerns (covered by the enrollment, or
a member of its household whom a recomputation removed), who died before that month began.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import django_filters
from django.db.models import (
    Case,
    DateField,
    DecimalField,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Greatest
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from civil_affairs.accounts.jurisdiction import within_jurisdiction
from civil_affairs.accounts.lines import Line, serves
from civil_affairs.api.viewsets import ScopedViewSet
from civil_affairs.exports import Column, field
from civil_affairs.filtering import division_filter
from civil_affairs.people.models import Person

from .models import Enrollment, EnrollmentAmount, HouseholdMember, Payment

MONEY: DecimalField = DecimalField(max_digits=12, decimal_places=2)


def _deceased(link: Q) -> QuerySet[Person]:
    """The deceased linked to a payment by ``link``, died before the paid month began, earliest first."""
    return Person.objects.filter(link, is_deceased=True, date_of_death__lt=OuterRef("month")).order_by(
        "date_of_death", "pk"
    )


# A payment concerns a deceased covered by its enrollment or a member of its household (a recomputation
# removes the deceased from the covered members). Two subqueries, each found through its link table's index
# (one with an OR across both links read every person for every payment).
COVERED = _deceased(Q(assistance_enrollments=OuterRef("enrollment_id")))
IN_HOUSEHOLD = _deceased(Q(household_membership__household=OuterRef("enrollment__household_id")))
COVERED_FIRST = (
    Q(member_id__isnull=True)
    | Q(covered_died__lt=F("member_died"))
    | Q(covered_died=F("member_died"), covered_id__lte=F("member_id"))
)


def overpayments() -> QuerySet[Payment]:
    """Every overpayment, annotated with ``person``, ``date_of_death``, ``due`` and ``overpaid``."""
    due_amount = Subquery(
        EnrollmentAmount.objects.filter(
            enrollment_id=OuterRef("enrollment_id"),
            effective_from__lte=Greatest(OuterRef("enrollment__start"), OuterRef("month")),
        )
        .order_by("-effective_from")
        .values("monthly_amount")[:1],
        output_field=MONEY,
    )
    # Only the enrollments a death touches (a deceased covered member or household member: a few thousand
    # against every payment ever made), read first from the deceased (person_deceased_idx) through the link
    # tables' indexes, so the per-payment subqueries run on those enrollments' payments alone, found through
    # the (enrollment, month) index: two small queries more, whatever the tables hold.
    deceased = Person.objects.filter(is_deceased=True).values("pk")
    touched = set(
        Enrollment.covered_members.through.objects.filter(person_id__in=deceased).values_list(
            "enrollment_id", flat=True
        )
    ) | set(
        Enrollment.objects.filter(
            household_id__in=HouseholdMember.objects.filter(person_id__in=deceased).values("household_id")
        ).values_list("pk", flat=True)
    )
    return (
        Payment.objects.filter(enrollment_id__in=touched)
        .annotate(
            covered_id=Subquery(COVERED.values("pk")[:1], output_field=IntegerField()),
            covered_died=Subquery(COVERED.values("date_of_death")[:1], output_field=DateField()),
            member_id=Subquery(IN_HOUSEHOLD.values("pk")[:1], output_field=IntegerField()),
            member_died=Subquery(IN_HOUSEHOLD.values("date_of_death")[:1], output_field=DateField()),
        )
        .annotate(
            # The earlier death of the two (the lower person id on a tie, as one ordered query chose).
            person_id=Case(
                When(COVERED_FIRST, then=F("covered_id")),
                default=F("member_id"),
                output_field=IntegerField(),
            ),
            date_of_death=Case(
                When(COVERED_FIRST, then=F("covered_died")),
                default=F("member_died"),
                output_field=DateField(),
            ),
        )
        .filter(person_id__isnull=False)
        .annotate(
            due=Case(
                When(enrollment__end__lt=F("month"), then=Value(Decimal("0.00"))),
                default=Coalesce(due_amount, F("enrollment__monthly_amount")),
                output_field=MONEY,
            ),
        )
        .annotate(overpaid=ExpressionWrapper(F("amount") - F("due"), output_field=MONEY))
        .filter(overpaid__gt=0)
    )


def overpayment_list(*, user: Any) -> QuerySet[Payment]:
    """The overpayments in the user's jurisdiction, for assistance and funeral staff (a death's effects)."""
    if not (serves(user, Line.ASSISTANCE) or serves(user, Line.FUNERAL)):
        return Payment.objects.none()
    return (
        within_jurisdiction(overpayments(), user, division_field="enrollment__division")
        .select_related("enrollment")
        .order_by("-month", "-id")
    )


def overpayment_total(*, user: Any) -> dict[str, Any]:
    """How many overpayments there are and how much they come to (for dashboards)."""
    totals = overpayment_list(user=user).order_by().aggregate(total=Sum("overpaid"))
    return {"count": overpayment_list(user=user).count(), "total": totals["total"] or Decimal("0.00")}


class OverpaymentSerializer(serializers.Serializer):
    payment = serializers.IntegerField(source="pk")
    enrollment = serializers.IntegerField(source="enrollment_id")
    person = serializers.IntegerField(source="person_id", help_text="The deceased's person id.")
    month = serializers.DateField(format="%Y-%m")
    amount = serializers.DecimalField(
        source="overpaid", max_digits=12, decimal_places=2, help_text="The amount to recover."
    )
    date_of_death = serializers.DateField()


class OverpaymentFilter(django_filters.FilterSet):
    division = division_filter("enrollment__division__code")
    enrollment = django_filters.NumberFilter(field_name="enrollment_id")
    person = django_filters.NumberFilter(field_name="person_id")

    class Meta:
        model = Payment
        fields = ["division", "enrollment"]


OVERPAYMENT_COLUMNS: list[Column] = [
    Column(_("Payment"), lambda p: p.pk),
    Column(_("Enrollment"), lambda p: p.enrollment_id),
    field(_("Assistance category"), "enrollment.category"),
    Column(_("Deceased (person id)"), lambda p: p.person_id),
    Column(_("Date of death"), lambda p: p.date_of_death),
    Column(_("Month paid"), lambda p: f"{p.month:%Y-%m}"),
    Column(_("Paid (yuan)"), lambda p: p.amount),
    Column(_("Due (yuan)"), lambda p: p.due),
    Column(_("To recover (yuan)"), lambda p: p.overpaid),
]


class OverpaymentViewSet(ScopedViewSet):
    """Payments made for months after a beneficiary's death, to recover (SPEC §7). Read-only."""

    serializer_class = OverpaymentSerializer
    selector = overpayment_list
    line = Line.ASSISTANCE
    filterset_class = OverpaymentFilter
    ordering_fields = ["month", "id", "overpaid"]
    export_columns = OVERPAYMENT_COLUMNS
    export_name = "overpayments"
