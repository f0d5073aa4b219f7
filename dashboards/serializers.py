"""The shapes of ``GET /api/v1/dashboards/summary/`` (SPEC §9): its query and its answer. Money as strings with
two places; ``per_10000`` two places and ``certified_share`` four, as the staffing list gives them."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from assistance.rules import Category
from civil_affairs.accounts.lines import Line

from .periods import MONTH_PATTERN, PeriodError, parse_month, period_between
from .selectors import Summary


@extend_schema_field({"type": "string", "pattern": MONTH_PATTERN, "example": "2024-05"})
class MonthField(serializers.Field):
    """A month as ``YYYY-MM`` (its first day inside)."""

    default_error_messages = {"invalid": _("Enter a month as YYYY-MM.")}

    def to_internal_value(self, data: Any) -> datetime.date:
        month = parse_month(data)
        if month is None:
            self.fail("invalid")
        return month

    def to_representation(self, value: datetime.date) -> str:
        return f"{value:%Y-%m}"


class SummaryQuerySerializer(serializers.Serializer):
    # "from" is a keyword: the fields are named in get_fields.
    division = serializers.CharField(
        required=False, help_text="The district or a town/street (its code); default: your jurisdiction."
    )

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        fields["from"] = MonthField(required=False, help_text="First month (YYYY-MM); default this month.")
        fields["to"] = MonthField(required=False, help_text="Last month (YYYY-MM); default this month.")
        return fields

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        try:
            attrs["period"] = period_between(attrs.get("from"), attrs.get("to"), self.context["today"])
        except PeriodError as error:
            raise serializers.ValidationError({error.field: [error.message]}) from None
        return attrs


def money(value: Any) -> str:
    return f"{value:.2f}"


def optional(value: Any, places: int) -> str | None:
    return None if value is None else f"{value:.{places}f}"


class CategoryFiguresSerializer(serializers.Serializer):
    category = serializers.ChoiceField(choices=Category.choices)
    paid = serializers.CharField(help_text="Yuan, two places.")
    person_times = serializers.IntegerField()
    people = serializers.IntegerField()


class AssistanceSerializer(serializers.Serializer):
    paid = serializers.CharField(help_text="Payments for the months of the period, yuan.")
    person_times = serializers.IntegerField(help_text="Covered people summed over the months.")
    people = serializers.IntegerField(help_text="Distinct people paid in the period.")
    by_category = CategoryFiguresSerializer(many=True)
    active_enrollments = serializers.IntegerField(help_text="In force on the as-of day.")
    rechecks_overdue = serializers.IntegerField()
    decisions_overdue = serializers.IntegerField()
    overpayments = serializers.IntegerField(help_text="Payments made for months after a death (SPEC §7).")
    overpayment_amount = serializers.CharField(help_text="What those payments overpaid, yuan.")


class EldercareSerializer(serializers.Serializer):
    facilities_by_kind = serializers.DictField(
        child=serializers.IntegerField(), help_text="Operating, by kind."
    )
    facilities = serializers.IntegerField()
    beds = serializers.IntegerField()
    open_alerts = serializers.IntegerField()
    hazards_overdue = serializers.IntegerField()


class MarriageSerializer(serializers.Serializer):
    registrations = serializers.IntegerField()
    divorces = serializers.IntegerField(help_text="Divorce certificates issued.")
    reissues = serializers.IntegerField(help_text="Certificates reissued (补领).")


class FuneralSerializer(serializers.Serializer):
    deaths = serializers.IntegerField()
    burial_subsidies = serializers.IntegerField()
    burial_subsidy_amount = serializers.CharField(help_text="Yuan, two places.")
    fee_waivers = serializers.IntegerField()


class CommunitySerializer(serializers.Serializer):
    workers = serializers.IntegerField()
    per_10000 = serializers.CharField(allow_null=True)
    certified_share = serializers.CharField(allow_null=True)
    towns_below_target = serializers.IntegerField()


class TownFiguresSerializer(serializers.Serializer):
    """A town's figures: ``division`` and ``name``, then the figures of each section the caller sees."""

    division = serializers.CharField()
    name = serializers.CharField()
    paid = serializers.CharField(required=False)
    person_times = serializers.IntegerField(required=False)
    people = serializers.IntegerField(required=False)
    active_enrollments = serializers.IntegerField(required=False)
    rechecks_overdue = serializers.IntegerField(required=False)
    decisions_overdue = serializers.IntegerField(required=False)
    overpayments = serializers.IntegerField(required=False)
    overpayment_amount = serializers.CharField(required=False)
    facilities = serializers.IntegerField(required=False)
    beds = serializers.IntegerField(required=False)
    open_alerts = serializers.IntegerField(required=False)
    hazards_overdue = serializers.IntegerField(required=False)
    registrations = serializers.IntegerField(required=False)
    divorces = serializers.IntegerField(required=False)
    reissues = serializers.IntegerField(required=False)
    deaths = serializers.IntegerField(required=False)
    burial_subsidies = serializers.IntegerField(required=False)
    burial_subsidy_amount = serializers.CharField(required=False)
    fee_waivers = serializers.IntegerField(required=False)
    workers = serializers.IntegerField(required=False)
    per_10000 = serializers.CharField(required=False, allow_null=True)
    certified_share = serializers.CharField(required=False, allow_null=True)
    below_target = serializers.BooleanField(required=False)


