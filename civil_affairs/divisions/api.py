from __future__ import annotations

import django_filters
from rest_framework import serializers, viewsets

from civil_affairs.accounts.permissions import ALL_ROLES, RolePermission

from .models import Division, DivisionLevel


class DivisionSerializer(serializers.ModelSerializer):
    # DRF's metaclass takes declared fields off the class, so this does not shadow Field.parent.
    parent = serializers.CharField(source="parent_id", allow_null=True, read_only=True)  # type: ignore[assignment]

    class Meta:
        model = Division
        fields = ["code", "name", "level", "parent", "is_urban", "population", "urban_population"]


class DivisionFilter(django_filters.FilterSet):
    level = django_filters.ChoiceFilter(choices=DivisionLevel.choices)
    parent = django_filters.CharFilter(field_name="parent_id")

    class Meta:
        model = Division
        fields = ["level", "parent"]


class DivisionViewSet(viewsets.ReadOnlyModelViewSet):
    """The administrative divisions (reference data, readable by every signed-in user)."""

    queryset = Division.objects.all().order_by("code")
    serializer_class = DivisionSerializer
    filterset_class = DivisionFilter
    search_fields = ["name"]
    lookup_field = "code"
    permission_classes = [RolePermission]
    read_roles = ALL_ROLES
