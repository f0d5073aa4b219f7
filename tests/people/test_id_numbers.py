"""GB 11643-1999 ID numbers: every way to be valid and invalid (SPEC §2.2)."""

import datetime

import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from civil_affairs.people.id_numbers import (
    InvalidIdNumber,
    check_character,
    compose_id_number,
    mask_id_number,
    parse_id_number,
)

TODAY = datetime.date(2026, 11, 28)


@pytest.fixture(autouse=True)
def english():
    """The messages are matched in English here; the UI shows them in Chinese."""
    with translation.override("en"):
        yield


# Check characters worked by hand from the weights 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2.
KNOWN_VALID = [
    ("11010519491231002X", datetime.date(1949, 12, 31), "female"),
    ("370114198001010010", datetime.date(1980, 1, 1), "male"),
    ("370181200002290026", datetime.date(2000, 2, 29), "female"),
]


@pytest.mark.parametrize(("number", "birth_date", "sex"), KNOWN_VALID)
def test_valid_numbers_give_birth_date_and_sex(number: str, birth_date: datetime.date, sex: str) -> None:
    facts = parse_id_number(number, today=TODAY)
    assert (facts.number, facts.birth_date, facts.sex) == (number, birth_date, sex)


def test_lower_case_x_is_accepted_and_stored_upper_case() -> None:
    assert parse_id_number("11010519491231002x", today=TODAY).number == "11010519491231002X"


def test_surrounding_spaces_are_ignored() -> None:
    assert parse_id_number("  370114198001010010 ", today=TODAY).number == "370114198001010010"


@pytest.mark.parametrize(
    ("number", "rule"),
    [
        ("37011419800101001", "18 characters"),
        ("3701141980010100108", "18 characters"),
        ("", "18 characters"),
        ("37011419800101001A", "digit or X"),
        ("3701141980X1010018", "digit or X"),
        ("370114198013010010", "real date"),
        ("370114198002300010", "real date"),
        ("370114190002290010", "real date"),  # 1900 was not a leap year
        ("370114203001010014", "future"),
        ("370114198001010019", "check character"),
    ],
)
def test_invalid_numbers_name_the_rule(number: str, rule: str) -> None:
    with pytest.raises(InvalidIdNumber, match=rule):
        parse_id_number(number, today=TODAY)


def test_birth_today_is_not_in_the_future() -> None:
    number = compose_id_number("370114", TODAY, 1, "male")
    assert parse_id_number(number, today=TODAY).birth_date == TODAY


def test_birth_tomorrow_is_in_the_future() -> None:
    number = compose_id_number("370114", TODAY + datetime.timedelta(days=1), 1, "male")
    with pytest.raises(InvalidIdNumber, match="future"):
        parse_id_number(number, today=TODAY)


def test_masking_shows_first_six_and_last_four() -> None:
    assert mask_id_number("11010519491231002X") == "110105********002X"


birth_dates = st.dates(min_value=datetime.date(1900, 1, 1), max_value=TODAY)
areas = st.sampled_from(["370114", "370181", "110105", "440305"])


@given(area=areas, birth=birth_dates, sequence=st.integers(0, 999), sex=st.sampled_from(["male", "female"]))
def test_every_composed_number_is_valid(area: str, birth: datetime.date, sequence: int, sex: str) -> None:
    number = compose_id_number(area, birth, sequence, sex)
    facts = parse_id_number(number, today=TODAY)
    assert (facts.birth_date, facts.sex) == (birth, sex)


@given(
    birth=birth_dates,
    sequence=st.integers(0, 999),
    position=st.integers(0, 17),
    replacement=st.sampled_from("0123456789X"),
)
def test_every_single_character_change_is_refused(
    birth: datetime.date, sequence: int, position: int, replacement: str
) -> None:
    number = compose_id_number("370114", birth, sequence, "female")
    if number[position] == replacement:
        return  # not a change
    changed = number[:position] + replacement + number[position + 1 :]
    with pytest.raises(InvalidIdNumber):
        parse_id_number(changed, today=TODAY)


def test_check_character_matches_the_standard_table() -> None:
    # Sum % 11 → character, for a sum of 0 ("00000000000000000") the check character is "1".
    assert check_character("0" * 17) == "1"
