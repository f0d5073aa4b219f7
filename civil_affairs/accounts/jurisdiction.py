"""Jurisdiction scoping: the one mechanism every app uses to limit case data to a user's subtree.

Division codes are hierarchical (370114 → 370114001 → 370114001001), so "within a jurisdiction" is a
prefix match on the code. An object outside the caller's subtree is treated as not existing (404), so
its existence is never revealed (SPEC §2.3).
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Model, Q, QuerySet
from django.http import Http404

from .lines import serves

M = TypeVar("M", bound=Model)


def jurisdiction_code(user: Any) -> str | None:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    return user.jurisdiction_id or None


def jurisdiction_q(user: Any, division_field: str = "division") -> Q:
    """A filter matching objects whose ``division_field`` lies in the user's subtree (none if no jurisdiction)."""
    code = jurisdiction_code(user)
    if code is None:
        return Q(pk__in=[])
    prefix = f"{division_field}__" if division_field else ""  # "" when the objects are divisions
    return Q(**{f"{prefix}code__startswith": code})


def within_jurisdiction(queryset: QuerySet[M], user: Any, division_field: str = "division") -> QuerySet[M]:
    return queryset.filter(jurisdiction_q(user, division_field))


def get_within_jurisdiction_or_404(
    queryset: QuerySet[M], user: Any, division_field: str = "division", **lookup: Any
) -> M:
    try:
        return within_jurisdiction(queryset, user, division_field).get(**lookup)
    except ObjectDoesNotExist:
        raise Http404 from None


def covers(user: Any, division_code: str | None) -> bool:
    """Whether ``division_code`` lies in the user's jurisdiction."""
    code = jurisdiction_code(user)
    return bool(code and division_code and str(division_code).startswith(code))


def scoped(
    queryset: QuerySet[M], user: Any, *, line: str | None, division_field: str = "division"
) -> QuerySet[M]:
    """Case data the user may see: within the jurisdiction, and only of a line of work the user serves
    (SPEC §2.3). Every app's selectors start from this."""
    if not serves(user, line):
        return queryset.none()
    return within_jurisdiction(queryset, user, division_field)
