"""Periods of whole months (SPEC §9: ``from``/``to`` as ``YYYY-MM``). Pure functions, no database."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

MONTH_PATTERN = r"^[0-9]{4}-(0[1-9]|1[0-2])$"
# A summary covers at most ten years, so its month-by-month series stays a page, not a book.
MAX_MONTHS = 120


def parse_month(text: str) -> datetime.date | None:
    """``YYYY-MM`` → the month's first day; None for anything else."""
    if not isinstance(text, str) or not re.match(MONTH_PATTERN, text):
        return None
    year, month = (int(part) for part in text.split("-"))
    if year < 1900:
        return None
    return datetime.date(year, month, 1)


def next_month(month: datetime.date) -> datetime.date:
    return (month.replace(day=1) + datetime.timedelta(days=32)).replace(day=1)


def month_end(month: datetime.date) -> datetime.date:
    return next_month(month) - datetime.timedelta(days=1)


@dataclass(frozen=True)
class Period:
    """The months ``first``…``last`` (each the month's first day), both included."""

    first: datetime.date
    last: datetime.date

    @classmethod
    def current(cls, today: datetime.date) -> Period:
        return cls(today.replace(day=1), today.replace(day=1))

    @property
    def first_day(self) -> datetime.date:
        return self.first

    @property
    def last_day(self) -> datetime.date:
        return month_end(self.last)

    @property
    def months(self) -> list[datetime.date]:
        months, month = [], self.first
        while month <= self.last:
            months.append(month)
            month = next_month(month)
        return months

    @property
    def length(self) -> int:
        return (self.last.year - self.first.year) * 12 + self.last.month - self.first.month + 1

    def as_of(self, today: datetime.date) -> datetime.date:
        """The day counts of open things are taken on: the period's last day or today, whichever is earlier."""
        return min(self.last_day, today)

    def as_json(self) -> dict[str, str]:
        return {"from": f"{self.first:%Y-%m}", "to": f"{self.last:%Y-%m}"}


class PeriodError(ValueError):
    """A period that cannot be: ``field`` ("to") names the input to fix."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def period_between(first: datetime.date | None, last: datetime.date | None, today: datetime.date) -> Period:
    """The period asked for: ``from`` and ``to`` default to the current month (``from`` to ``to`` when only
    that is given); the last month not before the first, at most MAX_MONTHS in all."""
    this_month = today.replace(day=1)
    first = first or last or this_month
    last = last or max(first, this_month)
    if last < first:
        raise PeriodError("to", _("The last month comes before the first."))
    period = Period(first, last)
    if period.length > MAX_MONTHS:
        raise PeriodError("to", _("A summary covers at most %(n)s months.") % {"n": MAX_MONTHS})
    return period
