"""``GET /api/v1/assistance/enrollments/<id>/amounts/``: an enrollment's amount history (SPEC §7), newest first,
each with why it changed. The enrollment is found through the scoped selector: 404 outside."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from civil_affairs.accounts.permissions import RolePermission

from . import selectors

REASONS = {
    "approval": _("Approved"),
    "uplift": _("Annual uplift"),
    "recomputed": _("Recomputed (re-check or a change in the household)"),
}


class AmountSerializer(serializers.Serializer):
    monthly_amount = serializers.DecimalField(max_digits=12, decimal_places=2)
    effective_from = serializers.DateField()
    reason = serializers.ChoiceField(choices=list(REASONS.items()))
    reason_label = serializers.CharField()


class EnrollmentAmountViewSet(viewsets.ViewSet):
    permission_classes = [RolePermission]

    @extend_schema(responses={200: AmountSerializer(many=True)}, summary="An enrollment's amount history")
    def list(self, request: Request, enrollment_pk: str | None = None) -> Response:
        enrollment = get_object_or_404(selectors.enrollment_list(user=request.user), pk=enrollment_pk)
        # The selector prefetched the history (each row knows its enrollment): no further query.
        amounts = sorted(enrollment.amounts.all(), key=lambda amount: amount.effective_from, reverse=True)
        rows = [
            {
                "monthly_amount": amount.monthly_amount,
                "effective_from": amount.effective_from,
                "reason": amount.reason,
                "reason_label": str(REASONS[amount.reason]),
            }
            for amount in amounts
        ]
        return Response(AmountSerializer(rows, many=True).data)
