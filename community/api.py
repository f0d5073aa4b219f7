"""``/api/v1/community/`` (SPEC §8): community workers (with grade steps due), staffing per town against the
targets, towns' urban population (administrators edit it), the pay table, mutual-aid funds with their
donations, disbursements and ledger, village-affairs assessments. Thin views: shape checks here, rules in
services.py, reads through selectors.py.
"""

from __future__ import annotations

import datetime
from typing import Any, cast

from django.http.response import HttpResponseBase
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from civil_affairs.accounts.jurisdiction import within_jurisdiction
from civil_affairs.accounts.lines import Line
from civil_affairs.accounts.permissions import (
    ADMINISTRATORS,
    ALL_ROLES,
    CASE_READERS,
    CASE_WRITERS,
    RolePermission,
)
from civil_affairs.api.viewsets import ScopedViewSet, ServiceCreateMixin
from civil_affairs.audit.services import audit_record
from civil_affairs.divisions.api import DivisionSerializer
from civil_affairs.divisions.models import Division
from civil_affairs.exports import export_response, wanted_format
from civil_affairs.people.models import Person
from civil_affairs.people.selectors import people_visible_to

from . import rules, selectors, services
from .exports import ASSESSMENT_COLUMNS, FUND_COLUMNS, MOVEMENT_COLUMNS, STAFFING_COLUMNS, WORKER_COLUMNS
from .models import CommunityWorker, FundMovement, MutualAidFund, PayScale, VillageAssessment
from .rules import Certificate, Post

ERRORS = {400: OpenApiResponse(description="Invalid input or a refused rule."), 403: None, 404: None}


def _divisions_field(user: Any) -> serializers.SlugRelatedField:
    """A division by code, within the caller's jurisdiction (outside reads as unknown, 400)."""
    return serializers.SlugRelatedField(
        slug_field="code", queryset=within_jurisdiction(Division.objects.all(), user, "")
    )


def _on_date(request: Request) -> datetime.date:
    raw = request.query_params.get("date")
    if not raw:
        return timezone.localdate()
    try:
        return datetime.date.fromisoformat(raw)
    except ValueError:
        raise ValidationError({"date": [_("Enter a date as YYYY-MM-DD.")]}) from None


DATE_PARAMETER = OpenApiParameter(
    "date", OpenApiTypes.DATE, description="The day (YYYY-MM-DD); default today.", required=False
)

# --- Workers ----------------------------------------------------------------------------------------------


class WorkerSerializer(serializers.ModelSerializer):
    person_name = serializers.CharField(source="person.name", read_only=True)
    id_number = serializers.CharField(source="person.masked_id_number", read_only=True)
    community = serializers.CharField(source="community_id", read_only=True)
    community_name = serializers.CharField(source="community.name", read_only=True)
    town = serializers.CharField(source="community.parent_id", read_only=True)
    monthly_pay = serializers.DecimalField(max_digits=10, decimal_places=2, read_only=True, allow_null=True)
    next_step_due = serializers.SerializerMethodField()
    is_current = serializers.SerializerMethodField()

    class Meta:
        model = CommunityWorker
        fields = [
            "id",
            "person",
            "person_name",
            "id_number",
            "community",
            "community_name",
            "town",
            "post",
            "grade",
            "grade_since",
            "next_step_due",
            "monthly_pay",
            "contract_start",
            "contract_end",
            "certificate",
            "recruitment_batch",
            "left_on",
            "is_current",
        ]
        read_only_fields = fields

    def get_next_step_due(self, worker: CommunityWorker) -> datetime.date | None:
        return rules.next_step_due(worker.post, worker.grade, worker.grade_since)

    def get_is_current(self, worker: CommunityWorker) -> bool:
        today = timezone.localdate()
        return worker.contract_start <= today <= worker.contract_end and (
            worker.left_on is None or worker.left_on >= today
        )


class WorkerCreateSerializer(serializers.Serializer):
    """Shape only: the grade range, contract dates and one post at a time are checked by services.worker_create."""

    person = serializers.PrimaryKeyRelatedField(queryset=Person.objects.none(), help_text="A person id.")
    community = serializers.CharField(help_text="The village or community's division code.")
    post = serializers.ChoiceField(choices=Post.choices)
    grade = serializers.IntegerField(help_text="三岗十八级: head 7–18, deputy 4–15, staff 1–12.")
    contract_start = serializers.DateField(help_text="From 2000-01-01.")
    contract_end = serializers.DateField(help_text="Strictly after contract_start; until 2100-12-31.")
    certificate = serializers.ChoiceField(
        choices=Certificate.choices, required=False, default=Certificate.NONE
    )
    recruitment_batch = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    left_on = serializers.DateField(
        required=False, allow_null=True, default=None, help_text="The last day worked."
    )

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        user = self.context["request"].user
        cast(serializers.PrimaryKeyRelatedField, fields["person"]).queryset = people_visible_to(user)
        fields["community"] = _divisions_field(user)
        return fields


