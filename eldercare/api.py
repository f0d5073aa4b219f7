"""``/api/v1/eldercare/`` (SPEC §5): facilities, escrow statements, alerts, inspections with hazards, home-care
projects, meal reports, 情暖夕阳 meal-delivery enrolments and deliveries (§4.5), caregiver training and awards. Thin views: shape checks here, rules in services.py."""

from __future__ import annotations

import datetime
import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any, cast

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from civil_affairs.accounts.lines import Line
from civil_affairs.accounts.permissions import CASE_WRITERS
from civil_affairs.api.serializers import RefuseUnknownFieldsMixin
from civil_affairs.api.viewsets import ScopedViewSet, ServiceCreateMixin, workflow_action
from civil_affairs.divisions.models import Division
from civil_affairs.exports import Column, field
from civil_affairs.filtering import API_BACKENDS_WITHOUT_SEARCH
from civil_affairs.people.models import Person
from civil_affairs.people.selectors import people_visible_to
from civil_affairs.web.formatting import moment

from . import selectors, services
from .models import (
    Alert,
    AwardLevel,
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

NOTE_LENGTH = 500  # as the pages' note fields
MONTH_PATTERN = r"^[0-9]{4}-(0[1-9]|1[0-2])$"


@extend_schema_field({"type": "string", "pattern": MONTH_PATTERN, "example": "2024-05"})
class MonthField(serializers.Field):
    """A month as ``YYYY-MM`` (stored as its first day)."""

    default_error_messages = {"invalid": _("Enter a month as YYYY-MM.")}

    def to_internal_value(self, data: Any) -> datetime.date:
        if not isinstance(data, str) or not re.fullmatch(MONTH_PATTERN, data, flags=re.ASCII):
            self.fail("invalid")
        year, month = (int(part) for part in data.split("-"))
        if year < 1900:
            self.fail("invalid")
        return datetime.date(year, month, 1)

    def to_representation(self, value: datetime.date) -> str:
        return f"{value:%Y-%m}"


def _scoped_field(fields: dict[str, serializers.Field], name: str, queryset: QuerySet[Any]) -> None:
    cast(serializers.PrimaryKeyRelatedField, fields[name]).queryset = queryset


def _money(**options: Any) -> serializers.DecimalField:
    return serializers.DecimalField(max_digits=14, decimal_places=2, **options)


# --- Facilities ---------------------------------------------------------------------------------------------


class FacilitySerializer(serializers.ModelSerializer):
    division = serializers.CharField(source="division_id", read_only=True)

    class Meta:
        model = Facility
        fields = [
            "id",
            "name",
            "kind",
            "division",
            "operator",
            "ownership",
            "beds",
            "star_rating",
            "status",
            "opened_on",
            "has_escrow_account",
        ]
        read_only_fields = fields


class FacilityWriteSerializer(RefuseUnknownFieldsMixin, serializers.Serializer):
    read_only_names = frozenset(FacilitySerializer.Meta.fields)

    name = serializers.CharField(max_length=100)
    kind = serializers.ChoiceField(choices=FacilityKind.choices)
    division = serializers.SlugRelatedField(slug_field="code", queryset=Division.objects.all())
    operator = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    ownership = serializers.ChoiceField(choices=Ownership.choices)
    beds = serializers.IntegerField(required=False, default=0)
    star_rating = serializers.IntegerField(required=False, allow_null=True, default=None)
    status = serializers.ChoiceField(
        choices=FacilityStatus.choices, required=False, default=FacilityStatus.OPERATING
    )
    opened_on = serializers.DateField(required=False, allow_null=True, default=None)
    has_escrow_account = serializers.BooleanField(required=False, default=False)


class FacilityUpdateSerializer(FacilityWriteSerializer):
    """PATCH: any of the particulars but the division (a facility that moves is registered anew)."""

    division = None  # type: ignore[assignment]

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, Mapping) and "division" in data:
            raise serializers.ValidationError(
                {"division": [_("A facility's division cannot change; register the facility anew.")]}
            )
        return super().to_internal_value(data)


