"""List pagination (SPEC §3): ``?page=N&page_size=M`` and, for lists over large tables, ``?cursor=``.

- ``?page=N&page_size=M``: M above 200 is treated as 200; a page or size that is not a whole number of 1 or
  more is a 400 naming the parameter (DRF would answer 404 for ``?page=0`` and ignore ``?page_size=x``).
- ``?cursor=`` (empty for the first page): keyset pagination. ``next`` and ``previous`` carry an opaque
  cursor naming the last (first) row shown, and a page is the rows after (before) it in the list's order,
  found through the index of that order: a deep page costs what the first one does, where an offset
  grows with the page number.
- ``count`` is exact up to 100,000 matching rows; past that it is PostgreSQL's estimate, flagged
  ``"count_estimated": true``, so that counting never reads a whole large table.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.paginator import Paginator
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q, QuerySet
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

_POSITIVE = re.compile(r"^[1-9][0-9]{0,17}$")

# Past this many matching rows, ``count`` is the planner's estimate (SPEC §3).
EXACT_COUNT_LIMIT = 100_000


def _planner_estimate(queryset: QuerySet[Any]) -> int | None:
    """PostgreSQL's estimate of the rows the query returns, from its plan (no rows are read)."""
    try:
        plan = json.loads(queryset.explain(format="json"))
    except (ValueError, TypeError):
        return None
    try:
        return int(plan[0]["Plan"]["Plan Rows"])
    except (LookupError, TypeError, ValueError):
        return None


def count_rows(queryset: QuerySet[Any] | Sequence[Any]) -> tuple[int, bool]:
    """(count, estimated): exact up to EXACT_COUNT_LIMIT, else PostgreSQL's estimate.

    Reads at most EXACT_COUNT_LIMIT + 1 rows, in one query as a plain count did; only a list longer than
    that asks the planner for its estimate as well (a second query, which reads no rows).
    """
    if not isinstance(queryset, QuerySet):
        return len(queryset), False
    rows = queryset.order_by()
    capped = rows.values("pk")[: EXACT_COUNT_LIMIT + 1].count()
    if capped <= EXACT_COUNT_LIMIT:
        return capped, False
    return max(_planner_estimate(rows) or 0, capped), True


class EstimatedCountPaginator(Paginator):
    """Django's paginator with the count of :func:`count_rows` (pages can use it as they use Paginator)."""

    @cached_property
    def _count(self) -> tuple[int, bool]:
        return count_rows(self.object_list)  # type: ignore[arg-type]  # a QuerySet or a list

    @cached_property
    def count(self) -> int:
        return self._count[0]

    @property
    def count_estimated(self) -> bool:
        return self._count[1]


@dataclass(frozen=True)
class _Key:
    """One column of a keyset: the model field's name (for filters), its attribute, its direction."""

    name: str
    attname: str
    field: models.Field[Any, Any]
    descending: bool


def _keyset(queryset: QuerySet[Any]) -> list[_Key]:
    """The list's order as keyset columns, ending with the primary key (so each row has one position).

    Only plain, non-null columns of the listed model can be a keyset (a null or a related column has no
    total order a WHERE can continue from); another ``?ordering=`` with ``?cursor=`` is a 400.
    """
    query = queryset.query
    ordering = list(query.order_by) or (list(queryset.model._meta.ordering) if query.default_ordering else [])
    meta = queryset.model._meta
    keys: list[_Key] = []
    for item in ordering:
        if not isinstance(item, str) or "__" in item or item.lstrip("-") == "?":
            raise _cursor_refused()
        descending, name = item.startswith("-"), item.lstrip("-")
        try:
            field = meta.pk if name == "pk" else meta.get_field(name)
        except FieldDoesNotExist:
            raise _cursor_refused() from None
        if not getattr(field, "concrete", False) or field.null or field.many_to_many:
            raise _cursor_refused()
        keys.append(_Key(field.name, field.attname, field, descending))
        if field.primary_key:
            return keys
    pk = meta.pk
    descending = keys[-1].descending if keys else False
    return [*keys, _Key(pk.name, pk.attname, pk, descending)]


def _cursor_refused() -> ValidationError:
    return ValidationError({"cursor": [_("This list cannot be paged by cursor in this order.")]})


def _invalid_cursor() -> ValidationError:
    return ValidationError({"cursor": [_("Invalid cursor.")]})


def _after(keys: list[_Key], values: list[Any], backwards: bool) -> Q:
    """The rows after ``values`` in the keyset's order (before them when ``backwards``)."""
    condition = Q(pk__in=[])
    for index, key in enumerate(keys):
        later = key.descending != backwards
        step = Q(**{f"{key.attname}__{'lt' if later else 'gt'}": values[index]})
        for earlier, value in zip(keys[:index], values[:index], strict=False):
            step &= Q(**{earlier.attname: value})
        condition |= step
    return condition


