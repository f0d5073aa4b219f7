"""Base classes that give every API view jurisdiction scoping and role checks (SPEC §2.3, §3)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from rest_framework import viewsets

from civil_affairs.accounts.jurisdiction import within_jurisdiction
from civil_affairs.accounts.permissions import RolePermission


class ScopedViewSetMixin:
    """Limits ``base_queryset()`` to the caller's jurisdiction, so anything outside it is a 404.

    Subclasses set ``jurisdiction_field`` (the path to the object's Division) and ``roles_by_action``.
    """

    permission_classes = [RolePermission]
    jurisdiction_field = "division"
    request: Any

    def base_queryset(self) -> QuerySet:
        raise NotImplementedError

    def get_queryset(self) -> QuerySet:
        return within_jurisdiction(self.base_queryset(), self.request.user, self.jurisdiction_field)


class ScopedReadOnlyViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    pass
