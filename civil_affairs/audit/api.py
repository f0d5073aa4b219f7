"""``/api/v1/audit-events/``: administrators read the log, filtered by object, user and date (SPEC §2.4); the
audit log page uses the same FilterSet (civil_affairs/web/views.py)."""

from __future__ import annotations

import datetime

import django_filters
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
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
    # Whole days in the bureau's time zone (the audit log page's date range), both ends included.
    date_from = django_filters.DateFilter(
        label=_("Date from"),
        method="filter_date_from",
        help_text="First day (YYYY-MM-DD), local time, included.",
    )
    date_to = django_filters.DateFilter(
        label=_("Date to"), method="filter_date_to", help_text="Last day (YYYY-MM-DD), local time, included."
    )

    class Meta:
        model = AuditEvent
        fields = ["object_type", "object_id", "actor", "actor_username", "action"]

    # As a range of occurred_at (its index), not occurred_at::date.
    def filter_date_from(
        self, queryset: QuerySet[AuditEvent], name: str, value: datetime.date
    ) -> QuerySet[AuditEvent]:
        if value <= datetime.date.min + datetime.timedelta(days=1):  # before any event; no UTC overflow
            return queryset
        return queryset.filter(occurred_at__gte=start_of_day(value))

    def filter_date_to(
        self, queryset: QuerySet[AuditEvent], name: str, value: datetime.date
    ) -> QuerySet[AuditEvent]:
        if value >= datetime.date.max - datetime.timedelta(days=1):  # after any event; no overflow
            return queryset
        return queryset.filter(occurred_at__lt=start_of_day(value + datetime.timedelta(days=1)))


def start_of_day(day: datetime.date) -> datetime.datetime:
    """Midnight at the start of ``day`` in the bureau's time zone (TIME_ZONE)."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


class AuditEventViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = AuditEvent.objects.order_by("-id")
    serializer_class = AuditEventSerializer
    filterset_class = AuditEventFilter
    permission_classes = [RolePermission]
    read_roles = ADMINISTRATORS
