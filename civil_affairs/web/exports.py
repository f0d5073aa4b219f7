"""Exports of list pages (SPEC §3): the page's own filtered list as CSV or XLSX, with the columns its app
declares once in ``<app>/exports.py`` for the API and the pages alike.

A list view filters its rows as usual, then::

    export = export_if_asked(request, name="enrollments", columns=ENROLLMENT_COLUMNS, rows=enrollments)
    if export is not None:
        return export

and its template shows ``{% export_links %}`` (``{% load portal %}``): links keeping the page's filters, with
``?format=csv|xlsx``. Each export is audited, as on the API.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, cast

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse

from civil_affairs.audit.services import audit_record
from civil_affairs.exports import Column, export_response, wanted_format

CHUNK = 2000


def export_if_asked(
    request: HttpRequest, *, name: str, columns: Sequence[Column], rows: QuerySet[Any] | Iterable[Any]
) -> HttpResponse | None:
    """With ``?format=csv|xlsx`` the whole list (not one page of it) as a file named ``name``, and an audit
    event ``export`` of ``name`` with the format and the query; otherwise ``None``."""
    fmt = wanted_format(request.GET)
    if fmt is None:
        return None
    query = request.GET.copy()
    query.pop("format", None)
    query.pop("page", None)
    audit_record(
        actor=request.user,
        action="export",
        object_type=name,
        changes={"format": [None, fmt], "query": [None, query.urlencode()]},
    )
    if isinstance(rows, QuerySet):
        rows = rows.iterator(chunk_size=CHUNK)
    # A streamed CSV is a StreamingHttpResponse: views are typed with plain responses.
    return cast(HttpResponse, export_response(fmt=fmt, columns=columns, rows=rows, filename=name))
