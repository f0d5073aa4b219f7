"""The legal rules of marriage registration as pure functions (SPEC §6, §11). No database.

- Legal marriage age (Civil Code art. 1047): a man 22, a woman 20. The birthday itself counts as reached;
  a 29 February birthday is reached on 1 March in common years.
- Divorce by agreement (art. 1077): the 30-day cooling-off period and the following 30 days in which the
  certificate may be issued. Periods are counted from the day after the application (SPEC §11), so the
  application date is day 0, day 1 is the day after it, days 1–30 are the cooling-off period, days 31–60
  the certificate window, and from day 61 the application has lapsed (it is treated as withdrawn). A period
  whose last day is a statutory holiday or rest day ends on the next working day (Civil Code arts. 201, 203),
  and the certificate window starts the day after the (possibly extended) cooling-off period ends: the
  functions take that rule as ``roll_forward`` (marriage/periods.py gives them the holiday calendar's).
- Certificate numbers (SPEC §11): ``J`` (marriage), ``L`` (divorce), ``BJ``/``BL`` (reissued) + the 6-digit
  area code + ``-`` + year + ``-`` + the 6-digit yearly sequence, e.g. ``J370114-2024-000123``.

The figures are the defaults the law sets; functions take them as arguments so they stay configurable.
"""

from __future__ import annotations

import datetime
import enum
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

MALE = "male"
FEMALE = "female"
# Civil Code art. 1047.
LEGAL_AGES: Mapping[str, int] = {MALE: 22, FEMALE: 20}
# Civil Code art. 1077: 30 days to withdraw, then 30 days to come for the certificate.
COOLING_OFF_DAYS = 30
CERTIFICATE_WINDOW_DAYS = 30


def anniversary(birth_date: datetime.date, year: int) -> datetime.date:
    """The birthday in ``year``; a 29 February birthday falls on 1 March in a common year."""
    try:
        return birth_date.replace(year=year)
    except ValueError:  # 29 February in a year without one
        return datetime.date(year, 3, 1)


def age_on(birth_date: datetime.date, on: datetime.date) -> int:
    """Completed years of age on a date (the birthday itself counts)."""
    years = on.year - birth_date.year
    return years if on >= anniversary(birth_date, on.year) else years - 1


def legal_age(sex: str, ages: Mapping[str, int] = LEGAL_AGES) -> int:
    return ages[sex]


def legal_age_reached_on(
    birth_date: datetime.date, sex: str, ages: Mapping[str, int] = LEGAL_AGES
) -> datetime.date:
    """The first day on which a person of this sex and birth date may marry."""
    return anniversary(birth_date, birth_date.year + legal_age(sex, ages))


def has_legal_age(
    birth_date: datetime.date, sex: str, on: datetime.date, ages: Mapping[str, int] = LEGAL_AGES
) -> bool:
    return on >= legal_age_reached_on(birth_date, sex, ages)


# --- Divorce by agreement ------------------------------------------------------------------------------

# Where the last day of a period falls on a rest day: a function returning that day if it is a working day,
# else the next working day (Civil Code art. 203). The default knows no rest days (the bare count of days);
# marriage/periods.py passes the Chinese holiday calendar's.
RollForward = Callable[[datetime.date], datetime.date]


def same_day(day: datetime.date) -> datetime.date:
    return day


class DivorcePeriod(enum.StrEnum):
    """Where an open divorce application stands on a date."""

    COOLING_OFF = "cooling_off"
    AWAITING_CERTIFICATE = "awaiting_certificate"
    LAPSED = "lapsed"


@dataclass(frozen=True)
class DivorceCalendar:
    """The dates of one application's periods (all inclusive).

    ``cooling_off_ends`` and ``certificate_window_ends`` are the last days of the two periods after any
    extension to the next working day (SPEC §6); the certificate window starts the day after the (possibly
    extended) cooling-off period ends.
    """

    application_date: datetime.date
    cooling_off_ends: datetime.date
    certificate_from: datetime.date
    certificate_window_ends: datetime.date
    lapses_on: datetime.date  # the first day on which it has lapsed

    # The names the API and the pages used before the calendar extended periods (kept: fields are not renamed).
    @property
    def cooling_off_until(self) -> datetime.date:
        return self.cooling_off_ends

    @property
    def certificate_until(self) -> datetime.date:
        return self.certificate_window_ends


def period_end(start: datetime.date, days: int, roll_forward: RollForward = same_day) -> datetime.date:
    """The last day of a period of ``days`` days counted from the day after ``start`` (Civil Code art. 201),
    moved to the next working day when it is a statutory holiday or rest day (art. 203)."""
    return roll_forward(start + datetime.timedelta(days=days))


