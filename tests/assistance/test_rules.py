"""Assistance arithmetic and category rules, without the database (SPEC §4.1, §4.4, §11)."""

import datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from assistance import rules
from assistance.rules import Category


@pytest.mark.parametrize(
    ("standard", "incomes", "covered", "expected"),
    [
        ("1000.00", ["0"], 1, "1000.00"),
        ("1000.00", ["300", "0", "0"], 3, "2700.00"),  # (1000 − 100) × 3
        (
            "1000.00",
            ["100", "0", "0"],
            3,
            "2900.00",
        ),  # exact: (3000 − 100) × 3 / 3, no per-capita rounding first
        ("1000.00", ["100", "0", "0"], 2, "1933.33"),  # (1000 − 33.333…) × 2 = 1933.333…
        ("1000.00", ["200", "0", "0"], 2, "1866.67"),  # 1866.666… rounds half-up
        ("1000.00", ["2500", "0"], 2, "0.00"),  # income above the standard: never below zero
        ("1000.00", ["1000"], 1, "0.00"),
        ("865.00", ["0.01", "0", "0", "0", "0", "0", "0", "0"], 1, "865.00"),  # 864.99875 → 865.00
        ("865.00", ["0.04", "0", "0", "0", "0", "0", "0", "0"], 1, "865.00"),  # 864.995 exactly: half-up
        ("865.00", ["0.12", "0", "0", "0", "0", "0", "0", "0"], 1, "864.99"),  # 864.985 exactly: half-up
    ],
)
def test_gap_amount(standard, incomes, covered, expected):
    amount = rules.monthly_amount(
        category=Category.DIBAO_URBAN,
        standard=Decimal(standard),
        total_income=sum(Decimal(i) for i in incomes),
        member_count=len(incomes),
        covered_count=covered,
    )
    assert amount == Decimal(expected)


def test_gap_amount_rounds_an_exact_half_fen_up():
    # (1000·2 − 0.01) × 1 / 2 = 999.995 exactly → 1000.00
    amount = rules.monthly_amount(
        category=Category.DIBAO_RURAL,
        standard=Decimal("1000.00"),
        total_income=Decimal("0.01"),
        member_count=2,
        covered_count=1,
    )
    assert amount == Decimal("1000.00")


@pytest.mark.parametrize("category", [c for c in Category if c not in rules.GAP_CATEGORIES])
def test_flat_categories_pay_the_standard_per_person_covered(category):
    amount = rules.monthly_amount(
        category=category,
        standard=Decimal("1300.00"),
        total_income=Decimal("5000"),
        member_count=3,
        covered_count=2,
    )
    assert amount == Decimal("2600.00")


@given(
    standard=st.decimals(min_value=1, max_value=5000, places=2),
    incomes=st.lists(st.decimals(min_value=0, max_value=3000, places=2), min_size=1, max_size=8),
    data=st.data(),
)
def test_gap_amount_is_never_negative_and_has_two_places(standard, incomes, data):
    covered = data.draw(st.integers(min_value=1, max_value=len(incomes)))
    amount = rules.monthly_amount(
        category=Category.DIBAO_URBAN,
        standard=standard,
        total_income=sum(incomes, Decimal(0)),
        member_count=len(incomes),
        covered_count=covered,
    )
    assert amount >= 0
    assert amount == amount.quantize(Decimal("0.01"))
    exact = (standard - sum(incomes, Decimal(0)) / len(incomes)) * covered
    assert abs(amount - max(exact, Decimal(0))) <= Decimal("0.005")


@pytest.mark.parametrize(
    ("old", "rate", "new"),
    [
        ("1000.00", "0.05", "1050.00"),
        ("1010.00", "0.05", "1061.00"),  # 1060.5 rounds up
        ("1030.00", "0.05", "1082.00"),  # 1081.5 rounds up
        ("1029.00", "0.05", "1080.00"),  # 1080.45 rounds down
        ("865.00", "0.05", "908.00"),  # 908.25
        ("1125.00", "0.05", "1181.00"),  # 1181.25
        ("1170.00", "0.05", "1229.00"),  # 1228.5 rounds up
    ],
)
def test_uplifted_standard_rounds_half_up_to_whole_yuan(old, rate, new):
    assert rules.uplifted_standard(Decimal(old), Decimal(rate)) == Decimal(new)


def test_tekun_and_dibao_exclude_each_other():
    assert Category.TEKUN_RURAL in rules.conflicting_categories(Category.DIBAO_URBAN)
    assert Category.DIBAO_RURAL in rules.conflicting_categories(Category.TEKUN_URBAN)
    assert Category.DISABILITY_LIVING not in rules.conflicting_categories(Category.DIBAO_URBAN)
    assert rules.conflicting_categories(Category.DISABILITY_CARE) == {Category.DISABILITY_CARE}


def test_notice_ends_after_seven_full_days():
    assert rules.notice_ends(datetime.date(2024, 3, 1)) == datetime.date(2024, 3, 8)


@pytest.mark.parametrize(
    ("day", "first"),
    [
        (datetime.date(2024, 1, 31), datetime.date(2024, 2, 1)),
        (datetime.date(2024, 12, 15), datetime.date(2025, 1, 1)),
    ],
)
def test_payment_starts_the_month_after(day, first):
    assert rules.first_of_next_month(day) == first


def test_review_every_year_or_six_months_for_irregular_income():
    start = datetime.date(2024, 8, 31)
    assert rules.next_review(start, irregular_income=False) == datetime.date(2025, 8, 31)
    assert rules.next_review(start, irregular_income=True) == datetime.date(2025, 2, 28)
