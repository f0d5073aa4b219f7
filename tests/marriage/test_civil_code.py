"""The legal rules as pure functions (marriage/civil_code.py): table-driven and property-based, no database."""

import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from marriage import civil_code
from marriage.civil_code import CertificateKind, DivorcePeriod

D = datetime.date


@pytest.mark.parametrize(
    ("sex", "birth", "on", "reached"),
    [
        # A man may marry from 22: the eve of the birthday, the birthday itself, the day after.
        ("male", D(2002, 6, 15), D(2024, 6, 14), False),
        ("male", D(2002, 6, 15), D(2024, 6, 15), True),
        ("male", D(2002, 6, 15), D(2024, 6, 16), True),
        # A woman from 20.
        ("female", D(2004, 6, 15), D(2024, 6, 14), False),
        ("female", D(2004, 6, 15), D(2024, 6, 15), True),
        ("female", D(2004, 6, 15), D(2024, 6, 16), True),
        # A 20-year-old man is not of age; a 20-year-old woman is.
        ("male", D(2004, 1, 1), D(2024, 6, 1), False),
        ("female", D(2004, 1, 1), D(2024, 6, 1), True),
        # Born 29 February: in a common year the birthday is reached on 1 March, not on 28 February.
        ("male", D(2000, 2, 29), D(2022, 2, 28), False),
        ("male", D(2000, 2, 29), D(2022, 3, 1), True),
        ("female", D(2004, 2, 29), D(2024, 2, 28), False),
        ("female", D(2004, 2, 29), D(2024, 2, 29), True),  # 2024 is a leap year: the day itself
        ("female", D(2003, 2, 28), D(2023, 2, 28), True),
        ("female", D(2004, 2, 29), D(2024, 3, 1), True),
        # Born 1 March, a woman reaches 20 on 1 March whatever the year.
        ("female", D(2004, 3, 1), D(2024, 2, 29), False),
    ],
)
def test_legal_age_on_the_eve_on_and_after_the_birthday(sex, birth, on, reached):
    assert civil_code.has_legal_age(birth, sex, on) is reached


@pytest.mark.parametrize(
    ("birth", "year", "birthday"),
    [
        (D(2000, 2, 29), 2021, D(2021, 3, 1)),
        (D(2000, 2, 29), 2024, D(2024, 2, 29)),
        (D(2000, 12, 31), 2022, D(2022, 12, 31)),
    ],
)
def test_anniversary_moves_29_february_to_1_march_in_common_years(birth, year, birthday):
    assert civil_code.anniversary(birth, year) == birthday


def test_legal_age_reached_on_for_each_sex():
    assert civil_code.legal_age_reached_on(D(2000, 2, 29), "male") == D(2022, 3, 1)
    assert civil_code.legal_age_reached_on(D(2000, 2, 29), "female") == D(2020, 2, 29)


def test_legal_ages_are_configurable():
    assert civil_code.has_legal_age(D(2006, 1, 1), "male", D(2024, 1, 1), ages={"male": 18, "female": 18})


@given(
    birth=st.dates(min_value=D(1900, 1, 1), max_value=D(2100, 12, 31)),
    sex=st.sampled_from(["male", "female"]),
    offset=st.integers(min_value=-800, max_value=800),
)
def test_legal_age_is_reached_exactly_from_one_day_on(birth, sex, offset):
    reached_on = civil_code.legal_age_reached_on(birth, sex)
    on = reached_on + datetime.timedelta(days=offset)

    assert civil_code.has_legal_age(birth, sex, on) is (offset >= 0)
    assert civil_code.age_on(birth, reached_on) == civil_code.legal_age(sex)
    assert civil_code.age_on(birth, reached_on - datetime.timedelta(days=1)) == civil_code.legal_age(sex) - 1


@given(
    birth=st.dates(min_value=D(1900, 1, 1), max_value=D(2100, 12, 31)),
    years=st.integers(min_value=0, max_value=100),
)
def test_age_on_each_birthday_is_the_years_elapsed(birth, years):
    birthday = civil_code.anniversary(birth, min(birth.year + years, 9999))
    assert civil_code.age_on(birth, birthday) == birthday.year - birth.year