class MonthFiguresSerializer(serializers.Serializer):
    month = serializers.CharField(help_text="YYYY-MM")
    paid = serializers.CharField(required=False)
    person_times = serializers.IntegerField(required=False)
    people = serializers.IntegerField(required=False)
    registrations = serializers.IntegerField(required=False)
    deaths = serializers.IntegerField(required=False)


class PeriodSerializer(serializers.Serializer):
    def get_fields(self) -> dict[str, serializers.Field]:
        return {"from": serializers.CharField(), "to": serializers.CharField()}


class SummarySerializer(serializers.Serializer):
    """The answer (documentation; ``summary_json`` builds it). Sections of lines the caller does not serve are
    absent."""

    period = PeriodSerializer()
    division = serializers.CharField()
    division_name = serializers.CharField()
    as_of = serializers.DateField(help_text="The day counts of open things are taken on.")
    refreshed_at = serializers.DateTimeField(
        allow_null=True, help_text="When the summary tables (social assistance) were last refreshed."
    )
    assistance = AssistanceSerializer(required=False)
    eldercare = EldercareSerializer(required=False)
    marriage = MarriageSerializer(required=False)
    funeral = FuneralSerializer(required=False)
    community = CommunitySerializer(required=False)
    by_town = TownFiguresSerializer(many=True)
    by_month = MonthFiguresSerializer(many=True)


MONEY_KEYS = {"paid", "burial_subsidy_amount", "overpayment_amount"}


def _plain(values: dict[str, Any]) -> dict[str, Any]:
    """Money as strings, ratios as strings of their places, the rest as it is."""
    plain: dict[str, Any] = {}
    for key, value in values.items():
        if key in MONEY_KEYS:
            plain[key] = money(value)
        elif key == "per_10000":
            plain[key] = optional(value, 2)
        elif key == "certified_share":
            plain[key] = optional(value, 4)
        elif key == "by_category":
            plain[key] = [_plain(row) for row in value]
        else:
            plain[key] = value
    return plain


def summary_json(summary: Summary) -> dict[str, Any]:
    data: dict[str, Any] = {
        "period": summary.period.as_json(),
        "division": summary.division.code,
        "division_name": summary.division.name,
        "as_of": summary.as_of.isoformat(),
        "refreshed_at": serializers.DateTimeField().to_representation(summary.refreshed_at)
        if summary.refreshed_at
        else None,
    }
    for section in (Line.ASSISTANCE, Line.ELDERCARE, Line.MARRIAGE, Line.FUNERAL, Line.COMMUNITY):
        if section in summary.sections:
            data[section] = _plain(summary.sections[section])
    data["by_town"] = [
        {"division": town.code, "name": town.name, **_plain(summary.by_town[town.code])}
        for town in summary.towns
    ]
    data["by_month"] = [
        {"month": f"{month:%Y-%m}", **_plain(figures)} for month, figures in summary.by_month.items()
    ]
    return data