class WorkerUpdateSerializer(serializers.Serializer):
    post = serializers.ChoiceField(choices=Post.choices, required=False)
    grade = serializers.IntegerField(required=False)
    grade_since = serializers.DateField(required=False)
    contract_end = serializers.DateField(required=False)
    certificate = serializers.ChoiceField(choices=Certificate.choices, required=False)
    recruitment_batch = serializers.CharField(max_length=20, required=False, allow_blank=True)
    left_on = serializers.DateField(required=False, allow_null=True, help_text="The last day worked.")


@extend_schema_view(
    list=extend_schema(responses={200: WorkerSerializer(many=True), 403: None}),
    create=extend_schema(request=WorkerCreateSerializer, responses={201: WorkerSerializer, **ERRORS}),
    partial_update=extend_schema(request=WorkerUpdateSerializer, responses={200: WorkerSerializer, **ERRORS}),
)
class WorkerViewSet(ServiceCreateMixin, ScopedViewSet):
    """Community workers (SPEC §8). A second current post of a person, a grade outside the post's range or a
    contract ending on or before its start → 400."""

    serializer_class = WorkerSerializer
    selector = selectors.worker_list
    line = Line.COMMUNITY
    filterset_class = selectors.WorkerFilter
    ordering_fields = selectors.WORKER_ORDERING
    create_input = WorkerCreateSerializer
    create_service = services.worker_create
    roles_by_action = {"create": CASE_WRITERS, "partial_update": CASE_WRITERS}
    http_method_names = ["get", "post", "patch", "head", "options"]
    export_columns = WORKER_COLUMNS
    export_name = "community-workers"

    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        worker = self.get_object()
        services.worker_update(actor=request.user, worker=worker, **self.validated(WorkerUpdateSerializer))
        return self.read_back(worker)

    @extend_schema(
        parameters=[DATE_PARAMETER],
        responses={200: WorkerSerializer(many=True)},
        summary="Workers in post whose grade step (one per three years) is due on the date",
    )
    @action(detail=False, methods=["get"], url_path="steps-due", url_name="steps-due")
    def steps_due(self, request: Request) -> Response | HttpResponseBase:
        on = _on_date(request)
        workers = selectors.grade_steps_due(user=request.user, on=on)
        fmt = wanted_format(request.query_params)
        if fmt:
            audit_record(actor=request.user, action="export", object_type="community-steps-due")
            return export_response(
                fmt=fmt, columns=WORKER_COLUMNS, rows=workers.iterator(), filename="steps-due"
            )
        page = self.paginate_queryset(workers)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


# --- Staffing ---------------------------------------------------------------------------------------------


class StaffingSerializer(serializers.Serializer):
    division = serializers.CharField(help_text="The town/street's code.")
    name = serializers.CharField()
    urban_population = serializers.IntegerField()
    workers = serializers.IntegerField(help_text="Workers in post on the date.")
    certified = serializers.IntegerField(help_text="Of whom holding a certificate (any but none).")
    per_10000 = serializers.CharField(
        allow_null=True, help_text='Half-up, two places ("18.00"); null without urban residents.'
    )
    certified_share = serializers.CharField(
        allow_null=True, help_text='Four places ("0.7500"); null without workers.'
    )
    below_target = serializers.BooleanField(
        help_text="Either present figure short of 18 per 10,000 or 75%, exactly."
    )

    def to_representation(self, row: selectors.TownStaffing) -> dict[str, Any]:
        return {
            "division": row.division,
            "name": row.name,
            "urban_population": row.urban_population,
            "workers": row.workers,
            "certified": row.certified,
            "per_10000": None if row.per_10000 is None else f"{row.per_10000:.2f}",
            "certified_share": None if row.certified_share is None else f"{row.certified_share:.4f}",
            "below_target": row.below_target,
        }


def staffing_ordering(request: Request | Any) -> str | None:
    ordering = request.GET.get("ordering") or None
    if ordering and ordering.lstrip("-") not in selectors.STAFFING_ORDERING:
        raise ValidationError(
            {
                "ordering": [
                    _("Order by one of: %(fields)s.") % {"fields": ", ".join(selectors.STAFFING_ORDERING)}
                ]
            }
        )
    return ordering