FACILITY_COLUMNS = [
    field(_("No."), "pk"),
    field(pgettext_lazy("facility", "Name"), "name"),
    field(_("Kind"), "kind"),
    field(_("Division"), "division.name"),
    field(_("Division code"), "division_id", text=True),
    field(_("Operator"), "operator"),
    field(_("Ownership"), "ownership"),
    field(_("Beds"), "beds"),
    field(_("Star rating"), "star_rating"),
    field(_("Status"), "status"),
    field(pgettext_lazy("facility", "Opened on"), "opened_on"),
    field(_("Escrow account"), "has_escrow_account"),
]


@extend_schema_view(
    create=extend_schema(
        request=FacilityWriteSerializer,
        responses={
            201: FacilitySerializer,
            400: OpenApiTypes.OBJECT,
            403: OpenApiTypes.OBJECT,
            409: OpenApiTypes.OBJECT,
        },
    ),
    partial_update=extend_schema(
        request=FacilityUpdateSerializer,
        responses={
            200: FacilitySerializer,
            400: OpenApiTypes.OBJECT,
            403: OpenApiTypes.OBJECT,
            404: OpenApiTypes.OBJECT,
            409: OpenApiTypes.OBJECT,
        },
    ),
)
class FacilityViewSet(ServiceCreateMixin, ScopedViewSet):
    """Elder-care facilities (SPEC §5); ``?division=`` matches the division's subtree. PATCH changes a
    facility's particulars (status, beds, star rating…), audited; its division stays."""

    serializer_class = FacilitySerializer
    selector = selectors.facility_list
    line = Line.ELDERCARE
    filterset_class = selectors.FacilityFilter
    ordering_fields = selectors.FACILITY_ORDERING
    search_fields = ["name", "operator"]
    roles_by_action = {"create": CASE_WRITERS, "partial_update": CASE_WRITERS}
    create_input = FacilityWriteSerializer
    create_service = services.facility_create
    http_method_names = ["get", "post", "patch", "head", "options"]
    export_columns = FACILITY_COLUMNS
    export_name = "facilities"

    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        facility = self.get_object()
        data = self.validated(FacilityUpdateSerializer, partial=True)
        services.facility_update(actor=request.user, facility=facility, **data)
        return self.read_back(facility)


# --- Escrow statements --------------------------------------------------------------------------------------


class StatementSerializer(serializers.ModelSerializer):
    month = MonthField(read_only=True)

    class Meta:
        model = EscrowStatement
        fields = ["id", "facility", "month", "residents", "monthly_fee", "prepaid_fees_held", "deposits_held"]
        read_only_fields = fields


class StatementCreateSerializer(RefuseUnknownFieldsMixin, serializers.Serializer):
    read_only_names = frozenset(StatementSerializer.Meta.fields)

    facility = serializers.PrimaryKeyRelatedField(queryset=Facility.objects.none())
    month = MonthField()
    residents = serializers.IntegerField()
    monthly_fee = _money(help_text="Average bed and care fee per resident (yuan).")
    prepaid_fees_held = _money()
    deposits_held = _money()

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        _scoped_field(fields, "facility", selectors.facility_list(user=self.context["request"].user))
        return fields


class StatementCorrectSerializer(RefuseUnknownFieldsMixin, serializers.Serializer):
    read_only_names = frozenset(StatementSerializer.Meta.fields)

    residents = serializers.IntegerField(required=False)
    monthly_fee = _money(required=False)
    prepaid_fees_held = _money(required=False)
    deposits_held = _money(required=False)


@extend_schema_view(
    create=extend_schema(
        request=StatementCreateSerializer,
        responses={
            201: StatementSerializer,
            400: OpenApiTypes.OBJECT,
            403: OpenApiTypes.OBJECT,
            409: OpenApiTypes.OBJECT,
        },
    ),
    partial_update=extend_schema(
        request=StatementCorrectSerializer,
        responses={200: StatementSerializer, 400: OpenApiTypes.OBJECT, 404: OpenApiTypes.OBJECT},
    ),
)
class StatementViewSet(ServiceCreateMixin, ScopedViewSet):
    """Monthly escrow statements (one per facility and month; a second answers 409). PATCH corrects one and
    re-evaluates its alerts."""

    serializer_class = StatementSerializer
    selector = selectors.statement_list
    line = Line.ELDERCARE
    filterset_class = selectors.StatementFilter
    ordering_fields = ["month", "prepaid_fees_held", "deposits_held", "residents"]
    roles_by_action = {"create": CASE_WRITERS, "partial_update": CASE_WRITERS}
    create_input = StatementCreateSerializer
    create_service = services.statement_record
    http_method_names = ["get", "post", "patch", "head", "options"]
    export_columns = [
        field(_("Facility"), "facility.name"),
        Column(_("Month"), lambda s: f"{s.month:%Y-%m}"),
        field(_("Residents"), "residents"),
        field(_("Average monthly fee (yuan)"), "monthly_fee"),
        field(_("Prepaid fees held (yuan)"), "prepaid_fees_held"),
        field(_("Deposits held (yuan)"), "deposits_held"),
    ]
    export_name = "escrow-statements"

    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        statement = self.get_object()
        data = self.validated(StatementCorrectSerializer)
        services.statement_correct(actor=request.user, statement=statement, **data)
        return self.read_back(statement)


