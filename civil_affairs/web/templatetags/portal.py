"""``{% load portal %}``: what the signed-in user may do, asked of accounts/permissions.py, so templates never
compare role names (``{% if user|may:"file_application" %}`` or ``{% may "file_application" as may_file %}``),
and the export links of a list page, which keep its filters."""

from __future__ import annotations

from typing import Any

from django import template
from django.http import QueryDict

from civil_affairs.accounts import permissions
from civil_affairs.exports import FORMATS

register = template.Library()


@register.filter(name="may")
def may_filter(user: Any, what: str) -> bool:
    return permissions.may(user, what)


@register.simple_tag(takes_context=True)
def may(context: template.Context, what: str) -> bool:
    return permissions.may(context.get("user"), what)


@register.inclusion_tag("_exports.html", takes_context=True)
def export_links(context: template.Context) -> dict[str, Any]:
    """ "Export CSV" and "Export Excel" links: the page's own query (its filters) with ``format`` set, and
    without ``page`` (an export is the whole filtered list)."""
    request = context["request"]
    links = []
    for fmt in FORMATS:
        query: QueryDict = request.GET.copy()
        query.pop("page", None)
        query["format"] = fmt
        links.append((fmt, f"?{query.urlencode()}"))
    return {"links": links}