class StaffingViewSet(viewsets.GenericViewSet):
    """Staffing per town/street on a date against the targets (SPEC §8): towns below target first."""

    serializer_class = StaffingSerializer
    permission_classes = [RolePermission]
    read_roles = CASE_READERS
    filter_backends: list[type] = []

    @extend_schema(
        parameters=[
            DATE_PARAMETER,
            OpenApiParameter(
                "ordering",
                str,
                description=f"One of {', '.join(selectors.STAFFING_ORDERING)}, '-' for descending.",
            ),
            OpenApiParameter("format", str, enum=["csv", "xlsx"], required=False),
        ],
        responses={200: StaffingSerializer(many=True), 400: None},
    )
    def list(self, request: Request) -> Response | HttpResponseBase:
        on = _on_date(request)
        rows = selectors.staffing_by_town(user=request.user, on=on, ordering=staffing_ordering(request))
        fmt = wanted_format(request.query_params)
        if fmt:
            audit_record(
                actor=request.user,
                action="export",
                object_type="community-staffing",
                changes={"date": [None, on]},
            )
            return export_response(fmt=fmt, columns=STAFFING_COLUMNS, rows=rows, filename=f"staffing-{on}")
        page: list[Any] | None = self.paginate_queryset(rows)  # type: ignore[arg-type]  # DRF pages a list too
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


class UrbanPopulationSerializer(serializers.Serializer):
    urban_population = serializers.IntegerField(min_value=0)


class TownViewSet(viewsets.GenericViewSet):
    """The towns/streets with their urban population; administrators correct it (audited)."""

    serializer_class = DivisionSerializer
    permission_classes = [RolePermission]
    read_roles = ALL_ROLES
    roles_by_action = {"partial_update": ADMINISTRATORS}
    lookup_field = "code"
    filter_backends: list[type] = []
    http_method_names = ["get", "patch", "head", "options"]

    def get_queryset(self) -> Any:
        return selectors.towns_of(self.request.user)

    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request: Request, code: str | None = None) -> Response:
        return Response(self.get_serializer(self.get_object()).data)

    @extend_schema(request=UrbanPopulationSerializer, responses={200: DivisionSerializer, **ERRORS})
    def partial_update(self, request: Request, code: str | None = None) -> Response:
        town = self.get_object()
        data = UrbanPopulationSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        town = services.urban_population_set(
            actor=request.user, division=town, urban_population=data.validated_data["urban_population"]
        )
        return Response(self.get_serializer(town).data)


# --- Pay table --------------------------------------------------------------------------------------------


class PayScaleSerializer(serializers.ModelSerializer):
    class Meta:
        model = PayScale
        fields = ["id", "post", "grade", "monthly_pay", "is_demo"]
        read_only_fields = fields


class PayScaleViewSet(viewsets.ReadOnlyModelViewSet):
    """The pay table of 三岗十八级 (monthly pay by post and grade); demo figures are flagged ``is_demo``."""

    serializer_class = PayScaleSerializer
    permission_classes = [RolePermission]
    read_roles = CASE_READERS
    pagination_class = None
    filter_backends: list[type] = []

    def get_queryset(self) -> Any:
        return selectors.pay_table()


# --- Funds ------------------------------------------------------------------------------------------------


class FundSerializer(serializers.ModelSerializer):
    village = serializers.CharField(source="village_id", read_only=True)
    village_name = serializers.CharField(source="village.name", read_only=True)
    town = serializers.CharField(source="village.parent_id", read_only=True)

    class Meta:
        model = MutualAidFund
        fields = ["id", "village", "village_name", "town", "balance"]
        read_only_fields = fields


class FundCreateSerializer(serializers.Serializer):
    village = serializers.CharField(help_text="The village or community's division code.")

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        fields["village"] = _divisions_field(self.context["request"].user)
        return fields


class MovementInputSerializer(serializers.Serializer):
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, help_text="Yuan, more than zero.")
    date = serializers.DateField(
        required=False, help_text="Default today; from 2000-01-01, never in the future."
    )
    party = serializers.CharField(max_length=100, help_text="The donor or the recipient.")
    purpose = serializers.CharField(max_length=200)


class MovementSerializer(serializers.ModelSerializer):
    village = serializers.CharField(source="fund.village_id", read_only=True)

    class Meta:
        model = FundMovement
        fields = [
            "id",
            "fund",
            "village",
            "kind",
            "amount",
            "date",
            "party",
            "purpose",
            "balance_after",
            "recorded_at",
        ]
        read_only_fields = fields


