"""Base classes that give every API view jurisdiction scoping and role checks (SPEC §2.3, §3)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, ClassVar, cast

from django.db.models import QuerySet
from django.http.response import HttpResponseBase
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import MethodNotAllowed, ValidationError
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from civil_affairs.accounts.permissions import RolePermission
from civil_affairs.audit.services import audit_record
from civil_affairs.exports import Column, export_response, wanted_format
from civil_affairs.exports import field as export_field


class ScopedViewSetMixin(GenericAPIView):
    """The one scoped read path of the API: objects come from the app's selector, which limits them to the
    caller's jurisdiction and lines of work, so anything outside answers 404 (SPEC §2.3).

    Subclasses set ``selector`` (``selector(user=...) -> QuerySet``), ``line`` (the line of work: writes by a
    user who does not serve it answer 403), ``roles_by_action`` and, for exports, ``export_columns``.
    """

    permission_classes = [RolePermission]
    selector: ClassVar[Callable[..., QuerySet]]
    line: ClassVar[str | None] = None
    export_columns: ClassVar[Sequence[Column]] = ()
    export_name: ClassVar[str] = "export"
    # No ``?ordering=`` unless a list declares its main columns (then an undeclared one answers 400).
    ordering_fields: ClassVar[Sequence[str]] = ()

    def get_queryset(self) -> QuerySet:
        return type(self).selector(user=self.request.user)

    def get_export_columns(self, queryset: QuerySet) -> Sequence[Column]:
        """The list's declared columns, else one per model field its serializer shows (headers are the
        fields' translated names; a related record shows as its text, a choice as its label)."""
        if self.export_columns:
            return self.export_columns
        model_fields = {f.name: f for f in queryset.model._meta.get_fields() if hasattr(f, "verbose_name")}
        return [
            export_field(model_fields[name].verbose_name, name)
            for name in list(cast(serializers.Serializer, self.get_serializer()).fields.keys())
            if name in model_fields and not model_fields[name].many_to_many
        ]

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response | HttpResponseBase:
        """A page of the list, or with ``?format=csv|xlsx`` the whole filtered list as a file (SPEC §3)."""
        queryset = self.filter_queryset(self.get_queryset())
        fmt = wanted_format(request.query_params)
        asked = request.query_params.get("format")
        if asked and fmt is None and asked != "json":
            raise ValidationError(
                {"format": [_("Give csv or xlsx for a file, or leave the format out for JSON.")]},
                code="invalid_choice",
            )
        columns = self.get_export_columns(queryset) if fmt else ()
        if fmt and columns:
            audit_record(
                actor=request.user,
                action="export",
                object_type=self.export_name,
                changes={"format": [None, fmt], "query": [None, request.GET.urlencode()]},
            )
            return export_response(
                fmt=fmt,
                columns=columns,
                rows=queryset.iterator(chunk_size=2000),
                filename=self.export_name,
            )
        page = self.paginate_queryset(queryset)
        if page is not None:
            return self.get_paginated_response(self.get_serializer(page, many=True).data)
        return Response(self.get_serializer(queryset, many=True).data)


class ScopedViewSet(ScopedViewSetMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """A list and detail endpoint over an app's selector (add :class:`ServiceCreateMixin` to create)."""

    def validated(self, serializer_class: type[serializers.Serializer], **kwargs: Any) -> dict[str, Any]:
        data = serializer_class(data=self.request.data, context=self.get_serializer_context(), **kwargs)
        data.is_valid(raise_exception=True)
        return dict(data.validated_data)

    def read_back(self, obj: Any, status_code: int = 200) -> Response:
        return Response(self.get_serializer(self.get_queryset().get(pk=obj.pk)).data, status=status_code)


class ServiceCreateMixin:
    """The one create flow every app uses: ``create_input`` checks the shape, ``create_service(actor=,
    **validated)`` applies the rules, and the answer is the new record read back through the selector (201)."""

    create_input: ClassVar[type[serializers.Serializer] | None] = None
    create_service: ClassVar[Callable[..., Any] | None] = None

    def create(self: Any, request: Request, *args: Any, **kwargs: Any) -> Response:
        service, input_serializer = type(self).create_service, self.create_input
        if service is None or input_serializer is None:
            raise MethodNotAllowed(request.method or "POST")
        obj = service(actor=request.user, **self.validated(input_serializer))
        return self.read_back(obj, status.HTTP_201_CREATED)


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