def divorce_calendar(
    application_date: datetime.date,
    cooling_off_days: int = COOLING_OFF_DAYS,
    certificate_window_days: int = CERTIFICATE_WINDOW_DAYS,
    *,
    roll_forward: RollForward = same_day,
) -> DivorceCalendar:
    cooling_off_ends = period_end(application_date, cooling_off_days, roll_forward)
    certificate_window_ends = period_end(cooling_off_ends, certificate_window_days, roll_forward)
    return DivorceCalendar(
        application_date=application_date,
        cooling_off_ends=cooling_off_ends,
        certificate_from=cooling_off_ends + datetime.timedelta(days=1),
        certificate_window_ends=certificate_window_ends,
        lapses_on=certificate_window_ends + datetime.timedelta(days=1),
    )


def divorce_day(application_date: datetime.date, on: datetime.date) -> int:
    """Day number of ``on`` in the application's periods: the application date is day 0, the next day is day 1."""
    return (on - application_date).days


def period_on(calendar: DivorceCalendar, on: datetime.date) -> DivorcePeriod:
    """The period an open application with this calendar is in on a date."""
    if on < calendar.application_date:
        raise ValueError("the date is before the application")
    if on <= calendar.cooling_off_ends:
        return DivorcePeriod.COOLING_OFF
    if on <= calendar.certificate_window_ends:
        return DivorcePeriod.AWAITING_CERTIFICATE
    return DivorcePeriod.LAPSED


def days_left_on(calendar: DivorceCalendar, on: datetime.date) -> int | None:
    """Days after ``on`` until the current period ends (0 on its last day); None once it has lapsed."""
    period = period_on(calendar, on)
    if period is DivorcePeriod.COOLING_OFF:
        return (calendar.cooling_off_ends - on).days
    if period is DivorcePeriod.AWAITING_CERTIFICATE:
        return (calendar.certificate_window_ends - on).days
    return None


def divorce_period(
    application_date: datetime.date,
    on: datetime.date,
    cooling_off_days: int = COOLING_OFF_DAYS,
    certificate_window_days: int = CERTIFICATE_WINDOW_DAYS,
    *,
    roll_forward: RollForward = same_day,
) -> DivorcePeriod:
    """The period an open application is in on a date (without rest days: days 0–30 cooling off, 31–60
    certificate, then lapsed)."""
    calendar = divorce_calendar(
        application_date, cooling_off_days, certificate_window_days, roll_forward=roll_forward
    )
    return period_on(calendar, on)


def days_left_in_period(
    application_date: datetime.date,
    on: datetime.date,
    cooling_off_days: int = COOLING_OFF_DAYS,
    certificate_window_days: int = CERTIFICATE_WINDOW_DAYS,
    *,
    roll_forward: RollForward = same_day,
) -> int | None:
    """Days after ``on`` until the current period ends (0 on its last day); None once it has lapsed."""
    calendar = divorce_calendar(
        application_date, cooling_off_days, certificate_window_days, roll_forward=roll_forward
    )
    return days_left_on(calendar, on)


# --- Certificate numbers -------------------------------------------------------------------------------


class CertificateKind(enum.StrEnum):
    MARRIAGE = "J"
    DIVORCE = "L"
    MARRIAGE_REISSUED = "BJ"
    DIVORCE_REISSUED = "BL"


CERTIFICATE_NUMBER = re.compile(
    r"^(?P<kind>BJ|BL|J|L)(?P<area>[0-9]{6})-(?P<year>[0-9]{4})-(?P<sequence>[0-9]{6})$"
)
MAX_SEQUENCE = 999_999


@dataclass(frozen=True)
class CertificateNumber:
    kind: CertificateKind
    area_code: str
    year: int
    sequence: int

    def __str__(self) -> str:
        return certificate_number(self.kind, self.area_code, self.year, self.sequence)


def certificate_number(kind: str, area_code: str, year: int, sequence: int) -> str:
    """``J370114-2024-000123``: kind, 6-digit area code, year, 6-digit yearly sequence."""
    if kind not in CertificateKind.__members__.values():
        raise ValueError(f"unknown certificate kind {kind!r}")
    if not re.fullmatch(r"[0-9]{6}", area_code):
        raise ValueError(f"an area code has 6 digits, not {area_code!r}")
    if not 1000 <= year <= 9999:
        raise ValueError(f"a year has 4 digits, not {year!r}")
    if not 1 <= sequence <= MAX_SEQUENCE:
        raise ValueError(f"a yearly sequence runs from 1 to {MAX_SEQUENCE}, not {sequence!r}")
    return f"{kind}{area_code}-{year:04d}-{sequence:06d}"


def parse_certificate_number(text: str) -> CertificateNumber:
    match = CERTIFICATE_NUMBER.match((text or "").strip().upper())
    if match is None:
        raise ValueError(f"not a certificate number: {text!r}")
    return CertificateNumber(
        kind=CertificateKind(match["kind"]),
        area_code=match["area"],
        year=int(match["year"]),
        sequence=int(match["sequence"]),
    )