class PagePagination(PageNumberPagination):
    """``?page=N&page_size=M`` (M ≤ 200) or ``?cursor=`` → {count, next, previous, results} (SPEC §3),
    with ``"count_estimated": true`` when the count is PostgreSQL's estimate."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    cursor_query_param = "cursor"
    django_paginator_class = EstimatedCountPaginator
    cursor_mode = False
    count = 0
    count_estimated = False
    _keys: list[_Key]
    _rows: list[Any]
    _has_next = False
    _has_previous = False

    def _check(self, request: Request, parameter: str, also: tuple[str, ...] = ()) -> None:
        value = request.query_params.get(parameter)
        if value and value not in also and not _POSITIVE.match(value):
            raise ValidationError({parameter: [_("Enter a whole number of 1 or more.")]})

    def get_page_size(self, request: Request) -> int | None:
        self._check(request, self.page_size_query_param)
        return super().get_page_size(request)

    def paginate_queryset(self, queryset: Any, request: Request, view: Any = None) -> list[Any] | None:
        self.cursor_mode = self.cursor_query_param in request.query_params
        if self.cursor_mode and isinstance(queryset, QuerySet):
            return self._paginate_by_cursor(queryset, request)
        self.cursor_mode = False
        self._check(request, self.page_query_param, tuple(self.last_page_strings))
        return super().paginate_queryset(queryset, request, view)

    # --- keyset pages ---

    def _paginate_by_cursor(self, queryset: QuerySet[Any], request: Request) -> list[Any] | None:
        self.request = request
        size = self.get_page_size(request)
        if not size:
            return None
        keys = _keyset(queryset)
        position, backwards = self._decode(request.query_params.get(self.cursor_query_param, ""), keys)
        ordered = queryset.order_by(*[f"{'-' if k.descending != backwards else ''}{k.attname}" for k in keys])
        if position is not None:
            ordered = ordered.filter(_after(keys, position, backwards))
        rows = list(ordered[: size + 1])
        more = len(rows) > size
        rows = rows[:size]
        if backwards:
            rows.reverse()
        self.count, self.count_estimated = count_rows(queryset)
        self._keys, self._rows = keys, rows
        self._has_next = more if not backwards else position is not None
        self._has_previous = more if backwards else position is not None
        return rows

    def _decode(self, token: str, keys: list[_Key]) -> tuple[list[Any] | None, bool]:
        if not token:
            return None, False
        try:
            padded = token + "=" * (-len(token) % 4)
            data = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
            values, backwards = data["p"], bool(data.get("r", False))
            if not isinstance(values, list) or len(values) != len(keys):
                raise ValueError
            return [k.field.to_python(v) for k, v in zip(keys, values, strict=True)], backwards
        except (ValueError, TypeError, KeyError, UnicodeError, binascii.Error, DjangoValidationError):
            raise _invalid_cursor() from None

    def _encode(self, row: Any, backwards: bool) -> str:
        values = [getattr(row, key.attname) for key in self._keys]
        data = json.dumps({"p": values, "r": int(backwards)}, cls=DjangoJSONEncoder, separators=(",", ":"))
        return base64.urlsafe_b64encode(data.encode()).decode("ascii").rstrip("=")

    def _cursor_link(self, row: Any, backwards: bool) -> str:
        assert self.request is not None  # set by paginate_queryset
        url = self.request.build_absolute_uri()
        url = remove_query_param(url, self.page_query_param)
        return replace_query_param(url, self.cursor_query_param, self._encode(row, backwards))

    def get_next_link(self) -> str | None:
        if not self.cursor_mode:
            return super().get_next_link()
        return self._cursor_link(self._rows[-1], False) if self._has_next and self._rows else None

    def get_previous_link(self) -> str | None:
        if not self.cursor_mode:
            return super().get_previous_link()
        if not self._has_previous:
            return None
        if not self._rows:  # past the end: back to the first page
            assert self.request is not None
            url = self.request.build_absolute_uri()
            return replace_query_param(url, self.cursor_query_param, "")
        return self._cursor_link(self._rows[0], True)

    # --- the answer ---

    def get_paginated_response(self, data: Any) -> Response:
        if self.cursor_mode:
            count, estimated = self.count, self.count_estimated
        else:
            assert self.page is not None
            paginator = self.page.paginator
            count, estimated = paginator.count, getattr(paginator, "count_estimated", False)
        body: dict[str, Any] = {"count": count}
        if estimated:
            body["count_estimated"] = True
        body.update({"next": self.get_next_link(), "previous": self.get_previous_link(), "results": data})
        return Response(body)

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        response = super().get_paginated_response_schema(schema)
        response["properties"] = {
            "count": {
                **response["properties"]["count"],
                "description": "Exact up to 100,000 matching rows; past that PostgreSQL's estimate.",
            },
            "count_estimated": {
                "type": "boolean",
                "description": "Present (true) when count is PostgreSQL's estimate.",
            },
            **{k: v for k, v in response["properties"].items() if k != "count"},
        }
        return response

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["schema"] = {**parameter.get("schema", {}), "minimum": 1}
            if parameter["name"] == self.page_size_query_param:
                parameter["description"] = (
                    f"{parameter.get('description', '')} Above {self.max_page_size} counts as {self.max_page_size}."
                )
        parameters.append(
            {
                "name": self.cursor_query_param,
                "required": False,
                "in": "query",
                "description": "Keyset pagination: empty for the first page, then the cursor that next or "
                "previous carries. A deep page costs what the first one does.",
                "schema": {"type": "string"},
            }
        )
        return parameters
