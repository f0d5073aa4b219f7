"""Template tags of list pages (civil_affairs/web/lists.py): sortable column headers and the query kept in
GET forms, so that every choice stays in the URL."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

register = template.Library()


@register.simple_tag(takes_context=True)
def sort_header(context: template.Context, column: str, label: Any, css: str = "") -> SafeString:
    """``{% sort_header "received_on" _("Received on") "date" %}``: a column header whose link orders the list
    by ``column`` (``?ordering=``, ascending first, then descending), marked with ``aria-sort`` when it is the
    list's order. The page's other parameters are kept; it goes back to page 1."""
    request = context["request"]
    current = request.GET.get("ordering", "")
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("format", None)
    if current == column:
        query["ordering"], sort, arrow = f"-{column}", "ascending", "▲"
        title = _("Sorted ascending; click for descending")
    elif current == f"-{column}":
        query["ordering"], sort, arrow = column, "descending", "▼"
        title = _("Sorted descending; click for ascending")
    else:
        query["ordering"], sort, arrow = column, "", ""
        title = _("Click to sort by this column")
    return format_html(
        '<th scope="col"{}{}><a class="sort" href="?{}" title="{}">{}{}</a></th>',
        format_html(' class="{}"', css) if css else "",
        format_html(' aria-sort="{}"', sort) if sort else "",
        query.urlencode(),
        title,
        label,
        format_html(' <span aria-hidden="true">{}</span>', arrow) if arrow else "",
    )


@register.simple_tag(takes_context=True)
def kept_query(context: template.Context, *leave_out: str, form: Any = None) -> SafeString:
    """Hidden inputs carrying the page's query parameters but ``leave_out``, ``format`` and the fields of
    ``form``, for a GET form that changes some of them (the filters, the page jump, the page size) without
    losing the others (the ordering, the page size)."""
    skip = {*leave_out, "format", *(form.fields if form is not None else ())}
    pairs = [
        (name, value)
        for name, values in context["request"].GET.lists()
        if name not in skip
        for value in values
    ]
    return format_html_join("", '<input type="hidden" name="{}" value="{}">', pairs)