# --- Alerts -------------------------------------------------------------------------------------------------


class AlertSerializer(serializers.ModelSerializer):
    month = MonthField(read_only=True, allow_null=True)
    is_open = serializers.BooleanField(read_only=True)

    class Meta:
        model = Alert
        fields = [
            "id",
            "facility",
            "kind",
            "month",
            "hazard",
            "deadline",
            "detail",
            "raised_at",
            "closed_at",
            "close_note",
            "is_open",
        ]
        read_only_fields = fields


class AlertCloseSerializer(RefuseUnknownFieldsMixin, serializers.Serializer):
    read_only_names = frozenset(AlertSerializer.Meta.fields)

    note = serializers.CharField(max_length=NOTE_LENGTH)


class AlertViewSet(ScopedViewSet):
    """Escrow and safety alerts (SPEC §5): raised once per cause, closing themselves when it goes."""

    serializer_class = AlertSerializer
    selector = selectors.alert_list
    line = Line.ELDERCARE
    filterset_class = selectors.AlertFilter
    ordering_fields = ["raised_at", "kind", "month", "closed_at"]
    roles_by_action = {"close": CASE_WRITERS}
    export_columns = [
        field(_("Facility"), "facility.name"),
        field(_("Kind"), "kind"),
        Column(_("Month"), lambda a: f"{a.month:%Y-%m}" if a.month else ""),
        field(_("Deadline"), "deadline"),
        field(_("Detail"), "detail"),
        # To the minute, as the pages show it (the kernel's cell() would add seconds and the offset).
        Column(_("Raised at"), lambda a: moment(a.raised_at)),
        Column(_("Closed at"), lambda a: moment(a.closed_at) if a.closed_at else ""),
    ]
    export_name = "alerts"

    close = workflow_action(
        "close",
        perform=lambda actor, obj, note: services.alert_close(actor=actor, alert=obj, note=note),
        input_serializer=AlertCloseSerializer,
        output_serializer=AlertSerializer,
        summary="Close an alert with a note",
    )


# --- Inspections and hazards --------------------------------------------------------------------------------


class HazardSerializer(serializers.ModelSerializer):
    overdue = serializers.SerializerMethodField()

    class Meta:
        model = Hazard
        fields = [
            "id",
            "inspection",
            "facility",
            "description",
            "severity",
            "deadline",
            "rectified_on",
            "rectification_note",
            "overdue",
        ]
        read_only_fields = fields

    def get_overdue(self, hazard: Hazard) -> bool:
        return hazard.rectified_on is None and hazard.deadline < timezone.localdate()


class HazardInputSerializer(RefuseUnknownFieldsMixin, serializers.Serializer):
    read_only_names = frozenset(HazardSerializer.Meta.fields)

    description = serializers.CharField()
    severity = serializers.ChoiceField(choices=Severity.choices)
    deadline = serializers.DateField()


class InspectionSerializer(serializers.ModelSerializer):
    hazards = HazardSerializer(many=True, read_only=True)

    class Meta:
        model = Inspection
        fields = ["id", "facility", "date", "inspector", "hazards"]
        read_only_fields = fields


class InspectionCreateSerializer(RefuseUnknownFieldsMixin, serializers.Serializer):
    read_only_names = frozenset(InspectionSerializer.Meta.fields)

    facility = serializers.PrimaryKeyRelatedField(queryset=Facility.objects.none())
    date = serializers.DateField()
    inspector = serializers.CharField(max_length=100)
    hazards = HazardInputSerializer(many=True, required=False, default=list)

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        _scoped_field(fields, "facility", selectors.facility_list(user=self.context["request"].user))
        return fields


