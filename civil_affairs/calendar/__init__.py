"""Working days by the Chinese holiday calendar (SPEC §2.5), for every deadline the portal counts.

A day's kind comes first from the bureau's own entries (``CalendarDay``, entered by administrators and
audited), then from the ``chinese-calendar`` package for the years it knows, and for a year with neither
from the weekend alone (``calendar_known(year)`` is then False, and the pages that count days say so).
Nothing fails for want of a calendar.
"""

from __future__ import annotations

import datetime

ONE_DAY = datetime.timedelta(days=1)


def _entries(start: datetime.date, end: datetime.date) -> dict[datetime.date, str]:
    from .models import CalendarDay

    return dict(CalendarDay.objects.filter(day__gte=start, day__lte=end).values_list("day", "kind"))


def _package_says_working(day: datetime.date) -> bool | None:
    import chinese_calendar

    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:  # a year the package does not know yet
        return None


def _working(day: datetime.date, entries: dict[datetime.date, str]) -> bool:
    kind = entries.get(day)
    if kind is not None:
        return kind == "workday"
    package = _package_says_working(day)
    if package is not None:
        return package
    return day.weekday() < 5


def is_working_day(day: datetime.date) -> bool:
    return _working(day, _entries(day, day))


def calendar_known(year: int) -> bool:
    """Whether the holidays of ``year`` are known (entered by the bureau or carried by the package)."""
    from .models import CalendarDay

    if CalendarDay.objects.filter(day__year=year).exists():
        return True
    return _package_says_working(datetime.date(year, 1, 1)) is not None


def add_working_days(start: datetime.date, count: int) -> datetime.date:
    """The ``count``-th working day after ``start``, counting from the next day (``start`` itself never counts)."""
    day, left = start, count
    horizon = start + datetime.timedelta(days=count * 3 + 40)
    entries = _entries(start, horizon)
    while left > 0:
        day += ONE_DAY
        if day > horizon:
            horizon = day + datetime.timedelta(days=count * 3 + 40)
            entries.update(_entries(day, horizon))
        if _working(day, entries):
            left -= 1
    return day


def roll_forward(day: datetime.date) -> datetime.date:
    """``day`` if it is a working day, else the next working day (Civil Code art. 203: a period whose last day
    is a statutory holiday or rest day ends on the next working day)."""
    horizon = day + datetime.timedelta(days=40)
    entries = _entries(day, horizon)
    while not _working(day, entries):
        day += ONE_DAY
        if day > horizon:
            horizon = day + datetime.timedelta(days=40)
            entries.update(_entries(day, horizon))
    return day