@pytest.mark.parametrize(
    ("day", "period", "left"),
    [
        (0, DivorcePeriod.COOLING_OFF, 30),  # the application date itself
        (1, DivorcePeriod.COOLING_OFF, 29),  # day 1 is the day after the application
        (30, DivorcePeriod.COOLING_OFF, 0),
        (31, DivorcePeriod.AWAITING_CERTIFICATE, 29),
        (60, DivorcePeriod.AWAITING_CERTIFICATE, 0),
        (61, DivorcePeriod.LAPSED, None),
        (400, DivorcePeriod.LAPSED, None),
    ],
)
def test_divorce_periods_count_from_the_day_after_the_application(day, period, left):
    applied = D(2024, 1, 31)
    on = applied + datetime.timedelta(days=day)

    assert civil_code.divorce_day(applied, on) == day
    assert civil_code.divorce_period(applied, on) is period
    assert civil_code.days_left_in_period(applied, on) == left


def test_divorce_calendar_of_an_application():
    calendar = civil_code.divorce_calendar(D(2024, 1, 31))

    assert calendar.cooling_off_until == D(2024, 3, 1)  # 30 days after 31 January in a leap year
    assert calendar.certificate_from == D(2024, 3, 2)
    assert calendar.certificate_until == D(2024, 3, 31)
    assert calendar.lapses_on == D(2024, 4, 1)


def test_a_date_before_the_application_has_no_period():
    with pytest.raises(ValueError):
        civil_code.divorce_period(D(2024, 1, 31), D(2024, 1, 30))


@given(
    applied=st.dates(min_value=D(2000, 1, 1), max_value=D(2090, 1, 1)),
    day=st.integers(min_value=0, max_value=200),
)
def test_periods_follow_each_other_without_gaps(applied, day):
    on = applied + datetime.timedelta(days=day)
    calendar = civil_code.divorce_calendar(applied)
    period = civil_code.divorce_period(applied, on)

    if on <= calendar.cooling_off_until:
        assert period is DivorcePeriod.COOLING_OFF
    elif calendar.certificate_from <= on <= calendar.certificate_until:
        assert period is DivorcePeriod.AWAITING_CERTIFICATE
    else:
        assert on >= calendar.lapses_on
        assert period is DivorcePeriod.LAPSED


@pytest.mark.parametrize(
    ("kind", "area", "year", "sequence", "number"),
    [
        (CertificateKind.MARRIAGE, "370114", 2024, 123, "J370114-2024-000123"),
        (CertificateKind.DIVORCE, "370114", 2024, 1, "L370114-2024-000001"),
        (CertificateKind.MARRIAGE_REISSUED, "370181", 1999, 999_999, "BJ370181-1999-999999"),
        (CertificateKind.DIVORCE_REISSUED, "370114", 2025, 42, "BL370114-2025-000042"),
    ],
)
def test_certificate_numbers_follow_the_national_format(kind, area, year, sequence, number):
    assert civil_code.certificate_number(kind, area, year, sequence) == number
    parsed = civil_code.parse_certificate_number(number)
    assert (parsed.kind, parsed.area_code, parsed.year, parsed.sequence) == (kind, area, year, sequence)
    assert str(parsed) == number


@pytest.mark.parametrize(
    ("kind", "area", "year", "sequence"),
    [("X", "370114", 2024, 1), ("J", "37011", 2024, 1), ("J", "370114", 24, 1), ("J", "370114", 2024, 0)],
)
def test_malformed_certificate_numbers_are_refused(kind, area, year, sequence):
    with pytest.raises(ValueError):
        civil_code.certificate_number(kind, area, year, sequence)


@pytest.mark.parametrize("text", ["J370114-2024-123", "K370114-2024-000123", "J370114/2024/000123", ""])
def test_text_that_is_not_a_certificate_number_does_not_parse(text):
    with pytest.raises(ValueError):
        civil_code.parse_certificate_number(text)


@given(
    kind=st.sampled_from(list(CertificateKind)),
    area=st.from_regex(r"\A[0-9]{6}\Z"),
    year=st.integers(min_value=1000, max_value=9999),
    sequence=st.integers(min_value=1, max_value=999_999),
)
def test_certificate_numbers_round_trip(kind, area, year, sequence):
    number = civil_code.certificate_number(kind, area, year, sequence)
    assert civil_code.parse_certificate_number(number) == civil_code.CertificateNumber(
        kind, area, year, sequence
    )