@extend_schema_view(
    create=extend_schema(
        request=InspectionCreateSerializer,
        responses={
            201: InspectionSerializer,
            400: OpenApiTypes.OBJECT,
            403: OpenApiTypes.OBJECT,
            409: OpenApiTypes.OBJECT,
        },
    ),
)
class InspectionViewSet(ServiceCreateMixin, ScopedViewSet):
    serializer_class = InspectionSerializer
    selector = selectors.inspection_list
    line = Line.ELDERCARE
    filterset_class = selectors.InspectionFilter
    roles_by_action = {"create": CASE_WRITERS}
    ordering_fields = ["date"]
    create_input = InspectionCreateSerializer
    create_service = services.inspection_record
    export_columns = [
        field(_("Facility"), "facility.name"),
        field(_("Inspection date"), "date"),
        field(_("Inspector"), "inspector"),
        Column(_("Hazards"), lambda i: len(i.hazards.all())),
    ]
    export_name = "inspections"


class RectifySerializer(RefuseUnknownFieldsMixin, serializers.Serializer):
    read_only_names = frozenset(HazardSerializer.Meta.fields)

    rectified_on = serializers.DateField()
    note = serializers.CharField(max_length=NOTE_LENGTH, required=False, allow_blank=True, default="")


class HazardViewSet(ScopedViewSet):
    """Hazards found by inspections; ``?overdue=true`` lists those past their deadline. Rectify once (409 on a
    second)."""

    serializer_class = HazardSerializer
    selector = selectors.hazard_list
    line = Line.ELDERCARE
    filterset_class = selectors.HazardFilter
    ordering_fields = ["deadline", "severity", "rectified_on"]
    roles_by_action = {"rectify": CASE_WRITERS}
    export_columns = [
        field(_("Facility"), "facility.name"),
        field(_("Description"), "description"),
        field(_("Severity"), "severity"),
        field(_("Deadline"), "deadline"),
        field(_("Rectified on"), "rectified_on"),
    ]
    export_name = "hazards"

    rectify = workflow_action(
        "rectify",
        perform=lambda actor, obj, **data: services.hazard_rectify(actor=actor, hazard=obj, **data),
        input_serializer=RectifySerializer,
        output_serializer=HazardSerializer,
        summary="Record a hazard's rectification",
    )


# --- Home care ----------------------------------------------------------------------------------------------


class HomeCareSerializer(serializers.ModelSerializer):
    division = serializers.CharField(source="division_id", read_only=True)

    class Meta:
        model = HomeCareProject
        fields = [
            "id",
            "person",
            "division",
            "kind",
            "contractor",
            "subsidy",
            "status",
            "completed_on",
            "ended_on",
            "end_reason",
        ]
        read_only_fields = fields


class HomeCareCreateSerializer(RefuseUnknownFieldsMixin, serializers.Serializer):
    read_only_names = frozenset(HomeCareSerializer.Meta.fields)

    person = serializers.PrimaryKeyRelatedField(queryset=Person.objects.none())
    kind = serializers.ChoiceField(choices=HomeCareKind.choices)
    contractor = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    subsidy = _money(required=False, default=Decimal("0.00"))
    status = serializers.ChoiceField(
        choices=HomeCareStatus.choices, required=False, default=HomeCareStatus.PLANNED
    )
    completed_on = serializers.DateField(required=False, allow_null=True, default=None)

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        _scoped_field(fields, "person", people_visible_to(self.context["request"].user))
        return fields


class HomeCareUpdateSerializer(RefuseUnknownFieldsMixin, serializers.Serializer):
    """PATCH: move a project along or correct its contractor and subsidy (its person and kind stay)."""

    read_only_names = frozenset(HomeCareSerializer.Meta.fields)

    contractor = serializers.CharField(max_length=100, required=False, allow_blank=True)
    subsidy = _money(required=False)
    status = serializers.ChoiceField(choices=HomeCareStatus.choices, required=False)
    completed_on = serializers.DateField(required=False, allow_null=True)