def _movement(name: str, service: Any, summary: str) -> Any:
    """``POST …/funds/<id>/<name>/`` → 201 with the ledger line (the fund comes scoped: 404 outside)."""

    def view(self: Any, request: Request, pk: str | None = None) -> Response:
        fund = self.get_object()
        data = self.validated(MovementInputSerializer)
        movement = service(
            actor=request.user,
            fund=fund,
            amount=data["amount"],
            date=data.get("date") or timezone.localdate(),
            party=data["party"],
            purpose=data["purpose"],
        )
        return Response(MovementSerializer(movement).data, status=status.HTTP_201_CREATED)

    view.__name__ = name  # before @action, which records the method name for the router
    routed = action(detail=True, methods=["post"], url_path=name, url_name=name)(view)
    return extend_schema(
        request=MovementInputSerializer, responses={201: MovementSerializer, **ERRORS}, summary=summary
    )(routed)


@extend_schema_view(
    list=extend_schema(responses={200: FundSerializer(many=True), 403: None}),
    create=extend_schema(request=FundCreateSerializer, responses={201: FundSerializer, 409: None, **ERRORS}),
)
class FundViewSet(ServiceCreateMixin, ScopedViewSet):
    """幸福家园 mutual-aid funds, one per village (a second → 409). ``donations/`` and ``disbursements/`` → 201;
    a disbursement beyond the balance → 400, also when it loses a race."""

    serializer_class = FundSerializer
    selector = selectors.fund_list
    line = Line.COMMUNITY
    filterset_class = selectors.FundFilter
    ordering_fields = selectors.FUND_ORDERING
    create_input = FundCreateSerializer
    create_service = services.fund_open
    roles_by_action = {"create": CASE_WRITERS, "donations": CASE_WRITERS, "disbursements": CASE_WRITERS}
    export_columns = FUND_COLUMNS
    export_name = "mutual-aid-funds"

    donations = _movement("donations", services.fund_donate, "Record a donation to the fund")
    disbursements = _movement(
        "disbursements", services.fund_disburse, "Pay out of the fund (never beyond its balance)"
    )


class MovementViewSet(ScopedViewSet):
    """The funds' ledger: every donation and disbursement with the balance after it (``?fund=<id>``)."""

    serializer_class = MovementSerializer
    selector = selectors.movement_list
    line = Line.COMMUNITY
    filterset_class = selectors.MovementFilter
    ordering_fields = selectors.MOVEMENT_ORDERING
    export_columns = MOVEMENT_COLUMNS
    export_name = "fund-movements"


# --- Assessments ------------------------------------------------------------------------------------------


class AssessmentSerializer(serializers.ModelSerializer):
    village = serializers.CharField(source="village_id", read_only=True)
    village_name = serializers.CharField(source="village.name", read_only=True)
    town = serializers.CharField(source="village.parent_id", read_only=True)

    class Meta:
        model = VillageAssessment
        fields = ["id", "village", "village_name", "town", "quarter", "score", "note", "recorded_at"]
        read_only_fields = fields


class AssessmentCreateSerializer(serializers.Serializer):
    village = serializers.CharField(help_text="The village or community's division code.")
    quarter = serializers.CharField(
        max_length=6, help_text='Like "2026Q3": the current quarter or an earlier one, from 2000Q1.'
    )
    score = serializers.IntegerField(help_text="0–100.")
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        fields["village"] = _divisions_field(self.context["request"].user)
        return fields


@extend_schema_view(
    list=extend_schema(responses={200: AssessmentSerializer(many=True), 403: None}),
    create=extend_schema(
        request=AssessmentCreateSerializer, responses={201: AssessmentSerializer, 409: None, **ERRORS}
    ),
)
class AssessmentViewSet(ServiceCreateMixin, ScopedViewSet):
    """Village-affairs transparency assessments: a score 0–100, one per village per quarter (a second → 409)."""

    serializer_class = AssessmentSerializer
    selector = selectors.assessment_list
    line = Line.COMMUNITY
    filterset_class = selectors.AssessmentFilter
    ordering_fields = selectors.ASSESSMENT_ORDERING
    create_input = AssessmentCreateSerializer
    create_service = services.assessment_record
    roles_by_action = {"create": CASE_WRITERS}
    export_columns = ASSESSMENT_COLUMNS
    export_name = "village-assessments"
