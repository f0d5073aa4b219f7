"""Base classes that give every API view jurisdiction scoping and role checks (SPEC §2.3, §3)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from civil_affairs.accounts.jurisdiction import within_jurisdiction
from civil_affairs.accounts.permissions import RolePermission


class ScopedViewSetMixin(GenericAPIView):
    """Limits ``base_queryset()`` to the caller's jurisdiction, so anything outside it is a 404.

    Subclasses set ``jurisdiction_field`` (the path to the object's Division) and ``roles_by_action``.
    """

    permission_classes = [RolePermission]
    jurisdiction_field = "division"

    def base_queryset(self) -> QuerySet:
        raise NotImplementedError

    def get_queryset(self) -> QuerySet:
        return within_jurisdiction(self.base_queryset(), self.request.user, self.jurisdiction_field)


def workflow_action(
    name: str,
    *,
    perform: Callable[..., Any],
    input_serializer: type[serializers.Serializer] | None,
    output_serializer: type[serializers.Serializer],
    summary: str,
) -> Callable[..., Response]:
    """``POST …/<id>/<name>/``: validate the input, call ``perform(actor=, obj=, **input)``, answer with the object.

    The object comes from ``get_object()``, so it is jurisdiction-scoped (404 outside); ``perform`` is a
    service, which raises Conflict (409) when the state does not allow the action.
    """

    def view(self: Any, request: Request, pk: str | None = None) -> Response:
        obj = self.get_object()
        arguments: dict[str, Any] = {}
        if input_serializer is not None:
            data = input_serializer(data=request.data)
            data.is_valid(raise_exception=True)
            arguments = dict(data.validated_data)
        perform(actor=request.user, obj=obj, **arguments)
        return Response(output_serializer(self.get_queryset().get(pk=obj.pk)).data)

    view.__name__ = name  # before @action, which records the method name for the router
    routed = action(detail=True, methods=["post"], url_path=name, url_name=name)(view)
    return extend_schema(request=input_serializer, responses={200: output_serializer}, summary=summary)(
        routed
    )