@extend_schema_view(
    create=extend_schema(
        request=HomeCareCreateSerializer,
        responses={201: HomeCareSerializer, 400: OpenApiTypes.OBJECT, 403: OpenApiTypes.OBJECT},
    ),
    partial_update=extend_schema(
        request=HomeCareUpdateSerializer,
        responses={
            200: HomeCareSerializer,
            400: OpenApiTypes.OBJECT,
            403: OpenApiTypes.OBJECT,
            404: OpenApiTypes.OBJECT,
            409: OpenApiTypes.OBJECT,
        },
    ),
)
class HomeCareViewSet(ServiceCreateMixin, ScopedViewSet):
    """Family beds, home services and renovations for people aged 60 or over and alive. PATCH moves a project
    along (planned → in progress → completed with its date) or corrects its contractor and subsidy, audited;
    an ended project answers 409."""

    serializer_class = HomeCareSerializer
    selector = selectors.home_care_list
    line = Line.ELDERCARE
    filterset_class = selectors.HomeCareFilter
    ordering_fields = ["kind", "status", "subsidy", "completed_on"]
    # ``?search=`` is the FilterSet's (a name, a whole ID number or the contractor), not SearchFilter's.
    filter_backends = API_BACKENDS_WITHOUT_SEARCH
    roles_by_action = {"create": CASE_WRITERS, "partial_update": CASE_WRITERS}
    create_input = HomeCareCreateSerializer
    create_service = services.home_care_create
    http_method_names = ["get", "post", "patch", "head", "options"]
    export_columns = [
        field(_("Name"), "person.name"),
        field(_("Division"), "division.name"),
        field(_("Kind"), "kind"),
        field(_("Contractor"), "contractor"),
        field(_("Subsidy (yuan)"), "subsidy"),
        field(_("Status"), "status"),
        field(_("Completed on"), "completed_on"),
    ]
    export_name = "home-care"

    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        project = self.get_object()
        data = self.validated(HomeCareUpdateSerializer, partial=True)
        services.home_care_update(actor=request.user, project=project, **data)
        return self.read_back(project)


# --- Meal reports -------------------------------------------------------------------------------------------


class MealReportSerializer(serializers.ModelSerializer):
    month = MonthField(read_only=True)

    class Meta:
        model = MealReport
        fields = ["id", "facility", "month", "meals_served", "subsidised_meals"]
        read_only_fields = fields


class MealReportCreateSerializer(RefuseUnknownFieldsMixin, serializers.Serializer):
    read_only_names = frozenset(MealReportSerializer.Meta.fields)

    facility = serializers.PrimaryKeyRelatedField(queryset=Facility.objects.none())
    month = MonthField()
    meals_served = serializers.IntegerField()
    subsidised_meals = serializers.IntegerField()

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        _scoped_field(fields, "facility", selectors.facility_list(user=self.context["request"].user))
        return fields


@extend_schema_view(
    create=extend_schema(
        request=MealReportCreateSerializer,
        responses={201: MealReportSerializer, 400: OpenApiTypes.OBJECT, 409: OpenApiTypes.OBJECT},
    ),
)
class MealReportViewSet(ServiceCreateMixin, ScopedViewSet):
    serializer_class = MealReportSerializer
    selector = selectors.meal_report_list
    line = Line.ELDERCARE
    filterset_class = selectors.MealReportFilter
    ordering_fields = ["month", "meals_served", "subsidised_meals"]
    export_columns = [
        field(_("Meal site"), "facility.name"),
        Column(_("Month"), lambda r: f"{r.month:%Y-%m}"),
        field(_("Meals served"), "meals_served"),
        field(_("Subsidised meals"), "subsidised_meals"),
    ]
    export_name = "meal-reports"
    roles_by_action = {"create": CASE_WRITERS}
    create_input = MealReportCreateSerializer
    create_service = services.meal_report_record


# --- 情暖夕阳 meal delivery (SPEC §4.5) ------------------------------------------------------------------------


class MealEnrolmentSerializer(serializers.ModelSerializer):
    division = serializers.CharField(source="division_id", read_only=True)

    class Meta:
        model = MealDeliveryEnrolment
        fields = [
            "id",
            "person",
            "division",
            "facility",
            "category",
            "enrolled_on",
            "ended_on",
            "end_reason",
        ]
        read_only_fields = fields


