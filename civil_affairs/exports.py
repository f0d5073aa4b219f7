"""One way to export a list as CSV or XLSX, for every list page and list endpoint (SPEC §3).

CSV is UTF-8 with a BOM (so Excel reads Chinese), ID and account numbers are written as text, and any cell that
starts like a formula (``=``, ``+``, ``-``, ``@``, tab, carriage return) is prefixed with ``'`` so a spreadsheet
shows it instead of running it. Headers come in the user's language (the columns carry lazy translations).
An app declares a list's columns once (``Column``) and hands them to :func:`export_response`.
"""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _

FORMATS = ("csv", "xlsx")
FORMULA_LEADERS = ("=", "+", "-", "@", "\t", "\r")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class Column:
    """One exported column: its header and how to read the value from a row."""

    header: str | Promise
    value: Callable[[Any], Any]
    # Numbers that are identifiers (ID numbers, bank accounts): always text, never a number to round.
    text: bool = False


def field(header: str | Promise, path: str, *, text: bool = False) -> Column:
    """A column reading ``path`` (dotted attributes, ``get_<field>_display`` picked for choices)."""

    def read(row: Any) -> Any:
        value: Any = row
        for part in path.split("."):
            if value is None:
                return None
            display = getattr(value, f"get_{part}_display", None)
            value = display() if callable(display) else getattr(value, part)
        return value

    return Column(header, read, text)


def neutralise(value: str) -> str:
    """A cell a spreadsheet will show, never evaluate."""
    return f"'{value}" if value.startswith(FORMULA_LEADERS) else value


def cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, datetime.datetime):
        # Stored in UTC; a bureau reads its own clock (Asia/Shanghai, with its offset written out).
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.isoformat(timespec="seconds")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return neutralise(str(value))


class _Echo:
    def write(self, value: str) -> str:
        return value


def _csv_lines(
    columns: Sequence[Column], rows: Iterable[Any], footer: Sequence[Sequence[Any]]
) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow([str(c.header) for c in columns])
    for row in rows:
        values = []
        for column in columns:
            text = cell(column.value(row))
            # Excel turns a long digit string into a rounded number unless it is told it is text.
            values.append(f'="{text}"' if column.text and text.isdigit() else text)
        yield writer.writerow(values)
    for line in footer:
        yield writer.writerow([cell(v) for v in line])


def _xlsx(
    columns: Sequence[Column], rows: Iterable[Any], footer: Sequence[Sequence[Any]], title: str
) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31] or "export")
    sheet.append([str(c.header) for c in columns])
    for row in rows:
        line = []
        for column in columns:
            value = column.value(row)
            if isinstance(value, Decimal | int | float) and not isinstance(value, bool) and not column.text:
                line.append(value)
            else:
                text = WriteOnlyCell(sheet, value=cell(value))
                text.data_type = "s"  # never a formula, never a number
                line.append(text)
        sheet.append(line)
    for extra in footer:
        sheet.append([v if isinstance(v, Decimal | int) else cell(v) for v in extra])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def export_response(
    *,
    fmt: str,
    columns: Sequence[Column],
    rows: Iterable[Any],
    filename: str,
    footer: Sequence[Sequence[Any]] = (),
) -> HttpResponse | StreamingHttpResponse:
    """The list as a download: CSV streamed row by row, XLSX built in one go. ``footer`` rows (e.g. a total)
    come after the data rows."""
    response: HttpResponse | StreamingHttpResponse
    if fmt == "xlsx":
        response = HttpResponse(_xlsx(columns, rows, footer, filename), content_type=XLSX_TYPE)
    else:
        response = StreamingHttpResponse(
            _csv_lines(columns, rows, footer), content_type="text/csv; charset=utf-8"
        )
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    return response


def wanted_format(params: Any) -> str | None:
    """``?format=csv|xlsx`` → the format, else None (a page or list answers as usual)."""
    fmt = params.get("format")
    return fmt if fmt in FORMATS else None
