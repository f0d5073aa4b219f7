"""``{% load dashboards %}``: figures formatted for reading (``¥4,143,575.00``, ``75.00%``), a value by key, and
the signed-in user's to-dos for the home pages (``{% todos as items %}``)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template
from django.utils import timezone
from django.utils.translation import gettext as _

from dashboards.todos import Todo, todos_for

register = template.Library()

MONEY_KEYS = frozenset({"paid", "burial_subsidy_amount"})


@register.filter
def pick(values: dict[str, Any] | None, key: str) -> Any:
    return (values or {}).get(key)


@register.filter
def figure(value: Any, key: str = "") -> str:
    """A figure as people read it: money with ¥ and separators, shares as percentages, counts with separators,
    "—" where there is no figure (no urban residents, no workers)."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if key in MONEY_KEYS:
        return f"¥{Decimal(value):,.2f}"
    if key == "certified_share":
        return f"{Decimal(value) * 100:.2f}%"
    if isinstance(value, Decimal):
        return f"{value:,.2f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


@register.simple_tag(takes_context=True)
def todos(context: template.Context) -> list[Todo]:
    """What the user has to do, by line of work they serve, with counts and links to the filtered lists."""
    return todos_for(context["user"], timezone.localdate())


@register.filter
def category_label(code: str) -> str:
    from assistance.rules import Category

    return str(Category(code).label)
