"""``/api/v1/audit-events/``: administrators read the log, filtered by object and user (SPEC §2.4)."""

from __future__ import annotations

import django_filters
from rest_framework import serializers, viewsets

from civil_affairs.accounts.permissions import ADMINISTRATORS, RolePermission
from civil_affairs.api.query_filters import IsoDateTimeFilter

from .models import AuditEvent


class AuditEventSerializer(serializers.ModelSerializer):
    class Meta:
        model = AuditEvent
        fields = [
            "id",
            "occurred_at",
            "actor",
            "actor_username",
            "action",
            "object_type",
            "object_id",
            "changes",
            "ip_address",
            "prev_hash",
            "hash",
        ]
        read_only_fields = fields


class AuditEventFilter(django_filters.FilterSet):
    object_type = django_filters.CharFilter(help_text="app_label.model, e.g. people.person")
    object_id = django_filters.CharFilter()
    actor = django_filters.NumberFilter(field_name="actor_id")
    actor_username = django_filters.CharFilter()
    action = django_filters.CharFilter()
    occurred_after = IsoDateTimeFilter(field_name="occurred_at", lookup_expr="gte")
    occurred_before = IsoDateTimeFilter(field_name="occurred_at", lookup_expr="lt")

    class Meta:
        model = AuditEvent
        fields = ["object_type", "object_id", "actor", "actor_username", "action"]


class AuditEventViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = AuditEvent.objects.order_by("-id")
    serializer_class = AuditEventSerializer
    filterset_class = AuditEventFilter
    permission_classes = [RolePermission]
    read_roles = ADMINISTRATORS
