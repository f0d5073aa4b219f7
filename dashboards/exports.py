"""The summary and the dashboard's tables as CSV or XLSX (SPEC §9), through the portal's one export helper
(civil_affairs/exports.py: BOM, formulas neutralised, headers in the user's language).

The summary is one row per figure: the division's own figures, then each town's; as XLSX one sheet per section.
The page's tables (by town, by category, by month) export as they are shown.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.http import HttpResponse, StreamingHttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from assistance.rules import Category
from civil_affairs.exports import XLSX_TYPE, Column, cell, export_response
from eldercare.models import FacilityKind

from .figures import BY_CATEGORY, BY_MONTH, FIGURES, TOWN_FIGURES, section_title
from .selectors import Summary


@dataclass(frozen=True)
class FigureRow:
    section: str
    figure: str
    division: str
    value: Any


FIGURE_COLUMNS = [
    Column(gettext_lazy("Section"), lambda row: row.section),
    Column(gettext_lazy("Figure"), lambda row: row.figure),
    Column(gettext_lazy("Division"), lambda row: row.division),
    Column(gettext_lazy("Value"), lambda row: row.value),
]


def figure_rows(summary: Summary, section: str) -> list[FigureRow]:
    """One section's figures: the division's own (by category and by kind too), then each town's."""
    title = str(section_title(section))
    figures = summary.sections[section]
    name = summary.division.name
    rows = [FigureRow(title, str(label), name, figures[key]) for key, label in FIGURES[section]]
    if section == "assistance":
        for line in figures["by_category"]:
            category = Category(line["category"]).label
            rows += [FigureRow(title, f"{label} · {category}", name, line[key]) for key, label in BY_CATEGORY]
    if section == "eldercare":
        rows += [
            FigureRow(title, f"{_('Facilities in operation')} · {FacilityKind(kind).label}", name, count)
            for kind, count in figures["facilities_by_kind"].items()
        ]
    if summary.division.level == "district":
        for town in summary.towns:
            values = summary.by_town[town.code]
            rows += [
                FigureRow(title, str(label), town.name, values[key]) for key, label in TOWN_FIGURES[section]
            ]
    return rows


def summary_export(summary: Summary, fmt: str, filename: str) -> HttpResponse | StreamingHttpResponse:
    sections = list(summary.sections)
    if fmt == "xlsx":
        sheets = [(str(section_title(s)), figure_rows(summary, s)) for s in sections]
        response = HttpResponse(workbook(FIGURE_COLUMNS[1:], sheets), content_type=XLSX_TYPE)
        response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
        return response
    rows = [row for section in sections for row in figure_rows(summary, section)]
    return export_response(fmt=fmt, columns=FIGURE_COLUMNS, rows=rows, filename=filename)


def workbook(columns: Sequence[Column], sheets: Sequence[tuple[str, Sequence[Any]]]) -> bytes:
    """An XLSX file with one sheet per (title, rows): numbers stay numbers, everything else is text (never a
    formula), as civil_affairs.exports writes a single sheet."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    book = Workbook(write_only=True)
    for title, rows in sheets:
        sheet = book.create_sheet(title=title[:31])
        sheet.append([str(column.header) for column in columns])
        for row in rows:
            line: list[Any] = []
            for column in columns:
                value = column.value(row)
                if isinstance(value, Decimal | int) and not isinstance(value, bool):
                    line.append(value)
                else:
                    text = WriteOnlyCell(sheet, value=cell(value))
                    text.data_type = "s"
                    line.append(text)
            sheet.append(line)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# --- The page's tables -----------------------------------------------------------------------------------


def _by_key(key: str) -> Callable[[dict[str, Any]], Any]:
    return lambda row: row.get(key)


def town_columns(summary: Summary) -> list[Column]:
    columns = [Column(gettext_lazy("Town/street"), lambda row: row["name"])]
    for section in summary.sections:
        for key, label in TOWN_FIGURES[section]:
            columns.append(Column(label, _by_key(key)))
    return columns


def town_rows(summary: Summary) -> list[dict[str, Any]]:
    return [{"name": town.name, **summary.by_town[town.code]} for town in summary.towns]


CATEGORY_COLUMNS = [
    Column(gettext_lazy("Category"), lambda row: Category(row["category"]).label),
    *[Column(label, _by_key(key)) for key, label in BY_CATEGORY],
]


def month_columns(summary: Summary) -> list[Column]:
    columns = [Column(gettext_lazy("Month"), lambda row: row["month"])]
    for section, figures in BY_MONTH.items():
        if section in summary.sections:
            columns += [Column(label, _by_key(key)) for key, label in figures]
    return columns


def month_rows(summary: Summary) -> list[dict[str, Any]]:
    return [{"month": f"{month:%Y-%m}", **figures} for month, figures in summary.by_month.items()]


TABLES = ("figures", "by_town", "by_category", "by_month")


def table_export(
    summary: Summary, table: str, fmt: str, filename: str
) -> HttpResponse | StreamingHttpResponse:
    """One of the page's tables as a file (``table`` in TABLES; "figures" is the summary's export)."""
    if table == "by_town":
        return export_response(
            fmt=fmt, columns=town_columns(summary), rows=town_rows(summary), filename=filename
        )
    if table == "by_category" and "assistance" in summary.sections:
        return export_response(fmt=fmt, columns=CATEGORY_COLUMNS, rows=summary.by_category, filename=filename)
    if table == "by_month":
        return export_response(
            fmt=fmt, columns=month_columns(summary), rows=month_rows(summary), filename=filename
        )
    return summary_export(summary, fmt, filename)
