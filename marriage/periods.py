"""The divorce periods on the Chinese holiday calendar (SPEC §2.5, §6; Civil Code arts. 201, 203, 1077).

civil_code.py counts the days; this module gives it the kernel's working-day calendar
(``civil_affairs.calendar``), so a period whose last day is a statutory holiday or rest day ends on the next
working day. The end dates are kept on each application (``cooling_off_ends``, ``certificate_window_ends``):
the phase filters, the lapse job and the pages read them without consulting the calendar row by row, and
:func:`marriage.services.divorce_periods_refresh` recomputes them when the bureau's calendar changes.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from civil_affairs.calendar import calendar_known, roll_forward

from . import civil_code


def divorce_calendar(application_date: datetime.date) -> civil_code.DivorceCalendar:
    """The periods of an application made on ``application_date``, by today's knowledge of the calendar."""
    return civil_code.divorce_calendar(application_date, roll_forward=roll_forward)


def unknown_years(days: Iterable[datetime.date | None]) -> list[int]:
    """The years among ``days`` whose holidays are not known (weekends alone count there): the pages warn."""
    years = sorted({day.year for day in days if day is not None})
    return [year for year in years if not calendar_known(year)]
