"""``?page=N&page_size=M`` (SPEC §3): M above 200 is treated as 200; a page or size that is not a whole number
of 1 or more is a 400 naming the parameter (DRF would answer 404 for ``?page=0`` and ignore ``?page_size=x``)."""

from __future__ import annotations

import re
from typing import Any

from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request

_POSITIVE = re.compile(r"^[1-9][0-9]{0,17}$")


class PagePagination(PageNumberPagination):
    """``?page=N&page_size=M`` (M ≤ 200) → {count, next, previous, results} (SPEC §3)."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200

    def _check(self, request: Request, parameter: str, also: tuple[str, ...] = ()) -> None:
        value = request.query_params.get(parameter)
        if value and value not in also and not _POSITIVE.match(value):
            raise ValidationError({parameter: [_("Enter a whole number of 1 or more.")]})

    def get_page_size(self, request: Request) -> int | None:
        self._check(request, self.page_size_query_param)
        return super().get_page_size(request)

    def paginate_queryset(self, queryset: Any, request: Request, view: Any = None) -> list[Any] | None:
        self._check(request, self.page_query_param, tuple(self.last_page_strings))
        return super().paginate_queryset(queryset, request, view)

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["schema"] = {**parameter.get("schema", {}), "minimum": 1}
            if parameter["name"] == self.page_size_query_param:
                parameter["description"] = (
                    f"{parameter.get('description', '')} Above {self.max_page_size} counts as {self.max_page_size}."
                )
        return parameters