class MealEnrolmentCreateSerializer(RefuseUnknownFieldsMixin, serializers.Serializer):
    read_only_names = frozenset(MealEnrolmentSerializer.Meta.fields)

    person = serializers.PrimaryKeyRelatedField(
        queryset=Person.objects.none(),
        help_text="A 低保 or 特困 beneficiary aged 60 or over with a disability certificate.",
    )
    facility = serializers.PrimaryKeyRelatedField(
        queryset=Facility.objects.none(), help_text="An operating meal site."
    )
    enrolled_on = serializers.DateField(
        required=False, default=None, help_text="Today or earlier (default today)."
    )

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        user = self.context["request"].user
        _scoped_field(fields, "person", people_visible_to(user))
        _scoped_field(fields, "facility", selectors.facility_list(user=user))
        return fields


class MealEnrolmentEndSerializer(RefuseUnknownFieldsMixin, serializers.Serializer):
    read_only_names = frozenset(MealEnrolmentSerializer.Meta.fields)

    ended_on = serializers.DateField(help_text="Between the enrolment's start and today.")
    reason = serializers.CharField(max_length=200)


@extend_schema_view(
    create=extend_schema(
        request=MealEnrolmentCreateSerializer,
        responses={201: MealEnrolmentSerializer, 400: OpenApiTypes.OBJECT, 409: OpenApiTypes.OBJECT},
    ),
)
class MealEnrolmentViewSet(ServiceCreateMixin, ScopedViewSet):
    """情暖夕阳: 低保/特困 beneficiaries aged 60 or over with a disability, enrolled with a meal site; one open
    enrolment per person (409 on a second). ``?open=true`` lists those not ended."""

    serializer_class = MealEnrolmentSerializer
    selector = selectors.meal_enrolment_list
    line = Line.ELDERCARE
    filterset_class = selectors.MealEnrolmentFilter
    filter_backends = API_BACKENDS_WITHOUT_SEARCH
    ordering_fields = ["enrolled_on", "ended_on"]
    roles_by_action = {"create": CASE_WRITERS, "end": CASE_WRITERS}
    create_input = MealEnrolmentCreateSerializer
    create_service = services.meal_enrolment_create
    export_columns = [
        field(_("Name"), "person.name"),
        field(_("Division"), "division.name"),
        field(_("Meal site"), "facility.name"),
        field(_("Enrolled on"), "enrolled_on"),
        field(_("Ended on"), "ended_on"),
        field(_("Reason for ending"), "end_reason"),
    ]
    export_name = "meal-enrolments"

    end = workflow_action(
        "end",
        perform=lambda actor, obj, **data: services.meal_enrolment_end(actor=actor, enrolment=obj, **data),
        input_serializer=MealEnrolmentEndSerializer,
        output_serializer=MealEnrolmentSerializer,
        summary="End a meal-delivery enrolment",
    )


class MealDeliverySerializer(serializers.ModelSerializer):
    month = MonthField(read_only=True)

    class Meta:
        model = MealDelivery
        fields = ["id", "enrolment", "month", "meals_delivered"]
        read_only_fields = fields


class MealDeliveryCreateSerializer(RefuseUnknownFieldsMixin, serializers.Serializer):
    read_only_names = frozenset(MealDeliverySerializer.Meta.fields)

    enrolment = serializers.PrimaryKeyRelatedField(queryset=MealDeliveryEnrolment.objects.none())
    month = MonthField(help_text="Within the enrolment, not in the future.")
    meals_delivered = serializers.IntegerField(help_text="1 to three a day of the month.")

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        _scoped_field(fields, "enrolment", selectors.meal_enrolment_list(user=self.context["request"].user))
        return fields


class MealDeliveryCorrectSerializer(RefuseUnknownFieldsMixin, serializers.Serializer):
    """PATCH: the month's meals (its enrolment and month stay)."""

    read_only_names = frozenset(MealDeliverySerializer.Meta.fields)

    meals_delivered = serializers.IntegerField(help_text="1 to three a day of the month.")


