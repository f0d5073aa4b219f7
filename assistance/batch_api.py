"""``/api/v1/assistance/payment-batches/`` and ``/api/v1/assistance/uplifts/`` (SPEC §3.1, §4.3, §4.4).

Batches and uplifts are district business, not case data of one town: district reviewers and
administrators create and approve them; they and the API client read them; caseworkers and viewers may
not (403). Thin views: shape checks here, rules and jobs in jobs.py.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from typing import Any

import django_filters
from django.db.models import QuerySet
from django.http import HttpResponse, StreamingHttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import BasePermission
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from civil_affairs.accounts.lines import Line, serves
from civil_affairs.accounts.models import Role
from civil_affairs.accounts.permissions import DECIDERS, RolePermission, user_has_role
from civil_affairs.api.viewsets import workflow_action
from civil_affairs.exports import FORMATS, XLSX_TYPE, export_response, wanted_format

from . import jobs, payees
from .models import JobStatus, PaymentBatch, Uplift
from .rules import Category
from .workflow import UpliftStatus

# Who reads batches and uplifts: the deciders (administrators included) and the read-only API client.
BATCH_READERS = DECIDERS | {Role.API_CLIENT}

# --- Payment batches --------------------------------------------------------------------------------------

_MONTH = re.compile(r"^([0-9]{4})-([0-9]{2})$", re.ASCII)


@extend_schema_field({"type": "string", "pattern": r"^\d{4}-\d{2}$", "example": "2024-07"})
class MonthField(serializers.Field):
    """A month as ``YYYY-MM``, held as the date of its first day."""

    def to_internal_value(self, data: Any) -> datetime.date:
        # Full-width digits and dash (２０２４－０７) are read as the ASCII ones they stand for; any other
        # digit is refused (Python's \d would take Arabic-Indic or Devanagari digits too).
        text = unicodedata.normalize("NFKC", data).strip() if isinstance(data, str) else None
        match = _MONTH.match(text) if text is not None else None
        if match is None:
            raise serializers.ValidationError(_("Enter a month as YYYY-MM."))
        year, month = int(match[1]), int(match[2])
        if not (1 <= month <= 12 and 2000 <= year <= 2100):
            raise serializers.ValidationError(_("Enter a month as YYYY-MM."))
        return datetime.date(year, month, 1)

    def to_representation(self, value: datetime.date) -> str:
        return f"{value:%Y-%m}"


class PaymentBatchSerializer(serializers.ModelSerializer):
    month = MonthField(read_only=True)

    class Meta:
        model = PaymentBatch
        fields = ["id", "month", "status", "count", "total", "created_at", "finished_at", "error"]
        read_only_fields = fields


class PaymentBatchCreateSerializer(serializers.Serializer):
    month = MonthField(help_text="The month to pay, as YYYY-MM: next month at the latest.")


class PaymentBatchFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=JobStatus.choices)

    class Meta:
        model = PaymentBatch
        fields = ["status"]


class XLSXRenderer(BaseRenderer):
    """Names the XLSX media type for content negotiation and the schema; the export builds its own body."""

    media_type = XLSX_TYPE
    format = "xlsx"
    charset = None
    render_style = "binary"

    def render(
        self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None
    ) -> bytes:
        return str(data).encode()


class CSVRenderer(BaseRenderer):
    """Names text/csv for content negotiation and the schema; the export streams its own body."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(
        self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None
    ) -> bytes:
        # Only errors pass through here (the export itself is a streaming response).
        if isinstance(data, dict):
            return "\n".join(f"{key}: {value}" for key, value in data.items()).encode()
        return str(data).encode()


