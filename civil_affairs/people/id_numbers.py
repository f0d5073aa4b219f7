"""Resident ID numbers (居民身份证号码) under GB 11643-1999 (SPEC §2.2). Pure functions, no database."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARACTERS = "10X98765432"
_SHAPE = re.compile(r"^[0-9]{17}[0-9X]$")
_FIRST_GENERATION = re.compile(r"^[0-9]{15}$")
# Province-level codes that exist (SPEC §2.2): the first two digits of every real number.
PROVINCE_CODES = frozenset(
    f"{code:02d}"
    for code in (
        *range(11, 16),
        *range(21, 24),
        *range(31, 38),
        *range(41, 47),
        *range(50, 55),
        *range(61, 66),
    )
) | {"71", "81", "82"}
EARLIEST_BIRTH_YEAR = 1900


class InvalidIdNumber(ValueError):
    """The number breaks one rule of the standard; the message names it."""


@dataclass(frozen=True)
class IdNumberFacts:
    number: str
    birth_date: datetime.date
    sex: str  # "male" | "female"


def check_character(first17: str) -> str:
    """The 18th character of an ID number whose first 17 digits are given (ISO 7064 MOD 11-2)."""
    total = sum(int(digit) * weight for digit, weight in zip(first17, WEIGHTS, strict=True))
    return CHECK_CHARACTERS[total % 11]


def eighteen_digit_form(first_generation: str) -> str:
    """The 18-digit form of a 15-digit first-generation number: ``19`` after the area code, then the check
    character (GB 11643-1999)."""
    first17 = f"{first_generation[:6]}19{first_generation[6:]}"
    return first17 + check_character(first17)


def parse_id_number(raw: str, *, today: datetime.date | None = None) -> IdNumberFacts:
    """Validate an ID number and derive its birth date and sex; raise InvalidIdNumber naming the rule."""
    number = (raw or "").strip().upper()
    if _FIRST_GENERATION.match(number):
        upgraded = eighteen_digit_form(number)
        parse_id_number(upgraded, today=today)  # its own refusal first, if even the 18-digit form is wrong
        raise InvalidIdNumber(
            _(
                "This is a 15-digit first-generation number, which is no longer accepted; "
                "enter its 18-digit form %(number)s."
            )
            % {"number": upgraded}
        )
    if len(number) != 18:
        raise InvalidIdNumber(
            _("An ID number has 18 characters; this one has %(count)d.") % {"count": len(number)}
        )
    if not _SHAPE.match(number):
        raise InvalidIdNumber(_("An ID number is 17 digits followed by a digit or X."))
    if number[:2] not in PROVINCE_CODES:
        raise InvalidIdNumber(
            _("An ID number starts with a province code; %(code)s is not one.") % {"code": number[:2]}
        )
    try:
        birth_date = datetime.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise InvalidIdNumber(_("Characters 7–14 of an ID number must be a real date of birth.")) from None
    if birth_date.year < EARLIEST_BIRTH_YEAR:
        raise InvalidIdNumber(
            _("The year of birth in an ID number must be %(year)d or later.") % {"year": EARLIEST_BIRTH_YEAR}
        )
    if birth_date > (today or timezone.localdate()):
        raise InvalidIdNumber(_("The date of birth in an ID number cannot be in the future."))
    if check_character(number[:17]) != number[17]:
        raise InvalidIdNumber(_("The check character of this ID number is wrong; please check every digit."))
    sex = "male" if int(number[16]) % 2 == 1 else "female"
    return IdNumberFacts(number=number, birth_date=birth_date, sex=sex)


def mask_id_number(number: str) -> str:
    """Show the first 6 and last 4 characters only: 370114********123X."""
    if len(number) <= 10:
        return "*" * len(number)
    return f"{number[:6]}{'*' * (len(number) - 10)}{number[-4:]}"


def compose_id_number(area_code: str, birth_date: datetime.date, sequence: int, sex: str) -> str:
    """A valid ID number for demo data and tests: 6-digit area, birth date, 3-digit sequence, check character.

    The sequence's last digit is odd for men and even for women, as the standard requires.
    """
    sequence = sequence % 1000
    if (sequence % 2 == 1) != (sex == "male"):
        sequence = (sequence + 1) % 1000
    first17 = f"{area_code[:6]}{birth_date:%Y%m%d}{sequence:03d}"
    return first17 + check_character(first17)
