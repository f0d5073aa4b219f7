"""The dashboard page (SPEC §9): the summary of a period for the district or a town, with charts, a drill-down
from the district to its towns and every table as CSV or XLSX. Every signed-in role may open it for its own
jurisdiction; a division outside answers 404, as everywhere."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, cast

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from civil_affairs.accounts.jurisdiction import jurisdiction_code
from civil_affairs.accounts.lines import Line
from civil_affairs.audit.services import audit_record
from civil_affairs.divisions.models import DivisionLevel
from civil_affairs.errors import RuleViolation
from civil_affairs.exports import FORMATS, wanted_format
from eldercare.models import FacilityKind

from . import charts, selectors
from .exports import TABLES, table_export
from .figures import BY_CATEGORY, BY_MONTH, FIGURES, TOWN_FIGURES, section_title
from .forms import DashboardForm
from .periods import Period

EXPORT_NAME = "dashboard"


def _money(value: Any) -> str:
    return f"¥{value:,.2f}"


def _query(summary: selectors.Summary, **extra: str) -> str:
    params = {
        "from": f"{summary.period.first:%Y-%m}",
        "to": f"{summary.period.last:%Y-%m}",
        "division": summary.division.code,
        **extra,
    }
    from urllib.parse import urlencode

    return "?" + urlencode(params)


def _export_links(summary: selectors.Summary, table: str) -> list[tuple[str, str]]:
    return [(fmt, _query(summary, table=table, format=fmt)) for fmt in FORMATS]


def _charts(summary: selectors.Summary) -> list[dict[str, Any]]:
    """The charts of the sections the user sees: month by month, and by town at district level."""
    found: list[dict[str, Any]] = []
    months = [(f"{month:%y-%m}", figures) for month, figures in summary.by_month.items()]
    by_town = summary.division.level == DivisionLevel.DISTRICT
    towns = [(town.name, summary.by_town[town.code]) for town in summary.towns]
    sections = summary.sections
    if Line.ASSISTANCE in sections:
        title = _("Funds paid by month (yuan)")
        found.append(
            {
                "title": title,
                "svg": charts.column_chart(title, [(m, f["paid"]) for m, f in months], fmt=_money),
            }
        )
        title = _("Person-times assisted by month")
        found.append(
            {"title": title, "svg": charts.column_chart(title, [(m, f["person_times"]) for m, f in months])}
        )
        if by_town:
            title = _("Funds paid by town/street (yuan)")
            found.append(
                {
                    "title": title,
                    "svg": charts.bar_chart(title, [(n, f["paid"]) for n, f in towns], fmt=_money),
                }
            )
    if Line.ELDERCARE in sections:
        title = _("Facilities in operation by kind")
        kinds = sections[Line.ELDERCARE]["facilities_by_kind"]
        found.append(
            {
                "title": title,
                "svg": charts.bar_chart(title, [(str(FacilityKind(k).label), n) for k, n in kinds.items()]),
            }
        )
    if Line.MARRIAGE in sections:
        title = _("Marriage registrations by month")
        found.append(
            {"title": title, "svg": charts.column_chart(title, [(m, f["registrations"]) for m, f in months])}
        )
    if Line.FUNERAL in sections:
        title = _("Deaths recorded by month")
        found.append(
            {"title": title, "svg": charts.column_chart(title, [(m, f["deaths"]) for m, f in months])}
        )
    if Line.COMMUNITY in sections and by_town:
        title = _("Community workers per 10,000 urban residents (target 18)")
        rows = [(n, f.get("per_10000") or Decimal(0)) for n, f in towns]
        found.append({"title": title, "svg": charts.bar_chart(title, rows, fmt=lambda v: f"{v:.2f}")})
    return found


def _cards(summary: selectors.Summary) -> list[dict[str, Any]]:
    cards = []
    for section, values in summary.sections.items():
        cards.append(
            {
                "section": section,
                "title": section_title(section),
                "figures": [(label, values[key], key) for key, label in FIGURES[section]],
            }
        )
    return cards


@login_required
def index_page(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    form = DashboardForm(request.GET or None, user=request.user, today=today)
    summary = None
    if form.is_bound and not form.is_valid():
        return render(request, "dashboards/index.html", {"form": form}, status=400)
    data = form.cleaned_data if form.is_bound else {}
    try:
        division = selectors.division_for(request.user, data.get("division"))
    except RuleViolation as error:
        form.add_error("division", error.messages[0])
        return render(request, "dashboards/index.html", {"form": form}, status=400)
    period = data.get("period") or Period.current(today)
    summary = selectors.summary(user=request.user, division=division, period=period, today=today)
    fmt = wanted_format(request.GET)
    if fmt:
        table = request.GET.get("table", "figures")
        table = table if table in TABLES else "figures"
        audit_record(
            actor=request.user,
            action="export",
            object_type=f"{EXPORT_NAME}-{table}",
            changes={"format": [None, fmt], "query": [None, request.GET.urlencode()]},
        )
        return cast(HttpResponse, table_export(summary, table, fmt, f"{EXPORT_NAME}-{table}"))
    home = jurisdiction_code(request.user)
    parent = (
        summary.division.parent
        if summary.division.level == DivisionLevel.TOWN and home and len(home) < len(summary.division.code)
        else None
    )
    context = {
        "form": form,
        "summary": summary,
        "cards": _cards(summary),
        "charts": _charts(summary),
        "parent": parent,
        # One table per section, so each stays readable on a screen; the export has them side by side.
        "town_tables": [
            (section, section_title(section), TOWN_FIGURES[section]) for section in summary.sections
        ],
        "town_rows": [
            (town, _query(summary, division=town.code), summary.by_town[town.code]) for town in summary.towns
        ],
        "category_columns": BY_CATEGORY,
        "month_columns": [
            (key, label)
            for section, figures in BY_MONTH.items()
            if section in summary.sections
            for key, label in figures
        ],
        "month_rows": [(month, figures) for month, figures in summary.by_month.items()],
        "exports": {table: _export_links(summary, table) for table in TABLES},
        "parent_query": _query(summary, division=parent.code) if parent else "",
    }
    return render(request, "dashboards/index.html", context)