@extend_schema_view(
    create=extend_schema(
        request=PaymentBatchCreateSerializer,
        responses={202: PaymentBatchSerializer},
        summary="Open a month's payment batch and queue its job (409 if the month has one)",
    ),
)
class PaymentBatchViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Monthly payment batches (SPEC §4.3): one per month, made by a Celery job; exported for the bank."""

    serializer_class = PaymentBatchSerializer
    filterset_class = PaymentBatchFilter
    permission_classes = [RolePermission]
    read_roles = BATCH_READERS
    roles_by_action = {"create": DECIDERS, "export": BATCH_READERS}

    def get_queryset(self) -> QuerySet[PaymentBatch]:
        return PaymentBatch.objects.order_by("-month")

    def create(self, request: Request) -> Response:
        data = PaymentBatchCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        batch = jobs.payment_batch_create(actor=request.user, month=data.validated_data["month"])
        return Response(PaymentBatchSerializer(batch).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "format", str, enum=list(FORMATS), description="csv (default, UTF-8 with a BOM) or xlsx."
            )
        ],
        responses={
            (200, "text/csv"): OpenApiTypes.STR,
            (200, XLSX_TYPE): OpenApiTypes.BINARY,
            (409, "application/json"): {
                "type": "object",
                "properties": {"detail": {"type": "string"}},
                "required": ["detail"],
                "description": "The batch has not completed yet.",
            },
        },
        summary="The batch's bank file, CSV or XLSX (full ID numbers; audited); 409 until it has completed",
        description="Payee, ID number and bank account (as text), bank, amount, category in the caller's "
        "language; the count and total after an empty row, outside the data rows.",
    )
    @action(detail=True, methods=["get"], renderer_classes=[JSONRenderer, CSVRenderer, XLSXRenderer])
    def export(self, request: Request, pk: str | None = None) -> HttpResponse | StreamingHttpResponse:
        batch = self.get_object()
        fmt = wanted_format(request.query_params) or "csv"
        bank_file = jobs.payment_batch_export(actor=request.user, batch=batch, fmt=fmt)
        return export_response(
            fmt=fmt,
            columns=bank_file.columns,
            rows=bank_file.rows,
            filename=bank_file.name,
            footer=bank_file.footer,
        )


# --- Uplifts ----------------------------------------------------------------------------------------------


class UpliftLineSerializer(serializers.Serializer):
    category = serializers.ChoiceField(choices=Category.choices)
    old_amount = serializers.DecimalField(max_digits=12, decimal_places=2)
    new_amount = serializers.DecimalField(max_digits=12, decimal_places=2)
    explanation = serializers.CharField(
        required=False,
        help_text="How the new standard was found, e.g. max(1379, ⌈1.3 × 1061⌉ = 1380) = 1380 for 特困.",
    )
    enrollments = serializers.IntegerField(
        help_text="Active and suspended enrollments of the category in force on or after the effective date."
    )
    monthly_cost_change = serializers.DecimalField(
        max_digits=16, decimal_places=2, help_text="Σ (new amount − current amount) over them."
    )


class UpliftSerializer(serializers.ModelSerializer):
    lines = UpliftLineSerializer(many=True, read_only=True)

    class Meta:
        model = Uplift
        fields = [
            "id",
            "year",
            "rate",
            "effective_from",
            "status",
            "lines",
            "total_enrollments",
            "processed_enrollments",
            "created_at",
            "approved_at",
            "finished_at",
            "error",
        ]
        read_only_fields = fields


class UpliftCreateSerializer(serializers.Serializer):
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    rate = serializers.DecimalField(
        max_digits=5, decimal_places=4, help_text='Greater than 0 and less than 1, e.g. "0.05".'
    )
    effective_from = serializers.DateField(help_text="Within the year.")


class UpliftFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=UpliftStatus.choices)

    class Meta:
        model = Uplift
        fields = ["status", "year"]


@extend_schema_view(
    create=extend_schema(
        request=UpliftCreateSerializer,
        responses={201: UpliftSerializer},
        summary="Preview a year's uplift: new standards and monthly cost change (409 if the year has one)",
    ),
)
class UpliftViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The annual uplift of the standards (SPEC §4.4): a preview, approved by a district reviewer, then a
    Celery job whose progress shows here."""

    serializer_class = UpliftSerializer
    filterset_class = UpliftFilter
    permission_classes = [RolePermission]
    read_roles = BATCH_READERS
    roles_by_action = {"create": DECIDERS, "approve": DECIDERS}

    def get_queryset(self) -> QuerySet[Uplift]:
        return Uplift.objects.order_by("-year")

    def create(self, request: Request) -> Response:
        data = UpliftCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        uplift = jobs.uplift_preview(actor=request.user, **data.validated_data)
        return Response(UpliftSerializer(uplift).data, status=status.HTTP_201_CREATED)

    approve = workflow_action(
        "approve",
        perform=lambda actor, obj: jobs.uplift_approve(actor=actor, uplift=obj),
        input_serializer=None,
        output_serializer=UpliftSerializer,
        summary="Approve the preview and queue the job (409 unless it is a preview)",
    )


# --- The payee of an enrollment (its bank file columns) ----------------------------------------------------


class PayeeSerializer(serializers.Serializer):
    payee = serializers.CharField(allow_blank=True, max_length=100, help_text="Who the bank pays.")
    bank_account = serializers.CharField(
        allow_blank=True, max_length=60, help_text="12 to 30 digits (spaces and dashes are dropped)."
    )
    bank_name = serializers.CharField(allow_blank=True, max_length=100, help_text="The payee's bank.")


class PayeePermission(BasePermission):
    """Caseworkers of the assistance line (and administrators) record bank details."""

    message = "Your role may not do this."

    def has_permission(self, request: Any, view: Any) -> bool:
        return user_has_role(request.user, payees.PAYEE_WRITERS) and serves(request.user, Line.ASSISTANCE)


def payee_action(output_serializer: type[serializers.Serializer]) -> Any:
    """``POST /api/v1/assistance/enrollments/<id>/payee/`` with ``{"payee", "bank_account", "bank_name"}``
    (all three, or all empty): sets them through payees.enrollment_set_payee (audited); answers the enrollment."""

    def payee(self: Any, request: Request, pk: str | None = None) -> Response:
        enrollment = self.get_object()
        data = PayeeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        payees.enrollment_set_payee(actor=request.user, enrollment=enrollment, **data.validated_data)
        return Response(output_serializer(self.get_queryset().get(pk=enrollment.pk)).data)

    routed = action(
        detail=True,
        methods=["post"],
        url_path="payee",
        url_name="payee",
        permission_classes=[PayeePermission],
    )(payee)
    return extend_schema(
        request=PayeeSerializer,
        responses={200: output_serializer},
        summary="Set the payee, bank account and bank the bank file pays (audited)",
    )(routed)
