"""How figures read on the portal's pages (issue 14 #2): money as ``¥4,143,575.00``, rates as ``5%``, whole
numbers with thousands separators, and one date format (``2026-03-01``) whatever the language.

Pure functions; ``{% load portal %}`` offers them as the filters ``yuan``, ``percent``, ``number``, ``day``,
``month`` and ``moment``. A missing value reads ``—``. Exports (CSV/XLSX) keep plain numbers: only pages
format them.
"""

from __future__ import annotations

import datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.utils import timezone

MISSING = "—"
CENT = Decimal("0.01")


def as_decimal(value: Any) -> Decimal | None:
    """A number from a Decimal, int, float or numeric string; None for anything else (or nothing)."""
    if value is None or value == "" or isinstance(value, bool):
        return None
    if isinstance(value, Decimal):
        number = value
    else:
        try:
            number = Decimal(str(value).strip())
        except (InvalidOperation, ValueError):
            return None
    return number if number.is_finite() else None


def yuan(value: Any) -> str:
    """``Decimal("4143575")`` → ``¥4,143,575.00``; negative amounts ``-¥12.50``; rounded half up to the fen."""
    number = as_decimal(value)
    if number is None:
        return MISSING
    rounded = number.quantize(CENT, rounding=ROUND_HALF_UP)
    sign = "-" if rounded < 0 else ""
    return f"{sign}¥{abs(rounded):,.2f}"


def percent(value: Any, places: int = 2) -> str:
    """A rate as a share of one → ``Decimal("0.0500")`` reads ``5%``, ``0.125`` reads ``12.5%``: at most
    ``places`` decimals, trailing zeros dropped."""
    number = as_decimal(value)
    if number is None:
        return MISSING
    scaled = (number * 100).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    text = f"{scaled:,.{places}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return f"{'0' if text in ('-0', '') else text}%"


def number(value: Any) -> str:
    """A count or other number with thousands separators: ``1888`` → ``1,888``; decimals kept as given."""
    figure = as_decimal(value)
    if figure is None:
        return MISSING
    if figure == figure.to_integral_value():
        return f"{int(figure):,}"
    return f"{figure:,}"


def _local(value: datetime.date) -> datetime.date:
    if isinstance(value, datetime.datetime) and timezone.is_aware(value):
        return timezone.localtime(value)
    return value


def day(value: Any) -> str:
    """The portal's one date format, ``YYYY-MM-DD`` (a datetime reads as its local day)."""
    if not isinstance(value, datetime.date):
        return MISSING if value in (None, "") else str(value)
    return _local(value).strftime("%Y-%m-%d")


def month(value: Any) -> str:
    """A month (a date on its first day, or any date in it): ``YYYY-MM``."""
    if not isinstance(value, datetime.date):
        return MISSING if value in (None, "") else str(value)
    return _local(value).strftime("%Y-%m")


def moment(value: Any) -> str:
    """A point in time, local: ``YYYY-MM-DD HH:MM``; a plain date reads as :func:`day`."""
    if not isinstance(value, datetime.datetime):
        return day(value)
    return _local(value).strftime("%Y-%m-%d %H:%M")
