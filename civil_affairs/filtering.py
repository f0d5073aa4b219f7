"""One FilterSet per list, for the API and the pages alike (STYLE.md: selectors own scoping and filtering).

An app's selector takes ``filters`` (the query parameters) and applies its FilterSet with
:func:`apply_filterset`; the API's viewset names the same class as ``filterset_class``, so
``?state=…&search=…`` means the same on ``/api/v1/…`` and on the page, and a bookmarked page URL
reproduces its list. An invalid value raises :class:`civil_affairs.errors.RuleViolation` naming the
parameter (400 in the API, a message on the page).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

import django_filters
from django.core.validators import RegexValidator
from django.db.models import Model, QuerySet
from django.utils.translation import gettext_lazy as _
from rest_framework.filters import SearchFilter
from rest_framework.settings import api_settings

from civil_affairs.errors import RuleViolation

M = TypeVar("M", bound=Model)

INVALID_FILTER = "invalid_filter"

# The API's filter backends without DRF's SearchFilter: a list whose FilterSet has its own ``search``
# (whole ID numbers only, SPEC §2.2) must not also match ``?search=`` as any substring.
API_BACKENDS_WITHOUT_SEARCH: list[type[Any]] = [
    backend
    for backend in cast(list[type[Any]], api_settings.DEFAULT_FILTER_BACKENDS)
    if not issubclass(backend, SearchFilter)
]


# A division's code: the district's 6 digits, a town's 9, a village's 12. Anything else in a division filter
# is a mistake to name (400), not a prefix that matches nothing.
DIVISION_CODE = RegexValidator(
    r"^[0-9]{6}([0-9]{3}){0,2}$",
    message=_("Give a division code: 6, 9 or 12 digits."),
    code="division_code",
)


def division_filter(field_name: str = "division__code", **options: Any) -> django_filters.CharFilter:
    """``?division=<code>``: records in that division and every division under it (the code's prefix).
    Pages show it as a picker of names (``civil_affairs.web.lists.filter_form``), never a code to type."""
    options.setdefault("label", _("Town, village or community"))
    options.setdefault("help_text", "Division code (its subtree).")
    return django_filters.CharFilter(
        field_name=field_name, lookup_expr="startswith", validators=[DIVISION_CODE], **options
    )


def apply_filterset(
    filterset_class: type[django_filters.FilterSet],
    queryset: QuerySet[M],
    filters: Mapping[str, Any] | None,
    *,
    request: Any = None,
) -> QuerySet[M]:
    """``queryset`` narrowed by ``filterset_class`` over ``filters`` (unknown parameters are ignored; none
    given, the queryset as it is). An invalid value raises RuleViolation with the parameter's messages."""
    if filters is None:
        return queryset
    filterset = filterset_class(filters, queryset=queryset, request=request)
    if not filterset.is_valid():
        raise RuleViolation(
            errors={
                name: [str(message) for message in messages] for name, messages in filterset.errors.items()
            },
            code=INVALID_FILTER,
        )
    return cast(QuerySet[M], filterset.qs)