@extend_schema_view(
    create=extend_schema(
        request=MealDeliveryCreateSerializer,
        responses={201: MealDeliverySerializer, 400: OpenApiTypes.OBJECT, 409: OpenApiTypes.OBJECT},
    ),
    partial_update=extend_schema(
        request=MealDeliveryCorrectSerializer,
        responses={
            200: MealDeliverySerializer,
            400: OpenApiTypes.OBJECT,
            403: OpenApiTypes.OBJECT,
            404: OpenApiTypes.OBJECT,
        },
    ),
)
class MealDeliveryViewSet(ServiceCreateMixin, ScopedViewSet):
    """Meals delivered per enrolment and month (one record per month, 409 on a second; PATCH corrects the
    month's meals under the same cap, audited)."""

    serializer_class = MealDeliverySerializer
    selector = selectors.meal_delivery_list
    line = Line.ELDERCARE
    filterset_class = selectors.MealDeliveryFilter
    ordering_fields = ["month", "meals_delivered"]
    export_columns = [
        field(_("Name"), "enrolment.person.name"),
        field(_("Meal site"), "enrolment.facility.name"),
        Column(_("Month"), lambda d: f"{d.month:%Y-%m}"),
        field(_("Meals delivered"), "meals_delivered"),
    ]
    export_name = "meal-deliveries"
    create_input = MealDeliveryCreateSerializer
    create_service = services.meal_delivery_record
    roles_by_action = {"create": CASE_WRITERS, "partial_update": CASE_WRITERS}
    http_method_names = ["get", "post", "patch", "head", "options"]

    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        delivery = self.get_object()
        data = self.validated(MealDeliveryCorrectSerializer)
        services.meal_delivery_correct(actor=request.user, delivery=delivery, **data)
        return self.read_back(delivery)


# --- Caregiver training and awards --------------------------------------------------------------------------


class TrainingSerializer(serializers.ModelSerializer):
    class Meta:
        model = CaregiverTraining
        fields = ["id", "person", "division", "course", "hours", "date", "certificate_level"]
        read_only_fields = fields


class TrainingCreateSerializer(RefuseUnknownFieldsMixin, serializers.Serializer):
    read_only_names = frozenset(TrainingSerializer.Meta.fields)

    person = serializers.PrimaryKeyRelatedField(queryset=Person.objects.none())
    course = serializers.CharField(max_length=100)
    hours = serializers.DecimalField(max_digits=6, decimal_places=1)
    date = serializers.DateField()
    certificate_level = serializers.ChoiceField(
        choices=CertificateLevel.choices, required=False, allow_blank=True, default=""
    )

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        _scoped_field(fields, "person", people_visible_to(self.context["request"].user))
        return fields


@extend_schema_view(
    create=extend_schema(
        request=TrainingCreateSerializer, responses={201: TrainingSerializer, 400: OpenApiTypes.OBJECT}
    )
)
class TrainingViewSet(ServiceCreateMixin, ScopedViewSet):
    serializer_class = TrainingSerializer
    selector = selectors.training_list
    line = Line.ELDERCARE
    filterset_class = selectors.TrainingFilter
    ordering_fields = ["date", "hours"]
    roles_by_action = {"create": CASE_WRITERS}
    create_input = TrainingCreateSerializer
    create_service = services.training_record


class AwardSerializer(serializers.ModelSerializer):
    class Meta:
        model = CaregiverAward
        fields = ["id", "person", "division", "title", "level", "awarded_on"]
        read_only_fields = fields


class AwardCreateSerializer(RefuseUnknownFieldsMixin, serializers.Serializer):
    read_only_names = frozenset(AwardSerializer.Meta.fields)

    person = serializers.PrimaryKeyRelatedField(queryset=Person.objects.none())
    title = serializers.CharField(max_length=100)
    level = serializers.ChoiceField(choices=AwardLevel.choices)
    awarded_on = serializers.DateField()

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        _scoped_field(fields, "person", people_visible_to(self.context["request"].user))
        return fields


@extend_schema_view(
    create=extend_schema(
        request=AwardCreateSerializer, responses={201: AwardSerializer, 400: OpenApiTypes.OBJECT}
    )
)
class AwardViewSet(ServiceCreateMixin, ScopedViewSet):
    serializer_class = AwardSerializer
    selector = selectors.award_list
    line = Line.ELDERCARE
    ordering_fields = ["awarded_on"]
    roles_by_action = {"create": CASE_WRITERS}
    create_input = AwardCreateSerializer
    create_service = services.award_record
