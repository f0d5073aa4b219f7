"""``GET /api/v1/dashboards/summary/`` (SPEC §9): every role reads the figures of its jurisdiction, the API
client too (other systems pull statistics); ``?format=csv|xlsx`` exports them."""

from __future__ import annotations

from typing import Any

from django.http.response import HttpResponseBase
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from civil_affairs.audit.services import audit_record
from civil_affairs.exports import XLSX_TYPE, wanted_format

from . import selectors
from .exports import summary_export
from .serializers import SummaryQuerySerializer, SummarySerializer, summary_json

EXPORT_NAME = "dashboard-summary"


def summary_for(request: Any) -> selectors.Summary:
    """The summary a request asks for: its query checked (400), its division in the jurisdiction (404)."""
    today = timezone.localdate()
    query = SummaryQuerySerializer(data=request.GET, context={"today": today})
    query.is_valid(raise_exception=True)
    division = selectors.division_for(request.user, query.validated_data.get("division"))
    return selectors.summary(
        user=request.user, division=division, period=query.validated_data["period"], today=today
    )


class SummaryView(GenericAPIView):
    """The figures of the bureau's lines of work for a period and the district or a town (SPEC §9).

    Social assistance comes from summary tables refreshed every two minutes (``refreshed_at``); counts of open
    things are taken on ``as_of``, the period's last day or today, whichever is earlier. Sections of lines the
    caller does not serve are left out; a division outside the caller's jurisdiction answers 404.
    """

    permission_classes = [IsAuthenticated]
    serializer_class = SummarySerializer
    pagination_class = None
    filter_backends: list[type] = []

    @extend_schema(
        parameters=[
            SummaryQuerySerializer,
            OpenApiParameter("format", str, enum=["csv", "xlsx"], description="Export: one row per figure."),
        ],
        responses={
            (200, "application/json"): SummarySerializer,
            (200, "text/csv"): OpenApiTypes.STR,
            (200, XLSX_TYPE): OpenApiTypes.BINARY,
        },
        summary="Dashboard summary",
    )
    def get(self, request: Request) -> Response | HttpResponseBase:
        summary = summary_for(request)
        fmt = wanted_format(request.query_params)
        if fmt:
            audit_record(
                actor=request.user,
                action="export",
                object_type=EXPORT_NAME,
                changes={"format": [None, fmt], "query": [None, request.GET.urlencode()]},
            )
            return summary_export(summary, fmt, EXPORT_NAME)
        return Response(summary_json(summary))
